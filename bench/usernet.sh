#!/bin/bash
# usernet: time to a rootless jail whose network answers - the jail
# connects out to a server of the sandbox and reads its first line.
#   nsnew -U -r --user-net=pasta       vs unshare -rn + pasta started by hand
#                                         (target <= 1.1), and vs Podman's
#                                         `podman run --network pasta` where
#                                         Podman runs here (target <= 0.5)
#   nsnew -U -r --user-net=slirp4netns vs unshare -rn + slirp4netns by hand
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
trap 'kill $server 2>/dev/null; umount /dev/net/tun "$TUN" 2>/dev/null; rm -rf "$BIN" "$TUN"' EXIT
until ss -Hltn 'sport = :7000' | grep -q .; do sleep 0.01; done
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
if have podman && $AS podman info >/dev/null 2>&1; then
	bench_note usernet "vs podman run --network pasta" "podman is installed: not compared yet (needs an image)"
else
	bench_note usernet "vs podman run --network pasta" "skipped: Podman does not run here"
fi
