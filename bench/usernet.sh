#!/bin/bash
# usernet: time to a rootless jail whose network answers - the jail
# connects out to a server of the sandbox and reads its first line.
#   nsnew -U -r --user-net=pasta       vs unshare -rn + pasta started by hand
#                                         (target <= 1.1)
#   nsnew -U -r --user-net=slirp4netns vs unshare -rn + slirp4netns by hand
#   nsnew -U -r -a --rootfs BOX --user-net=H vs rootless `podman run --rm
#     --network H` of the same root made into an image (target <= 0.5); the
#     Podman here (4.3) has no pasta network: its slirp4netns stands in
# As an unprivileged user of our own; /dev/net/tun (0600 on this machine) is
# overlaid with a 0666 node in the sandbox's mount namespace only.
. "$NSKIT_TOP/bench/lib.sh"
USR=nskitbench
SERVER=10.199.1.1
NSNEW=$(nskit nsnew) || { bench_skip usernet "(job)" "nsnew not built"; exit 0; }

id "$USR" >/dev/null 2>&1 || useradd -M -s /bin/sh "$USR" || exit 1
BIN=$(mktemp -d /tmp/usernet-bench.XXXXXX)
chmod 755 "$BIN"
cp "$NSNEW" "$BIN/nsnew"
TUN=$(mktemp -d /tmp/usernet-tun.XXXXXX)
mount -t tmpfs -o mode=755 usernet-tun "$TUN" && mknod -m 0666 "$TUN/tun" c 10 200 &&
	mount --bind "$TUN/tun" /dev/net/tun || exit 1
ip link set lo up
ip link add ub0 type veth peer name ub1 && ip addr add 10.199.0.1/24 dev ub0 &&
	ip addr add 10.199.0.2/24 dev ub1 && ip link set ub0 up && ip link set ub1 up &&
	ip route add default via 10.199.0.2 dev ub0 && ip addr add "$SERVER/32" dev lo || exit 1
socat TCP-LISTEN:7000,bind=$SERVER,reuseaddr,fork SYSTEM:'echo outside' >/dev/null 2>&1 &
server=$!
# For the image's busybox client (no /dev/tcp; nc's half-close at the end
# of its input is mishandled by Debian 12's pasta): HTTP with a length.
printf 'HTTP/1.0 200 OK\r\nContent-Length: 8\r\n\r\noutside\n' >"$BIN/http-reply"
socat TCP-LISTEN:7001,bind=$SERVER,reuseaddr,fork SYSTEM:"cat $BIN/http-reply" >/dev/null 2>&1 &
server="$server $!"
trap 'kill $server 2>/dev/null; umount /dev/net/tun "$TUN" 2>/dev/null; rm -rf "$BIN" "$TUN"' EXIT
until ss -Hltn 'sport = :7000' | grep -q . && ss -Hltn 'sport = :7001' | grep -q .; do sleep 0.01; done
# The veth carries once the kernel's link watch saw both ends up.
until ip -o link show ub0 | grep -q 'state UP'; do sleep 0.01; done

# The hand-made pair: a user and network namespace from unshare, the
# helper attached to it with the options nsnew gives it and waited for
# (pasta returns once configured, slirp4netns writes its ready fd), the
# client run in it, all torn down.
cat >"$BIN/pair" <<'PAIR'
#!/bin/bash
helper=$1 server=$2
unshare -rn sleep 1000 &
j=$!
until [ "$(cat /proc/$j/comm 2>/dev/null)" = sleep ]; do :; done
if [ "$helper" = pasta ]; then
	d=$(mktemp -d)
	pasta -q --config-net --no-map-gw -T none -U none -t none -u none -P "$d/pid" $j
	p=$(cat "$d/pid")
	rm -rf "$d"
else
	exec 5<> <(:)
	slirp4netns --configure --mtu=65520 --disable-host-loopback --enable-sandbox --enable-seccomp --ready-fd=5 $j tap0 >/dev/null 2>&1 &
	p=$!
	read -r -n1 _ <&5
fi
nsenter -t $j -U -n --preserve-credentials bash -c "exec 3<>/dev/tcp/$server/7000 && read -r l <&3 && [ \$l = outside ]"
kill $j $p
PAIR
chmod 755 "$BIN/pair"
AS="setpriv --reuid=$USR --regid=$USR --clear-groups"
# The client: bash's /dev/tcp, the first line read, no half-close.
CLIENT="exec 3<>/dev/tcp/$SERVER/7000 && read -r l <&3 && [ \$l = outside ]"

for h in pasta slirp4netns; do
	need usernet "--user-net=$h" nsnew "peer:$h" peer:socat || continue
	bench_time "pair-$h" "$AS $BIN/pair $h $SERVER" \
		"nsnew-$h" "$AS $BIN/nsnew -U -r --user-net=$h -- bash -c '$CLIENT'" &&
		bench_row usernet "--user-net=$h (vs unshare -rn + $h)" 1.1 "nsnew-$h" "pair-$h"
done

