#!/bin/bash
# nskit-cni: the CNI plugin, run exactly as a runtime runs it (environment,
# configuration on stdin, result on stdout) next to Debian's reference
# plugins (host-local for IPAM, portmap chained after it) from
# /usr/lib/cni. The suite's "host" is the sandbox's network namespace;
# containers are namespaces made with `nsname add`.
. "$(dirname "$0")/lib.sh"

REF=/usr/lib/cni
STATE=/run/nskit-cni

oneTimeSetUp() {
	cni_plugins host-local portmap
	# A small runtime: runs a conflist's plugins in order (ADD, CHECK) or
	# in reverse (DEL), deriving each request config as section 3 of the
	# spec says (cniVersion, name, runtimeConfig from capabilities,
	# prevResult), and prints the last result or the first error.
	runtime=$plugins/runtime.py
	cat >"$runtime" <<'EOF'
import json, os, subprocess, sys
cmd, conflist, prev = sys.argv[1], json.load(open(sys.argv[2])), None
if len(sys.argv) > 3:
    prev = json.load(open(sys.argv[3]))
caps = json.loads(os.environ.get("CAP_ARGS", "{}"))
plugins = conflist["plugins"]
if cmd == "DEL":
    plugins = list(reversed(plugins))
for p in plugins:
    conf = {k: v for k, v in p.items() if k != "capabilities"}
    conf["cniVersion"], conf["name"] = conflist["cniVersion"], conflist["name"]
    rc = {k: v for k, v in caps.items() if p.get("capabilities", {}).get(k)}
    if rc:
        conf["runtimeConfig"] = rc
    if prev is not None:
        conf["prevResult"] = prev
    path = next(d + "/" + p["type"] for d in os.environ["CNI_PATH"].split(":")
                if os.access(d + "/" + p["type"], os.X_OK))
    r = subprocess.run([path], input=json.dumps(conf).encode(), capture_output=True,
                       env=dict(os.environ, CNI_COMMAND=cmd))
    sys.stderr.write(r.stderr.decode())
    if r.returncode != 0:
        sys.stdout.write(r.stdout.decode())
        sys.exit(1)
    if cmd == "ADD":
        prev = json.loads(r.stdout)
if cmd == "ADD":
    print(json.dumps(prev))
EOF
	return 0
}

suite_teardown() {
	rm -rf "$plugins"
	return 0
}

setUp() {
	D=$(mktemp -d)
	NET=$(uniq_name net)
	ctrs=
	return 0
}

tearDown() {
	for c in $ctrs; do nsname del "$c" 2>/dev/null; done
	for l in $(ip -o link show | sed -n 's/^[0-9]*: \(nsk[0-9a-f]*\)@.*/\1/p; s/^[0-9]*: \(up[0-9a-f]*\)@.*/\1/p; s/^[0-9]*: \(br[0-9a-f]*\):.*/\1/p'); do
		ip link del "$l" 2>/dev/null
	done
	nft flush ruleset 2>/dev/null
	rm -rf "$STATE" "$D"
	return 0
}

# conf SUBNET [FIELDS]: the network configuration in $D/net.conf; FIELDS
# is extra JSON members ('"ipMasq": true, ').
conf() {
	cat >"$D/net.conf" <<EOF
{"cniVersion": "${VERSION:-1.0.0}", "name": "$NET", "type": "nskit-cni", $2
 "ipam": {"type": "${IPAM:-host-local}", "subnet": "$1", "dataDir": "$D/ipam",
          "routes": [{"dst": "0.0.0.0/0"}]}}
EOF
}

# cni COMMAND CONTAINER [CONF]: run the plugin as a runtime does, for the
# container's namespace /run/netns/CONTAINER and CNI_IFNAME eth0.
cni() {
	run env CNI_COMMAND="$1" CNI_CONTAINERID="$2" CNI_NETNS="${NETNS_PATH:-/run/netns/$2}" \
		CNI_IFNAME="${IFNAME:-eth0}" CNI_ARGS="${CNI_ARGS-}" nskit-cni <"${3:-$D/net.conf}"
}

# container NAME: a namespace added to the network; its ADD result in
# $D/NAME.json and its address (without prefix) in $IP.
container() {
	nsname add "$1" && ctrs="$ctrs $1"
	cni ADD "$1"
	assertRC 0
	printf '%s\n' "$OUT" >"$D/$1.json"
	IP=$(jget "$D/$1.json" 'r["ips"][0]["address"].split("/")[0]')
}

# jget FILE EXPR: a Python expression over the JSON document r.
jget() {
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# with_prev RESULT: $D/net.conf with prevResult set, in $D/prev.conf.
with_prev() {
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["prevResult"]=json.load(open(sys.argv[2])); print(json.dumps(c))' \
		"$D/net.conf" "$1" >"$D/prev.conf"
}

# The error object on stdout carries CODE; nothing else is printed there.
assertCniError() {
	assertEquals "exit status" 1 "$RC"
	printf '%s\n' "$OUT" >"$D/err.json"
	assertEquals "error code in: $OUT" "$1" "$(jget "$D/err.json" 'r["code"]')"
	assertEquals "msg is set" True "$(jget "$D/err.json" 'len(r["msg"]) > 0')"
	assertOneLineError nskit-cni
}

leases() { ls "$D/ipam/$NET" 2>/dev/null | grep -c '^[0-9]'; }
host_ends() { ip -o link show | grep -c ': nsk'; }
# nft_elems set|map NAME: how many elements a set or map of inet nskit holds.
nft_elems() {
	nft -j list "$1" inet nskit "$2" 2>/dev/null | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)["nftables"]
except Exception:
    d = []
print(sum(len(v.get("elem", [])) for o in d for k, v in o.items() if k in ("set", "map")))'
}
# masq_entries [SET]: the elements of masq4 (or SET).
masq_entries() { nft_elems set "${1:-masq4}"; }

# Nothing of an attachment remains: no host end, no lease, no state, no
# masquerade entry, no interface in the container.
assertNothingLeft() {
	assertEquals "host ends" 0 "$(host_ends)"
	assertEquals "leases" 0 "$(leases)"
	assertEquals "state files" 0 "$(ls "$STATE/$NET" 2>/dev/null | wc -l)"
	assertEquals "masquerade entries" 0 "$(masq_entries)"
	[ -n "${1-}" ] && assertFalse "no $IFNAME in $1" "ip -n $1 link show ${IFNAME:-eth0}"
	return 0
}

# outside NAME ADDR: a namespace reached from the host over a veth
# (host 198.51.100.1/24, NAME ADDR/24) with no route back to containers.
outside() {
	local l
	l=$(uniq_name up)
	nsname add "$1" && ctrs="$ctrs $1"
	ip link add "$l" type veth peer name eth0 netns "$1"
	ip addr add 198.51.100.1/24 dev "$l"
	ip link set "$l" up
	ip -n "$1" addr add "$2/24" dev eth0
	ip -n "$1" link set eth0 up
}

# --- what works -------------------------------------------------------

test_version_answers_each_supported_version() {
	for v in 0.3.1 0.4.0 1.0.0 1.1.0; do
		run env CNI_COMMAND=VERSION nskit-cni <<<"{\"cniVersion\": \"$v\"}"
		assertRC 0
		assertErrEmpty
		assertOutContains "\"cniVersion\":\"$v\""
		assertOutContains '"supportedVersions":["0.3.1","0.4.0","1.0.0","1.1.0"]'
	done
}

