#!/bin/bash
# tests/test_vxlan.sh - vethctl vxlan: jails on two "hosts" joined by a
# VXLAN overlay, flannel-style (no learning, one forwarding entry, one
# neighbour and one route per peer) and as an L2 bridge port. Each test
# makes its own network namespaces (two hosts joined by a veth underlay,
# a jail on each) with unique names and removes them in tearDown; traffic
# goes only between them.
. "$(dirname "$0")/lib.sh"

VNI=4242
MAC_A=02:44:00:00:00:01
MAC_B=02:44:00:00:00:02

setUp() {
	NSLIST=""
	HA=$(uniq_name ha) HB=$(uniq_name hb) JA=$(uniq_name ja) JB=$(uniq_name jb)
}

tearDown() {
	[ -n "${TCPDUMP-}" ] && kill "$TCPDUMP" 2>/dev/null && wait "$TCPDUMP" 2>/dev/null
	TCPDUMP=
	for ns in $NSLIST; do
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}

mkns() {
	ip netns add "$1" && NSLIST="$NSLIST $1"
}

# Two hosts joined by an underlay ul0 (10.44.0.1 and .2, or fd44::1 and
# ::2 with "6"), forwarding on.
mk_hosts() {
	mkns "$HA" && mkns "$HB" || return 1
	if [ "${1-}" = 6 ]; then
		vethctl connect "$HA" "$HB" --name ul0 --peer ul0 --addr fd44::1/64 --peer-addr fd44::2/64
	else
		vethctl connect "$HA" "$HB" --name ul0 --peer ul0 --addr 10.44.0.1/24 --peer-addr 10.44.0.2/24
	fi || return 1
	for h in "$HA" "$HB"; do
		ip netns exec "$h" sysctl -qw net.ipv4.ip_forward=1 || return 1
	done
}

# A jail on each host, each in its host's subnet (10.44.1.0/24 on A,
# 10.44.2.0/24 on B), its default route via the host.
mk_jails() {
	mkns "$JA" && mkns "$JB" &&
		nsjoin "$HA" vethctl add vj -n "$JA" --addr 10.44.1.1/24 --peer-addr 10.44.1.2/24 --gateway &&
		nsjoin "$HB" vethctl add vj -n "$JB" --addr 10.44.2.1/24 --peer-addr 10.44.2.2/24 --gateway
}

# The flannel-style overlay: a device on each host, each the other's peer
# with its subnet routed via its VTEP address (the subnet's .0). UNDERLAY
# A and B addresses as arguments (IPv4 by default).
mk_overlay() {
	local a=${1:-10.44.0.1} b=${2:-10.44.0.2}
	vethctl -n "$HA" vxlan add vx0 --vni $VNI --local "$a" --dev ul0 --mac $MAC_A &&
		vethctl -n "$HB" vxlan add vx0 --vni $VNI --local "$b" --dev ul0 --mac $MAC_B &&
		vethctl -n "$HA" vxlan peer add vx0 --remote "$b" --mac $MAC_B --addr 10.44.2.0 --route 10.44.2.0/24 &&
		vethctl -n "$HB" vxlan peer add vx0 --remote "$a" --mac $MAC_A --addr 10.44.1.0 --route 10.44.1.0/24
}

# One echo answered, with a second try: a loaded machine can lose the
# first to a slow neighbour resolution.
ping_from() {
	ip netns exec "$1" ping -c1 -W5 "$2" >/dev/null || ip netns exec "$1" ping -c1 -W5 "$2" >/dev/null
}

# Host NS's entries on DEV: forwarding, neighbour, route counts.
counts() {
	echo "$(bridge -n "$1" fdb show dev "${2:-vx0}" | grep -c self)" \
		"$(ip -n "$1" neigh show dev "${2:-vx0}" | grep -c .)" \
		"$(ip -n "$1" route show dev "${2:-vx0}" | grep -c .)"
}

