#!/bin/bash
# nskit-cni as the delegate of a cluster overlay: the configuration
# flannel's CNI plugin hands its delegate (the reference bridge plugin's
# shape), each of its fields' effect, the same configuration given to
# Debian's reference bridge plugin side by side, and pods on two "hosts"
# joined by VXLAN over a veth underlay, routed (flannel's L3 backend) and
# bridged (a VXLAN port on the bridge). Every host and pod is a namespace
# the test makes; nskit-cni runs inside its host as flannel would run it.
. "$(dirname "$0")/lib.sh"

REF=/usr/lib/cni
STATE=/run/nskit-cni

oneTimeSetUp() {
	cni_plugins host-local bridge
	return 0
}

suite_teardown() {
	rm -rf "$plugins"
	return 0
}

setUp() {
	D=$(mktemp -d)
	NET=$(uniq_name cbr)
	N=$((SRANDOM % 200 + 20))	# the cluster network 10.N.0.0/16
	made=
	return 0
}

tearDown() {
	# A namespace takes its links, routes and nftables table with it.
	for n in $made; do nsname del "$n" 2>/dev/null; done
	rm -rf "$STATE" "$D"
	return 0
}

# ns NAME...: namespaces the test made (hosts and pods), removed by tearDown.
ns() {
	for n in "$@"; do
		nsname add "$n" && made="$made $n"
		ip -n "$n" link set lo up
	done
}

# subnet_env FILE HOST [IPMASQ]: flannel's /run/flannel/subnet.env for host
# number HOST of the cluster network 10.N.0.0/16.
subnet_env() {
	cat >"$1" <<EOF
FLANNEL_NETWORK=10.$N.0.0/16
FLANNEL_SUBNET=10.$N.$2.1/24
FLANNEL_MTU=1450
FLANNEL_IPMASQ=${3:-true}
EOF
}

# flannel SUBNET_ENV NETCONF: the configuration flannel's CNI plugin
# (flannel-io/cni-plugin, doCmdAdd) gives its delegate, built the way it
# builds it: the delegate object of NETCONF, refused when it names "name"
# or "ipam"; name and cniVersion from NETCONF; type bridge unless given;
# ipMasq the inverse of FLANNEL_IPMASQ (flannel masquerades itself when
# that is true) and mtu FLANNEL_MTU unless given; isGateway true for type
# bridge only; NETCONF's ipam (type host-local unless given) with ranges
# set to the host's subnet and FLANNEL_NETWORK appended to its routes;
# NETCONF's runtimeConfig passed on.
flannel() {
	python3 - "$1" "$2" <<'EOF'
import ipaddress, json, sys
env = {}
for line in open(sys.argv[1]):
    k, _, v = line.rstrip("\n").partition("=")
    env[k] = v
n = json.load(open(sys.argv[2]))
d = dict(n.get("delegate") or {})
if "name" in d or "ipam" in d:
    sys.exit("flannel: the delegate must not set name or ipam")
if "runtimeConfig" in n:
    d["runtimeConfig"] = n["runtimeConfig"]
d["name"] = n["name"]
d.setdefault("type", "bridge")
d.setdefault("ipMasq", env["FLANNEL_IPMASQ"] != "true")
d.setdefault("mtu", int(env["FLANNEL_MTU"]))
if d["type"] == "bridge":
    d.setdefault("isGateway", True)
if n.get("cniVersion"):
    d["cniVersion"] = n["cniVersion"]
ipam = dict(n.get("ipam") or {})
ipam.setdefault("type", "host-local")
net = lambda s: str(ipaddress.ip_network(s, strict=False))
ipam["ranges"] = [[{"subnet": net(env[k])}] for k in ("FLANNEL_SUBNET", "FLANNEL_IPV6_SUBNET") if env.get(k)]
routes = list(ipam.get("routes") or [])
for k in ("FLANNEL_NETWORK", "FLANNEL_IPV6_NETWORK"):
    for c in filter(None, env.get(k, "").split(",")):
        if {"dst": net(c)} not in routes:
            routes.append({"dst": net(c)})
ipam["routes"] = routes
d["ipam"] = ipam
print(json.dumps(d))
EOF
}

# netconf FILE DELEGATE [IPAM]: flannel's own entry of a 10-flannel.conflist
# (as the runtime hands it to flannel) with that delegate object, the
# host-local lease directory under $D unless IPAM says otherwise.
netconf() {
	local ipam=${3-}
	[ -n "$ipam" ] || ipam="{\"dataDir\": \"$D/ipam\"}"
	cat >"$1" <<EOF
{"cniVersion": "${VERSION:-0.3.1}", "name": "$NET", "type": "flannel",
 "delegate": $2, "ipam": $ipam}
EOF
}