test_add_gives_interface_and_host_local_address() {
	conf 10.61.0.0/24
	container c1
	assertErrEmpty
	assertEquals "the lease host-local handed out" "$IP" "$(ls "$D/ipam/$NET" | grep '^10\.')"
	assertContains "address in the namespace" "$(ip -n c1 -o addr show dev eth0)" "inet $IP/24"
	assertContains "default route via the gateway" "$(ip -n c1 route show default)" "via 10.61.0.1 dev eth0"
	assertEquals "result names eth0 in the sandbox" "eth0 /run/netns/c1" \
		"$(jget "$D/c1.json" 'r["interfaces"][1]["name"] + " " + r["interfaces"][1]["sandbox"]')"
	assertEquals "ips point at it" 1 "$(jget "$D/c1.json" 'r["ips"][0]["interface"]')"
}

test_cni_args_reach_the_ipam_plugin() {
	conf 10.90.0.0/24
	nsname add c1 && ctrs="$ctrs c1"
	CNI_ARGS='IgnoreUnknown=1;IP=10.90.0.9' cni ADD c1
	assertRC 0
	assertContains "the address host-local was asked for" "$(ip -n c1 -o addr show dev eth0)" "inet 10.90.0.9/24"
}

test_two_containers_ping_each_other() {
	conf 10.62.0.0/24
	container c1
	container c2
	assertTrue "c1 pings c2 ($IP)" "ip netns exec c1 ping -c1 -W2 $IP"
}

test_two_containers_on_a_bridge_ping_each_other() {
	br=$(uniq_name br)
	conf 10.63.0.0/24 "\"bridge\": \"$br\","
	container c1
	ip1=$IP
	container c2
	assertTrue "c2 pings c1 ($ip1)" "ip netns exec c2 ping -c1 -W2 $ip1"
	assertEquals "both host ends on the bridge" 2 "$(ip -o link show master "$br" | wc -l)"
	assertContains "bridge holds the gateway" "$(ip -o addr show dev "$br")" "10.63.0.1/24"
}

test_ipv6_containers_ping_each_other() {
	cat >"$D/net.conf" <<EOF
{"cniVersion": "1.0.0", "name": "$NET", "type": "nskit-cni", "ipMasq": true,
 "ipam": {"type": "host-local", "ranges": [[{"subnet": "fd00:61::/64"}]], "dataDir": "$D/ipam",
          "routes": [{"dst": "::/0"}]}}
EOF
	container c1
	container c2
	assertContains "address in c2" "$(ip -n c2 -o addr show dev eth0)" "inet6 $IP/64"
	assertTrue "c1 pings c2 ($IP)" "ip netns exec c1 ping -6 -c1 -W2 $IP"
	assertEquals "masquerade entries" 2 "$(masq_entries masq6)"
}

test_parallel_adds_onto_one_bridge_all_succeed() {
	br=$(uniq_name br)
	conf 10.97.0.0/24 "\"bridge\": \"$br\", \"ipMasq\": true,"
	for i in 1 2 3 4 5 6 7 8; do nsname add "p$i" && ctrs="$ctrs p$i"; done
	for i in 1 2 3 4 5 6 7 8; do
		env CNI_COMMAND=ADD CNI_CONTAINERID="p$i" CNI_NETNS="/run/netns/p$i" CNI_IFNAME=eth0 \
			nskit-cni <"$D/net.conf" >"$D/p$i.json" 2>"$D/p$i.err" &
	done
	wait
	assertEquals "errors: $(cat "$D"/p*.err)" "" "$(cat "$D"/p*.err)"
	assertEquals "leases" 8 "$(leases)"
	assertEquals "masquerade entries" 8 "$(masq_entries)"
	assertEquals "host ends on the bridge" 8 "$(ip -o link show master "$br" | wc -l)"
	for i in 1 2 3 4 5 6 7 8; do
		assertTrue "p$i reaches the gateway" "ip netns exec p$i ping -c1 -W2 10.97.0.1"
	done
}

test_two_networks_into_one_container() {
	br=$(uniq_name br)
	conf 10.99.0.0/24
	nsname add c1 && ctrs="$ctrs c1"
	cni ADD c1
	assertRC 0
	cat >"$D/b.conf" <<EOF
{"cniVersion": "1.0.0", "name": "${NET}b", "type": "nskit-cni", "bridge": "$br",
 "ipam": {"type": "host-local", "subnet": "10.100.0.0/24", "dataDir": "$D/ipam"}}
EOF
	IFNAME=eth1 cni ADD c1 "$D/b.conf"
	assertRC 0
	assertContains "eth0's address" "$(ip -n c1 -o addr show dev eth0)" "inet 10.99.0.2/24"
	assertContains "eth1's address" "$(ip -n c1 -o addr show dev eth1)" "inet 10.100.0.2/24"
	assertTrue "eth1 reaches its bridge" "ip netns exec c1 ping -c1 -W2 10.100.0.1"
	IFNAME=eth1 cni DEL c1 "$D/b.conf"
	assertRC 0
	assertTrue "eth0 stays" "ip -n c1 link show eth0"
}

test_ipmasq_reaches_an_outside_namespace() {
	conf 10.64.0.0/24 '"ipMasq": true,'
	outside inet 198.51.100.2
	container c1
	assertTrue "c1 reaches 198.51.100.2" "ip netns exec c1 ping -c1 -W2 198.51.100.2"
	assertEquals "one masquerade entry" 1 "$(masq_entries)"
}

test_del_removes_interface_lease_and_masquerade() {
	conf 10.65.0.0/24 '"ipMasq": true,'
	container c1
	assertEquals "before: one lease" 1 "$(leases)"
	cni DEL c1
	assertRC 0
	assertOutEmpty
	assertNothingLeft c1
}

test_second_del_succeeds() {
	conf 10.66.0.0/24 '"ipMasq": true,'
	container c1
	cni DEL c1
	cni DEL c1
	assertRC 0
	assertOutEmpty
	assertErrEmpty
	assertNothingLeft c1
}

test_del_after_the_namespace_is_gone_succeeds() {
	conf 10.67.0.0/24 '"ipMasq": true,'
	container c1
	nsname del c1
	cni DEL c1
	assertRC 0
	assertErrEmpty
	assertNothingLeft
}

test_del_of_one_container_keeps_the_other() {
	conf 10.68.0.0/24 '"ipMasq": true,'
	container c1
	container c2
	cni DEL c1
	assertRC 0
	assertEquals "c2's lease" 1 "$(leases)"
	assertEquals "c2's masquerade entry" 1 "$(masq_entries)"
	assertTrue "c2 still reaches the host" "ip netns exec c2 ping -c1 -W2 10.68.0.1"
}

# --- one container's DEL never touches another's ----
# The host end's name is a 32-bit hash of the container id and the
# interface: with eth0 these two ids give the same one (nskf577e002).
CA=cf7675c9f0123
CB=c2f58ef7b97bf

# first_hostif CID [IFNAME]: the host end name of the hash's first try.
first_hostif() {
	python3 -c '
import sys
h = 2166136261
for p in sys.argv[1:]:
    for b in p.encode() + b"\0":
        h = ((h ^ b) * 16777619) & 0xffffffff
print("nsk%08x" % h)' "$1" "${2:-eth0}"
}

# snapshot CID: what the attachment of CID has, one fact a line: its host
# end (name, index, alias), address and routes, lease, state file and the
# masquerade entry of its address.
snapshot() {
	local h a
	h=$(jget "$D/$1.json" 'r["interfaces"][0]["name"]')
	ip -j link show dev "$h" | python3 -c 'import json,sys; l=json.load(sys.stdin)[0]; print(l["ifindex"], l["ifname"], l.get("ifalias"))'
	ip -n "$1" -o addr show dev eth0 | awk '{ print $4 }'
	ip -n "$1" route
	ip route show dev "$h"
	a=$(jget "$D/$1.json" 'r["ips"][0]["address"].split("/")[0]')
	ls "$D/ipam/$NET" | grep -x "$a"
	cat "$STATE/$NET/$1:eth0"
	nft -j list set inet nskit masq4 | grep -o "\"$a\"" | head -n 1
}

