#!/bin/bash
# nsnew --user-net and --publish: a rootless jail with a network through
# pasta (package passt) or slirp4netns, both run here when installed.
#
# The "outside" is this suite's own sandbox network namespace: a veth pair
# with an address and a default route (the helpers take their addresses
# from the interface of the default route) and a server on 10.199.1.1, an
# address of the sandbox's own. No traffic leaves the sandbox and the jails.
# /dev/net/tun is mode 0600 on the host: an unprivileged helper could not
# open it, so a 0666 node of our own is bound over it, in the sandbox's
# private mount namespace only.
. "$(dirname "$0")/lib.sh"

USR=nskitnet
USR2=nskitnt2
SERVER=10.199.1.1
HELPERS='passt|passt.avx2|pasta|pasta.avx2|slirp4netns'

oneTimeSetUp() {
	BIN=$(mktemp -d /tmp/usernet-bin.XXXXXX)
	chmod 755 "$BIN"
	cp "$BUILD/nsnew" "$BUILD/nsjoin" "$BUILD/nsname" "$BIN/"
	# Uids of our own: the sandbox shares the pid namespace with other
	# suites running at once, and helpers_left counts processes by uid.
	id "$USR" >/dev/null 2>&1 || useradd -M -u $((200000 + SRANDOM % 100000)) -s /bin/sh "$USR"
	id "$USR2" >/dev/null 2>&1 || useradd -M -u $((300000 + SRANDOM % 100000)) -s /bin/sh "$USR2"
	# The user's runtime directory, as a login would make it.
	RUNDIR=$(mktemp -d /tmp/usernet-run.XXXXXX)
	chown "$USR:$USR" "$RUNDIR"
	chmod 700 "$RUNDIR"
	NAMES=$RUNDIR/nskit/netns
	AS_ME="$AS_USER env XDG_RUNTIME_DIR=$RUNDIR"
	TUN=$(mktemp -d /tmp/usernet-tun.XXXXXX)
	mount -t tmpfs -o mode=755 usernet-tun "$TUN"
	mknod -m 0666 "$TUN/tun" c 10 200
	mount --bind "$TUN/tun" /dev/net/tun
	ip link set lo up
	ip link add un0 type veth peer name un1
	ip addr add 10.199.0.1/24 dev un0
	ip addr add 10.199.0.2/24 dev un1
	ip link set un0 up
	ip link set un1 up
	ip route add default via 10.199.0.2 dev un0
	# pasta copies the outside's interface once it runs: a veth has its
	# carrier only once the kernel's link watch saw both ends up (later on
	# a loaded machine).
	wait_for 10 eval 'ip -o link show un0 | grep -q "state UP"'
	ip addr add "$SERVER/32" dev lo
	socat TCP-LISTEN:7000,bind=$SERVER,reuseaddr,fork SYSTEM:'echo outside' >/dev/null 2>&1 &
	SERVER_PID=$!
	printf 'HTTP/1.0 200 OK\r\nContent-Length: 8\r\n\r\noutside\n' >"$BIN/http-reply"
	socat TCP-LISTEN:7001,bind=$SERVER,reuseaddr,fork SYSTEM:"cat $BIN/http-reply" >/dev/null 2>&1 &
	HTTP_PID=$!
	wait_for 10 listening "" 7000
	wait_for 10 listening "" 7001
	ROOTFS=$(make_rootfs)
}

suite_teardown() {
	kill "$SERVER_PID" "$HTTP_PID" 2>/dev/null
	umount /dev/net/tun "$TUN" 2>/dev/null
	rm -rf "$BIN" "$TUN" "$ROOTFS" "$RUNDIR"
	ip link del un0 2>/dev/null
	return 0
}

tearDown() {
	for p in ${pids-}; do
		kill -KILL "$p" 2>/dev/null
	done
	pids=
	return 0
}

make_rootfs() {
	r=$(mktemp -d /tmp/usernet-root.XXXXXX)
	chmod 755 "$r"
	mkdir -p "$r/usr" "$r/etc" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/run"
	for d in bin sbin lib lib32 lib64 libx32; do
		[ -e "/$d" ] && ln -s "usr/$d" "$r/$d"
	done
	touch "$r/etc/hosts" "$r/etc/resolv.conf"
	printf '%s\n' "$r"
}

# A UDP server on port 81 that answers every datagram with "jail".
UDP_SERVER='import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 81))
while True:
    d, a = s.recvfrom(512)
    s.sendto(b"jail", a)'

# The jail's client: the first line of the outside's server, read through
# bash's /dev/tcp (no half-close, no timing), bounded by timeout.
FETCH="timeout 20 bash -c 'exec 3<>/dev/tcp/$SERVER/7000 && read -r l <&3 && echo \$l'"
FETCH=(sh -c "$FETCH")

AS_USER="setpriv --reuid=$USR --regid=$USR --clear-groups"

have() {
	command -v "$1" >/dev/null
}

# The helper processes of our user, if any.
helpers_left() {
	pgrep -u "$USR" -x "$HELPERS"
}
no_helper_left() {
	! helpers_left >/dev/null
}

