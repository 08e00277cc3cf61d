#!/bin/bash
# natctl: masquerade and published ports in nftables table `inet nskit`,
# checked with real traffic between three namespaces the suite makes:
#
#   jail 10.8.8.2/24 --- 10.8.8.1 [host] 198.51.100.1 --- 198.51.100.2/24 internet
#   (default route via the host)                    (no route back to the jail)
#
# natctl runs inside "host" (ip netns exec), the router of the picture.
. "$(dirname "$0")/lib.sh"

J_NET=10.8.8.0/24 J_GW=10.8.8.1 J_IP=10.8.8.2
H_OUT=198.51.100.1 I_IP=198.51.100.2
# The same picture in IPv6 (documentation prefixes, DAD off).
J6_NET=fd00:8::/64 J6_GW=fd00:8::1 J6_IP=fd00:8::2
H6_OUT=2001:db8::1 I6_IP=2001:db8::2

oneTimeSetUp() {
	H=$(uniq_name h) J=$(uniq_name j) I=$(uniq_name i)
	VJ=$(uniq_name vj) VI=$(uniq_name vi)
	ip netns add "$H" && ip netns add "$J" && ip netns add "$I" || return 1
	for n in "$H" "$J" "$I"; do ip -n "$n" link set lo up; done
	ip -n "$H" link add "$VJ" type veth peer name eth0 netns "$J"
	ip -n "$H" link add "$VI" type veth peer name eth0 netns "$I"
	ip -n "$H" addr add "$J_GW/24" dev "$VJ"
	ip -n "$H" addr add "$H_OUT/24" dev "$VI"
	ip -n "$J" addr add "$J_IP/24" dev eth0
	ip -n "$I" addr add "$I_IP/24" dev eth0
	for l in "$H $VJ" "$H $VI" "$J eth0" "$I eth0"; do
		set -- $l
		ip -n "$1" link set "$2" up
	done
	ip -n "$J" route add default via "$J_GW"
	ip -n "$H" addr add "$J6_GW/64" dev "$VJ" nodad
	ip -n "$H" addr add "$H6_OUT/64" dev "$VI" nodad
	ip -n "$J" addr add "$J6_IP/64" dev eth0 nodad
	ip -n "$I" addr add "$I6_IP/64" dev eth0 nodad
	ip -n "$J" -6 route add default via "$J6_GW"
	# An echo server on the internet: it answers with the source it saw.
	ip netns exec "$I" socat TCP-LISTEN:7000,reuseaddr,fork \
		SYSTEM:'echo "$SOCAT_PEERADDR"' &
	SERVERS=$!
	# A web server in the jail.
	ip netns exec "$J" socat TCP-LISTEN:80,reuseaddr,fork SYSTEM:'echo from-jail' &
	SERVERS="$SERVERS $!"
	ip netns exec "$I" socat TCP6-LISTEN:7006,ipv6only=1,reuseaddr,fork \
		SYSTEM:'echo "$SOCAT_PEERADDR"' &
	SERVERS="$SERVERS $!"
	ip netns exec "$J" socat TCP6-LISTEN:80,ipv6only=1,reuseaddr,fork SYSTEM:'echo from-jail6' &
	SERVERS="$SERVERS $!"
	# every server listens (port 80 of the jail twice: IPv4 and IPv6)
	wait_for 30 eval '[ "$(listeners "$I" 7000)$(listeners "$I" 7006)$(listeners "$J" 80)" = 112 ]' &&
	# and every link carries packets: a veth is running only once the
	# kernel's link watch has seen both ends up, later on a loaded machine
	wait_for 30 eval 'ip netns exec "$J" ping -c1 -W1 "$J_GW" >/dev/null' &&
	wait_for 30 eval 'ip netns exec "$I" ping -c1 -W1 "$H_OUT" >/dev/null'
}
listeners() { ip netns exec "$1" ss -Hltn "sport = :$2" | wc -l; }

suite_teardown() {
	for p in $SERVERS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in "$H" "$J" "$I"; do ip netns del "$n" 2>/dev/null; done
	return 0
}

setUp() {
	ip netns exec "$H" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
	ip netns exec "$H" nft flush ruleset
}