test_colliding_container_ids_both_add_under_two_names() {
	assertEquals "the two ids collide in the hash" "$(first_hostif $CA)" "$(first_hostif $CB)"
	conf 10.111.0.0/24 '"ipMasq": true,'
	container $CA
	container $CB
	assertEquals "two host ends" 2 "$(host_ends)"
	assertNotEquals "under two names" "$(jget "$D/$CA.json" 'r["interfaces"][0]["name"]')" \
		"$(jget "$D/$CB.json" 'r["interfaces"][0]["name"]')"
	assertEquals "two state files" 2 "$(ls "$STATE/$NET" | wc -l)"
	assertTrue "the first reaches the host" "ip netns exec $CA ping -c1 -W2 10.111.0.1"
	assertTrue "the second reaches the host" "ip netns exec $CB ping -c1 -W2 10.111.0.1"
}

test_del_of_a_colliding_container_keeps_the_other() {
	local before a
	conf 10.112.0.0/24 '"ipMasq": true,'
	container $CA
	a=$IP
	container $CB
	before=$(snapshot $CA)
	cni DEL $CB
	assertRC 0
	assertErrEmpty
	assertEquals "the first's link, address, routes, lease, state and nft entry" "$before" "$(snapshot $CA)"
	assertEquals "one host end" 1 "$(host_ends)"
	assertEquals "one lease" 1 "$(leases)"
	assertEquals "one masquerade entry" 1 "$(masq_entries)"
	assertFalse "the second's interface is gone" "ip -n $CB link show eth0"
	assertTrue "the first reaches the host" "ip netns exec $CA ping -c1 -W2 10.112.0.1"
	assertTrue "the host reaches the first" "ping -c1 -W2 $a"
	cni DEL $CA
	assertRC 0
	assertNothingLeft $CA
}

test_del_of_a_container_never_added_touches_nothing() {
	local before
	conf 10.113.0.0/24 '"ipMasq": true,'
	container $CA
	before=$(snapshot $CA)
	# its netns exists, or it never had one: neither is a reason to act
	nsname add $CB && ctrs="$ctrs $CB"
	cni DEL $CB
	assertRC 0
	assertErrEmpty
	NETNS_PATH=/run/netns/gone cni DEL $CB
	assertRC 0
	assertEquals "the other's link, address, routes, lease, state and nft entry" "$before" "$(snapshot $CA)"
	assertTrue "the other reaches the host" "ip netns exec $CA ping -c1 -W2 10.113.0.1"
}

test_link_of_the_admin_under_the_name_is_never_deleted() {
	local h
	h=$(first_hostif c1)
	conf 10.114.0.0/24 '"ipMasq": true,'
	ip link add "$h" type veth peer name admpeer
	cni DEL c1
	assertRC 0
	assertTrue "DEL before ADD keeps it" "ip link show $h"
	container c1
	assertNotEquals "ADD takes another name" "$h" "$(jget "$D/c1.json" 'r["interfaces"][0]["name"]')"
	assertTrue "ADD keeps it" "ip link show $h"
	cni DEL c1
	assertRC 0
	assertTrue "DEL keeps it" "ip link show $h"
	assertEquals "DEL removed its own host end" 1 "$(host_ends)"
	assertNothingLeftButALink c1
}

# assertNothingLeft with one host end (the test's own link) left.
assertNothingLeftButALink() {
	assertEquals "leases" 0 "$(leases)"
	assertEquals "state files" 0 "$(ls "$STATE/$NET" 2>/dev/null | wc -l)"
	assertEquals "masquerade entries" 0 "$(masq_entries)"
	assertFalse "no eth0 in $1" "ip -n $1 link show eth0"
}

test_second_add_of_one_attachment_fails_and_keeps_the_first() {
	local before
	conf 10.118.0.0/24 '"ipMasq": true,'
	container $CA
	before=$(snapshot $CA)
	# past the check that CNI_IFNAME is not in the namespace yet
	ip -n $CA link set eth0 name eth2
	cni ADD $CA
	assertCniError 100
	assertOutContains "attached already"
	ip -n $CA link set eth2 name eth0
	assertEquals "the first's link, address, routes, lease, state and nft entry" "$before" "$(snapshot $CA)"
}

test_host_end_carries_the_attachment_as_its_alias() {
	conf 10.115.0.0/24
	container c1
	assertContains "ip link shows whose it is" \
		"$(ip -d link show dev "$(jget "$D/c1.json" 'r["interfaces"][0]["name"]')")" "alias nskit-cni $NET c1 eth0"
}

test_stale_state_naming_another_containers_host_end_removes_only_itself() {
	local before h
	conf 10.116.0.0/24 '"ipMasq": true,'
	container $CA
	before=$(snapshot $CA)
	h=$(jget "$D/$CA.json" 'r["interfaces"][0]["name"]')
	# x1's state, left from a host end that went with its namespace,
	# names the one the other container got since
	printf '{"containerID":"x1","ifname":"eth0","netns":"/run/netns/x1","hostif":"%s","masq":[],"publish":[]}' \
		"$h" >"$STATE/$NET/x1:eth0"
	nsname add x1 && ctrs="$ctrs x1"
	cni DEL x1
	assertRC 0
	assertFalse "x1's state is gone" "[ -e '$STATE/$NET/x1:eth0' ]"
	assertEquals "the other's link, address, routes, lease, state and nft entry" "$before" "$(snapshot $CA)"
}

test_del_removes_an_attachment_an_older_version_made() {
	local h
	h=$(first_hostif c1)
	conf 10.117.0.0/24
	nsname add c1 && ctrs="$ctrs c1"
	# as nskit-cni made it before it chose names: state named after the
	# host end, no alias on it
	ip link add "$h" type veth peer name eth0 netns c1
	mkdir -p "$STATE/$NET"
	printf '{"containerID":"c1","ifname":"eth0","netns":"/run/netns/c1","masq":[],"publish":[]}' >"$STATE/$NET/$h"
	cni DEL $CB
	assertRC 0
	assertTrue "another container's DEL keeps it" "ip link show $h"
	cni DEL c1
	assertRC 0
	assertErrEmpty
	assertNothingLeft c1
}

test_check_passes_after_add() {
	conf 10.69.0.0/24 '"ipMasq": true,'
	container c1
	with_prev "$D/c1.json"
	cni CHECK c1 "$D/prev.conf"
	assertRC 0
	assertOutEmpty
	assertErrEmpty
}

test_check_passes_on_a_bridge() {
	br=$(uniq_name br)
	conf 10.92.0.0/24 "\"bridge\": \"$br\","
	container c1
	with_prev "$D/c1.json"
	cni CHECK c1 "$D/prev.conf"
	assertRC 0
	assertOutEmpty
	assertErrEmpty
}

test_portmap_chained_after_it_publishes_a_port() {
	[ -x "$REF/portmap" ] || { skip_test "no $REF/portmap"; return 0; }
	cat >"$D/list.conf" <<EOF
{"cniVersion": "1.0.0", "name": "$NET", "plugins": [
 {"type": "nskit-cni", "ipam": {"type": "host-local", "subnet": "10.70.0.0/24",
  "dataDir": "$D/ipam", "routes": [{"dst": "0.0.0.0/0"}]}},
 {"type": "portmap", "capabilities": {"portMappings": true}}]}
EOF
	nsname add c1 && ctrs="$ctrs c1"
	outside client 198.51.100.7
	export CAP_ARGS='{"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]}'
	run env CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/c1 CNI_IFNAME=eth0 python3 "$runtime" ADD "$D/list.conf"
	assertRC 0
	printf '%s\n' "$OUT" >"$D/c1.json"
	ip netns exec c1 socat -T5 TCP-LISTEN:80,reuseaddr SYSTEM:'echo published' &
	server=$!
	wait_for 30 listening c1 80
	assertEquals "client reaches the published port" published \
		"$(ip netns exec client socat -T5 - TCP:198.51.100.1:8080 </dev/null)"
	kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null
	run env CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/c1 CNI_IFNAME=eth0 python3 "$runtime" DEL "$D/list.conf" "$D/c1.json"
	unset CAP_ARGS
	assertRC 0
	assertNothingLeft c1
}