# reply HOST PORT [udp]: the first line a server at HOST:PORT answers.
# First lines only: the Debian 12 pasta may repeat a reply after the
# client's half-close.
reply() {
	if [ "${3-}" = udp ]; then
		echo ask | timeout 5 socat -T1 - "UDP:$1:$2" 2>/dev/null | head -n1
	else
		timeout 5 socat -T1 - "TCP:$1:$2" </dev/null 2>/dev/null | head -n1
	fi
}
answers() {
	[ "$(reply "$@")" = jail ]
}

# ---- out of the jail ----

connects_out() {
	run $AS_USER "$BIN/nsnew" -U --map-root --user-net="$1" -- \
		"${FETCH[@]}"
	assertRC 0
	assertEquals "the outside's server answered" outside "$OUT"
	assertEquals "the helper was quiet" "" "$ERR"
	assertTrue "no helper left" "wait_for 10 no_helper_left"
}

test_pasta_jail_connects_out() {
	have pasta || { skip_test "pasta (package passt) not installed"; return 0; }
	connects_out pasta
}

test_slirp4netns_jail_connects_out() {
	have slirp4netns || { skip_test "slirp4netns not installed"; return 0; }
	connects_out slirp4netns
}

# Interface, address and default route are there when the command starts.
network_is_up_at_start() {
	run $AS_USER "$BIN/nsnew" -U --map-root --user-net="$1" -- sh -c 'ip -4 -o addr show scope global; ip -4 route show default'
	assertRC 0
	assertContains "an address: $OUT" "$OUT" "inet $2"
	assertContains "a default route: $OUT" "$OUT" "default via $3"
}

test_pasta_copies_the_outside_address_and_route() {
	have pasta || { skip_test "pasta (package passt) not installed"; return 0; }
	network_is_up_at_start pasta 10.199.0.1/24 10.199.0.2
}

test_slirp4netns_gives_its_own_network() {
	have slirp4netns || { skip_test "slirp4netns not installed"; return 0; }
	network_is_up_at_start slirp4netns 10.0.2.100/24 10.0.2.2
}

# ---- into the jail ----

# publish HELPER PROTO HOSTPORT: a server on port 80 (or 81/udp) in the
# jail answers on HOSTPORT of the caller's network.
publish() {
	local spec server
	local to=127.0.0.1
	if [ "$2" = udp ]; then
		# Replies to a UDP client on the loopback (or, through pasta, on
		# the address the jail copied) are lost by Debian 12's helpers
		# (nsnew(1), CAVEATS): the client speaks from $SERVER.
		spec="$3:81/udp"
		to=$SERVER
		server="python3 -c '$UDP_SERVER'"
	else
		spec="$3:80"
		server="socat TCP-LISTEN:80,reuseaddr,fork SYSTEM:'echo jail'"
	fi
	$AS_USER "$BIN/nsnew" -U --map-root --user-net="$1" --publish "$spec" -- sh -c "exec $server" &
	jail=$!
	pids="$pids $jail"
	assertTrue "the jail's server answers on $3/$2" "wait_for 20 answers $to $3 $2"
	kill -TERM "$jail"
	wait "$jail"
	assertTrue "no helper left" "wait_for 10 no_helper_left"
}

test_pasta_publishes_tcp() {
	have pasta || { skip_test "pasta (package passt) not installed"; return 0; }
	publish pasta tcp 18080
}

test_pasta_publishes_udp() {
	have pasta || { skip_test "pasta (package passt) not installed"; return 0; }
	publish pasta udp 18081
}

test_slirp4netns_publishes_tcp() {
	have slirp4netns || { skip_test "slirp4netns not installed"; return 0; }
	publish slirp4netns tcp 18082
}

test_slirp4netns_publishes_udp() {
	have slirp4netns || { skip_test "slirp4netns not installed"; return 0; }
	publish slirp4netns udp 18083
}

# ---- the helper goes with the jail ----

# A jail that sleeps; its nsnew in $jail, the helper's pid in $helper.
sleeping_jail() {
	$AS_USER "$BIN/nsnew" -U --map-root --user-net="$1" -- sleep 1000 &
	jail=$!
	pids="$pids $jail"
	wait_for 20 started "$jail" sleep
	helper=$(helpers_left)
	sleeper=$(pgrep -P "$jail" -x sleep)
	pids="$pids $sleeper"
}

helper_gone_after_sigterm() {
	sleeping_jail "$1"
	assertNotNull "the helper runs" "$helper"
	kill -TERM "$jail"
	wait "$jail"
	assertEquals "status of nsnew: the jail's, killed by SIGTERM" 143 $?
	assertTrue "no helper left" "wait_for 10 no_helper_left"
}

helper_gone_after_sigkill() {
	sleeping_jail "$1"
	assertNotNull "the helper runs" "$helper"
	kill -KILL "$jail"
	wait "$jail"
	assertTrue "the helper died with nsnew" "wait_for 10 no_helper_left"
	kill -KILL "$sleeper"
}

test_pasta_gone_after_sigterm() {
	have pasta || { skip_test "pasta (package passt) not installed"; return 0; }
	helper_gone_after_sigterm pasta
}