tearDown() {
	# shunit2 may call this once more from its exit trap, after suite_teardown.
	[ -e "/run/netns/$H" ] && ip netns exec "$H" nft flush ruleset
	[ -e "/run/netns/$H" ] && ip netns exec "$H" sysctl -qw "net.ipv4.conf.$VJ.route_localnet=0"
	for n in ${extra-}; do ip netns del "$n" 2>/dev/null; done
	for p in ${extra_pids-}; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	extra= extra_pids=
	return 0
}

# Run natctl (or another command) inside the host namespace.
h() { ip netns exec "$H" "$@"; }
# What a TCP client in namespace NS gets from ADDR:PORT ("" if nothing):
# up to 10 s for an answer that should come (a loaded machine is slow),
# 2 s where none should (the test asserts nothing came within that time).
fetch() { ip netns exec "$1" socat -T 10 -u TCP:"$2",connect-timeout=10 - 2>/dev/null; }
fetch_nothing() { ip netns exec "$1" socat -T 2 -u TCP:"$2",connect-timeout=2 - 2>/dev/null; }
# fetch, asked up to three times while nothing comes back: a full
# neighbour table (other labs on the machine) can lose the first try; a
ruleset() { h nft list ruleset; }
forwarding() { h cat /proc/sys/net/ipv4/ip_forward; }
# Rules in nskit's table, and the elements of one of its sets or maps.
rule_count() { h nft -j list table inet nskit | jq '[.nftables[] | select(.rule)] | length'; }
elem_count() { h nft -j list table inet nskit | jq "[.nftables[] | (.set // .map) | select(.name == \"$1\") | .elem // [] | .[]] | length"; }

# route_localnet of the host's interface IF, and the interfaces in the
# table's localnet set.
localnet() { h cat "/proc/sys/net/ipv4/conf/$1/route_localnet"; }
localnet_set() { h nft -j list set inet nskit localnet 2>/dev/null | jq -r '.nftables[] | .set // empty | .elem // [] | .[]' | xargs; }

# A bridge in the host with two jails on it, B1 (10.9.9.2) and B2
# (10.9.9.3), gateway 10.9.9.1; B1 serves "from-b1" on port 80. Their
# ports on the bridge are $P1 and $P2.
bridge_jails() {
	BR=$(uniq_name br) B1=$(uniq_name b) B2=$(uniq_name b) P1=$(uniq_name p) P2=$(uniq_name p)
	extra="$B1 $B2"
	h ip link add "$BR" type bridge
	h ip addr add 10.9.9.1/24 dev "$BR"
	h ip link set "$BR" up
	for j in "$B1 $P1 10.9.9.2" "$B2 $P2 10.9.9.3"; do
		set -- $j
		ip netns add "$1"
		ip -n "$1" link set lo up
		h ip link add "$2" master "$BR" type veth peer name eth0 netns "$1"
		h ip link set "$2" up
		ip -n "$1" addr add "$3/24" dev eth0
		ip -n "$1" link set eth0 up
		ip -n "$1" route add default via 10.9.9.1
	done
	ip netns exec "$B1" socat TCP-LISTEN:80,reuseaddr,fork SYSTEM:'echo from-b1' &
	extra_pids=$!
	wait_listen "$B1" 80
}

# Wait (bounded) until something listens on TCP PORT in namespace NS.
wait_listen() { wait_for 10 listening "$1" "$2"; }

# A failure: exit 1, one line naming the tool, nothing changed.
assertFailsCleanly() {
	local before fwd
	before=$(ruleset) fwd=$(forwarding)
	run h natctl "$@"
	assertRC 1
	assertOutEmpty
	assertOneLineError natctl
	assertEquals "ruleset unchanged after: $*" "$before" "$(ruleset)"
	assertEquals "ip_forward unchanged" "$fwd" "$(forwarding)"
}

test_masq_add_lets_the_jail_out_under_the_hosts_address() {
	assertEquals "no way out before" "" "$(fetch_nothing "$J" $I_IP:7000)"
	run h natctl masq add $J_NET
	assertRC 0; assertOutEmpty; assertErrEmpty
	assertEquals "the server sees the host" "$H_OUT" "$(fetch "$J" $I_IP:7000)"
	assertEquals "ip_forward" 1 "$(forwarding)"
}