# Everything of host NS a failure could have left: links and the entries
# on vx0 (when it is there).
state() {
	ip -n "$1" -o link | awk -F'[:@ ]+' '{print $2}'
	if ip -n "$1" link show vx0 >/dev/null 2>&1; then
		bridge -n "$1" fdb show dev vx0
		ip -n "$1" neigh show dev vx0
		ip -n "$1" route show dev vx0
	fi
}

# ---- the overlay works ----

test_l3_jail_a_pings_jail_b_across_the_overlay() {
	mk_hosts && mk_jails
	run mk_overlay
	assertRC 0
	assertErrEmpty
	ping_from "$JA" 10.44.2.2
	assertTrue "jail A reaches jail B over the overlay" $?
	ping_from "$JB" 10.44.1.2
	assertTrue "and back" $?
}

test_device_is_flannel_style_up_nolearning_port_4789() {
	mk_hosts
	run vethctl -n "$HA" vxlan add vx0 --vni $VNI --local 10.44.0.1 --dev ul0
	assertRC 0
	assertOutEmpty
	d=$(ip -n "$HA" -d link show vx0)
	assertContains "$d" "vxlan id $VNI local 10.44.0.1 dev ul0"
	assertContains "IANA's port, not the kernel's 8472: $d" "$d" "dstport 4789"
	assertContains "$d" "nolearning"
	assertContains "$d" ",UP"
	assertEquals "no default destination (no flooding)" "0 0 0" "$(counts "$HA")"
	run vethctl -n "$HA" vxlan add vx1 --vni 7 --local 10.44.0.1 --dev ul0 --port 8472 --mtu 1400
	assertRC 0
	assertContains "$(ip -n "$HA" -d link show vx1)" "dstport 8472"
	assertContains "$(ip -n "$HA" -d link show vx1)" "mtu 1400"
}

test_tcpdump_on_the_underlay_sees_udp_4789_with_the_vni() {
	mk_hosts && mk_jails && mk_overlay
	ip netns exec "$HA" tcpdump -lni ul0 -c 2 udp port 4789 >"$SHUNIT_TMPDIR/dump" 2>"$SHUNIT_TMPDIR/dump.err" &
	TCPDUMP=$!
	wait_for 30 grep -q "listening on" "$SHUNIT_TMPDIR/dump.err"
	ping_from "$JA" 10.44.2.2
	assertTrue "jail A reaches jail B" $?
	wait_for 30 grep -q "vni" "$SHUNIT_TMPDIR/dump"
	d=$(cat "$SHUNIT_TMPDIR/dump")
	assertContains "encapsulated to B's port 4789: $d" "$d" "10.44.0.1."
	assertContains "$d" "> 10.44.0.2.4789: VXLAN, flags [I] (0x08), vni $VNI"
	assertContains "the jail's packet inside: $d" "$d" "10.44.1.2 > 10.44.2.2: ICMP echo"
}

test_peer_del_stops_the_traffic_and_removes_exactly_its_entries() {
	mk_hosts && mk_jails && mk_overlay
	# Another peer, left alone by the del.
	vethctl -n "$HA" vxlan peer add vx0 --remote 10.44.0.9 --mac 02:44:00:00:00:09 --addr 10.44.9.0 --route 10.44.9.0/24
	ping_from "$JA" 10.44.2.2
	assertTrue "jail A reaches jail B first" $?
	assertEquals "2 2 2" "$(counts "$HA")"
	run vethctl -n "$HA" vxlan peer del vx0 --remote 10.44.0.2 --mac $MAC_B --addr 10.44.2.0 --route 10.44.2.0/24
	assertRC 0
	assertErrEmpty
	assertEquals "one forwarding entry, one neighbour, one route fewer" "1 1 1" "$(counts "$HA")"
	assertNotContains "$(bridge -n "$HA" fdb show dev vx0)" "$MAC_B"
	assertContains "$(bridge -n "$HA" fdb show dev vx0)" "02:44:00:00:00:09 dst 10.44.0.9 self permanent"
	assertContains "$(ip -n "$HA" route show dev vx0)" "10.44.9.0/24 via 10.44.9.0 onlink"
	ip netns exec "$JA" ping -c1 -W2 10.44.2.2 >/dev/null 2>&1
	assertFalse "no way to jail B any more" $?
}