test_pasta_gone_after_sigkill_of_nsnew() {
	have pasta || { skip_test "pasta (package passt) not installed"; return 0; }
	helper_gone_after_sigkill pasta
}

test_slirp4netns_gone_after_sigterm() {
	have slirp4netns || { skip_test "slirp4netns not installed"; return 0; }
	helper_gone_after_sigterm slirp4netns
}

test_slirp4netns_gone_after_sigkill_of_nsnew() {
	have slirp4netns || { skip_test "slirp4netns not installed"; return 0; }
	helper_gone_after_sigkill slirp4netns
}

test_jail_status_passes_through() {
	have pasta || { skip_test "pasta (package passt) not installed"; return 0; }
	run $AS_USER "$BIN/nsnew" -U --map-root --user-net=pasta -- sh -c 'exit 7'
	assertRC 7
	assertTrue "no helper left" "wait_for 10 no_helper_left"
}

# ---- with the rest of nsnew ----

test_rootfs_and_init_jail_connects_out() {
	have slirp4netns || { skip_test "slirp4netns not installed"; return 0; }
	run $AS_USER "$BIN/nsnew" -U --map-root -a --init --user-net=slirp4netns --rootfs "$ROOTFS" \
		--volume /usr:/usr:ro -- "${FETCH[@]}"
	assertRC 0
	assertEquals "outside" "$OUT"
	assertTrue "no helper left" "wait_for 10 no_helper_left"
}

# As root: slirp4netns in a jail of root's own user namespace, and nsjoin
# enters the named jail.
test_root_jail_with_name_and_publish() {
	have slirp4netns || { skip_test "slirp4netns not installed"; return 0; }
	n=$(uniq_name un)
	nsnew -n --name "$n" --user-net=slirp4netns --publish 127.0.0.1:18090:80 -- \
		socat TCP-LISTEN:80,reuseaddr,fork SYSTEM:'echo jail' &
	jail=$!
	pids="$pids $jail"
	assertTrue "the jail's server answers" "wait_for 20 answers 127.0.0.1 18090"
	helper=$(pgrep -P "$jail" -x slirp4netns)
	assertNotNull "slirp4netns runs" "$helper"
	run nsjoin "$n" -- ip -4 -o addr show scope global
	assertRC 0
	assertContains "nsjoin sees the jail's address: $OUT" "$OUT" "10.0.2.100/24"
	kill -TERM "$jail"
	wait "$jail"
	nsname del "$n" 2>/dev/null
	assertTrue "no helper left" "wait_for 10 eval '! kill -0 $helper 2>/dev/null'"
}

# As root, pasta stays root (it would switch to nobody, who may not join
# the jail's user namespace that root owns), with its capabilities in that
# namespace only.
test_root_pasta_jail_connects_out() {
	have pasta || { skip_test "pasta (package passt) not installed"; return 0; }
	run nsnew -U --map-root --user-net=pasta -- "${FETCH[@]}"
	assertRC 0
	assertEquals "the outside's server answered" outside "$OUT"
	assertEquals "the helper was quiet" "" "$ERR"
}

test_root_pasta_publishes_tcp_and_udp() {
	have pasta || { skip_test "pasta (package passt) not installed"; return 0; }
	nsnew -U --map-root --user-net=pasta --publish 18110:80 --publish 18111:81/udp -- \
		sh -c "socat TCP-LISTEN:80,reuseaddr,fork SYSTEM:'echo jail' & exec python3 -c '$UDP_SERVER'" &
	jail=$!
	pids="$pids $jail"
	assertTrue "the jail's server answers on 18110/tcp" "wait_for 20 answers 127.0.0.1 18110"
	assertTrue "the jail's server answers on 18111/udp" "wait_for 20 answers $SERVER 18111 udp"
	helper=$(pgrep -P "$jail" -x 'pasta|pasta.avx2|passt|passt.avx2')
	assertNotNull "pasta runs" "$helper"
	assertEquals "pasta runs as root" 0 "$(ps -o uid= -p "$helper" | tr -d ' ')"
	# Its capabilities are those of the jail's user namespace it joined,
	# none on the host.
	assertEquals "pasta is in the jail's user namespace" \
		"$(readlink "/proc/$(pgrep -P "$jail" -x python3)/ns/user")" "$(readlink "/proc/$helper/ns/user")"
	assertNotEquals "not in the host's" "$(readlink /proc/self/ns/user)" "$(readlink "/proc/$helper/ns/user")"
	kill -TERM "$jail"
	wait "$jail"
	assertTrue "no helper left" "wait_for 10 eval '! kill -0 $helper 2>/dev/null'"
}

# This pasta drops CAP_SYS_ADMIN before it joins: a jail in root's own
# user namespace is refused in one line that says what to use instead.
test_root_pasta_needs_a_user_namespace() {
	have pasta || { skip_test "pasta (package passt) not installed"; return 0; }
	run nsnew -n --user-net=pasta -- true
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "give the jail its own user namespace (-U) or use --user-net=slirp4netns"
}