# delegate_conf HOST DELEGATE [IPMASQ [IPAM]]: $D/HOST.conf, what flannel on
# HOST (host number 1, 2, ...) hands its delegate.
delegate_conf() {
	subnet_env "$D/$1.env" "$1" "${3:-true}"
	netconf "$D/flannel-$1.conf" "$2" "${4-}"
	flannel "$D/$1.env" "$D/flannel-$1.conf" >"$D/$1.conf"
}

# cni HOST COMMAND POD CONF [PLUGIN]: run the plugin inside HOST's network
# namespace as flannel runs its delegate there, for POD's namespace and
# eth0; stdout in $OUT (also $D/POD.json after ADD).
cni() {
	run ip netns exec "$1" env CNI_COMMAND="$2" CNI_CONTAINERID="$3" CNI_NETNS="/run/netns/$3" \
		CNI_IFNAME=eth0 CNI_ARGS="${CNI_ARGS-}" CNI_PATH="$CNI_PATH" "$CNI_PATH/${5:-nskit-cni}" <"$4"
	[ "$2" = ADD ] && [ "$RC" = 0 ] && printf '%s\n' "$OUT" >"$D/$3.json"
	return 0
}

# jget FILE EXPR: a Python expression over the JSON document r.
jget() {
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# with_prev CONF RESULT: CONF with prevResult RESULT, as CHECK gets it.
with_prev() {
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["prevResult"]=json.load(open(sys.argv[2])); print(json.dumps(c))' \
		"$1" "$2"
}

# The error object on stdout carries CODE and a msg; one line on stderr.
assertCniError() {
	assertEquals "exit status" 1 "$RC"
	printf '%s\n' "$OUT" >"$D/err.json"
	assertEquals "error code in: $OUT" "$1" "$(jget "$D/err.json" 'r["code"]')"
	assertEquals "msg is set" True "$(jget "$D/err.json" 'len(r["msg"]) > 0')"
	assertOneLineError nskit-cni
}

# hostend POD: the host end ADD made for POD (from its result).
hostend() { jget "$D/$1.json" '[i["name"] for i in r["interfaces"] if "sandbox" not in i][-1]'; }
mtu() { ip -n "$1" -o link show dev "$2" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'; }
addrs() { ip -n "$1" -o -4 addr show dev "$2" scope global | awk '{print $4}'; }
mac() { ip -n "$1" -o link show dev "$2" | sed -n 's|.* link/ether \([0-9a-f:]*\) .*|\1|p'; }
defroute() { ip -n "$1" route show default | sed 's/ *$//'; }
hairpin() { ip netns exec "$1" cat "/sys/class/net/$2/brport/hairpin_mode"; }
leases() { ls "$D/ipam/$NET" 2>/dev/null | grep -c '^[0-9]'; }
# masq HOST: the masquerade entries nskit added in HOST's nftables ruleset.
masq() {
	ip netns exec "$1" nft -j list ruleset | python3 -c '
import json, sys
d = json.load(sys.stdin)["nftables"]
print(" ".join(sorted(str(e) for o in d for k, v in o.items() if k == "set" and v["name"] == "masq4" for e in v.get("elem", []))))'
}

# snapshot HOST [nonft]: what a host's network shows: links, addresses,
# routes, permanent neighbours, the nftables ruleset (unless nonft);
# nskit-cni's state files and the leases.
snapshot() {
	ip -n "$1" -o link show | awk '{print $2}'
	ip -n "$1" -o addr show | awk '{print $2, $4}'
	ip -n "$1" route show
	ip -n "$1" neigh show nud permanent
	[ "${2-}" = nonft ] || ip netns exec "$1" nft list ruleset
	find "$STATE" -type f 2>/dev/null
	ls "$D/ipam/$NET" 2>/dev/null | grep '^[0-9]'
}

# --- what flannel hands its delegate, field by field ---------------------

test_flannel_hands_nskit_cni_the_bridge_plugins_shape() {
	delegate_conf 1 '{"type": "nskit-cni"}'
	assertEquals "the delegate's fields" \
		"cniVersion ipMasq ipam mtu name type" "$(jget "$D/1.conf" '" ".join(sorted(r))')"
	assertEquals "ipMasq inverted from FLANNEL_IPMASQ=true" False "$(jget "$D/1.conf" 'r["ipMasq"]')"
	assertEquals "isGateway is set for type bridge only" False "$(jget "$D/1.conf" '"isGateway" in r')"
	assertEquals "ipam" "host-local [[{'subnet': '10.$N.1.0/24'}]] [{'dst': '10.$N.0.0/16'}]" \
		"$(jget "$D/1.conf" 'r["ipam"]["type"] + " " + str(r["ipam"]["ranges"]) + " " + str(r["ipam"]["routes"])')"
}

test_delegate_without_bridge_is_point_to_point_with_flannels_route_and_mtu() {
	ns h1 p1
	delegate_conf 1 '{"type": "nskit-cni"}'
	cni h1 ADD p1 "$D/1.conf"
	assertRC 0
	assertErrEmpty
	assertEquals "the pod's address" "10.$N.1.2/24" "$(addrs p1 eth0)"
	assertContains "FLANNEL_NETWORK via the gateway" "$(ip -n p1 route show)" "10.$N.0.0/16 via 10.$N.1.1 dev eth0"
	assertEquals "no default route (isDefaultGateway unset)" "" "$(defroute p1)"
	assertEquals "mtu of eth0" 1450 "$(mtu p1 eth0)"
	assertEquals "mtu of the host end" 1450 "$(mtu h1 "$(hostend p1)")"
	assertEquals "no masquerade (flannel does it)" "" "$(masq h1)"
	assertTrue "the pod reaches its gateway" "ip netns exec p1 ping -c1 -W2 10.$N.1.1"
}

test_is_gateway_puts_the_gateway_on_the_bridge() {
	ns h1 p1
	delegate_conf 1 '{"type": "nskit-cni", "bridge": "cni0", "isGateway": true}'
	cni h1 ADD p1 "$D/1.conf"
	assertRC 0
	assertEquals "the bridge holds the subnet's gateway" "10.$N.1.1/24" "$(addrs h1 cni0)"
	assertEquals "the pod's address" "10.$N.1.2/24" "$(addrs p1 eth0)"
	assertTrue "the pod reaches the gateway" "ip netns exec p1 ping -c1 -W2 10.$N.1.1"
}

test_is_gateway_false_leaves_the_bridge_without_address() {
	ns h1 p1
	delegate_conf 1 '{"type": "nskit-cni", "bridge": "cni0", "isGateway": false}'
	cni h1 ADD p1 "$D/1.conf"
	assertRC 0
	assertEquals "no address on the bridge" "" "$(addrs h1 cni0)"
	assertEquals "the pod's address" "10.$N.1.2/24" "$(addrs p1 eth0)"
}

test_is_default_gateway_adds_a_default_route_and_the_gateway() {
	ns h1 p1
	delegate_conf 1 '{"type": "nskit-cni", "bridge": "cni0", "isGateway": false, "isDefaultGateway": true}'
	cni h1 ADD p1 "$D/1.conf"
	assertRC 0
	assertEquals "default route in the pod" "default via 10.$N.1.1 dev eth0" "$(defroute p1)"
	assertEquals "implies isGateway" "10.$N.1.1/24" "$(addrs h1 cni0)"
	assertEquals "ADD's result lists it" "[('0.0.0.0/0', '10.$N.1.1')]" \
		"$(jget "$D/p1.json" '[(x["dst"], x.get("gw")) for x in r["routes"] if x["dst"] == "0.0.0.0/0"]')"
	VERSION=0.4.0 delegate_conf 1 '{"type": "nskit-cni", "bridge": "cni0", "isDefaultGateway": true}'
	with_prev "$D/1.conf" "$D/p1.json" >"$D/check.conf"
	cni h1 CHECK p1 "$D/check.conf"
	assertRC 0
	ip -n p1 route del default
	cni h1 CHECK p1 "$D/check.conf"
	assertCniError 101
	assertOutContains "route to 0.0.0.0/0"
}

test_is_default_gateway_point_to_point() {
	ns h1 p1
	delegate_conf 1 '{"type": "nskit-cni", "isDefaultGateway": true}'
	cni h1 ADD p1 "$D/1.conf"
	assertRC 0
	assertEquals "default route in the pod" "default via 10.$N.1.1 dev eth0" "$(defroute p1)"
}

test_is_default_gateway_keeps_a_default_route_ipam_gives() {
	ns h1 p1
	delegate_conf 1 '{"type": "nskit-cni", "bridge": "cni0", "isDefaultGateway": true}' true \
		"{\"dataDir\": \"$D/ipam\", \"routes\": [{\"dst\": \"0.0.0.0/0\"}]}"
	cni h1 ADD p1 "$D/1.conf"
	assertRC 0
	assertEquals "one default route" "default via 10.$N.1.1 dev eth0" "$(defroute p1)"
	assertEquals "listed once" 1 "$(jget "$D/p1.json" 'sum(x["dst"] == "0.0.0.0/0" for x in r["routes"])')"
}

test_hairpin_mode_sets_the_bridge_ports_flag() {
	ns h1 p1 p2
	delegate_conf 1 '{"type": "nskit-cni", "bridge": "cni0", "hairpinMode": true}'
	cni h1 ADD p1 "$D/1.conf"
	assertRC 0
	assertEquals "hairpin on p1's port" 1 "$(hairpin h1 "$(hostend p1)")"
	delegate_conf 1 '{"type": "nskit-cni", "bridge": "cni0", "hairpinMode": false}'
	cni h1 ADD p2 "$D/1.conf"
	assertRC 0
	assertEquals "hairpin off on p2's port" 0 "$(hairpin h1 "$(hostend p2)")"
	assertContains "as bridge -d link says" "$(bridge -n h1 -d link show dev "$(hostend p1)")" "hairpin on"
}

test_bridge_keeps_its_mac_as_pods_come_and_go() {
	ns h1 p1 p2
	delegate_conf 1 '{"type": "nskit-cni", "bridge": "cni0"}'
	cni h1 ADD p1 "$D/1.conf"
	assertRC 0
	m=$(mac h1 cni0)
	assertNotEquals "not the port's" "$(mac h1 "$(hostend p1)")" "$m"
	cni h1 ADD p2 "$D/1.conf"
	assertRC 0
	cni h1 DEL p1 "$D/1.conf"
	assertRC 0
	assertEquals "the bridge's MAC, after a pod came and one went" "$m" "$(mac h1 cni0)"
}

test_ip_masq_from_flannel_ipmasq_false_masquerades_until_del() {
	ns h1 p1
	delegate_conf 1 '{"type": "nskit-cni"}' false
	assertEquals "ipMasq inverted from FLANNEL_IPMASQ=false" True "$(jget "$D/1.conf" 'r["ipMasq"]')"
	cni h1 ADD p1 "$D/1.conf"
	assertRC 0
	assertEquals "the pod's masquerade entry in h1's ruleset" "10.$N.1.2" "$(masq h1)"
	assertContains "the rule that uses it" "$(ip netns exec h1 nft list ruleset)" "ip saddr @masq4 ip daddr != @masq4 masquerade"
	cni h1 DEL p1 "$D/1.conf"
	assertRC 0
	assertEquals "gone after DEL" "" "$(masq h1)"
}

test_mtu_on_the_bridge_and_both_veth_ends() {
	ns h1 p1
	delegate_conf 1 '{"type": "nskit-cni", "bridge": "cni0"}'
	cni h1 ADD p1 "$D/1.conf"
	assertRC 0
	assertEquals "bridge" 1450 "$(mtu h1 cni0)"
	assertEquals "host end" 1450 "$(mtu h1 "$(hostend p1)")"
	assertEquals "pod end" 1450 "$(mtu p1 eth0)"
}

test_add_check_del_and_a_second_del_leave_the_host_as_before() {
	ns h1 p1
	delegate_conf 1 '{"type": "nskit-cni", "hairpinMode": true, "isDefaultGateway": true}' false
	before=$(snapshot h1 nonft)
	cni h1 ADD p1 "$D/1.conf"
	assertRC 0
	assertEquals "the result's ips carry versions (0.3.1)" 4 "$(jget "$D/p1.json" 'r["ips"][0]["version"]')"
	assertEquals "masqueraded" "10.$N.1.2" "$(masq h1)"
	VERSION=0.4.0 delegate_conf 1 '{"type": "nskit-cni", "hairpinMode": true, "isDefaultGateway": true}' false
	with_prev "$D/1.conf" "$D/p1.json" >"$D/check.conf"
	cni h1 CHECK p1 "$D/check.conf"
	assertRC 0
	assertOutEmpty
	cni h1 DEL p1 "$D/1.conf"
	assertRC 0
	assertOutEmpty
	# nskit's nftables table stays, its sets empty, as natctl leaves it.
	assertEquals "the host as before" "$before" "$(snapshot h1 nonft)"
	assertEquals "no masquerade entry" "" "$(masq h1)"
	assertFalse "no eth0 in the pod" "ip -n p1 link show eth0"
	cni h1 DEL p1 "$D/1.conf"
	assertRC 0
	assertErrEmpty
	cni h1 DEL never-added "$D/1.conf"
	assertRC 0
}

test_version_and_status_answer_the_delegate_config() {
	ns h1
	VERSION=1.1.0 delegate_conf 1 '{"type": "nskit-cni", "bridge": "cni0", "isDefaultGateway": true}'
	run env CNI_COMMAND=VERSION nskit-cni <"$D/1.conf"
	assertRC 0
	assertOutContains '"cniVersion":"1.1.0"'
	run ip netns exec h1 env CNI_COMMAND=STATUS CNI_PATH="$CNI_PATH" nskit-cni <"$D/1.conf"
	assertRC 0
	assertOutEmpty
}

test_port_mappings_flannel_passes_on_are_published() {
	ns h1 p1
	subnet_env "$D/1.env" 1
	cat >"$D/flannel-1.conf" <<EOF
{"cniVersion": "0.3.1", "name": "$NET", "type": "flannel", "delegate": {"type": "nskit-cni"},
 "ipam": {"dataDir": "$D/ipam"},
 "runtimeConfig": {"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]}}
EOF
	flannel "$D/1.env" "$D/flannel-1.conf" >"$D/1.conf"
	cni h1 ADD p1 "$D/1.conf"
	assertRC 0
	assertContains "published in h1's nskit table" "$(ip netns exec h1 nft list map inet nskit publish4)" \
		"tcp . 8080 : 10.$N.1.2 . 80"
	cni h1 DEL p1 "$D/1.conf"
	assertRC 0
	assertNotContains "gone after DEL" "$(ip netns exec h1 nft list map inet nskit publish4)" "8080"
}

test_gc_with_the_delegate_config_removes_what_is_not_listed() {
	ns h1 p1 p2
	# ADD at 1.0.0: Debian's host-local stops there; GC came with 1.1.0.
	VERSION=1.0.0 delegate_conf 1 '{"type": "nskit-cni", "bridge": "cni0", "isDefaultGateway": true}' false
	cni h1 ADD p1 "$D/1.conf"
	assertRC 0
	cni h1 ADD p2 "$D/1.conf"
	assertRC 0
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["cniVersion"]="1.1.0"; c["cni.dev/valid-attachments"]=[{"containerID": "p2", "ifname": "eth0"}]; print(json.dumps(c))' \
		"$D/1.conf" >"$D/gc.conf"
	run ip netns exec h1 env CNI_COMMAND=GC CNI_PATH="$CNI_PATH" nskit-cni <"$D/gc.conf"
	assertRC 0
	assertFalse "p1's eth0 gone" "ip -n p1 link show eth0"
	assertEquals "p2 only masqueraded" "10.$N.1.3" "$(masq h1)"
	assertTrue "p2 still reaches its gateway" "ip netns exec p2 ping -c1 -W2 10.$N.1.1"
}

# --- what nskit-cni does not do fails, and leaves nothing ------------------

# unsupported FIELDS WHAT [CODE]: a delegate with FIELDS fails with code 2
# (or CODE) naming WHAT, before anything is made.
unsupported() {
	ns h1 p1
	delegate_conf 1 "{\"type\": \"nskit-cni\", \"bridge\": \"cni0\", $1}"
	before=$(snapshot h1)
	cni h1 ADD p1 "$D/1.conf"
	assertCniError "${3:-2}"
	assertOutContains "$2"
	assertEquals "nothing made" "$before" "$(snapshot h1)"
	assertEquals "no lease" 0 "$(leases)"
	assertFalse "no eth0 in the pod" "ip -n p1 link show eth0"
}

test_force_address_is_code_2() { unsupported '"forceAddress": true' 'forceAddress: true'; }
test_enabledad_is_code_2() { unsupported '"enabledad": true' 'enabledad: true'; }
test_port_isolation_is_code_2() { unsupported '"portIsolation": true' 'portIsolation: true'; }
test_vlan_is_code_2() { unsupported '"vlan": 7' 'vlan: 7'; }

test_a_multicast_mac_is_code_7() { unsupported '"runtimeConfig": {"mac": "01:00:5e:00:00:09"}' 'runtimeConfig.mac' 7; }
test_a_malformed_mac_in_cni_args_is_code_4() {
	CNI_ARGS='IgnoreUnknown=1;MAC=02:42:0a:00:00' unsupported '"hairpinMode": true' 'CNI_ARGS MAC' 4
}

# pod_mac DELEGATE_FIELDS: ADD p1 on h1 with the fields; the MAC of its
# eth0 in $MAC.
pod_mac() {
	ns h1 p1
	delegate_conf 1 "{\"type\": \"nskit-cni\", \"bridge\": \"cni0\"$1}"
	cni h1 ADD p1 "$D/1.conf"
	assertRC 0
	MAC=$(mac p1 eth0)
	assertEquals "the result says so" "$MAC" "$(jget "$D/p1.json" 'r["interfaces"][-1]["mac"]')"
}

test_the_pods_mac_from_runtime_config_over_args() {
	CNI_ARGS='IgnoreUnknown=1;MAC=02:42:0a:00:00:07' pod_mac \
		', "runtimeConfig": {"mac": "02:42:0a:00:00:09"}, "args": {"cni": {"mac": "02:42:0a:00:00:08"}}'
	assertEquals "runtimeConfig.mac" 02:42:0a:00:00:09 "$MAC"
}

test_the_pods_mac_from_args_cni_mac_over_cni_args() {
	CNI_ARGS='IgnoreUnknown=1;MAC=02:42:0a:00:00:07' pod_mac ', "args": {"cni": {"mac": "02:42:0a:00:00:08"}}'
	assertEquals "args.cni.mac" 02:42:0a:00:00:08 "$MAC"
}

test_the_pods_mac_from_cni_args() {
	CNI_ARGS='IgnoreUnknown=1;MAC=02:42:0a:00:00:07' pod_mac ''
	assertEquals "CNI_ARGS MAC" 02:42:0a:00:00:07 "$MAC"
}

test_fields_that_ask_nothing_are_accepted() {
	ns h1 p1
	delegate_conf 1 '{"type": "nskit-cni", "bridge": "cni0", "forceAddress": false, "promiscMode": false,
		"ipMasqBackend": "nftables", "preserveDefaultVlan": true, "vlanTrunk": [], "mtu": 0}'
	cni h1 ADD p1 "$D/1.conf"
	assertRC 0
	assertEquals "mtu 0: the kernel's default" 1500 "$(mtu p1 eth0)"
}

# --- side by side with the reference bridge plugin ---------------------------

test_same_delegate_config_same_pod_network_as_the_reference_bridge() {
	ns hr pr hn pn
	# kube-flannel's delegate; only the type and the lease directory differ.
	delegate_conf 1 '{"type": "nskit-cni", "bridge": "cni0", "hairpinMode": true, "isDefaultGateway": true}'
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["type"]="bridge"; c["ipam"]["dataDir"]+="-ref"; print(json.dumps(c))' \
		"$D/1.conf" >"$D/ref.conf"
	cni hr ADD pr "$D/ref.conf" bridge
	assertRC 0
	cni hn ADD pn "$D/1.conf"
	assertRC 0
	assertEquals "pod address" "$(addrs pr eth0)" "$(addrs pn eth0)"
	assertEquals "pod routes" "$(ip -n pr -4 route show)" "$(ip -n pn -4 route show)"
	assertEquals "pod mtu" "$(mtu pr eth0)" "$(mtu pn eth0)"
	assertEquals "bridge address" "$(addrs hr cni0)" "$(addrs hn cni0)"
	assertEquals "bridge mtu" "$(mtu hr cni0)" "$(mtu hn cni0)"
	assertEquals "host end mtu" "$(mtu hr "$(hostend pr)")" "$(mtu hn "$(hostend pn)")"
	assertEquals "hairpin" "$(hairpin hr "$(hostend pr)")" "$(hairpin hn "$(hostend pn)")"
	assertEquals "bridge MAC is a port's" "$([ "$(mac hr cni0)" = "$(mac hr "$(hostend pr)")" ] && echo yes)" \
		"$([ "$(mac hn cni0)" = "$(mac hn "$(hostend pn)")" ] && echo yes)"
	for e in '[(i["address"], i.get("gateway")) for i in r["ips"]]' \
		'sorted((x["dst"], x.get("gw")) for x in r["routes"])'; do
		assertEquals "result: $e" "$(jget "$D/pr.json" "$e")" "$(jget "$D/pn.json" "$e")"
	done
	cni hr DEL pr "$D/ref.conf" bridge
	assertRC 0
	cni hn DEL pn "$D/1.conf"
	assertRC 0
	assertEquals "after DEL: bridge ports" "$(ip -n hr -o link show master cni0 | wc -l)" \
		"$(ip -n hn -o link show master cni0 | wc -l)"
	assertEquals "after DEL: bridge address (both keep it)" "$(addrs hr cni0)" "$(addrs hn cni0)"
}

test_same_mac_in_cni_args_as_the_reference_bridge() {
	ns hr pr hn pn
	delegate_conf 1 '{"type": "nskit-cni", "bridge": "cni0"}'
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["type"]="bridge"; c["ipam"]["dataDir"]+="-ref"; print(json.dumps(c))' \
		"$D/1.conf" >"$D/ref.conf"
	CNI_ARGS='IgnoreUnknown=1;MAC=02:42:0a:00:00:07' cni hr ADD pr "$D/ref.conf" bridge
	assertRC 0
	CNI_ARGS='IgnoreUnknown=1;MAC=02:42:0a:00:00:07' cni hn ADD pn "$D/1.conf"
	assertRC 0
	assertEquals "the pod's MAC" "$(mac pr eth0)" "$(mac pn eth0)"
	assertEquals "as asked" 02:42:0a:00:00:07 "$(mac pn eth0)"
}

# --- two hosts over an overlay ----------------------------------------------

# underlay A B: a veth between host namespaces A (192.0.2.1/24) and B
# (192.0.2.2/24), the wire their VXLAN packets travel.
underlay() {
	ip link add eth0 netns "$1" type veth peer name eth0 netns "$2"
	ip -n "$1" addr add 192.0.2.1/24 dev eth0
	ip -n "$2" addr add 192.0.2.2/24 dev eth0
	ip -n "$1" link set eth0 up
	ip -n "$2" link set eth0 up
}

# mk_vxlan NS DEV --vni N --local ADDR --mac MAC [--master BR | --addr CIDR]
#   [--peer REMOTE,MAC[,ADDR,SUBNET]]...
# The VXLAN device a cluster's overlay makes on a host (flannel's
# flannel.1, or a bridge's VXLAN port), MTU 1450, no learning, UDP port
# 4789. Per peer host: one FDB entry for its VXLAN MAC; routed (flannel's
# L3 backend), its device's ADDR as a permanent neighbour and its pod
# SUBNET via ADDR on link; bridged (--master), the all-zeros entry too so
# broadcasts (ARP) reach it: `vethctl vxlan add` and `vxlan peer add`.
mk_vxlan() {
	local ns=$1 dev=$2 vni= local= mac= master= addr= peers= p r m a s
	shift 2
	while [ $# -gt 0 ]; do
		case $1 in
		--vni) vni=$2 ;;
		--local) local=$2 ;;
		--mac) mac=$2 ;;
		--master) master=$2 ;;
		--addr) addr=$2 ;;
		--peer) peers="$peers $2" ;;
		esac
		shift 2
	done
	local add=(vethctl -n "$ns" vxlan add "$dev" --vni "$vni" --local "$local" --dev eth0 --mac "$mac" --mtu 1450)
	[ -n "$master" ] && add+=(--master "$master")
	for p in $peers; do
		IFS=, read -r r m a s <<<"$p"
		[ -n "$master" ] && add+=(--remote "$r")
	done
	"${add[@]}" || return 1
	# The device's own address is flannel's business, not vethctl's.
	[ -n "$addr" ] && { ip -n "$ns" addr add "$addr" dev "$dev" || return 1; }
	for p in $peers; do
		IFS=, read -r r m a s <<<"$p"
		if [ -n "$a" ]; then
			vethctl -n "$ns" vxlan peer add "$dev" --remote "$r" --mac "$m" --addr "$a" --route "$s" || return 1
		else
			vethctl -n "$ns" vxlan peer add "$dev" --remote "$r" --mac "$m" || return 1
		fi
	done
}