test_masq_del_takes_the_way_out_away() {
	h natctl masq add $J_NET
	assertEquals "$H_OUT" "$(fetch "$J" $I_IP:7000)"
	run h natctl masq del $J_NET
	assertRC 0; assertOutEmpty; assertErrEmpty
	assertEquals "no answer after del" "" "$(fetch_nothing "$J" $I_IP:7000)"
	assertEquals "set empty" 0 "$(elem_count masq4)"
}

test_masq_del_without_out_takes_every_interface_and_repeats() {
	h natctl masq add $J_NET
	h natctl masq add $J_NET -o "$VI"
	run h natctl masq del $J_NET $J_NET
	assertRC 0; assertErrEmpty
	assertEquals "nothing left" '{"masq":[],"publish":[]}' "$(h natctl list -j)"
}

test_masq_out_applies_only_on_that_interface() {
	run h natctl masq add $J_NET --out "$VJ"
	assertRC 0
	assertEquals "not masqueraded out of $VI" "" "$(fetch_nothing "$J" $I_IP:7000)"
	h natctl masq del $J_NET
	run h natctl masq add $J_NET -o "$VI"
	assertRC 0
	assertEquals "masqueraded out of $VI" "$H_OUT" "$(fetch "$J" $I_IP:7000)"
}

test_masq_add_twice_leaves_one_element_and_the_same_rules() {
	h natctl masq add $J_NET
	rules=$(rule_count)
	run h natctl masq add $J_NET
	assertRC 0; assertErrEmpty
	assertEquals "one element" 1 "$(elem_count masq4)"
	assertEquals "same rules" "$rules" "$(rule_count)"
	assertEquals "once in list" 1 "$(h natctl list | grep -c "$J_NET")"
}

test_rule_count_does_not_grow_with_subnets() {
	h natctl masq add 10.50.0.0/24
	rules=$(rule_count)
	run h natctl masq add $(for i in $(seq 0 999); do echo "10.60.$((i / 256)).$((i % 256))/32"; done)
	assertRC 0; assertErrEmpty
	assertEquals "1001 subnets" 1001 "$(elem_count masq4)"
	assertEquals "same rules" "$rules" "$(rule_count)"
}

test_masq_add_takes_ipv6_subnets() {
	run h natctl masq add fd00:8::/64 $J_NET
	assertRC 0; assertErrEmpty
	assertEquals "ipv6 set" 1 "$(elem_count masq6)"
	assertEquals "ipv6 forwarding" 1 "$(h cat /proc/sys/net/ipv6/conf/all/forwarding)"
	run h natctl list -j
	assertEquals "fd00:8::/64" "$(printf '%s' "$OUT" | jq -r '.masq[] | select(.subnet == "fd00:8::/64") | .subnet')"
}

test_masq_add_lets_the_jail_out_over_ipv6() {
	assertEquals "no way out before" "" "$(fetch_nothing "$J" "[$I6_IP]:7006")"
	run h natctl masq add $J6_NET
	assertRC 0; assertOutEmpty; assertErrEmpty
	# socat spells the peer out in full
	assertEquals "the server sees the host" "[2001:0db8:0000:0000:0000:0000:0000:0001]" \
		"$(fetch "$J" "[$I6_IP]:7006")"
	assertEquals "ipv6 forwarding" 1 "$(h cat /proc/sys/net/ipv6/conf/all/forwarding)"
	h natctl masq del $J6_NET
	assertEquals "no answer after del" "" "$(fetch_nothing "$J" "[$I6_IP]:7006")"
}

test_publish_over_ipv6_answers_the_internet_and_the_host() {
	run h natctl publish add "[$H6_OUT]:8080/tcp" "[$J6_IP]:80"
	assertRC 0; assertOutEmpty; assertErrEmpty
	assertEquals "from the internet" "from-jail6" "$(fetch "$I" "[$H6_OUT]:8080")"
	assertEquals "from the host" "from-jail6" "$(fetch "$H" "[$H6_OUT]:8080")"
	run h natctl publish del "[$H6_OUT]:8080/tcp"
	assertRC 0
	assertEquals "closed" "" "$(fetch_nothing "$I" "[$H6_OUT]:8080")"
}