# flannel's per-node cost: one route, one neighbour, one forwarding entry.
test_state_grows_by_one_route_neigh_fdb_per_peer() {
	mk_hosts
	vethctl -n "$HA" vxlan add vx0 --vni $VNI --local 10.44.0.1 --dev ul0
	assertEquals "0 0 0" "$(counts "$HA")"
	routes0=$(ip -n "$HA" route | grep -c .)
	neigh0=$(ip -n "$HA" neigh | grep -c .)
	made=0
	for n in 1 10 50; do
		: >"$SHUNIT_TMPDIR/peers"
		for ((i = made + 1; i <= n; i++)); do
			# Fake peers on the underlay: no traffic goes to them.
			printf 'vxlan peer add vx0 -n %s --remote 10.44.0.%d --mac 02:44:01:00:00:%02x --addr 10.45.%d.0 --route 10.45.%d.0/24\n' \
				"$HA" $((100 + i)) "$i" "$i" "$i" >>"$SHUNIT_TMPDIR/peers"
		done
		if [ "$n" = 10 ]; then
			# One command per peer, ...
			while read -r line; do
				vethctl $line || fail "$line"
			done <"$SHUNIT_TMPDIR/peers"
		else
			# ... or as a batch.
			run vethctl -b "$SHUNIT_TMPDIR/peers"
			assertRC 0
		fi
		made=$n
		assertEquals "at $n peers" "$n $n $n" "$(counts "$HA")"
		assertEquals "routes of the host at $n peers" $((routes0 + n)) "$(ip -n "$HA" route | grep -c .)"
		assertEquals "neighbours of the host at $n peers" $((neigh0 + n)) "$(ip -n "$HA" neigh | grep -c .)"
	done
}

test_l2_jails_on_one_subnet_over_bridges() {
	mk_hosts && mkns "$JA" && mkns "$JB"
	for h in "$HA:$JA:10.44.0.1:10.44.0.2:10.46.0.1" "$HB:$JB:10.44.0.2:10.44.0.1:10.46.0.2"; do
		IFS=: read -r host jail local remote addr <<<"$h"
		nsjoin "$host" vethctl bridge add br0 || fail "bridge in $host"
		run vethctl -n "$host" vxlan add vx1 --vni 77 --local "$local" --dev ul0 --master br0 --remote "$remote"
		assertRC 0
		assertErrEmpty
		nsjoin "$host" vethctl add vj -n "$jail" --master br0 --peer-addr "$addr/24" || fail "jail of $host"
	done
	assertContains "$(ip -n "$HA" link show vx1)" "master br0"
	assertContains "the default destination: B" "$(bridge -n "$HA" fdb show dev vx1)" "00:00:00:00:00:00 dst 10.44.0.2 self permanent"
	ping_from "$JA" 10.46.0.2
	assertTrue "jail A reaches jail B on one subnet" $?
}

test_ipv6_underlay() {
	mk_hosts 6 && mk_jails
	run mk_overlay fd44::1 fd44::2
	assertRC 0
	assertContains "$(bridge -n "$HA" fdb show dev vx0)" "$MAC_B dst fd44::2 self permanent"
	ping_from "$JA" 10.44.2.2
	assertTrue "jail A reaches jail B over an IPv6 underlay" $?
}