# libcni, as container runtimes drive a plugin: tests/cni-client's
# nskit-cni-client (built by make from Debian's golang-github-appc-cni-dev)
# runs a conflist through libcni's AddNetworkList, CheckNetworkList and
# DelNetworkList, with libcni's result cache in the test's own directory.
# Without the client (go or libcni missing at configure) these fail.
client_ready() {
	cni_client=$BUILD/tests/cni-client/nskit-cni-client
	[ -x "$cni_client" ] || {
		fail "no $cni_client: apt-get install golang-go golang-github-appc-cni-dev (scripts/setup does), then ./configure and make"
		return 1
	}
	# Debian 12's portmap (1.1.1) CHECKs an attachment's IPv4 rules in
	# the IPv6 table too whenever ip6tables' nat table works, so CHECK
	# fails on every attachment (containernetworking/plugins#819). The
	# plugins run as on a host without IPv6 NAT: an ip6tables that fails
	# comes first in their PATH.
	mkdir "$D/no-ip6nat"
	printf '#!/bin/sh\nexit 1\n' >"$D/no-ip6nat/ip6tables"
	chmod +x "$D/no-ip6nat/ip6tables"
	return 0
}

# conflist SUBNET [PLUGINS]: the list $D/list.conflist: nskit-cni with
# ipMasq and host-local on SUBNET, then PLUGINS (JSON objects, each
# preceded by a comma).
conflist() {
	cat >"$D/list.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "$NET", "plugins": [
 {"type": "nskit-cni", "ipMasq": true, "ipam": {"type": "host-local", "subnet": "$1",
  "dataDir": "$D/ipam", "routes": [{"dst": "0.0.0.0/0"}]}}${2-}]}
EOF
}
PORTMAP=', {"type": "portmap", "capabilities": {"portMappings": true}}'

# client add|check|del CONTAINER [CLIENT OPTIONS...]: the list for the
# container's namespace (or $NETNS_PATH) and eth0, as a runtime runs it.
client() {
	local cmd=$1 c=$2
	shift 2
	run env PATH="$D/no-ip6nat:$PATH" "$cni_client" -path "$CNI_PATH" -cache-dir "$D/cache" "$@" \
		"$cmd" "$D/list.conflist" "$c" "${NETNS_PATH:-/run/netns/$c}"
}

# The attachment's entry in libcni's result cache.
cached() { [ -f "$D/cache/results/$NET-$1-eth0" ]; }
# portmap's DNAT chains (one per container with published ports).
dnat_chains() { iptables -w -t nat -S 2>/dev/null | grep -c '^-N CNI-DN-'; }

# serve CONTAINER: a TCP server on the container's port 80 answering
# "published"; its pid in $server.
serve() {
	ip netns exec "$1" socat -T5 TCP-LISTEN:80,reuseaddr,fork SYSTEM:'echo published' &
	server=$!
	wait_for 10 listening "$1" 80 || fail "no server on $1 port 80"
}

test_libcni_add_check_del_leaves_nothing() {
	client_ready || return 0
	conflist 10.94.0.0/24
	nsname add c1 && ctrs="$ctrs c1"
	client add c1
	assertRC 0
	assertErrEmpty
	printf '%s\n' "$OUT" >"$D/c1.json"
	assertContains "address in c1" "$(ip -n c1 -o addr show dev eth0)" "inet 10.94.0.2/24"
	assertEquals "result's address" 10.94.0.2/24 "$(jget "$D/c1.json" 'r["ips"][0]["address"]')"
	assertEquals "result names eth0 in c1" "eth0 /run/netns/c1" \
		"$(jget "$D/c1.json" 'r["interfaces"][1]["name"] + " " + r["interfaces"][1]["sandbox"]')"
	assertTrue "libcni cached the result" "cached c1"
	assertTrue "c1 reaches the gateway" "ip netns exec c1 ping -c1 -W2 10.94.0.1"
	client check c1
	assertRC 0
	assertOutEmpty
	assertErrEmpty
	client del c1
	assertRC 0
	assertOutEmpty
	assertErrEmpty
	assertNothingLeft c1
	assertFalse "libcni dropped the cached result" "cached c1"
	client del c1
	assertRC 0
	assertErrEmpty
}

test_libcni_portmap_chain_publishes_a_port() {
	client_ready || return 0
	conflist 10.95.0.0/24 "$PORTMAP"
	nsname add c1 && ctrs="$ctrs c1"
	outside client 198.51.100.7
	client add c1 -caps '{"portMappings": [{"hostPort": 8081, "containerPort": 80, "protocol": "tcp"}]}'
	assertRC 0
	assertErrEmpty
	assertContains "address in c1" "$(ip -n c1 -o addr show dev eth0)" "inet 10.95.0.2/24"
	assertEquals "portmap's DNAT chain" 1 "$(dnat_chains)"
	serve c1
	assertEquals "the outside namespace reaches the published port" published \
		"$(ip netns exec client socat -T5 - TCP:198.51.100.1:8081 </dev/null)"
	assertEquals "the host reaches it on loopback" published \
		"$(socat -T5 - TCP:127.0.0.1:8081 </dev/null)"
	kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null
	client check c1
	assertRC 0
	assertErrEmpty
	# No -caps: the port mappings come from libcni's cache, as a runtime's
	# teardown takes them.
	client del c1
	assertRC 0
	assertErrEmpty
	assertNothingLeft c1
	assertEquals "no DNAT chain" 0 "$(dnat_chains)"
	assertFalse "libcni dropped the cached result" "cached c1"
}

test_libcni_second_container_on_the_network() {
	client_ready || return 0
	conflist 10.96.0.0/24 "$PORTMAP"
	nsname add c1 && ctrs="$ctrs c1"
	nsname add c2 && ctrs="$ctrs c2"
	client add c1 -caps '{"portMappings": [{"hostPort": 8082, "containerPort": 80, "protocol": "tcp"}]}'
	assertRC 0
	client add c2 -caps '{"portMappings": [{"hostPort": 8083, "containerPort": 80, "protocol": "tcp"}]}'
	assertRC 0
	assertContains "c2 has the next address" "$(ip -n c2 -o addr show dev eth0)" "inet 10.96.0.3/24"
	assertTrue "c2 pings c1" "ip netns exec c2 ping -c1 -W2 10.96.0.2"
	assertEquals "masquerade entries" 2 "$(masq_entries)"
	client del c1
	assertRC 0
	assertEquals "c2's lease" 1 "$(leases)"
	assertEquals "c2's DNAT chain" 1 "$(dnat_chains)"
	client check c2
	assertRC 0
	assertErrEmpty
	serve c2
	assertEquals "c2's port still answers" published "$(socat -T5 - TCP:127.0.0.1:8083 </dev/null)"
	kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null
	client del c2
	assertRC 0
	assertNothingLeft c2
	assertEquals "no DNAT chain" 0 "$(dnat_chains)"
}