test_publish_answers_a_client_on_the_internet() {
	assertEquals "nothing before" "" "$(fetch_nothing "$I" $H_OUT:8080)"
	run h natctl publish add 8080/tcp $J_IP:80
	assertRC 0; assertOutEmpty; assertErrEmpty
	assertEquals "from-jail" "$(fetch "$I" $H_OUT:8080)"
}

test_publish_answers_a_client_on_the_host_itself() {
	h natctl publish add 8080 $J_IP:80
	assertEquals "via the outside address" "from-jail" "$(fetch "$H" $H_OUT:8080)"
	assertEquals "via the jail-side address" "from-jail" "$(fetch "$H" $J_GW:8080)"
}

test_publish_on_loopback_answers_the_host_on_127_0_0_1() {
	assertEquals "off before" 0 "$(localnet "$VJ")"
	run h natctl publish add 127.0.0.1:8080 $J_IP:80
	assertRC 0; assertOutEmpty; assertErrEmpty
	assertEquals "from the host's loopback" "from-jail" "$(fetch_ok "$H" 127.0.0.1:8080)"
	assertEquals "not on the outside address" "" "$(fetch_nothing "$I" $H_OUT:8080)"
	assertEquals "route_localnet on towards the jail" 1 "$(localnet "$VJ")"
	assertEquals "and nowhere else" 0 "$(localnet "$VI")"
	assertEquals "recorded in the table" "$VJ" "$(localnet_set)"
	run h natctl list -j
	assertEquals "listed with its address" "127.0.0.1 8080" "$(printf '%s' "$OUT" | jq -r '.publish[0] | "\(.addr) \(.port)"')"
	run h natctl publish del 127.0.0.1:8080 $J_IP:80
	assertRC 0; assertErrEmpty
	assertEquals "closed" "" "$(fetch_nothing "$H" 127.0.0.1:8080)"
	assertEquals "route_localnet off again" 0 "$(localnet "$VJ")"
	assertEquals "localnet set empty" "" "$(localnet_set)"
}

test_publish_on_any_address_answers_loopback_too() {
	h natctl publish add 8080 $J_IP:80
	assertEquals "127.0.0.1" "from-jail" "$(fetch_ok "$H" 127.0.0.1:8080)"
	assertEquals "127.1.2.3" "from-jail" "$(fetch_ok "$H" 127.1.2.3:8080)"
	h natctl publish del 8080
	assertEquals "route_localnet off after del" 0 "$(localnet "$VJ")"
}

test_route_localnet_stays_while_a_publication_needs_it() {
	h natctl publish add 127.0.0.1:8080 $J_IP:80
	h natctl publish add 8081/tcp $J_IP:80
	h natctl publish del 127.0.0.1:8080
	assertEquals "still on for 8081" 1 "$(localnet "$VJ")"
	assertEquals "8081 on loopback" "from-jail" "$(fetch_ok "$H" 127.0.0.1:8081)"
	h natctl publish del 8081/tcp
	assertEquals "off with the last one" 0 "$(localnet "$VJ")"
}

test_route_localnet_turned_on_by_someone_else_is_left_on() {
	h sysctl -qw "net.ipv4.conf.$VJ.route_localnet=1"
	h natctl publish add 127.0.0.1:8080 $J_IP:80
	assertEquals "not recorded as nskit's" "" "$(localnet_set)"
	assertEquals "from-jail" "$(fetch_ok "$H" 127.0.0.1:8080)"
	h natctl publish del 127.0.0.1:8080
	assertEquals "left on" 1 "$(localnet "$VJ")"
}

test_flush_turns_route_localnet_off() {
	h natctl publish add 127.0.0.1:8080 $J_IP:80
	run h natctl flush
	assertRC 0; assertErrEmpty
	assertEquals "off" 0 "$(localnet "$VJ")"
}