test_list_shows_device_and_peers() {
	mk_hosts && mkns "$JA"
	nsjoin "$HA" vethctl bridge add br0
	vethctl -n "$HA" vxlan add vx0 --vni $VNI --local 10.44.0.1 --dev ul0 --mac $MAC_A --master br0 \
		--remote 10.44.0.7 --remote 10.44.0.8
	vethctl -n "$HA" vxlan peer add vx0 --remote 10.44.0.2 --mac $MAC_B --addr 10.44.2.0 --route 10.44.2.0/24
	vethctl -n "$HA" vxlan peer add vx0 --remote 10.44.0.3 --mac 02:44:00:00:00:03
	run vethctl -n "$HA" vxlan list
	assertRC 0
	assertErrEmpty
	assertEquals "vx0 $VNI 10.44.0.1 4789 ul0 br0 up 10.44.0.7,10.44.0.8" \
		"$(echo "$OUT" | awk '$1 == "vx0" {print $1, $2, $3, $4, $5, $6, $8, $9}')"
	assertContains "$OUT" "peer $MAC_B remote 10.44.0.2 addr 10.44.2.0 route 10.44.2.0/24"
	assertContains "$OUT" "peer 02:44:00:00:00:03 remote 10.44.0.3 addr - route -"
	run vethctl -n "$HA" vxlan list -j
	assertRC 0
	assertEquals "\"vx0\" \"$MAC_A\" $VNI \"10.44.0.1\" 4789 \"ul0\" \"br0\" false [\"10.44.0.7\",\"10.44.0.8\"]" \
		"$(echo "$OUT" | jq -c '.[0] | .name, .mac, .vni, .local, .port, .dev, .master, .learning, .remotes' | xargs -d '\n')"
	assertEquals "{\"mac\":\"$MAC_B\",\"remote\":\"10.44.0.2\",\"addr\":\"10.44.2.0\",\"route\":\"10.44.2.0/24\"}" \
		"$(echo "$OUT" | jq -c ".[0].peers[] | select(.mac == \"$MAC_B\")")"
	assertEquals "null null" "$(echo "$OUT" | jq -c '.[0].peers[] | select(.mac == "02:44:00:00:00:03") | .addr, .route' | xargs)"
	# Another namespace, no device: an empty list.
	run vethctl -n "$JA" vxlan list -j
	assertEquals "[]" "$OUT"
}

test_vxlan_del_removes_device_and_its_entries() {
	mk_hosts
	vethctl -n "$HA" vxlan add vx0 --vni $VNI --local 10.44.0.1 --dev ul0
	vethctl -n "$HA" vxlan peer add vx0 --remote 10.44.0.2 --mac $MAC_B --addr 10.44.2.0 --route 10.44.2.0/24
	run vethctl -n "$HA" vxlan del vx0
	assertRC 0
	assertErrEmpty
	assertFalse "gone" "ip -n $HA link show vx0"
	assertEquals "its route went with it" "" "$(ip -n "$HA" route | grep 10.44.2.0)"
}

test_batch_makes_device_and_peers_in_one_run() {
	mk_hosts && mk_jails
	cat >"$SHUNIT_TMPDIR/a" <<EOF
# host A's overlay
vxlan add vx0 -n $HA --vni $VNI --local 10.44.0.1 --dev ul0 --mac $MAC_A
vxlan peer add vx0 -n $HA --remote 10.44.0.2 --mac $MAC_B --addr 10.44.2.0 --route 10.44.2.0/24
vxlan list -n $HA
EOF
	run vethctl -b "$SHUNIT_TMPDIR/a"
	assertRC 0
	assertContains "$OUT" "peer $MAC_B remote 10.44.0.2"
	vethctl -n "$HB" vxlan add vx0 --vni $VNI --local 10.44.0.2 --dev ul0 --mac $MAC_B
	vethctl -n "$HB" vxlan peer add vx0 --remote 10.44.0.1 --mac $MAC_A --addr 10.44.1.0 --route 10.44.1.0/24
	ping_from "$JA" 10.44.2.2
	assertTrue "the batch's overlay carries" $?
}