test_slirp4netns_jail_resolves_through_10_0_2_3() {
	have slirp4netns || { skip_test "slirp4netns not installed"; return 0; }
	printf 'search example.test\nnameserver 127.0.0.53\noptions edns0\n' >/etc/resolv.conf
	run $AS_USER "$BIN/nsnew" -U --map-root --user-net=slirp4netns --rootfs "$ROOTFS" \
		--volume /usr:/usr:ro -- cat /etc/resolv.conf
	assertRC 0
	assertEquals "slirp4netns's resolver, the caller's other lines" \
		"$(printf 'nameserver 10.0.2.3\nsearch example.test\noptions edns0')" "$OUT"
}

# The README's pipeline, as an ordinary user and as written there: an OCI
# layout as `skopeo copy docker://nginx:alpine oci:nginx:alpine` leaves it
# (here a static busybox whose Cmd serves /www on port 80, tagged alpine
# in ./nginx) made into ~/web by mkrootfs, run by nsnew with a network
# and port 8080 published; curl gets the page; a second jail from it
# fetches from the outside's server (the README's example.org).
make_oci_image() {
	python3 - "$1" "$2" <<'PY'
import hashlib, io, json, os, sys, tarfile
out, tag = sys.argv[1], sys.argv[2]
b = io.BytesIO()
t = tarfile.open(fileobj=b, mode="w")
def add(name, data=None, link=None, mode=0o644):
    i = tarfile.TarInfo(name)
    if link: i.type = tarfile.SYMTYPE; i.linkname = link
    elif data is None: i.type = tarfile.DIRTYPE; i.mode = 0o755
    else: i.size = len(data); i.mode = mode
    t.addfile(i, io.BytesIO(data) if data is not None else None)
add("bin"); add("etc"); add("www")
add("bin/busybox", open("/bin/busybox", "rb").read(), mode=0o755)
add("bin/sh", link="busybox")
add("bin/wget", link="busybox")
add("www/index.html", b"jail\n")
t.close()
os.makedirs(out + "/blobs/sha256")
def blob(data):
    d = hashlib.sha256(data).hexdigest()
    open(out + "/blobs/sha256/" + d, "wb").write(data)
    return {"digest": "sha256:" + d, "size": len(data)}
cfg = blob(json.dumps({"architecture": "amd64", "os": "linux", "config": {
    "Cmd": ["/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www"]}}).encode())
man = blob(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": dict(cfg, mediaType="application/vnd.oci.image.config.v1+json"),
    "layers": [dict(blob(b.getvalue()), mediaType="application/vnd.oci.image.layer.v1.tar")]}).encode())
open(out + "/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": [
    dict(man, mediaType="application/vnd.oci.image.manifest.v1+json",
         annotations={"org.opencontainers.image.ref.name": tag})]}))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
PY
}

http_body() {
	printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 socat -T2 - "TCP:$1:$2" 2>/dev/null | tail -n1
}
serves_jail() {
	[ "$(http_body "$@")" = jail ]
}

test_oci_image_to_rootless_jail_with_network() {
	have pasta || { skip_test "pasta (package passt) not installed"; return 0; }
	[ -x /bin/busybox ] || { skip_test "no static busybox (package busybox-static)"; return 0; }
	have curl || { skip_test "no curl"; return 0; }
	cp "$BUILD/mkrootfs" "$BIN/"
	W=$(mktemp -d /tmp/usernet-oci.XXXXXX)
	chmod 755 "$W"
	make_oci_image "$W/nginx" alpine
	chown -R "$USR" "$W"
	# The user's shell: HOME in $W, the tools on PATH, in the directory
	# skopeo left ./nginx in.
	ME="$AS_USER env HOME=$W PATH=$BIN:$PATH sh -c"
	run $ME 'cd && mkrootfs ~/web --from-oci nginx:alpine'
	assertRC 0
	$ME 'exec nsnew -U --map-root -a --init --user-net=pasta --publish 8080:80 --rootfs ~/web' &
	jail=$!
	pids="$pids $jail"
	assertTrue "the image's httpd answers on the published port" "wait_for 20 serves_jail 127.0.0.1 8080"
	run $ME 'curl -s http://127.0.0.1:8080/'
	assertEquals "curl http://127.0.0.1:8080/" jail "$OUT"
	run $ME "nsnew -U -r -a --user-net=pasta --rootfs ~/web -- wget -qO- http://$SERVER:7001/"
	assertRC 0
	assertEquals "the jail fetched from outside: $ERR" outside "$OUT"
	kill -TERM "$jail"
	assertTrue "the jail ended" "wait_for 20 eval '! kill -0 $jail 2>/dev/null'"
	wait "$jail"
	assertTrue "no helper left" "wait_for 10 no_helper_left"
	rm -rf "$W"
}

# ---- rootless names ----
#
# An ordinary user's --name is a record in its own directory
# ($XDG_RUNTIME_DIR/nskit/netns) of the jail's first process and the
# identity of its namespaces; nsjoin NAME joins them, user namespace first.

# named_jail NAME NSNEW-ARG...: a rootless jail named NAME, its nsnew in
# $jail, running once the name answers.
named_jail() {
	local n=$1
	shift
	$AS_ME "$BIN/nsnew" -U --map-root --name "$n" "$@" &
	jail=$!
	pids="$pids $jail"
	wait_for 20 $AS_ME "$BIN/nsname" exists "$n"
}