test_route_localnet_lets_no_jail_reach_the_hosts_loopback_services() {
	# A host service bound to 127.0.0.1 only, and a jail that routes
	# 127.0.0.0/8 to the host (what root in a jail can do).
	ip netns exec "$H" socat TCP-LISTEN:9999,bind=127.0.0.1,reuseaddr,fork SYSTEM:"echo secret" &
	extra_pids=$!
	wait_listen "$H" 9999
	h natctl publish add 127.0.0.1:8080 $J_IP:80
	assertEquals "route_localnet is on" 1 "$(localnet "$VJ")"
	# The jail's policy routing sends 127.0.0.1 to the host before its
	# own local table is looked at.
	ip -n "$J" rule add pref 10 to 127.0.0.1 lookup 100
	ip -n "$J" rule del pref 0
	ip -n "$J" rule add pref 100 lookup local
	ip -n "$J" route add 127.0.0.1/32 via $J_GW table 100
	ip netns exec "$J" sysctl -qw net.ipv4.conf.eth0.route_localnet=1
	assertEquals "the host's 127.0.0.1:9999 stays closed to the jail" "" "$(fetch_nothing "$J" 127.0.0.1:9999)"
	assertEquals "the published port still answers on loopback" "from-jail" "$(fetch_ok "$H" 127.0.0.1:8080)"
	ip -n "$J" rule add pref 0 lookup local
	ip -n "$J" rule del pref 100
	ip -n "$J" rule del pref 10
	ip -n "$J" route flush table 100
	ip netns exec "$J" sysctl -qw net.ipv4.conf.eth0.route_localnet=0
}

test_hairpin_the_jail_reaches_its_own_published_port() {
	h natctl publish add 8080 $J_IP:80
	assertEquals "through the outside address" "from-jail" "$(fetch_ok "$J" $H_OUT:8080)"
	assertEquals "through its gateway" "from-jail" "$(fetch_ok "$J" $J_GW:8080)"
}

test_hairpin_another_jail_on_the_same_bridge_reaches_a_published_port() {
	bridge_jails
	h natctl publish add 8080 10.9.9.2:80
	# Routed (the bridge's frames skip the IP hooks), or bridged with
	# br_netfilter calling them: the answer must come back through the
	# host either way.
	for nf in 0 1; do
		h sysctl -qw net.bridge.bridge-nf-call-iptables=$nf
		assertEquals "B2 through the bridge's address ($nf)" "from-b1" "$(fetch_ok "$B2" 10.9.9.1:8080)"
		assertEquals "B2 through the outside address ($nf)" "from-b1" "$(fetch_ok "$B2" $H_OUT:8080)"
	done
	assertEquals "the outside still" "from-b1" "$(fetch_ok "$I" $H_OUT:8080)"
	assertEquals "the host on loopback" "from-b1" "$(fetch_ok "$H" 127.0.0.1:8080)"
	assertEquals "route_localnet on the bridge" 1 "$(localnet "$BR")"
	# The jail itself: with br_netfilter the answer is bridged back out of
	# the port it came in by, which the port's hairpin flag allows.
	h ip link set "$P1" type bridge_slave hairpin on
	assertEquals "B1 through the bridge's address" "from-b1" "$(fetch_ok "$B1" 10.9.9.1:8080)"
	h natctl publish del 8080
	assertEquals "route_localnet off on the bridge" 0 "$(localnet "$BR")"
}

test_publish_on_one_address_leaves_the_others_alone() {
	run h natctl publish add $J_GW:8080/tcp $J_IP:80
	assertRC 0
	assertEquals "given address" "from-jail" "$(fetch "$H" $J_GW:8080)"
	assertEquals "other address" "" "$(fetch_nothing "$I" $H_OUT:8080)"
}

test_publish_del_closes_the_port() {
	h natctl publish add 8080/tcp $J_IP:80
	run h natctl publish del 8080/tcp $J_IP:80
	assertRC 0; assertOutEmpty; assertErrEmpty
	assertEquals "closed" "" "$(fetch_nothing "$I" $H_OUT:8080)"
	assertEquals "map empty" 0 "$(elem_count publish4)"
}

test_publish_add_twice_leaves_one_element() {
	h natctl publish add 8080/tcp $J_IP:80
	rules=$(rule_count)
	run h natctl publish add 8080/tcp $J_IP:80
	assertRC 0; assertErrEmpty
	assertEquals "one element" 1 "$(elem_count publish4)"
	assertEquals "same rules" "$rules" "$(rule_count)"
}