# The README's conflist: nskit-cni publishes the ports itself and takes the
# static address Podman's --ip asks for (capabilities portMappings and ips).
readme_conflist() {
	cat >"$D/list.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "$NET", "plugins": [
 {"type": "nskit-cni", "bridge": "$1", "ipMasq": true,
  "capabilities": {"portMappings": true, "ips": true},
  "ipam": {"type": "host-local", "subnet": "$2", "dataDir": "$D/ipam", "routes": [{"dst": "0.0.0.0/0"}]}}]}
EOF
}

test_libcni_readme_conflist_static_ip_loopback_port_and_hairpin() {
	client_ready || return 0
	br=$(uniq_name br)
	readme_conflist "$br" 10.117.0.0/24
	nsname add c1 && ctrs="$ctrs c1"
	client add c1 -caps '{"ips": ["10.117.0.9/24"], "portMappings": [
		{"hostPort": 8091, "containerPort": 80, "protocol": "tcp", "hostIP": "127.0.0.1"},
		{"hostPort": 8092, "containerPort": 80, "protocol": "tcp"}]}'
	assertRC 0
	assertErrEmpty
	assertContains "the address --ip asked for" "$(ip -n c1 -o addr show dev eth0)" "inet 10.117.0.9/24"
	serve c1
	assertEquals "podman run -p 127.0.0.1:8091:80: curl 127.0.0.1:8091" published "$(fetch_ok "" 127.0.0.1:8091)"
	assertEquals "hairpin: c1 through the bridge's address" published "$(fetch_ok c1 10.117.0.1:8092)"
	kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
	client check c1
	assertRC 0
	assertErrEmpty
	client del c1
	assertRC 0
	assertErrEmpty
	assertNothingLeft c1
	assertNoPublication "$br"
}

# Podman 4.3 (Debian 12) as the runtime, with its CNI backend and the
# README's conflist. Everything Podman keeps stays inside the suite's
# sandbox: storage, run root, network configs and events under a
# directory of the suite; /var/lib (libcni's result cache
# /var/lib/cni, the blob cache /var/lib/containers/cache) under an
# overlay whose upper layer is in the sandbox's /tmp. What this VM needs:
#   - crun refuses a hybrid cgroup layout (v1 controllers with a v2
#     hierarchy at /sys/fs/cgroup/unified that has controllers): an empty
#     tmpfs is mounted over /sys/fs/cgroup/unified (in the sandbox's mount
#     namespace only) and containers run with --cgroups disabled;
#   - Podman asks for RLIMIT_NOFILE and RLIMIT_NPROC above this VM's hard
#     limits, which crun cannot set here: --ulimit lowers both.
# The image is made offline: `podman import` of a static busybox.
podman_ready() {
	command -v podman >/dev/null || {
		fail "no podman: apt-get install podman (scripts/setup does)"
		return 1
	}
	if [ -z "${PODMAN_DIR-}" ]; then
		PODMAN_DIR=$(mktemp -d)
		mkdir -p "$PODMAN_DIR/var/upper" "$PODMAN_DIR/var/work" "$PODMAN_DIR/img/bin" "$PODMAN_DIR/img/www"
		mount -t overlay overlay \
			-o "lowerdir=/var/lib,upperdir=$PODMAN_DIR/var/upper,workdir=$PODMAN_DIR/var/work" /var/lib || return 1
		if grep -qs . /sys/fs/cgroup/unified/cgroup.controllers; then
			mount -t tmpfs nskit-no-hybrid /sys/fs/cgroup/unified || return 1
		fi
		cp "$(command -v busybox)" "$PODMAN_DIR/img/bin/busybox"
		ln -s busybox "$PODMAN_DIR/img/bin/httpd"
		echo published >"$PODMAN_DIR/img/www/index.html"
		tar -C "$PODMAN_DIR/img" -cf "$PODMAN_DIR/img.tar" .
		podman_conf
		pod import "$PODMAN_DIR/img.tar" localhost/nskit-busybox:1
		[ "$RC" = 0 ] || { fail "podman import: $ERR"; return 1; }
	fi
	podman_conf
}

# containers.conf for this test: CNI backend, plugins and configs of $D.
podman_conf() {
	mkdir -p "$D/net.d" "$D/cni"
	ln -sf "$BUILD/nskit-cni" "$D/cni/nskit-cni"
	ln -sf "$REF/host-local" "$D/cni/host-local"
	cat >"$D/containers.conf" <<EOF
[containers]
log_driver = "k8s-file"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$D/events.log"
image_copy_tmp_dir = "$PODMAN_DIR"
runtime = "crun"
tmp_dir = "$PODMAN_DIR/run/libpod"
[network]
network_backend = "cni"
cni_plugin_dirs = ["$D/cni"]
network_config_dir = "$D/net.d"
EOF
}

pod() {
	run env CONTAINERS_CONF="$D/containers.conf" TMPDIR="$PODMAN_DIR" podman --root "$PODMAN_DIR/storage" \
		--runroot "$PODMAN_DIR/run" --storage-driver vfs --cgroup-manager cgroupfs "$@"
}

# http NS ADDR:PORT: the body busybox httpd serves there ("" for the host;
# NS may be a path to a netns).
http() {
	local net=()
	[ -n "$1" ] && net=(nsenter "--net=$1")
	printf 'GET / HTTP/1.0\r\n\r\n' | "${net[@]}" socat -T5 - TCP:"$2",connect-timeout=5 2>/dev/null | tail -n 1
}

published_at() { [ "$(http "" "$1")" = published ]; }
wait_http() { wait_for 10 published_at "$1"; }