test_batch_peer_del_and_del_lines() {
	mk_hosts
	cat >"$SHUNIT_TMPDIR/c" <<EOF
vxlan add vx0 -n $HA --vni $VNI --local 10.44.0.1 --dev ul0
vxlan add vx1 -n $HA --vni 7 --local 10.44.0.1 --dev ul0
vxlan peer add vx0 -n $HA --remote 10.44.0.2 --mac $MAC_B --addr 10.44.2.0 --route 10.44.2.0/24
vxlan peer add vx0 -n $HA --remote 10.44.0.3 --mac 02:44:00:00:00:03
vxlan peer del vx0 -n $HA --remote 10.44.0.2 --mac $MAC_B --addr 10.44.2.0 --route 10.44.2.0/24
vxlan del vx1 -n $HA
EOF
	run vethctl -b "$SHUNIT_TMPDIR/c"
	assertRC 0
	assertErrEmpty
	assertEquals "the second peer only" "1 0 0" "$(counts "$HA")"
	assertContains "$(bridge -n "$HA" fdb show dev vx0)" "02:44:00:00:00:03 dst 10.44.0.3"
	assertFalse "vx1 deleted" "ip -n $HA link show vx1"
}

test_batch_failing_line_keeps_the_earlier_lines_only() {
	mk_hosts
	cat >"$SHUNIT_TMPDIR/b" <<EOF
vxlan add vx0 -n $HA --vni $VNI --local 10.44.0.1 --dev ul0
vxlan peer add vx0 -n $HA --remote 10.44.0.2 --mac $MAC_B --addr 10.44.2.0 --route 10.44.2.0/24
vxlan peer add vx0 -n $HA --remote 10.44.0.3 --mac 02:44:00:00:00:03 --addr 10.44.2.0 --route 10.44.3.0/24
vxlan peer add vx0 -n $HA --remote 10.44.0.4 --mac 02:44:00:00:00:04 --addr 10.44.4.0 --route 10.44.4.0/24
EOF
	run vethctl -b "$SHUNIT_TMPDIR/b"
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "$SHUNIT_TMPDIR/b:3: vxlan peer add vx0: a neighbour 10.44.2.0 is there already"
	assertEquals "lines 1 and 2 stay, nothing of 3, 4 not run" "1 1 1" "$(counts "$HA")"
	assertNotContains "$(bridge -n "$HA" fdb show dev vx0)" "02:44:00:00:00:03"
	assertNotContains "$(ip -n "$HA" route)" "10.44.3.0"
}

test_batch_peer_del_undoes_its_line_when_an_entry_is_missing() {
	mk_hosts
	vethctl -n "$HA" vxlan add vx0 --vni $VNI --local 10.44.0.1 --dev ul0
	vethctl -n "$HA" vxlan peer add vx0 --remote 10.44.0.2 --mac $MAC_B --addr 10.44.2.0
	before=$(state "$HA")
	# The route was never added: the del fails, and the neighbour and
	# forwarding entry it deleted first are put back.
	run vethctl -n "$HA" vxlan peer del vx0 --remote 10.44.0.2 --mac $MAC_B --addr 10.44.2.0 --route 10.44.2.0/24
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "vxlan peer del vx0: no route to 10.44.2.0/24 via 10.44.2.0"
	assertEquals "nothing removed" "$before" "$(state "$HA")"
	run vethctl -n "$HA" vxlan peer del vx0 --remote 10.44.0.9 --mac $MAC_B
	assertRC 1
	assertErrContains "vxlan peer del vx0: no peer $MAC_B at 10.44.0.9"
	assertEquals "nothing removed" "$before" "$(state "$HA")"
}