test_list_shows_masq_and_publish_as_table_and_json() {
	h natctl masq add $J_NET
	h natctl masq add 10.9.0.0/16 -o "$VI"
	h natctl publish add 53/udp $J_IP:5353
	run h natctl list
	assertRC 0; assertErrEmpty
	assertEquals "header + 3 lines" 4 "$(printf '%s\n' "$OUT" | grep -c .)"
	assertOutContains "53/udp"
	run h natctl list --json
	assertRC 0; assertErrEmpty
	assertEquals "$VI" "$(printf '%s' "$OUT" | jq -r '.masq[] | select(.subnet == "10.9.0.0/16") | .out')"
	assertEquals "null" "$(printf '%s' "$OUT" | jq -r '.masq[] | select(.subnet == "10.8.8.0/24") | .out')"
	assertEquals "udp $J_IP 5353" "$(printf '%s' "$OUT" | jq -r '.publish[0] | "\(.proto) \(.to) \(.to_port)"')"
}

test_list_without_a_table_is_empty() {
	run h natctl list -j
	assertRC 0; assertErrEmpty
	assertEquals '{"masq":[],"publish":[]}' "$OUT"
}

test_flush_leaves_every_other_table_byte_identical() {
	h nft -f - <<-'EOF'
	table ip other {
		set s { type ipv4_addr; elements = { 192.0.2.7 } }
		chain in { type filter hook input priority 0; policy accept; tcp dport 22 counter accept; }
		chain post { type nat hook postrouting priority 100; ip saddr 10.8.8.0/24 counter; }
	}
	table inet nskit2 {
		chain c { type filter hook forward priority 0; counter; }
	}
	EOF
	before_ip=$(h nft list table ip other) before_inet=$(h nft list table inet nskit2)
	assertContains "$before_ip" "tcp dport 22"
	assertContains "$before_inet" "chain c"
	h natctl masq add $J_NET
	h natctl publish add 8080 $J_IP:80
	run h natctl flush
	assertRC 0; assertOutEmpty; assertErrEmpty
	assertEquals "table ip other" "$before_ip" "$(h nft list table ip other)"
	assertEquals "table inet nskit2" "$before_inet" "$(h nft list table inet nskit2)"
	assertEquals "nskit's table gone" "" "$(h nft list tables | grep -w 'inet nskit$')"
}

test_flush_without_a_table_succeeds() {
	run h natctl flush
	assertRC 0; assertOutEmpty; assertErrEmpty
}

# Failures: one line, exit 1, nothing left behind.

test_malformed_cidr_fails() {
	assertFailsCleanly masq add 10.8.8.300/24
	assertErrContains "'10.8.8.300/24': not a subnet"
}

test_subnet_without_prefix_fails() {
	assertFailsCleanly masq add 10.8.8.0
	assertErrContains "not a subnet (ADDR/PREFIX)"
}

test_prefix_out_of_range_fails() {
	assertFailsCleanly masq add 10.8.8.0/33
	assertErrContains "prefix length out of range"
}

test_host_bits_fail_with_the_subnet_as_hint() {
	assertFailsCleanly masq add 10.8.8.1/24
	assertErrContains "host bits set (the subnet is 10.8.8.0/24)"
}

test_one_bad_subnet_among_good_ones_adds_none() {
	assertFailsCleanly masq add 10.1.0.0/24 10.2.0.0/24 nonsense 10.3.0.0/24
	assertEquals "no table" "" "$(h nft list tables)"
}

test_missing_interface_fails() {
	assertFailsCleanly masq add $J_NET --out nosuch0
	assertErrContains "nosuch0: no such interface"
}

test_interface_name_too_long_fails() {
	assertFailsCleanly masq add $J_NET --out abcdefghijklmnop
	assertErrContains "longer than 15 bytes"
}

test_overlapping_subnet_fails() {
	h natctl masq add $J_NET
	assertFailsCleanly masq add 10.8.0.0/16
	assertErrContains "10.8.0.0/16: overlaps 10.8.8.0/24"
}

test_overlap_within_one_command_adds_none() {
	assertFailsCleanly masq add 10.1.0.0/16 10.5.0.0/24 10.1.2.0/24
	assertErrContains "10.1.2.0/24: overlaps 10.1.0.0/16"
}

test_bad_port_fails() {
	assertFailsCleanly publish add 70000/tcp $J_IP:80
	assertErrContains "'70000/tcp': '70000' is not a port (1-65535)"
}

test_bad_target_port_fails() {
	assertFailsCleanly publish add 8080/tcp $J_IP:0
	assertErrContains "'$J_IP:0': '0' is not a port"
}

