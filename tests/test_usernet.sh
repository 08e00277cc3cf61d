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
SERVER=10.199.1.1
HELPERS='passt|passt.avx2|pasta|pasta.avx2|slirp4netns'

oneTimeSetUp() {
	BIN=$(mktemp -d /tmp/usernet-bin.XXXXXX)
	chmod 755 "$BIN"
	cp "$BUILD/nsnew" "$BUILD/nsjoin" "$BIN/"
	id "$USR" >/dev/null 2>&1 || useradd -M -s /bin/sh "$USR"
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
	rm -rf "$BIN" "$TUN" "$ROOTFS"
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