# untraced_leaks CMD...: CMD with LeakSanitizer's check off (a sanitizer
# build), which cannot run under strace.
untraced_leaks() {
	ASAN_OPTIONS="${ASAN_OPTIONS-}:detect_leaks=0" "$@"
}

# end_jail: SIGTERM to the jail's nsnew, and its status in $status.
end_jail() {
	kill -TERM "$jail"
	wait "$jail"
	status=$?
}

named_jail_is_joined_by_name() {
	n=$(uniq_name "$1")
	named_jail "$n" --user-net="$1" -- sleep 1000
	assertTrue "the name answers" "$AS_ME $BIN/nsname exists $n"
	run $AS_ME "$BIN/nsjoin" "$n" ip -4 -o addr show scope global
	assertRC 0
	assertContains "nsjoin sees the jail's interface: $OUT $ERR" "$OUT" "inet $2"
	run $AS_ME "$BIN/nsjoin" "$n" "${FETCH[@]}"
	assertRC 0
	assertEquals "the jail reaches the outside's server: $ERR" outside "$OUT"
	run $AS_ME "$BIN/nsjoin" "$n" id -u
	assertEquals "uid 0 in the jail's user namespace" 0 "$OUT"
	run $AS_ME "$BIN/nsname" list
	assertRC 0; assertErrEmpty
	assertEquals "the rootless name is listed" "$n" "$(printf '%s\n' "$OUT" | sed 's/ (id: [0-9]*)$//')"
	run $AS_ME "$BIN/nsname" list -j
	assertEquals "list -j: the name and its jail's pid" "$n $(pgrep -P "$jail" -x sleep)" \
		"$(printf '%s' "$OUT" | python3 -c 'import json,sys; [print(e["name"], e["pid"]) for e in json.load(sys.stdin)]')"
	run ip netns list
	assertNotContains "ip netns does not see rootless names" "$OUT" "$n"
	end_jail
	assertEquals "the jail's status (SIGTERM)" 143 "$status"
	assertFalse "the record went with the jail" "[ -e $NAMES/$n ]"
	run $AS_ME "$BIN/nsjoin" "$n" true
	assertRC 125
	assertEquals "nsjoin: $n: no such network namespace" "$ERR"
	run $AS_ME "$BIN/nsname" list
	assertOutEmpty; assertErrEmpty
	assertTrue "no helper left" "wait_for 10 no_helper_left"
}

test_pasta_rootless_name_is_joined_and_goes_with_the_jail() {
	have pasta || { skip_test "pasta (package passt) not installed"; return 0; }
	named_jail_is_joined_by_name pasta 10.199.0.1/24
}

test_slirp4netns_rootless_name_is_joined_and_goes_with_the_jail() {
	have slirp4netns || { skip_test "slirp4netns not installed"; return 0; }
	named_jail_is_joined_by_name slirp4netns 10.0.2.100/24
}

# -a --init --rootfs: nsjoin NAME lands in every namespace of the jail,
# its root filesystem and its PID namespace included.
test_rootless_name_of_a_whole_jail_joins_every_namespace() {
	have pasta || { skip_test "pasta (package passt) not installed"; return 0; }
	n=$(uniq_name all)
	named_jail "$n" -a --init --user-net=pasta --rootfs "$ROOTFS" --volume /usr:/usr:ro \
		-- sh -c 'echo inside >/tmp/mark && exec sleep 1000'
	wait_for 10 $AS_ME "$BIN/nsjoin" "$n" test -e /tmp/mark
	run $AS_ME "$BIN/nsjoin" "$n" sh -c 'cat /tmp/mark; cat /proc/1/comm; ip -4 -o addr show scope global'
	assertRC 0
	assertEquals "the jail's files and PID 1" "$(printf 'inside\nnsnew')" "$(printf '%s\n' "$OUT" | head -n2)"
	assertContains "and its network: $OUT" "$OUT" "inet 10.199.0.1/24"
	for t in user mnt pid net uts ipc cgroup; do
		assertEquals "the jail's $t namespace" "$(readlink /proc/$(pgrep -P "$jail" -x nsnew)/ns/$t)" \
			"$($AS_ME "$BIN/nsjoin" "$n" readlink /proc/self/ns/$t)"
	done
	end_jail
	assertFalse "the record went with the jail" "[ -e $NAMES/$n ]"
}