# The literal block of man/vethctl.8 that follows the line MARK, as a
# shell reads it.
man_block() {
	awk -v mark="$1" 'index($0, mark) == 1 { on = 1; next }
		on && /^\.Bd -literal/ { inb = 1; next }
		inb && /^\.Ed/ { exit }
		inb { gsub(/\\e/, "\\"); print }' "$TOP/man/vethctl.8"
}

test_the_man_pages_two_host_example_works_as_written() {
	mk_hosts
	# The example's underlay: eth0 with 192.0.2.1 and .2. Each host has
	# its own netns directory, so both can name their jail "jail"; nsenter
	# (not ip netns exec) keeps the pins in the suite's mount namespace.
	ip -n "$HA" link del ul0
	vethctl connect "$HA" "$HB" --name eth0 --peer eth0 --addr 192.0.2.1/24 --peer-addr 192.0.2.2/24
	man_block "On host A:" >"$SHUNIT_TMPDIR/a.sh"
	man_block "On host B, the same" >"$SHUNIT_TMPDIR/b.sh"
	man_block "Then, on host A," | grep -v tcpdump >"$SHUNIT_TMPDIR/then.sh"
	assertContains "$(cat "$SHUNIT_TMPDIR/a.sh")" "vethctl vxlan peer add vx0 --remote 192.0.2.2"
	assertContains "$(cat "$SHUNIT_TMPDIR/then.sh")" "nsjoin jail ping -c1 10.244.2.2"
	run nsenter --net="/run/netns/$HA" env NSKIT_NETNS_DIR=/run/nsA sh -e "$SHUNIT_TMPDIR/a.sh"
	assertRC 0
	run nsenter --net="/run/netns/$HB" env NSKIT_NETNS_DIR=/run/nsB sh -e "$SHUNIT_TMPDIR/b.sh"
	assertRC 0
	run nsenter --net="/run/netns/$HA" env NSKIT_NETNS_DIR=/run/nsA sh -e "$SHUNIT_TMPDIR/then.sh"
	assertEquals "stderr: $ERR" 0 "$RC"
	assertContains "$OUT" "1 received"
	assertContains "$OUT" "peer 02:42:0a:f4:02:00 remote 192.0.2.2 addr 10.244.2.0 route 10.244.2.0/24"
	for d in /run/nsA /run/nsB; do
		NSKIT_NETNS_DIR=$d nsname del jail
	done
}

# ---- errors users meet: one line, nothing left ----

test_vni_out_of_range_is_usage_error() {
	mk_hosts
	before=$(state "$HA")
	run vethctl -n "$HA" vxlan add vx0 --vni 16777216 --local 10.44.0.1 --dev ul0
	assertUsageError vethctl
	assertErrContains "--vni: '16777216': not a number in 0-16777215"
	run vethctl -n "$HA" vxlan add vx0 --vni -1 --local 10.44.0.1
	assertUsageError vethctl
	run vethctl -n "$HA" vxlan add vx0 --local 10.44.0.1
	assertUsageError vethctl
	assertErrContains "vxlan add: --vni and --local are needed"
	assertEquals "$before" "$(state "$HA")"
	run vethctl -n "$HA" vxlan add vx0 --vni 16777215 --local 10.44.0.1
	assertRC 0
}

test_local_and_remote_of_different_families() {
	mk_hosts
	before=$(state "$HA")
	run vethctl -n "$HA" vxlan add vx0 --vni 1 --local 10.44.0.1 --remote fd44::2
	assertUsageError vethctl
	assertErrContains "vxlan add: --remote fd44::2: not of --local's family (IPv4)"
	assertEquals "$before" "$(state "$HA")"
	vethctl -n "$HA" vxlan add vx0 --vni 1 --local 10.44.0.1
	before=$(state "$HA")
	run vethctl -n "$HA" vxlan peer add vx0 --remote fd44::2 --mac $MAC_B --addr 10.44.2.0
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "vxlan peer add vx0: --remote fd44::2: the device's underlay is IPv4"
	assertEquals "$before" "$(state "$HA")"
}