# Rootless Podman, as $USR with no subordinate ids (a single mapping:
# Podman then runs no newuidmap, the cheapest set-up it has), its storage,
# runtime dirs and events under $PW; the image imported from BOX, never
# pulled. What this VM needs (as test_cni.sh): crun refuses the hybrid
# cgroup layout, so an empty tmpfs hides /sys/fs/cgroup/unified in the
# sandbox and containers run with --cgroups disabled; Podman asks for
# RLIMIT_NOFILE/NPROC above the hard limits here, so --ulimit lowers both.
# The jail's command is the same busybox client on both sides.
need usernet "vs podman run" nsnew peer:podman peer:busybox || exit 0
BOX=$BIN/box
mkdir -p "$BOX/bin" "$BOX/etc" "$BOX/proc" "$BOX/sys" "$BOX/dev" "$BOX/tmp" "$BOX/run"
cp "$(command -v busybox)" "$BOX/bin/busybox" && ln -s busybox "$BOX/bin/sh" && touch "$BOX/etc/hosts" "$BOX/etc/resolv.conf" || exit 1
PW=$(mktemp -d /tmp/usernet-podman.XXXXXX)
chmod 755 "$PW"
mkdir -p "$PW/home" "$PW/run"
chmod 700 "$PW/run"
chown "$USR:" "$PW/home" "$PW/run"
sed -i "/^$USR:/d" /etc/subuid /etc/subgid 2>/dev/null
if grep -qs . /sys/fs/cgroup/unified/cgroup.controllers; then
	mount -t tmpfs usernet-no-hybrid /sys/fs/cgroup/unified || exit 1
fi
# Podman keeps its lock file in /dev/shm, which the sandbox shares with
# the host: a tmpfs of the sandbox's own takes it.
mount -t tmpfs -o mode=1777 usernet-shm /dev/shm || exit 1
trap 'kill $server 2>/dev/null
	[ -s "$PW/run/libpod/tmp/pause.pid" ] && kill -KILL "$(cat "$PW/run/libpod/tmp/pause.pid")" 2>/dev/null
	umount /dev/net/tun "$TUN" 2>/dev/null; rm -rf "$BIN" "$TUN" "$PW"' EXIT
PODMAN="$AS env HOME=$PW/home XDG_RUNTIME_DIR=$PW/run XDG_CONFIG_HOME=$PW/home/.config XDG_DATA_HOME=$PW/home/.local/share TMPDIR=$PW/run podman --root $PW/home/storage --runroot $PW/run/storage --cgroup-manager=cgroupfs --events-backend=file"
tar -C "$BOX" -cf "$PW/box.tar" . && chown "$USR:" "$PW/box.tar" &&
	$PODMAN import "$PW/box.tar" localhost/nskit-usernet:1 >>"$BENCH_LOG" 2>&1 || {
	bench_note usernet "vs podman run" "FAILED: podman import (see bench.log)"
	exit 0
}
BCLIENT="/bin/busybox sh -c '[ \"\$(busybox wget -q -O - http://$SERVER:7001/)\" = outside ]'"
RUN="run --rm --pull=never --cgroups=disabled --ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
cases=()
for h in pasta slirp4netns; do
	have "$h" || continue
	# Peer first, as every job orders its rounds.
	if $PODMAN $RUN --network "$h" localhost/nskit-usernet:1 /bin/busybox true >"$BIN/podman.err" 2>&1; then
		cases+=("podman-$h" "$PODMAN $RUN --network $h localhost/nskit-usernet:1 $BCLIENT")
	else
		bench_note usernet "vs podman run --network $h" "Podman $($PODMAN --version 2>/dev/null | awk '{ print $3 }') cannot: $(grep -v level=warn "$BIN/podman.err" | tail -n 1)"
	fi
	cases+=("jail-$h" "$AS $BIN/nsnew -U -r -a --rootfs $BOX --user-net=$h -- $BCLIENT")
done
ROUNDS=$((ROUNDS < 15 ? ROUNDS : 15))
# Now and then (1 run in 40 here, only under load and only interleaved)
# `podman run` exits 1: the case is run again, up to three times, and the
# row says so.
ok=
for tries in 1 2 3; do
	bench_time "${cases[@]}" && { ok=1; break; }
	log "usernet: a round failed (try $tries of 3)"
done
retried=
[ "$tries" = 1 ] || retried="; a run failed, the case was run again ($tries tries)"
if [ -n "$ok" ]; then
	for h in pasta slirp4netns; do
		[ -s "$_bt_dir/jail-$h" ] || continue
		if [ -s "$_bt_dir/podman-$h" ]; then
			bench_row usernet "-a --rootfs --user-net=$h (vs podman run --network $h)" 0.5 "jail-$h" "podman-$h" "rootless, vfs storage, --cgroups=disabled$retried"
		elif [ -s "$_bt_dir/podman-slirp4netns" ]; then
			bench_row usernet "-a --rootfs --user-net=$h (vs podman run --network slirp4netns)" 0.5 "jail-$h" podman-slirp4netns "Podman here has no pasta: its slirp4netns stands in$retried"
		fi
	done
else
	bench_fail usernet "vs podman run"
fi