# The README's pipeline: an OCI image to a root filesystem, run as a named
# rootless jail with a published port, entered by name from elsewhere.
test_readme_pipeline_named_oci_jail() {
	have pasta || { skip_test "pasta (package passt) not installed"; return 0; }
	[ -x /bin/busybox ] || { skip_test "no static busybox (package busybox-static)"; return 0; }
	cp "$BUILD/mkrootfs" "$BIN/"
	W=$(mktemp -d /tmp/usernet-oci.XXXXXX)
	chmod 755 "$W"
	make_oci_image "$W/oci"
	chown -R "$USR" "$W"
	run $AS_ME "$BIN/mkrootfs" "$W/box" --from-oci "$W/oci"
	assertRC 0
	n=$(uniq_name web)
	named_jail "$n" -a --user-net=pasta --publish 18110:80 --init --rootfs "$W/box"
	assertTrue "the image's httpd answers on the published port" "wait_for 20 serves_jail 127.0.0.1 18110"
	run $AS_ME "$BIN/nsjoin" "$n" busybox wget -q -O - http://127.0.0.1:80/
	assertRC 0
	assertEquals "nsjoin reaches the jail's server from inside: $ERR" jail "$OUT"
	run $AS_ME "$BIN/nsjoin" "$n" sh -c "busybox wget -q -O - http://$SERVER:7001/ | busybox head -n1"
	assertEquals "and the outside from the jail: $ERR" outside "$OUT"
	end_jail
	assertFalse "the record went with the jail" "[ -e $NAMES/$n ]"
	assertTrue "no helper left" "wait_for 10 no_helper_left"
	rm -rf "$W"
}

test_rootless_name_taken_by_a_running_jail_is_refused() {
	n=$(uniq_name tk)
	named_jail "$n" -n -- sleep 1000
	record=$(cat "$NAMES/$n")
	run $AS_ME "$BIN/nsnew" -U --map-root -n --name "$n" -- true
	assertRC 125
	assertEquals "nsnew: $n: name already exists" "$ERR"
	assertEquals "the running jail's record kept" "$record" "$(cat "$NAMES/$n")"
	end_jail
}

# nsnew killed: the record stays, is found stale, never joined, pruned by
# nsname list and taken over by the next nsnew --name.
test_stale_rootless_name_is_reported_and_pruned() {
	n=$(uniq_name st)
	named_jail "$n" -n -- sleep 1000
	sleeper=$(pgrep -P "$jail" -x sleep)
	kill -KILL "$jail" "$sleeper"
	wait "$jail"
	wait_for 10 eval "! kill -0 $sleeper 2>/dev/null"
	assertTrue "the record outlived nsnew" "[ -f $NAMES/$n ]"
	run $AS_ME "$BIN/nsjoin" "$n" true
	assertRC 125
	assertEquals "nsjoin: $n: stale name: its jail has ended" "$ERR"
	assertFalse "nsname exists: no" "$AS_ME $BIN/nsname exists $n"
	run $AS_ME "$BIN/nsname" list
	assertRC 0; assertOutEmpty
	assertEquals "nsname: $n: stale name: its jail has ended (removed)" "$ERR"
	assertFalse "pruned" "[ -e $NAMES/$n ]"
	# nsnew takes over a stale name too.
	named_jail "$n" -n -- sleep 1000
	sleeper=$(pgrep -P "$jail" -x sleep)
	kill -KILL "$jail" "$sleeper"
	wait "$jail"
	wait_for 10 eval "! kill -0 $sleeper 2>/dev/null"
	run $AS_ME "$BIN/nsnew" -U --map-root -n --name "$n" -- true
	assertRC 0; assertErrEmpty
	assertFalse "and removes it as it ends" "[ -e $NAMES/$n ]"
}

# A record whose pid now belongs to another process of the user (its jail
# ended, the pid was reused): never joined, one line.
test_rootless_record_with_a_reused_pid_is_refused() {
	n=$(uniq_name re)
	named_jail "$n" -n -- sleep 1000
	record=$(cat "$NAMES/$n")
	end_jail
	$AS_USER sleep 1000 &
	other=$!
	pids="$pids $other"
	start=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$other/stat")
	# The pid and start time of the other process, the jail's namespaces.
	printf '%s\n' "$record" | sed "s/^pid .*/pid $other/; s/^start .*/start $start/" >"$NAMES/$n"
	chown "$USR:$USR" "$NAMES/$n"
	run untraced_leaks strace -f -e trace=setns -o "$RUNDIR/trace" $AS_ME "$BIN/nsjoin" "$n" true
	assertRC 125
	assertEquals "nsjoin: $n: stale name: its process id now belongs to another process" "$ERR"
	assertEquals "no setns attempted" "" "$(grep setns "$RUNDIR/trace")"
	# The jail's pid and namespaces, another start time.
	printf '%s\n' "$record" | sed "s/^pid .*/pid $other/" >"$NAMES/$n"
	run $AS_ME "$BIN/nsjoin" "$n" true
	assertRC 125
	assertEquals "nsjoin: $n: stale name: its process id now belongs to another process" "$ERR"
	run $AS_ME "$BIN/nsname" list
	assertEquals "pruned by list" \
		"nsname: $n: stale name: its process id now belongs to another process (removed)" "$ERR"
	assertTrue "the other process was left alone" "kill -0 $other"
}