test_missing_dev_or_bridge_fails_before_anything_is_made() {
	mk_hosts
	before=$(state "$HA")
	run vethctl -n "$HA" vxlan add vx0 --vni 1 --local 10.44.0.1 --dev nosuch0
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "vxlan add vx0: --dev nosuch0: no such link in network namespace $HA"
	run vethctl -n "$HA" vxlan add vx0 --vni 1 --local 10.44.0.1 --dev ul0 --master ul0
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "vxlan add vx0: --master ul0: not a bridge"
	assertEquals "$before" "$(state "$HA")"
}

test_name_exists_and_vni_taken() {
	mk_hosts
	vethctl -n "$HA" vxlan add vx0 --vni 1 --local 10.44.0.1 --dev ul0
	before=$(state "$HA")
	run vethctl -n "$HA" vxlan add vx0 --vni 2 --local 10.44.0.1 --dev ul0
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "vxlan add vx0: link vx0 already exists in network namespace $HA"
	run vethctl -n "$HA" vxlan add ul0 --vni 2 --local 10.44.0.1
	assertRC 1
	assertErrContains "link ul0 already exists"
	run vethctl -n "$HA" vxlan add vx9 --vni 1 --local 10.44.0.1 --dev ul0
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "vxlan add vx9: VNI 1 on port 4789 is another device's"
	assertEquals "$before" "$(state "$HA")"
	assertContains "the first untouched" "$(ip -n "$HA" -d link show vx0)" "vxlan id 1 "
}

test_peer_exists_and_nothing_of_a_failed_peer_add_stays() {
	mk_hosts
	vethctl -n "$HA" vxlan add vx0 --vni 1 --local 10.44.0.1 --dev ul0
	vethctl -n "$HA" vxlan peer add vx0 --remote 10.44.0.2 --mac $MAC_B --addr 10.44.2.0 --route 10.44.2.0/24
	before=$(state "$HA")
	run vethctl -n "$HA" vxlan peer add vx0 --remote 10.44.0.2 --mac $MAC_B --addr 10.44.2.0 --route 10.44.2.0/24
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "vxlan peer add vx0: a peer with MAC $MAC_B is there already"
	assertEquals "$before" "$(state "$HA")"
	# A new MAC, but its neighbour address is taken: its forwarding entry
	# and route were made, and are taken back.
	run vethctl -n "$HA" vxlan peer add vx0 --remote 10.44.0.3 --mac 02:44:00:00:00:03 --addr 10.44.2.0 --route 10.44.3.0/24
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "vxlan peer add vx0: a neighbour 10.44.2.0 is there already"
	assertEquals "none of its three entries" "$before" "$(state "$HA")"
	# A route that is there already.
	run vethctl -n "$HA" vxlan peer add vx0 --remote 10.44.0.3 --mac 02:44:00:00:00:03 --addr 10.44.3.0 --route 10.44.2.0/24
	assertRC 1
	assertErrContains "vxlan peer add vx0: a route to 10.44.2.0/24 is there already"
	assertEquals "none of its three entries" "$before" "$(state "$HA")"
}

test_failed_vxlan_add_leaves_no_link() {
	command -v strace >/dev/null || { skip_test "strace not installed"; return 0; }
	mk_hosts
	before=$(state "$HA")
	# The device is made by the first request sent; the default
	# destination's entry, sent next, fails: the device is taken back.
	run env ASAN_OPTIONS="${ASAN_OPTIONS-}:detect_leaks=0" strace -f -o /dev/null \
		-e inject=sendto:error=ENOBUFS:when=2 \
		vethctl -n "$HA" vxlan add vx0 --vni 1 --local 10.44.0.1 --dev ul0 --remote 10.44.0.2
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "vxlan add vx0: --remote 10.44.0.2: No buffer space available"
	assertEquals "no link left" "$before" "$(state "$HA")"
}