test_target_without_port_fails() {
	assertFailsCleanly publish add 8080/tcp $J_IP
	assertErrContains "expected ADDR:PORT"
}

test_unknown_protocol_fails() {
	assertFailsCleanly publish add 8080/sctp $J_IP:80
	assertErrContains "unknown protocol 'sctp' (tcp or udp)"
}

test_ipv6_target_without_brackets_fails() {
	assertFailsCleanly publish add 8080 fd00::2:80
	assertErrContains "IPv6 addresses go in brackets"
}

test_malformed_target_address_fails() {
	assertFailsCleanly publish add 8080 10.8.8.999:80
	assertErrContains "'10.8.8.999' is not an IP address"
}

test_loopback_targets_and_ipv6_loopback_are_refused() {
	assertFailsCleanly publish add "[::1]:8080" "[$J6_IP]:80"
	assertErrContains "IPv6 loopback cannot be published"
	assertFailsCleanly publish add 8080 127.0.0.1:80
	assertErrContains "not a forwardable address"
}

test_mixed_address_families_fail() {
	assertFailsCleanly publish add [fd00::1]:8080 $J_IP:80
	assertErrContains "address family"
}

test_publishing_a_port_to_another_target_fails() {
	h natctl publish add 8080 $J_IP:80
	assertFailsCleanly publish add 8080 10.8.8.3:80
	assertErrContains "8080/tcp: already published to $J_IP:80"
}

# Forwarding is turned on before the transaction, outside it: a command
# whose transaction fails turns off again what it turned on, and only that.
forwarding6() { h cat /proc/sys/net/ipv6/conf/all/forwarding; }

test_failed_masq_add_turns_forwarding_it_turned_on_off_again() {
	h natctl masq add $J_NET
	h sysctl -qw net.ipv4.ip_forward=0
	assertFailsCleanly masq add 10.8.0.0/16
	assertEquals "ip_forward as it was" 0 "$(forwarding)"
	assertFailsCleanly masq add 10.1.0.0/16 fd00:1::/64 10.1.2.0/24
	assertEquals "both families as they were" "0 0" "$(forwarding) $(forwarding6)"
	h sysctl -qw net.ipv4.ip_forward=1
	assertFailsCleanly masq add 10.8.0.0/16
	assertEquals "on before: left on" 1 "$(forwarding)"
}

test_failed_publish_add_turns_forwarding_it_turned_on_off_again() {
	h natctl publish add 8080 $J_IP:80
	h sysctl -qw net.ipv4.ip_forward=0
	assertFailsCleanly publish add 8080 10.8.8.3:80
	assertEquals "ip_forward as it was" 0 "$(forwarding)"
}

# IPv6 forwarding cannot be turned on (its sysctl read-only here): the IPv4
# forwarding the same command turned on a step before is turned off again.
test_masq_add_whose_second_family_fails_undoes_the_first() {
	local f=$SHUNIT_TMPDIR/fwd6
	echo 0 >"$f"
	run h sh -c "mount --bind '$f' /proc/sys/net/ipv6/conf/all/forwarding &&
		mount -o remount,bind,ro /proc/sys/net/ipv6/conf/all/forwarding &&
		natctl masq add $J_NET fd00:8::/64"
	assertRC 1
	assertOneLineError natctl
	assertErrContains "natctl: IPv6 forwarding: Read-only file system"
	assertEquals "ip_forward as it was" 0 "$(forwarding)"
	assertEquals "no table made" "" "$(h nft list tables | grep -w 'inet nskit$')"
}

test_masq_del_of_an_absent_subnet_fails() {
	assertFailsCleanly masq del $J_NET
	assertErrContains "$J_NET: not masqueraded"
}

test_masq_del_with_one_absent_subnet_deletes_none() {
	h natctl masq add $J_NET
	assertFailsCleanly masq del $J_NET 10.9.0.0/24
	assertEquals "the present one kept" 1 "$(elem_count masq4)"
}

test_publish_del_of_an_absent_port_fails() {
	assertFailsCleanly publish del 8080
	assertErrContains "8080/tcp: not published"
}

test_publish_del_with_another_target_fails() {
	h natctl publish add 8080 $J_IP:80
	assertFailsCleanly publish del 8080 10.8.8.3:80
	assertErrContains "published to $J_IP:80, not 10.8.8.3:80"
	assertEquals "kept" 1 "$(elem_count publish4)"
}