# A record (written by root here, as only root could write into the
# user's directory) naming another user's jail, its identity exact:
# refused before any setns.
test_rootless_record_naming_another_users_jail_is_refused() {
	n=$(uniq_name ot)
	setpriv --reuid="$USR2" --regid="$USR2" --clear-groups "$BIN/nsnew" -U --map-root -n -- sleep 1000 &
	theirs=$!
	pids="$pids $theirs"
	wait_for 20 started "$theirs" sleep
	p=$theirs	# nsnew exec'd sleep in place
	u=$(stat -L -c '%d %i' "/proc/$p/ns/user")
	ne=$(stat -L -c '%d %i' "/proc/$p/ns/net")
	start=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$p/stat")
	$AS_ME "$BIN/nsname" list >/dev/null	# makes the directory
	mkdir -p "$NAMES"
	printf 'nskit-jail 1\npid %s\nstart %s\nuser %s\nnet %s\n' "$p" "$start" "$u" "$ne" >"$NAMES/$n"
	chown "$USR:$USR" "$NAMES/$n"
	run untraced_leaks strace -f -e trace=setns -o "$RUNDIR/trace" $AS_ME "$BIN/nsjoin" "$n" true
	assertRC 125
	assertEquals "nsjoin: $n: the jail's namespaces are not yours: refused" "$ERR"
	assertEquals "no setns attempted" "" "$(grep setns "$RUNDIR/trace")"
	# Not taken for stale either: kept, and reported.
	run $AS_ME "$BIN/nsname" list
	assertEquals "nsname: $n: the jail's namespaces are not yours: refused" "$ERR"
	rm -f "$NAMES/$n"
}

test_rootless_record_not_owned_by_the_user_is_refused() {
	n=$(uniq_name ow)
	named_jail "$n" -n -- sleep 1000
	chown root:root "$NAMES/$n"
	run $AS_ME "$BIN/nsjoin" "$n" true
	assertRC 125
	assertEquals "nsjoin: $n: the record is not yours: refused" "$ERR"
	chown "$USR:$USR" "$NAMES/$n"
	end_jail
}

test_symlink_planted_among_rootless_names_is_not_followed() {
	n=$(uniq_name sy)
	named_jail "$n" -n -- sleep 1000
	ln -s "$n" "$NAMES/$n-link"
	ln -s /etc/passwd "$NAMES/$n-pw"
	for l in "$n-link" "$n-pw"; do
		run $AS_ME "$BIN/nsjoin" "$l" true
		assertRC 125
		assertEquals "nsjoin: $l: not a name record (a symbolic link or special file): refused" "$ERR"
	done
	run $AS_ME "$BIN/nsname" list -q
	assertEquals "only the real name" "$n" "$OUT"
	assertEquals "the links reported" 2 "$(printf '%s\n' "$ERR" | grep -c 'not a name record')"
	end_jail
	rm -f "$NAMES/$n-link" "$NAMES/$n-pw"
}

# The directory must be the user's with mode 0700: else anyone who could
# write there could send the user's nsjoin into their namespaces.
test_rootless_directory_not_private_or_not_owned_is_refused() {
	$AS_ME "$BIN/nsname" list >/dev/null
	chmod 755 "$NAMES"
	for cmd in "nsjoin x true" "nsname list" "nsnew -U --map-root -n --name x -- true"; do
		run $AS_ME $BIN/$cmd
		assertOneLineError "${cmd%% *}"
		assertErrContains "$NAMES: must be a directory of yours with mode 0700: refused"
	done
	chmod 700 "$NAMES"
	chown root "$NAMES"
	run $AS_ME "$BIN/nsjoin" x true
	assertRC 125
	assertEquals "nsjoin: $NAMES: must be a directory of yours with mode 0700: refused" "$ERR"
	chown "$USR" "$NAMES"
	# Without a runtime directory: /tmp/nskit-UID, refused when another
	# user made it first.
	uid=$(id -u "$USR")
	mkdir -p "/tmp/nskit-$uid/netns"
	chown -R "$USR2" "/tmp/nskit-$uid"
	chmod 700 "/tmp/nskit-$uid/netns"
	run $AS_USER env -u XDG_RUNTIME_DIR "$BIN/nsnew" -U --map-root -n --name x -- true
	assertRC 125
	assertEquals "nsnew: /tmp/nskit-$uid/netns: must be a directory of yours with mode 0700: refused" "$ERR"
	rm -rf "/tmp/nskit-$uid"
	run $AS_USER env -u XDG_RUNTIME_DIR "$BIN/nsnew" -U --map-root -n --name x -- sh -c "ls /tmp/nskit-$uid/netns"
	assertRC 0
	assertEquals "made there, the user's own" "x" "$OUT"
	assertEquals "mode 0700, the user's" "700 $USR" "$(stat -c '%a %U' "/tmp/nskit-$uid/netns")"
	rm -rf "/tmp/nskit-$uid"
}

test_bad_rootless_names_are_refused_before_anything() {
	for v in a/b .. '' "$(printf 'a\tb')" 'a b'; do
		run $AS_ME "$BIN/nsnew" -U --map-root -n --name "$v" -- true
		assertRC 125
		assertErrContains "--name '"
	done
	run $AS_ME "$BIN/nsjoin" a/b true
	assertRC 125
	assertErrContains "'a/b': invalid namespace name"
	assertFalse "no name made" "ls -A $NAMES 2>/dev/null | grep -q ."
}