MAC_A=0a:58:0a:00:00:01
MAC_B=0a:58:0a:00:00:02

# l3_hosts: hosts hA and hB over the underlay, each with flannel.1 as
# flannel's VXLAN backend sets it up (its address the subnet's network
# address, the other host's subnet routed through it), pods pA and pB.
l3_hosts() {
	ns hA hB pA pB
	underlay hA hB
	mk_vxlan hA flannel.1 --vni 1 --local 192.0.2.1 --mac $MAC_A --addr "10.$N.1.0/32" \
		--peer "192.0.2.2,$MAC_B,10.$N.2.0,10.$N.2.0/24" || fail "mk_vxlan on hA"
	mk_vxlan hB flannel.1 --vni 1 --local 192.0.2.2 --mac $MAC_B --addr "10.$N.2.0/32" \
		--peer "192.0.2.1,$MAC_A,10.$N.1.0,10.$N.1.0/24" || fail "mk_vxlan on hB"
}

# pods_across DELEGATE: pA on hA (host 1) and pB on hB (host 2) added with
# what flannel on each would hand the delegate; pA pings pB, DEL on both
# leaves each host as it was before (the bridge the delegate made aside:
# nskit-cni, like the reference plugin, keeps it).
pods_across() {
	local beforeA beforeB
	delegate_conf 1 "$1"
	delegate_conf 2 "$1"
	beforeA=$(snapshot hA)
	beforeB=$(snapshot hB)
	cni hA ADD pA "$D/1.conf"
	assertRC 0
	cni hB ADD pB "$D/2.conf"
	assertRC 0
	assertEquals "pA's address" "10.$N.1.2/24" "$(addrs pA eth0)"
	assertEquals "pB's address" "10.$N.2.2/24" "$(addrs pB eth0)"
	assertTrue "pA pings pB across the overlay" "ip netns exec pA ping -c1 -W2 10.$N.2.2"
	assertTrue "pB pings pA" "ip netns exec pB ping -c1 -W2 10.$N.1.2"
	assertTrue "a 1422-byte packet crosses (MTU 1450)" "ip netns exec pA ping -c1 -W2 -M do -s 1422 10.$N.2.2"
	cni hA DEL pA "$D/1.conf"
	assertRC 0
	cni hB DEL pB "$D/2.conf"
	assertRC 0
	assertEquals "hA as before" "$beforeA" "$(snapshot hA | grep -v cni0)"
	assertEquals "hB as before" "$beforeB" "$(snapshot hB | grep -v cni0)"
	assertFalse "pA's eth0 gone" "ip -n pA link show eth0"
	assertFalse "pB's eth0 gone" "ip -n pB link show eth0"
}