test_podman_run_publishes_on_127_0_0_1_with_a_static_ip_and_hairpin() {
	podman_ready || return 0
	br=$(uniq_name br)
	readme_conflist "$br" 10.118.0.0/24
	cp "$D/list.conflist" "$D/net.d/$NET.conflist"
	pod run -d --cgroups disabled --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --name web \
		--network "$NET" --ip 10.118.0.9 -p 127.0.0.1:8084:80 -p 8085:80 \
		localhost/nskit-busybox:1 /bin/httpd -f -p 80 -h /www
	assertRC 0
	pod inspect -f "{{(index .NetworkSettings.Networks \"$NET\").IPAddress}} {{.NetworkSettings.SandboxKey}}" web
	assertEquals "--ip" 10.118.0.9 "${OUT% *}"
	netns=${OUT#* }
	assertTrue "the server answers" "wait_http 127.0.0.1:8084"
	assertEquals "podman run -p 127.0.0.1:8084:80: curl 127.0.0.1:8084" published "$(http "" 127.0.0.1:8084)"
	assertEquals "hairpin: the container through the bridge's address" published "$(http "$netns" 10.118.0.1:8085)"
	assertEquals "route_localnet on the bridge" 1 "$(localnet "$br")"
	pod restart -t 0 web
	assertRC 0
	assertTrue "after restart" "wait_http 127.0.0.1:8084"
	pod network reload web
	assertRC 0
	assertEquals "after network reload" published "$(http "" 127.0.0.1:8084)"
	pod rm -f -t 0 web
	assertRC 0
	assertEquals "host ends" 0 "$(host_ends)"
	assertEquals "masquerade entries" 0 "$(masq_entries)"
	assertEquals "state files" 0 "$(ls "$STATE/$NET" 2>/dev/null | wc -l)"
	assertNoPublication "$br"
}

test_libcni_del_after_the_namespace_is_gone() {
	client_ready || return 0
	conflist 10.98.0.0/24 "$PORTMAP"
	nsname add c1 && ctrs="$ctrs c1"
	client add c1 -caps '{"portMappings": [{"hostPort": 8084, "containerPort": 80, "protocol": "tcp"}]}'
	assertRC 0
	nsname del c1
	client del c1
	assertRC 0
	assertErrEmpty
	assertNothingLeft
	assertEquals "no DNAT chain" 0 "$(dnat_chains)"
	assertFalse "libcni dropped the cached result" "cached c1"
}

test_libcni_check_fails_after_the_interface_is_removed() {
	client_ready || return 0
	conflist 10.94.0.0/24
	nsname add c1 && ctrs="$ctrs c1"
	client add c1
	assertRC 0
	ip -n c1 link del eth0
	client check c1
	assertEquals "exit status" 1 "$RC"
	assertContains "$ERR" "$ERR" "attachment not as ADD made it"
	assertOneLineError nskit-cni-client
	client del c1
	assertRC 0
	assertNothingLeft c1
}

test_libcni_cni_args_reach_the_ipam_plugin() {
	client_ready || return 0
	conflist 10.94.0.0/24
	nsname add c1 && ctrs="$ctrs c1"
	client add c1 -args 'IgnoreUnknown=1;IP=10.94.0.9'
	assertRC 0
	assertContains "the address host-local was asked for" "$(ip -n c1 -o addr show dev eth0)" "inet 10.94.0.9/24"
	client del c1
	assertRC 0
	assertNothingLeft c1
}

test_libcni_plugin_error_reaches_the_runtime() {
	client_ready || return 0
	conflist 10.94.0.0/24
	nsname add c1 && ctrs="$ctrs c1"
	NETNS_PATH=/run/netns/nonexistent client add c1
	assertEquals "exit status" 1 "$RC"
	assertContains "$ERR" "$ERR" 'nskit-cni-client: add: plugin type="nskit-cni" failed (add):'
	assertOneLineError nskit-cni-client
	assertNothingLeft c1
	assertFalse "nothing cached" "cached c1"
}

test_prev_result_is_passed_on() {
	conf 10.71.0.0/24
	cat >"$D/earlier.json" <<'EOF'
{"cniVersion": "1.0.0", "interfaces": [{"name": "lo0", "sandbox": "/x"}],
 "ips": [{"address": "192.0.2.9/32", "interface": 0}], "dns": {"nameservers": ["192.0.2.53"]}}
EOF
	with_prev "$D/earlier.json"
	nsname add c1 && ctrs="$ctrs c1"
	cni ADD c1 "$D/prev.conf"
	assertRC 0
	printf '%s\n' "$OUT" >"$D/r.json"
	assertEquals "earlier interface first" lo0 "$(jget "$D/r.json" 'r["interfaces"][0]["name"]')"
	assertEquals "earlier ip kept" 192.0.2.9/32 "$(jget "$D/r.json" 'r["ips"][0]["address"]')"
	assertEquals "our ip points at our interface" eth0 \
		"$(jget "$D/r.json" 'r["interfaces"][r["ips"][1]["interface"]]["name"]')"
	assertEquals "earlier dns kept" 192.0.2.53 "$(jget "$D/r.json" 'r["dns"]["nameservers"][0]')"
}

test_result_for_0_3_1_carries_ip_versions() {
	VERSION=0.3.1 conf 10.72.0.0/24
	container c1
	assertEquals "cniVersion" 0.3.1 "$(jget "$D/c1.json" 'r["cniVersion"]')"
	assertEquals "ips[].version" 4 "$(jget "$D/c1.json" 'r["ips"][0]["version"]')"
}

test_gc_removes_attachments_not_listed() {
	conf 10.73.0.0/24 '"ipMasq": true,'
	container c1
	container c2
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["cniVersion"]="1.1.0"; c["cni.dev/valid-attachments"]=[{"containerID": "c2", "ifname": "eth0"}]; print(json.dumps(c))' \
		"$D/net.conf" >"$D/gc.conf"
	run env CNI_COMMAND=GC nskit-cni <"$D/gc.conf"
	assertRC 0
	assertOutEmpty
	assertEquals "c2's host end stays" 1 "$(host_ends)"
	assertFalse "c1's interface is gone" "ip -n c1 link show eth0"
	assertEquals "c2's masquerade entry stays" 1 "$(masq_entries)"
	assertEquals "one state file" 1 "$(ls "$STATE/$NET" | wc -l)"
}

test_status_is_ready() {
	VERSION=1.1.0 conf 10.74.0.0/24 '"ipMasq": true,'
	run env CNI_COMMAND=STATUS nskit-cni <"$D/net.conf"
	assertRC 0
	assertOutEmpty
	assertErrEmpty
}

# portconf SUBNET PORT [FIELDS]: $D/net.conf with runtimeConfig.portMappings
# as a runtime derives it from the portMappings capability: PORT -> 80/tcp
# (on $HOSTIP when set); FIELDS as conf's.
portconf() {
	cat >"$D/net.conf" <<EOF
{"cniVersion": "1.0.0", "name": "$NET", "type": "nskit-cni", ${3-}
 "runtimeConfig": {"portMappings": [{"hostPort": $2, "containerPort": 80, "protocol": "${PROTO:-tcp}",
                                     "hostIP": "${HOSTIP-}"}]},
 "ipam": {"type": "host-local", "subnet": "$1", "dataDir": "$D/ipam", "routes": [{"dst": "0.0.0.0/0"}]}}
EOF
}

# route_localnet of host interface IF; the interfaces of nskit's localnet set.
localnet() { cat "/proc/sys/net/ipv4/conf/$1/route_localnet"; }
localnet_set() { nft -j list set inet nskit localnet 2>/dev/null | jq -r '.nftables[] | .set // empty | .elem // [] | .[]' | xargs; }
# fetch NS ADDR:PORT: what a TCP client in NS ("" for the host) gets.
fetch() {
	if [ -n "$1" ]; then
		ip netns exec "$1" socat -T5 -u TCP:"$2",connect-timeout=5 - 2>/dev/null
	else
		socat -T5 -u TCP:"$2",connect-timeout=5 - 2>/dev/null
	fi
}
# fetch_ok NS ADDR:PORT: the same, asked up to three times while nothing
# comes back (a loaded machine can miss a timeout; a port that does not
# Nothing of a publication remains: no DNAT element, no route_localnet
# recorded (nor left on for IF when given).
assertNoPublication() {
	assertEquals "DNAT entries" 0 "$(( $(nft_elems map publish4) + $(nft_elems map publish4_addr) ))"
	assertEquals "localnet set" "" "$(localnet_set)"
	[ -n "${1-}" ] && [ -e "/proc/sys/net/ipv4/conf/$1" ] && assertEquals "route_localnet of $1" 0 "$(localnet "$1")"
	return 0
}

published() { nft_elems map publish4; }

test_port_mappings_publish_a_port_in_the_nskit_table() {
	portconf 10.103.0.0/24 8082
	outside client 198.51.100.7
	container c1
	assertEquals "one DNAT entry" 1 "$(published)"
	ip netns exec c1 socat -T5 TCP-LISTEN:80,reuseaddr SYSTEM:'echo published' &
	server=$!
	wait_for 30 listening c1 80
	assertEquals "client reaches the published port" published \
		"$(ip netns exec client socat -T5 - TCP:198.51.100.1:8082 </dev/null)"
	kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null
	cni DEL c1
	assertRC 0
	assertEquals "DEL removes the DNAT entry" 0 "$(published)"
}

test_port_mapped_on_127_0_0_1_answers_the_host() {
	HOSTIP=127.0.0.1 portconf 10.107.0.0/24 8084
	outside client 198.51.100.7
	container c1
	hostif=$(jget "$D/c1.json" 'r["interfaces"][0]["name"]')
	serve c1
	assertEquals "curl 127.0.0.1:8084" published "$(fetch_ok "" 127.0.0.1:8084)"
	assertEquals "not on the outside address" "" "$(fetch client 198.51.100.1:8084)"
	assertEquals "route_localnet on the host end" 1 "$(localnet "$hostif")"
	assertEquals "recorded" "$hostif" "$(localnet_set)"
	assertEquals "lo of the host untouched" 0 "$(localnet lo)"
	kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
	cni DEL c1
	assertRC 0
	assertNoPublication "$hostif"
	assertNothingLeft c1
}

test_port_mapped_on_every_address_answers_loopback_too() {
	portconf 10.108.0.0/24 8085
	container c1
	serve c1
	assertEquals "curl 127.0.0.1:8085" published "$(fetch_ok "" 127.0.0.1:8085)"
	kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
	cni DEL c1
	assertRC 0
	assertNoPublication
}

test_hairpin_point_to_point_the_container_and_a_sibling_reach_its_port() {
	portconf 10.109.0.0/24 8086
	outside client 198.51.100.7
	container c1
	serve c1
	nsname add c2 && ctrs="$ctrs c2"
	sed 's/"hostPort": 8086/"hostPort": 8087/' "$D/net.conf" >"$D/c2.conf"
	cni ADD c2 "$D/c2.conf"
	assertRC 0
	assertEquals "c1 through the host's address" published "$(fetch_ok c1 198.51.100.1:8086)"
	assertEquals "c1 through its gateway" published "$(fetch_ok c1 10.109.0.1:8086)"
	assertEquals "c2 through the host's address" published "$(fetch_ok c2 198.51.100.1:8086)"
	kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
	return 0
}

test_hairpin_on_a_bridge_the_container_and_a_sibling_reach_its_port() {
	br=$(uniq_name br)
	HOSTIP=127.0.0.1 portconf 10.110.0.0/24 8088 "\"bridge\": \"$br\","
	cat >"$D/any.conf" <<EOF
{"cniVersion": "1.0.0", "name": "$NET", "type": "nskit-cni", "bridge": "$br",
 "runtimeConfig": {"portMappings": [{"hostPort": 8089, "containerPort": 80}]},
 "ipam": {"type": "host-local", "subnet": "10.110.0.0/24", "dataDir": "$D/ipam", "routes": [{"dst": "0.0.0.0/0"}]}}
EOF
	outside client 198.51.100.7
	nsname add c1 && ctrs="$ctrs c1"
	cni ADD c1 "$D/any.conf"
	assertRC 0
	printf '%s\n' "$OUT" >"$D/c1.json"
	port=$(jget "$D/c1.json" 'r["interfaces"][1]["name"]')
	assertContains "hairpin on c1's bridge port" "$(ip -d link show "$port")" "hairpin on"
	container c2
	serve c1
	# Routed (frames on the bridge skip the IP hooks), or bridged with
	# br_netfilter calling them: the answer comes back through the host.
	for nf in 0 1; do
		sysctl -qw net.bridge.bridge-nf-call-iptables=$nf
		assertEquals "c1 through the host's address ($nf)" published "$(fetch_ok c1 198.51.100.1:8089)"
		assertEquals "c2 through the bridge's address ($nf)" published "$(fetch_ok c2 10.110.0.1:8089)"
		assertEquals "the outside ($nf)" published "$(fetch_ok client 198.51.100.1:8089)"
	done
	kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
	serve c2
	assertEquals "c2's port on 127.0.0.1" published "$(fetch_ok "" 127.0.0.1:8088)"
	kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
	assertEquals "route_localnet on the bridge" 1 "$(localnet "$br")"
	cni DEL c2
	assertRC 0
	assertEquals "on while c1's publication routes through the bridge" 1 "$(localnet "$br")"
	cni DEL c1 "$D/any.conf"
	assertRC 0
	assertNoPublication "$br"
}

test_hairpin_mode_false_leaves_the_port_alone() {
	br=$(uniq_name br)
	conf 10.111.0.0/24 "\"bridge\": \"$br\", \"hairpinMode\": false,"
	container c1
	assertContains "hairpin off" "$(ip -d link show "$(jget "$D/c1.json" 'r["interfaces"][1]["name"]')")" "hairpin off"
}

test_ips_in_runtime_config_reach_the_ipam_plugin() {
	conf 10.112.0.0/24
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["runtimeConfig"]={"ips": ["10.112.0.42/24"]}; print(json.dumps(c))' \
		"$D/net.conf" >"$D/ips.conf"
	nsname add c1 && ctrs="$ctrs c1"
	cni ADD c1 "$D/ips.conf"
	assertRC 0
	assertContains "the requested address" "$(ip -n c1 -o addr show dev eth0)" "inet 10.112.0.42/24"
}

test_add_brings_the_containers_lo_up() {
	conf 10.113.0.0/24
	container c1
	assertContains "lo up" "$(ip -n c1 link show lo)" ",UP"
}

# --- what fails, and leaves nothing behind ----------------------------------

test_ips_an_ipam_plugin_ignores_fail_the_add_and_are_undone() {
	# An IPAM plugin without the ips capability hands out what it likes.
	printf '#!/bin/sh\n[ "$CNI_COMMAND" = ADD ] && echo %s\nexit 0\n' \
		"'{\"cniVersion\": \"1.0.0\", \"ips\": [{\"address\": \"10.114.0.7/24\", \"gateway\": \"10.114.0.1\"}]}'" \
		>"$plugins/deaf-ipam"
	chmod +x "$plugins/deaf-ipam"
	cat >"$D/net.conf" <<EOF
{"cniVersion": "1.0.0", "name": "$NET", "type": "nskit-cni", "runtimeConfig": {"ips": ["10.114.0.42/24"]},
 "ipam": {"type": "deaf-ipam"}}
EOF
	nsname add c1 && ctrs="$ctrs c1"
	cni ADD c1
	rm -f "$plugins/deaf-ipam"
	assertCniError 7
	assertOutContains "did not give 10.114.0.42"
	assertNothingLeft c1
}

test_malformed_ips_is_code_7() {
	conf 10.115.0.0/24
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["runtimeConfig"]={"ips": ["10.115.0.300"]}; print(json.dumps(c))' \
		"$D/net.conf" >"$D/ips.conf"
	nsname add c1 && ctrs="$ctrs c1"
	cni ADD c1 "$D/ips.conf"
	assertCniError 7
	assertOutContains "runtimeConfig.ips[0]"
	assertNothingLeft c1
}

test_port_mapped_on_ipv6_loopback_is_code_2() {
	HOSTIP=::1 portconf 10.116.0.0/24 8090
	nsname add c1 && ctrs="$ctrs c1"
	cni ADD c1
	assertCniError 2
	assertOutContains "::1 cannot be forwarded"
	assertNothingLeft c1
}

test_malformed_json_is_code_6() {
	conf 10.75.0.0/24
	nsname add c1 && ctrs="$ctrs c1"
	printf '{"cniVersion": "1.0.0", "name": ' >"$D/bad.conf"
	cni ADD c1 "$D/bad.conf"
	assertCniError 6
	assertNothingLeft c1
}

test_unknown_cni_version_is_code_1() {
	VERSION=9.9.9 conf 10.76.0.0/24
	nsname add c1 && ctrs="$ctrs c1"
	cni ADD c1
	assertCniError 1
	assertOutContains '9.9.9'
	assertNothingLeft c1
}

test_missing_ipam_plugin_is_code_7() {
	IPAM=no-such-ipam conf 10.77.0.0/24
	nsname add c1 && ctrs="$ctrs c1"
	cni ADD c1
	assertCniError 7
	assertOutContains no-such-ipam
	assertNothingLeft c1
}

test_missing_netns_is_code_3() {
	conf 10.78.0.0/24
	NETNS_PATH=/run/netns/none cni ADD c1
	assertCniError 3
	assertOutContains CNI_NETNS
	assertNothingLeft
}

test_netns_that_is_no_namespace_is_code_4() {
	conf 10.79.0.0/24
	NETNS_PATH=/etc/hostname cni ADD c1
	assertCniError 4
	assertOutContains CNI_NETNS
	assertNothingLeft
}

test_check_fails_after_the_interface_is_removed_by_hand() {
	conf 10.80.0.0/24
	container c1
	ip -n c1 link del eth0
	with_prev "$D/c1.json"
	cni CHECK c1 "$D/prev.conf"
	assertCniError 101
	assertOutContains eth0
}

test_check_fails_when_the_host_end_carries_another_alias() {
	conf 10.119.0.0/24
	container c1
	with_prev "$D/c1.json"
	ip link set dev "$(jget "$D/c1.json" 'r["interfaces"][0]["name"]')" alias "nskit-cni $NET c2 eth0"
	cni CHECK c1 "$D/prev.conf"
	assertCniError 101
	assertOutContains "another attachment's"
}

test_check_fails_after_the_address_is_removed_by_hand() {
	conf 10.81.0.0/24
	container c1
	ip -n c1 addr del "$IP/24" dev eth0
	with_prev "$D/c1.json"
	cni CHECK c1 "$D/prev.conf"
	assertCniError 101
	assertOutContains "$IP/24"
}

test_check_fails_after_the_default_route_is_removed_by_hand() {
	conf 10.98.0.0/24
	container c1
	ip -n c1 route del default
	with_prev "$D/c1.json"
	cni CHECK c1 "$D/prev.conf"
	assertCniError 101
	assertOutContains "route to 0.0.0.0/0"
}

test_check_fails_when_the_host_end_leaves_the_bridge() {
	br=$(uniq_name br)
	conf 10.93.0.0/24 "\"bridge\": \"$br\","
	container c1
	ip link set "$(jget "$D/c1.json" 'r["interfaces"][1]["name"]')" nomaster
	with_prev "$D/c1.json"
	cni CHECK c1 "$D/prev.conf"
	assertCniError 101
	assertOutContains "not on bridge $br"
}

test_check_fails_after_the_published_port_is_removed_by_hand() {
	portconf 10.104.0.0/24 8084
	container c1
	nft delete element inet nskit publish4 '{ tcp . 8084 }'
	with_prev "$D/c1.json"
	cni CHECK c1 "$D/prev.conf"
	assertCniError 101
	assertOutContains "8084/tcp is not published"
}

test_port_published_to_another_container_is_refused_and_undone() {
	portconf 10.105.0.0/24 8085
	container c1
	nsname add c2 && ctrs="$ctrs c2"
	cni ADD c2
	assertCniError 100
	assertOutContains "8085/tcp is published to $IP already"
	assertEquals "c1's lease only" 1 "$(leases)"
	assertEquals "c1's host end only" 1 "$(host_ends)"
	assertEquals "c1's DNAT entry stays" 1 "$(published)"
	assertFalse "no eth0 in c2" "ip -n c2 link show eth0"
	assertNotContains "c2's lo down again" "$(ip -n c2 link show lo)" ",UP"
}

test_port_mapping_of_sctp_is_code_2() {
	PROTO=sctp portconf 10.106.0.0/24 8086
	nsname add c1 && ctrs="$ctrs c1"
	cni ADD c1
	assertCniError 2
	assertOutContains sctp
	assertNothingLeft c1
}

test_unknown_command_is_code_4() {
	conf 10.82.0.0/24
	cni FROB c1
	assertCniError 4
	assertOutContains CNI_COMMAND
}

test_missing_ifname_is_code_4() {
	conf 10.83.0.0/24
	nsname add c1 && ctrs="$ctrs c1"
	run env CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/c1 nskit-cni <"$D/net.conf"
	assertCniError 4
	assertOutContains CNI_IFNAME
	assertNothingLeft c1
}

test_existing_interface_fails_and_takes_no_lease() {
	conf 10.84.0.0/24
	nsname add c1 && ctrs="$ctrs c1"
	ip link add x0 netns c1 type veth peer name eth0 netns c1
	cni ADD c1
	assertCniError 4
	assertOutContains "already exists"
	assertEquals "host ends" 0 "$(host_ends)"
	assertEquals "leases" 0 "$(leases)"
}

test_malformed_cni_args_is_code_4() {
	conf 10.91.0.0/24
	nsname add c1 && ctrs="$ctrs c1"
	CNI_ARGS='IP=10.91.0.9;junk' cni ADD c1
	assertCniError 4
	assertOutContains CNI_ARGS
	assertNothingLeft c1
}

test_unsupported_field_is_code_2() {
	conf 10.85.0.0/24 '"vlan": 100,'
	nsname add c1 && ctrs="$ctrs c1"
	cni ADD c1
	assertCniError 2
	assertOutContains 'vlan: 100'
	assertNothingLeft c1
}

test_ipam_failure_is_passed_on_and_undone() {
	# A /30 has one address for a container: the second ADD gets none.
	cat >"$D/net.conf" <<EOF
{"cniVersion": "1.0.0", "name": "$NET", "type": "nskit-cni",
 "ipam": {"type": "host-local", "subnet": "10.86.0.0/30", "dataDir": "$D/ipam"}}
EOF
	container c1
	nsname add c2 && ctrs="$ctrs c2"
	cni ADD c2
	assertEquals "exit status" 1 "$RC"
	assertOutContains "host-local ADD"
	assertEquals "c1's lease only" 1 "$(leases)"
	assertEquals "c1's host end only" 1 "$(host_ends)"
	assertFalse "no eth0 in c2" "ip -n c2 link show eth0"
}

test_second_default_route_is_a_conflict_and_undone() {
	conf 10.101.0.0/24
	nsname add c1 && ctrs="$ctrs c1"
	cni ADD c1
	cat >"$D/b.conf" <<EOF
{"cniVersion": "1.0.0", "name": "${NET}b", "type": "nskit-cni",
 "ipam": {"type": "host-local", "subnet": "10.102.0.0/24", "dataDir": "$D/ipamb",
          "routes": [{"dst": "0.0.0.0/0"}]}}
EOF
	IFNAME=eth1 cni ADD c1 "$D/b.conf"
	assertCniError 100
	assertOutContains "route to 0.0.0.0/0"
	assertFalse "no eth1" "ip -n c1 link show eth1"
	assertEquals "no lease on the second network" 0 "$(ls "$D/ipamb/${NET}b" | grep -c '^10\.')"
	assertContains "the first default route stays" "$(ip -n c1 route show default)" "dev eth0"
}

test_without_ipmasq_the_outside_does_not_answer() {
	conf 10.87.0.0/24
	outside inet 198.51.100.2
	container c1
	assertFalse "no masquerade, no answer" "ip netns exec c1 ping -c1 -W1 198.51.100.2"
}

test_check_with_0_3_1_config_is_code_1() {
	VERSION=0.3.1 conf 10.88.0.0/24
	container c1
	with_prev "$D/c1.json"
	cni CHECK c1 "$D/prev.conf"
	assertCniError 1
}

test_check_without_prev_result_is_code_7() {
	conf 10.95.0.0/24
	container c1
	cni CHECK c1
	assertCniError 7
	assertOutContains prevResult
}

test_gc_with_a_1_0_0_config_is_code_1() {
	conf 10.96.0.0/24
	container c1
	run env CNI_COMMAND=GC nskit-cni <"$D/net.conf"
	assertCniError 1
	assertEquals "the attachment stays" 1 "$(host_ends)"
}

test_status_without_ipam_plugin_is_code_50() {
	VERSION=1.1.0 IPAM=no-such-ipam conf 10.89.0.0/24
	run env CNI_COMMAND=STATUS nskit-cni <"$D/net.conf"
	assertCniError 50
}

test_unknown_option_is_a_usage_error() {
	run nskit-cni --frobnicate
	assertUsageError nskit-cni
	assertOutEmpty
}

. shunit2