# del: the name goes, the jail runs on; del --kill: the jail ends.
test_rootless_name_del_and_del_kill() {
	n=$(uniq_name dl)
	named_jail "$n" -n -- sleep 1000
	run $AS_ME "$BIN/nsname" del "$n"
	assertRC 0; assertErrEmpty
	assertFalse "unnamed" "[ -e $NAMES/$n ]"
	assertTrue "the jail runs on" "kill -0 $jail"
	run $AS_ME "$BIN/nsname" del "$n"
	assertRC 1
	assertEquals "nsname: $n: no such network namespace" "$ERR"
	end_jail
	named_jail "$n" -n -- sleep 1000
	run $AS_ME "$BIN/nsname" del --kill "$n"
	assertRC 0; assertErrEmpty
	wait "$jail"
	assertEquals "the jail was killed" 137 $?
	assertFalse "unnamed" "[ -e $NAMES/$n ]"
}

test_rootless_name_pids_identify_and_list_all() {
	n=$(uniq_name pi)
	named_jail "$n" -n -- sleep 1000
	sleeper=$(pgrep -P "$jail" -x sleep)
	run $AS_ME "$BIN/nsname" pids "$n"
	assertRC 0
	assertEquals "the jail's process" "$sleeper" "$OUT"
	run $AS_ME "$BIN/nsname" identify "$sleeper"
	assertEquals "its name" "$n" "$OUT"
	run $AS_ME "$BIN/nsname" list -a -j
	assertEquals "list -a: named, with its process" "$sleeper" \
		"$(printf '%s' "$OUT" | python3 -c "import json,sys; print(*[p for e in json.load(sys.stdin) if e['names'] == ['$n'] for p in e['pids']])")"
	end_jail
	run $AS_ME "$BIN/nsname" pids "$n"
	assertRC 1
	assertEquals "nsname: $n: no such network namespace" "$ERR"
}

test_rootless_attach_names_a_jail_of_the_users_own() {
	n=$(uniq_name at)
	$AS_ME unshare -Urn sleep 1000 &
	mine=$!
	pids="$pids $mine"
	wait_for 10 in_own_netns "$mine"
	run $AS_ME "$BIN/nsname" attach "$n" "$mine"
	assertRC 0; assertErrEmpty
	run $AS_ME "$BIN/nsjoin" "$n" readlink /proc/self/ns/net
	assertEquals "joined" "$(readlink /proc/$mine/ns/net)" "$OUT"
	$AS_ME "$BIN/nsname" del "$n"
	# Not a jail of the user's: a process of the user's in the host's
	# namespaces, and one of another user's.
	$AS_USER sleep 1000 &
	plain=$!
	pids="$pids $plain"
	wait_for 10 started "$plain" sleep
	run $AS_ME "$BIN/nsname" attach "$n" "$plain"
	assertRC 1
	assertEquals "nsname: attach $n $plain: not in a user namespace of yours: refused" "$ERR"
	run $AS_ME "$BIN/nsname" attach "$n" "$$"
	assertRC 1
	assertOneLineError nsname
	assertFalse "nothing named" "[ -e $NAMES/$n ]"
}

# ---- failures ----

test_missing_helper_is_one_line_naming_the_package() {
	run $AS_USER env PATH="$BIN" "$BIN/nsnew" -U --map-root --user-net=pasta -- true
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "install the Debian package passt"
	run $AS_USER env PATH="$BIN" "$BIN/nsnew" -U --map-root --user-net=slirp4netns -- true
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "install the Debian package slirp4netns"
	assertTrue "no helper left" "wait_for 10 no_helper_left"
}

test_unknown_helper_is_refused() {
	run $AS_USER "$BIN/nsnew" -U --map-root --user-net=vde -- true
	assertRC 125
	assertErrContains "--user-net 'vde': not pasta or slirp4netns"
}

test_bad_publish_values_are_refused_before_anything() {
	for v in 80 0:80 8080:0 8080:70000 1.2.3:8080:80 8080:80/sctp '[::1:8080:80' '[::1]8080:80' \
		'a:b' ':80' '8080:' '127.0.0.1::80' '8080:80/' ' 8080:80'; do
		run $AS_USER "$BIN/nsnew" -U --map-root --user-net=pasta --publish "$v" -- true
		assertRC 125
		assertErrContains "--publish '$v': not [ADDR:]HOSTPORT:PORT[/tcp|/udp]"
		assertEquals "one line and argp's hint: $ERR" 2 "$(printf '%s\n' "$ERR" | grep -c .)"
	done
	assertTrue "no helper left" "wait_for 10 no_helper_left"
}

test_publish_needs_user_net() {
	run $AS_USER "$BIN/nsnew" -U --map-root -n --publish 8080:80 -- true
	assertRC 125
	assertErrContains "--publish needs --user-net"
}

test_busy_host_port_is_one_line_and_nothing_left() {
	have slirp4netns || { skip_test "slirp4netns not installed"; return 0; }
	socat TCP-LISTEN:18099,reuseaddr,fork SYSTEM:'echo busy' >/dev/null 2>&1 &
	pids="$pids $!"
	wait_for 10 listening "" 18099
	run $AS_USER "$BIN/nsnew" -U --map-root --user-net=slirp4netns --publish 18099:80 -- true
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "--user-net=slirp4netns: "
	assertTrue "no helper left" "wait_for 10 no_helper_left"
}

. shunit2