test_two_hosts_flannel_l3_vxlan_point_to_point() {
	l3_hosts
	pods_across '{"type": "nskit-cni"}'
}

test_two_hosts_flannel_l3_vxlan_kube_flannel_delegate_on_cni0() {
	l3_hosts
	pods_across '{"type": "nskit-cni", "bridge": "cni0", "hairpinMode": true, "isDefaultGateway": true}'
}

test_two_hosts_l2_bridge_with_a_vxlan_port_one_subnet() {
	local conf
	ns hA hB pA pB
	underlay hA hB
	for h in hA hB; do ip -n "$h" link add br0 mtu 1450 type bridge && ip -n "$h" link set br0 up; done
	mk_vxlan hA vx0 --vni 42 --local 192.0.2.1 --mac $MAC_A --master br0 --peer "192.0.2.2,$MAC_B" ||
		fail "mk_vxlan on hA"
	mk_vxlan hB vx0 --vni 42 --local 192.0.2.2 --mac $MAC_B --master br0 --peer "192.0.2.1,$MAC_A" ||
		fail "mk_vxlan on hB"
	beforeA=$(snapshot hA)
	# One subnet over both hosts: host-local hands each host its own range
	# and gateway (its bridge's address) in it.
	for h in 1 2; do
		cat >"$D/$h.conf" <<EOF
{"cniVersion": "1.0.0", "name": "$NET", "type": "nskit-cni", "bridge": "br0", "isDefaultGateway": true, "mtu": 1450,
 "ipam": {"type": "host-local", "dataDir": "$D/ipam$h", "ranges": [[{"subnet": "10.$N.0.0/24",
  "rangeStart": "10.$N.0.${h}0", "rangeEnd": "10.$N.0.${h}9", "gateway": "10.$N.0.$h"}]]}}
EOF
	done
	cni hA ADD pA "$D/1.conf"
	assertRC 0
	cni hB ADD pB "$D/2.conf"
	assertRC 0
	assertEquals "pA's address" "10.$N.0.10/24" "$(addrs pA eth0)"
	assertEquals "pB's address" "10.$N.0.20/24" "$(addrs pB eth0)"
	assertEquals "hB's bridge holds its gateway" "10.$N.0.2/24" "$(addrs hB br0)"
	assertEquals "pB's default route via its own host" "default via 10.$N.0.2 dev eth0" "$(defroute pB)"
	assertTrue "pA pings pB on one L2 segment" "ip netns exec pA ping -c1 -W2 10.$N.0.20"
	assertContains "pA reached pB on link (its neighbour)" "$(ip -n pA neigh show 10.$N.0.20)" "lladdr"
	assertTrue "pB pings pA" "ip netns exec pB ping -c1 -W2 10.$N.0.10"
	cni hA DEL pA "$D/1.conf"
	assertRC 0
	cni hB DEL pB "$D/2.conf"
	assertRC 0
	# the gateway address stays on the bridge, as the reference plugin leaves it
	assertEquals "hA as before" "$beforeA" "$(snapshot hA | grep -v -e "br0 10.$N.0.1/24" -e "10.$N.0.0/24 dev br0")"
	assertEquals "no port but vx0 on hB's bridge" 1 "$(ip -n hB -o link show master br0 | wc -l)"
}

. shunit2