test_without_net_admin_fails_in_one_line() {
	run h setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all natctl list
	assertRC 1
	assertOneLineError natctl
	assertErrContains "Operation not permitted"
}

test_usage_errors_exit_2() {
	for args in "" "bogus" "masq" "masq frob 10.0.0.0/8" "masq add" "publish add 80" \
		"publish add 80 $J_IP:80 extra" "list extra" "list --out x" "masq add $J_NET -j"; do
		run h natctl $args
		assertUsageError natctl
	done
	assertEquals "no table" "" "$(h nft list tables)"
}

# Bash completion, run in the host namespace so `masq del` sees its table.
complete_natctl() {
	h bash -c '. /usr/share/bash-completion/bash_completion
		. "$0"; COMP_WORDS=(natctl "$@"); COMP_CWORD=$#
		COMP_LINE="natctl $*"; COMP_POINT=${#COMP_LINE}
		_natctl natctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' "$TOP/completions/natctl" "$@"
}

test_completion_offers_commands_interfaces_and_listed_subnets() {
	assertEquals "add del" "$(complete_natctl masq '' | xargs)"
	assertEquals "$VI" "$(complete_natctl masq add -o "${VI:0:4}")"
	h natctl masq add $J_NET
	assertEquals "$J_NET" "$(complete_natctl masq del '')"
}

# ---- what a newcomer trips over ----

test_without_net_admin_says_what_is_needed() {
	run h setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all natctl list
	assertRC 1
	assertOneLineError natctl
	assertErrContains "Operation not permitted (needs root or CAP_NET_ADMIN)"
}

test_publish_operands_swapped_show_the_usage() {
	for verb in add del; do
		run h natctl publish $verb $J_IP:80 8080/tcp
		assertUsageError natctl
		assertErrContains "publish $verb $J_IP:80 8080/tcp: the published port comes first"
		assertErrContains "publish $verb [ADDR:]PORT[/tcp|/udp] TO_IP:PORT"
	done
	assertEquals "nothing published" 0 "$(h natctl list -j | jq '.publish | length')"
}

test_iproute2_words_and_prefixes() {
	run h natctl masquerade add $J_NET
	assertRC 0
	run h natctl pub a 8080 $J_IP:80
	assertRC 0
	for w in ls lst show l li; do
		run h natctl $w
		assertRC 0
		assertOutContains "publish  8080/tcp"
	done
	run h natctl publish delete 8080
	assertRC 0
	run h natctl m d $J_NET
	assertRC 0
	assertEquals "all gone" '{"masq":[],"publish":[]}' "$(h natctl list -j | tr -d ' \n')"
}

test_unknown_words_suggest_or_list() {
	run h natctl masq dle $J_NET
	assertUsageError natctl
	assertErrContains "masq: 'dle': unknown command (did you mean 'del'?)"
	run h natctl pubilsh add 80 $J_IP:80
	assertErrContains "'pubilsh': unknown command (did you mean 'publish'?)"
	run h natctl frobnicate
	assertUsageError natctl
	assertErrContains "'frobnicate': unknown command (flush, list, masq, publish)"
	assertEquals "stderr: message and Try line" 2 "$(printf '%s\n' "$ERR" | wc -l)"
}

test_completion_of_publish_del_offers_the_published_ports() {
	h natctl publish add 8080/tcp $J_IP:80
	h natctl publish add $H_OUT:53/udp $J_IP:53
	assertEquals "$(printf '%s\n' "$H_OUT:53/udp" 8080/tcp)" "$(complete_natctl publish del '' | sort)"
	assertEquals "8080/tcp" "$(complete_natctl pub d 80)"
	# Bash splits the word at ':'; what follows it is what is completed.
	assertEquals "53/udp" "$(h bash -c '. /usr/share/bash-completion/bash_completion
		. "$0"; COMP_WORDS=(natctl publish del "$1" : 5); COMP_CWORD=5
		COMP_LINE="natctl publish del $1:5"; COMP_POINT=${#COMP_LINE}
		_natctl natctl 5 :; printf "%s\n" "${COMPREPLY[@]}"' "$TOP/completions/natctl" "$H_OUT")"
}

. shunit2