test_bad_mac_and_route_without_addr_are_usage_errors() {
	mk_hosts
	vethctl -n "$HA" vxlan add vx0 --vni 1 --local 10.44.0.1 --dev ul0
	before=$(state "$HA")
	run vethctl -n "$HA" vxlan peer add vx0 --remote 10.44.0.2 --mac 01:00:5e:00:00:01
	assertUsageError vethctl
	assertErrContains "--mac: 01:00:5e:00:00:01: not a unicast address (multicast or all zeros)"
	run vethctl -n "$HA" vxlan peer add vx0 --remote 10.44.0.2 --mac 00:00:00:00:00:00
	assertUsageError vethctl
	assertErrContains "not a unicast address"
	run vethctl -n "$HA" vxlan peer add vx0 --remote 10.44.0.2 --mac 02:44:00:00:02
	assertUsageError vethctl
	assertErrContains "not a MAC address"
	run vethctl -n "$HA" vxlan peer add vx0 --remote 10.44.0.2 --mac $MAC_B --route 10.44.2.0/24
	assertUsageError vethctl
	assertErrContains "vxlan peer add: --route needs --addr (the next hop)"
	run vethctl -n "$HA" vxlan peer add vx0 --remote 10.44.0.2 --mac $MAC_B --addr 10.44.2.0/24
	assertUsageError vethctl
	assertErrContains "--addr: an address without a prefix"
	run vethctl -n "$HA" vxlan peer add vx0 --mac $MAC_B
	assertUsageError vethctl
	assertErrContains "--remote ADDR and --mac MAC are needed"
	run vethctl -n "$HA" vxlan peer add vx0 --remote 10.44.0.2 --mac $MAC_B --addr 10.44.2.0 --route 10.44.2.1/24
	assertUsageError vethctl
	assertErrContains "not a network"
	assertEquals "$before" "$(state "$HA")"
}

test_usage_errors_of_the_words() {
	run vethctl vxlan
	assertUsageError vethctl
	assertErrContains "vxlan: a command is required (add, del, list, peer)"
	run vethctl vxlan frob x
	assertUsageError vethctl
	assertErrContains "'frob': unknown command"
	run vethctl vxlan peer
	assertUsageError vethctl
	run vethctl vxlan del
	assertUsageError vethctl
	assertErrContains "vxlan del: wrong number of operands"
	run vethctl vxlan del vx0 --vni 3
	assertUsageError vethctl
	run vethctl add v0 --peer p0 --vni 3
	assertUsageError vethctl
	assertErrContains "are for vxlan"
	run vethctl vxlan add vx0 --vni 1 --local 10.44.0.1 --gateway
	assertUsageError vethctl
	run vethctl vxlan add vx0 --vni 1 --local 0.0.0.0
	assertUsageError vethctl
	assertErrContains "the unspecified address"
	run vethctl vxlan add 1234567890123456 --vni 1 --local 10.44.0.1
	assertUsageError vethctl
	# Bare addresses stay refused where a prefix is needed.
	run vethctl add v0 --peer p0 --addr 10.0.0.1
	assertUsageError vethctl
	assertErrContains "'10.0.0.1': not an address with a prefix (ADDR/LEN)"
}

test_del_and_peer_on_what_is_not_a_vxlan() {
	mk_hosts
	run vethctl -n "$HA" vxlan del ul0
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "vxlan del ul0: not a vxlan device"
	run vethctl -n "$HA" vxlan del vx7
	assertRC 1
	assertErrContains "vxlan del vx7: no such link in network namespace $HA"
	run vethctl -n "$HA" vxlan peer add ul0 --remote 10.44.0.2 --mac $MAC_B
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "vxlan peer add ul0: not a vxlan device"
	assertContains "$(ip -n "$HA" link show ul0)" "ul0"
	run vethctl -n nosuchns$$ vxlan list
	assertRC 1
	assertOneLineError vethctl
}

. shunit2
