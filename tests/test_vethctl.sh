#!/bin/bash
# tests/test_vethctl.sh - vethctl: veth pairs with the peer born inside a
# network namespace, bridges, connect, batch mode. The suite's own network
# namespace (tests/sandbox.sh) is the "host"; "jail" and "internet" style
# namespaces are made per test with unique names and removed in tearDown.
. "$(dirname "$0")/lib.sh"

setUp() {
	NSLIST=""
	J=$(uniq_name j)
	mkns "$J"
}

tearDown() {
	for ns in $NSLIST; do
		ip netns del "$ns" 2>/dev/null
	done
	# Every veth and bridge of the host goes too (they die with their
	# peers' namespaces or are removed here).
	for l in $(ip -o link show type veth | awk -F'[:@ ]+' '{print $2}') \
		 $(ip -o link show type bridge | awk -F'[:@ ]+' '{print $2}'); do
		ip link del "$l" 2>/dev/null
	done
	return 0
}

mkns() {
	ip netns add "$1" && NSLIST="$NSLIST $1"
}

# One echo answered, with a second try: a loaded machine can lose the
# first to a slow neighbour resolution.
ping_from() {
	local ns=$1 addr=$2
	if [ "$ns" = host ]; then
		ping -c1 -W5 "$addr" >/dev/null || ping -c1 -W5 "$addr" >/dev/null
	else
		ip netns exec "$ns" ping -c1 -W5 "$addr" >/dev/null ||
			ip netns exec "$ns" ping -c1 -W5 "$addr" >/dev/null
	fi
}

# Links of the host and of every namespace the test made.
links() {
	ip -o link | awk -F'[:@ ]+' '{print $2}'
	for ns in $NSLIST; do
		echo "[$ns]"
		ip -n "$ns" -o link | awk -F'[:@ ]+' '{print $2}'
	done
}

# The failure left no link anywhere.
assertNoLeftover() {
	assertEquals "links before and after" "$1" "$(links)"
}

# ---- success paths ----

test_add_gateway_jail_and_host_ping_each_other() {
	run vethctl add v-gw -n "$J" --addr 10.8.8.1/24 --peer-addr 10.8.8.2/24 --gateway
	assertRC 0
	assertErrEmpty
	assertOutEmpty
	ping_from "$J" 10.8.8.1
	assertTrue "jail pings the host end" $?
	ping_from host 10.8.8.2
	assertTrue "host end pings the jail" $?
	assertContains "$(ip -n "$J" route show default)" "default via 10.8.8.1 dev eth0"
}

test_add_sets_addresses_and_lo_up_in_namespace() {
	run vethctl add v-ad -n "$J" --addr 10.8.9.1/24 --addr fd00:9::1/64 \
		--peer-addr 10.8.9.2/24 --peer-addr fd00:9::2/64
	assertRC 0
	assertContains "$(ip -n "$J" addr show eth0)" "inet 10.8.9.2/24"
	assertContains "$(ip -n "$J" addr show eth0)" "inet6 fd00:9::2/64"
	assertContains "$(ip addr show v-ad)" "inet 10.8.9.1/24"
	assertContains "$(ip -n "$J" link show lo)" "UP"
	assertContains "$(ip -n "$J" link show eth0)" ",UP"
	assertContains "$(ip link show v-ad)" ",UP"
}

test_add_ipv6_gateway_pings() {
	run vethctl add v-v6 -n "$J" --addr fd00:6::1/64 --peer-addr fd00:6::2/64 --gateway
	assertRC 0
	assertContains "$(ip -n "$J" -6 route show default)" "via fd00:6::1 dev eth0"
	ping_from "$J" fd00:6::1
	assertTrue "jail pings the host end over IPv6" $?
}

test_add_peer_name_mtu_and_group() {
	run vethctl add v-mtu -n "$J" --peer p-mtu --mtu 1400 --group 42
	assertRC 0
	assertContains "$(ip -n "$J" link show p-mtu)" "mtu 1400"
	assertContains "$(ip -d link show v-mtu)" "mtu 1400"
	assertContains "$(ip link show group 42)" "v-mtu"
}

test_add_netns_by_pid_and_by_path() {
	ip netns exec "$J" sleep 30 &
	pid=$!
	wait_for 30 started "$pid" sleep
	run vethctl add v-pid -n "$pid" --peer p-pid
	assertRC 0
	run vethctl add v-path -n "/run/netns/$J" --peer p-path
	assertRC 0
	kill "$pid"
	assertContains "$(ip -n "$J" -o link)" "p-pid"
	assertContains "$(ip -n "$J" -o link)" "p-path"
}

test_peer_is_born_in_namespace_never_in_host() {
	ip monitor link >"$SHUNIT_TMPDIR/mon" 2>&1 &
	mp=$!
	# The monitor listens once it reports a probe link; a second probe
	# after vethctl marks the end of what vethctl did (events come in order).
	wait_for 30 probe_seen pr0
	run vethctl add v-born -n "$J" --peer p-born
	wait_for 30 probe_seen pr1
	kill "$mp"
	assertRC 0
	assertContains "host saw its end: $(cat "$SHUNIT_TMPDIR/mon")" "$(cat "$SHUNIT_TMPDIR/mon")" "v-born"
	assertNotContains "host never saw the peer (not created then moved)" \
		"$(cat "$SHUNIT_TMPDIR/mon")" "p-born"
	assertContains "$(ip -n "$J" -o link)" "p-born"
}
# probe_seen NAME: make and remove veth NAME unless the monitor reported it.
probe_seen() {
	grep -q "$1@" "$SHUNIT_TMPDIR/mon" && return 0
	ip link add "$1" type veth peer name "$1p" && ip link del "$1"
	grep -q "$1@" "$SHUNIT_TMPDIR/mon"
}

test_list_names_the_peer_namespace() {
	vethctl add v-ls -n "$J" --peer p-ls
	run vethctl list
	assertRC 0
	assertOutContains "NAME"
	assertEquals "v-ls p-ls $J up" "$(echo "$OUT" | awk '$1 == "v-ls" {print $1, $2, $3, $5}')"
	run vethctl list -j
	assertRC 0
	assertOutContains "\"name\":\"v-ls\""
	assertOutContains "\"peer\":\"p-ls\""
	assertOutContains "\"netns\":\"$J\""
	python3 -c 'import json,sys; json.loads(sys.argv[1])' "$OUT"
	assertTrue "list -j is one JSON document" $?
}

test_two_jails_on_one_bridge_ping_each_other() {
	J2=$(uniq_name j)
	mkns "$J2"
	run vethctl bridge add br-t --addr 10.9.0.1/24
	assertRC 0
	vethctl add v-b1 -n "$J" --master br-t --peer-addr 10.9.0.2/24 --gateway &&
		vethctl add v-b2 -n "$J2" --master br-t --peer-addr 10.9.0.3/24 --gateway
	assertTrue "both jails attached" $?
	assertContains "$(ip link show v-b1)" "master br-t"
	ping_from "$J" 10.9.0.3
	assertTrue "jail 1 pings jail 2" $?
	ping_from "$J2" 10.9.0.1
	assertTrue "jail 2 pings the bridge (its gateway)" $?
	assertContains "$(ip -n "$J2" route show default)" "via 10.9.0.1"
	run vethctl bridge del br-t
	assertRC 0
	assertFalse "bridge gone" "ip link show br-t 2>/dev/null"
}

test_connect_joins_two_namespaces() {
	I=$(uniq_name inet)
	mkns "$I"
	run vethctl connect "$J" "$I" --addr 10.7.0.1/30 --peer-addr 10.7.0.2/30
	assertRC 0
	assertErrEmpty
	ping_from "$J" 10.7.0.2
	assertTrue "jail pings internet" $?
	ping_from "$I" 10.7.0.1
	assertTrue "internet pings jail" $?
	assertEquals "no link left in the host" "lo" "$(ip -o link | awk -F'[:@ ]+' '{print $2}')"
}

test_tcpdump_on_host_end_sees_jail_packets() {
	vethctl add v-dump -n "$J" --addr 10.6.0.1/24 --peer-addr 10.6.0.2/24 --gateway
	# tcpdump may attach after the first pings on a loaded machine: keep
	# pinging until it saw one, within a bound, never waiting forever.
	timeout 30 tcpdump -l -n -i v-dump -c 1 icmp >"$SHUNIT_TMPDIR/dump" 2>/dev/null &
	tp=$!
	wait_for 30 eval 'ip netns exec "$J" ping -c1 -W1 10.6.0.1 >/dev/null; grep -q ICMP "$SHUNIT_TMPDIR/dump"'
	kill "$tp" 2>/dev/null
	wait "$tp"
	assertContains "$(cat "$SHUNIT_TMPDIR/dump")" "10.6.0.2 > 10.6.0.1: ICMP echo request"
}

test_batch_200_pairs_created_then_deleted() {
	before=$(links)
	for i in $(seq 1 200); do
		echo "add bv$i -n $J --peer bp$i --peer-addr 10.5.$((i / 250)).$((i % 250 + 1))/16"
	done >"$SHUNIT_TMPDIR/add"
	run vethctl -b "$SHUNIT_TMPDIR/add"
	assertRC 0
	assertEquals 200 "$(ip -o link show type veth | wc -l)"
	assertEquals 200 "$(ip -n "$J" -o link show type veth | wc -l)"
	for i in $(seq 1 200); do echo "del bv$i"; done >"$SHUNIT_TMPDIR/del"
	run vethctl -b "$SHUNIT_TMPDIR/del"
	assertRC 0
	assertErrEmpty
	assertNoLeftover "$before"
}

test_del_group_tears_down_every_pair() {
	printf 'add g%d -n %s --peer gp%d --group 77\n' 1 "$J" 1 2 "$J" 2 3 "$J" 3 >"$SHUNIT_TMPDIR/g"
	run vethctl -b - <"$SHUNIT_TMPDIR/g"
	assertRC 0
	assertEquals 3 "$(ip -o link show group 77 | wc -l)"
	run vethctl del --group 77
	assertRC 0
	assertEquals 0 "$(ip -o link show type veth | wc -l)"
	assertEquals 0 "$(ip -n "$J" -o link show type veth | wc -l)"
}

test_del_several_names_in_one_command() {
	vethctl add d1 --peer dp1 && vethctl add d2 --peer dp2 && vethctl add d3 -n "$J" --peer dp3
	assertEquals "pairs made" 5 "$(ip -o link show type veth | wc -l)"
	run vethctl del d1 d2 d3
	assertRC 0
	assertEquals 0 "$(ip -o link show type veth | wc -l)"
}

test_list_escapes_a_namespace_name_made_by_others() {
	odd="$(printf 'o\nd\033[2J%s' "$J")"
	mkns "$odd"
	vethctl add v-odd -n "$odd" --peer p-odd
	run vethctl list
	assertRC 0
	assertEquals "one line, the name escaped" "v-odd p-odd o\\nd\\033[2J$J" \
		"$(printf '%s\n' "$OUT" | awk '$1 == "v-odd" {print $1, $2, $3}')"
	assertNotContains "no raw escape reaches the terminal" "$OUT" "$(printf '\033')"
	run vethctl list -j
	assertEquals "exact in JSON" "$(printf '%q' "$odd")" \
		"$(printf '%s' "$OUT" | python3 -c 'import json,sys; [print(e["netns"], end="") for e in json.load(sys.stdin) if e["name"] == "v-odd"]' | { IFS= read -rd '' x; printf '%q' "$x"; })"
	ip netns del "$odd"
}

test_list_shows_unnamed_namespace_by_nsid() {
	unshare -n sleep 30 &
	pid=$!
	wait_for 30 started "$pid" sleep
	vethctl add v-anon -n "$pid" --peer p-anon
	run vethctl list
	assertRC 0
	assertEquals "v-anon" "$(echo "$OUT" | awk '$3 ~ /^nsid:[0-9]+$/ {print $1}')"
	run vethctl list -j
	kill "$pid"
	assertOutContains '"netns":null'
	assertOutContains '"peer":"if'
}

test_connect_names_both_ends() {
	I=$(uniq_name inet)
	mkns "$I"
	run vethctl connect "$J" "$I" --name to-inet --peer to-jail --mtu 1400
	assertRC 0
	assertContains "$(ip -n "$J" link show to-inet)" "mtu 1400"
	assertContains "$(ip -n "$I" link show to-jail)" ",UP"
	assertContains "$(ip -n "$I" link show lo)" ",UP"
}

# A newline in a name or argument must not split a message into two
# lines (a forged second message for whoever reads the log).
test_newline_in_arguments_stays_one_line() {
	local nl
	nl=$(printf 'a\nvethctl: forged')
	run vethctl add "$nl" --peer p0
	assertUsageError vethctl
	assertEquals "one message line: $ERR" 1 "$(printf '%s\n' "$ERR" | grep -c '^vethctl: ')"
	assertErrContains 'a\nvethctl: forged'
	run vethctl del "$nl"
	assertEquals "one message line: $ERR" 1 "$(printf '%s\n' "$ERR" | grep -c '^vethctl: ')"
	printf 'add %s\n' "$(printf 'x\001y')" >"$SHUNIT_TMPDIR/b"
	run vethctl -b "$SHUNIT_TMPDIR/b"
	assertOneLineError vethctl
}

test_batch_missing_file_fails_one_line() {
	run vethctl -b /nonexistent/batch
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "/nonexistent/batch: No such file or directory"
	run vethctl -b /dev/null add x
	assertUsageError vethctl
}

test_batch_list_between_adds() {
	run vethctl -b - <<-EOF
	add a1 -n $J --peer p1
	list
	add a2 -n $J --peer p2
	EOF
	assertRC 0
	assertErrEmpty
	assertOutContains "p1"
	assertContains "$(ip -n "$J" -o link)" "p2"
}

test_batch_connects_one_namespace_to_twenty() {
	for i in $(seq 1 20); do
		mkns "$J-$i"
		echo "connect $J $J-$i --name e$i --addr 10.2.$i.1/30 --peer-addr 10.2.$i.2/30"
	done >"$SHUNIT_TMPDIR/c"
	run vethctl -b "$SHUNIT_TMPDIR/c"
	assertRC 0
	assertErrEmpty
	assertEquals 20 "$(ip -n "$J" -o link show type veth | wc -l)"
	ping_from "$J-20" 10.2.20.1
	assertTrue "the last namespace answers" $?
	ping_from "$J" 10.2.1.2
	assertTrue "the first one still does" $?
}

# ---- failure paths ----

test_malformed_cidr_is_usage_error_and_nothing_made() {
	before=$(links)
	run vethctl add v-bad -n "$J" --addr 10.1.2/24
	assertUsageError vethctl
	assertErrContains "'10.1.2/24': not an address"
	run vethctl add v-bad -n "$J" --peer-addr 10.1.2.3/33
	assertUsageError vethctl
	assertErrContains "prefix length out of range"
	assertNoLeftover "$before"
}

test_16_byte_interface_name_is_usage_error() {
	before=$(links)
	run vethctl add veth-toolongname1 -n "$J"
	assertUsageError vethctl
	assertErrContains "vethctl: veth-toolongname1: interface name longer than 15 bytes"
	run vethctl add v-ok -n "$J" --peer peer-toolongname
	assertUsageError vethctl
	assertNoLeftover "$before"
}

test_missing_namespace_fails_one_line() {
	before=$(links)
	run vethctl add v-miss -n nosuch-ns
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "nosuch-ns: no such network namespace"
	assertNoLeftover "$before"
}

test_existing_link_name_reported() {
	vethctl add v-ex -n "$J" --peer p-ex
	before=$(links)
	run vethctl add v-ex -n "$J" --peer p-ex2
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "vethctl: add v-ex: link v-ex already exists"
	assertNoLeftover "$before"
}

test_existing_peer_name_in_namespace_reported() {
	vethctl add v-ex1 -n "$J"
	before=$(links)
	run vethctl add v-ex2 -n "$J"
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "link eth0 already exists in network namespace $J"
	assertNoLeftover "$before"
}

test_unknown_bridge_fails_before_creating() {
	before=$(links)
	run vethctl add v-nobr -n "$J" --master nosuchbr
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "nosuchbr: no such bridge"
	vethctl add v-notbr --peer p-notbr
	before=$(links)
	run vethctl add v-nobr -n "$J" --master v-notbr
	assertRC 1
	assertErrContains "v-notbr: not a bridge"
	assertNoLeftover "$before"
}

test_bad_mtu_is_usage_error() {
	before=$(links)
	for m in 10 65536 abc -1 ""; do
		run vethctl add v-mtu -n "$J" --mtu "$m"
		assertUsageError vethctl
	done
	assertNoLeftover "$before"
}

test_failure_after_create_deletes_the_pair() {
	vethctl bridge add br-noaddr
	before=$(links)
	run vethctl add v-undo -n "$J" --master br-noaddr --peer-addr 10.4.0.2/24 --gateway
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "no IPv4 address on br-noaddr"
	assertNoLeftover "$before"
}

test_address_rejected_by_kernel_deletes_the_pair() {
	before=$(links)
	# A gateway route needs its gateway on a reachable subnet.
	run vethctl add v-unr -n "$J" --addr 10.3.0.1/32 --peer-addr 10.3.1.2/24 --gateway
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "add v-unr: default route"
	assertNoLeftover "$before"
}

test_usage_errors() {
	run vethctl
	assertUsageError vethctl
	run vethctl frob
	assertUsageError vethctl
	run vethctl add v-x
	assertUsageError vethctl
	assertErrContains "--peer PEER is needed without --netns"
	run vethctl add v-x -n "$J" --gateway
	assertUsageError vethctl
	run vethctl del
	assertUsageError vethctl
	run vethctl del --group 0
	assertUsageError vethctl
	run vethctl del
	assertErrContains "del: give NAME..., --group N or both"
	run vethctl list --mtu 1500
	assertUsageError vethctl
	run vethctl bridge frob br0
	assertUsageError vethctl
}

test_del_unknown_or_not_veth_link() {
	run vethctl del nosuch0
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "nosuch0: no such link"
	run vethctl del lo
	assertRC 1
	assertErrContains "lo: not a veth link"
	vethctl add d-keep --peer dp-keep
	run vethctl del d-keep nosuch0
	assertRC 1
	assertContains "names checked before any deletion" "$(ip -o link)" "d-keep"
}

test_bridge_del_unknown_or_not_bridge() {
	run vethctl bridge del nosuchbr
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "nosuchbr: no such bridge"
	run vethctl bridge del lo
	assertRC 1
	assertErrContains "lo: not a bridge"
	assertTrue "lo still there" "ip link show lo >/dev/null"
}

test_del_empty_group_fails() {
	run vethctl del --group 4242
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "group 4242: no such link"
}

test_connect_same_or_missing_namespace() {
	before=$(links)
	run vethctl connect "$J" "$J"
	assertRC 1
	assertErrContains "same namespace"
	run vethctl connect "$J" nosuch-ns
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "nosuch-ns: no such network namespace"
	assertNoLeftover "$before"
}

test_batch_runtime_error_names_the_line() {
	printf 'add b1 --peer bp1\n# comment\n\nadd b1 --peer bp2\nadd b3 --peer bp3\n' >"$SHUNIT_TMPDIR/b"
	run vethctl -b "$SHUNIT_TMPDIR/b"
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "vethctl: $SHUNIT_TMPDIR/b:4: add b1: link b1 already exists"
	assertTrue "line 1 ran" "ip link show b1 >/dev/null"
	assertFalse "line 5 did not" "ip link show b3 2>/dev/null"
}

# Consecutive add lines are made together (all pairs, then links up, then
# addresses): a line that fails after its pair exists undoes it and the
# lines after it, and keeps the whole lines before it.
test_batch_failure_after_creation_keeps_only_earlier_lines() {
	printf 'add bf1 -n %s --peer p1 --addr 10.66.1.1/24 --peer-addr 10.66.1.2/24\n' "$J" >"$SHUNIT_TMPDIR/b"
	printf 'add bf2 -n %s --peer p2 --peer-addr 10.66.2.2/24\n' "$J" >>"$SHUNIT_TMPDIR/b"
	# The kernel refuses the second, identical address: after creation.
	printf 'add bf3 -n %s --peer p3 --peer-addr 10.66.3.2/24 --peer-addr 10.66.3.2/24\n' "$J" >>"$SHUNIT_TMPDIR/b"
	printf 'add bf4 -n %s --peer p4\nadd bf5 -n %s --peer p5\n' "$J" "$J" >>"$SHUNIT_TMPDIR/b"
	run vethctl -b "$SHUNIT_TMPDIR/b"
	assertRC 1
	assertOneLineError vethctl
	assertErrContains "$SHUNIT_TMPDIR/b:3: "
	assertTrue "line 1 whole" "ip -n $J -o addr show p1 | grep -q 10.66.1.2/24"
	assertTrue "line 1 works" "ping_from $J 10.66.1.1"
	assertTrue "line 2 whole" "ip -n $J -o addr show p2 | grep -q 10.66.2.2/24"
	assertEquals "only lines 1 and 2 in the host" "bf1 bf2" \
		"$(ip -o link show type veth | awk -F'[:@ ]+' '{print $2}' | sort | xargs)"
	assertEquals "only lines 1 and 2 in the namespace" "p1 p2" \
		"$(ip -n "$J" -o link show type veth | awk -F'[:@ ]+' '{print $2}' | sort | xargs)"
}

test_batch_usage_error_changes_nothing() {
	before=$(links)
	run vethctl -b - <<-EOF
	add b1 --peer bp1
	add b2 --peer bp2 --addr 300.1.1.1/24
	EOF
	assertRC 2
	assertOneLineError vethctl
	assertErrContains "stdin:2: '300.1.1.1/24'"
	run vethctl -b - <<-EOF
	add b1 --peer bp1
	add b2 --frob
	EOF
	assertRC 2
	assertErrContains "stdin:2: '--frob': unknown option"
	assertNoLeftover "$before"
}

test_batch_del_of_missing_link_names_its_line() {
	printf 'add c1 --peer cp1\nadd c2 --peer cp2\n' | vethctl -b -
	run vethctl -b - <<-EOF
	del c1
	del nosuch0
	del c2
	EOF
	assertRC 1
	assertErrContains "stdin:2: nosuch0: no such link"
	assertFalse "line 1's deletion done" "ip link show c1 2>/dev/null"
	assertTrue "line 3 not run" "ip link show c2 >/dev/null"
}

# ---- what a newcomer trips over ----

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

test_unprivileged_errors_say_what_is_needed() {
	vethctl add v-np --peer p-np
	before=$(links)
	run as_nobody vethctl add v-x --peer p-x
	assertRC 1; assertOneLineError vethctl
	assertErrContains "vethctl: add v-x: Operation not permitted (needs root or CAP_NET_ADMIN)"
	run as_nobody vethctl del v-np
	assertRC 1; assertOneLineError vethctl
	assertErrContains "(needs root or CAP_NET_ADMIN)"
	# Entering the namespace is what needs CAP_SYS_ADMIN there.
	run as_nobody vethctl add v-x -n "$J"
	assertRC 1; assertOneLineError vethctl
	assertErrContains "$J: netlink socket in namespace: Operation not permitted (needs root or CAP_SYS_ADMIN)"
	assertNoLeftover "$before"
}

test_iproute2_words_and_unique_prefixes() {
	run vethctl a v-w -n "$J" --addr 10.6.0.1/24
	assertRC 0
	for w in list ls lst show l sh; do
		run vethctl $w
		assertRC 0
		assertOutContains "v-w"
	done
	run vethctl b a br-w
	assertRC 0
	run vethctl bridge delete br-w
	assertRC 0
	run vethctl delete v-w
	assertRC 0
	assertEquals "lo" "$(ip -o link | awk -F'[:@ ]+' '{print $2}')"
	# The same words in a batch.
	run vethctl -b - <<-EOF
	a v-b1 --peer p-b1
	delete v-b1
	EOF
	assertRC 0
}

test_unknown_words_suggest_or_list() {
	run vethctl conect "$J" x
	assertUsageError vethctl
	assertErrContains "vethctl: 'conect': unknown command (did you mean 'connect'?)"
	assertEquals "stderr: message and Try line" 2 "$(printf '%s\n' "$ERR" | wc -l)"
	run vethctl frob
	assertErrContains "'frob': unknown command (add, bridge, connect, del, list, vxlan)"
	run vethctl bridge dle br0
	assertUsageError vethctl
	assertErrContains "bridge: 'dle': unknown command (did you mean 'del'?)"
	run vethctl -b - <<<"lsit"
	assertRC 2
	assertErrContains "stdin:1: 'lsit': unknown command (did you mean 'list'?)"
}

test_del_names_and_group_together() {
	printf 'add g1 --peer gp1 --group 42\nadd g2 --peer gp2 --group 42\nadd n1 --peer np1\nadd n2 --peer np2\nadd keep --peer kp\n' |
		vethctl -b -
	run vethctl del n1 n2 g1 --group 42
	assertRC 0; assertErrEmpty
	assertEquals "only keep's pair is left" "keep kp lo" "$(ip -o link | awk -F'[:@ ]+' '{print $2}' | LC_ALL=C sort | xargs)"
}

test_del_names_and_group_checks_everything_first() {
	printf 'add g1 --peer gp1 --group 42\nadd n1 --peer np1\n' | vethctl -b -
	before=$(links)
	run vethctl del n1 nosuch0 --group 42
	assertRC 1; assertOneLineError vethctl
	assertErrContains "nosuch0: no such link"
	run vethctl del n1 --group 43
	assertRC 1
	assertErrContains "group 43: no such link"
	assertNoLeftover "$before"
	# A batch line takes both too.
	run vethctl -b - <<<"del n1 --group 42"
	assertRC 0
	assertEquals "lo" "$(ip -o link | awk -F'[:@ ]+' '{print $2}')"
}

test_list_shows_the_addresses_of_both_ends() {
	vethctl add v-ad -n "$J" --addr 10.8.8.1/24 --addr fd00:8::1/64 --peer-addr 10.8.8.2/24
	vethctl add v-h --peer p-h --addr 10.5.0.1/24
	run vethctl list
	assertRC 0
	assertContains "$OUT" "ADDR"
	assertEquals "v-ad eth0 $J 10.8.8.1/24,fd00:8::1/64 10.8.8.2/24" \
		"$(echo "$OUT" | awk '$1 == "v-ad" {print $1, $2, $3, $6, $7}')"
	assertEquals "both ends here" "- 10.5.0.1/24" \
		"$(echo "$OUT" | awk '$1 == "p-h" || $1 == "v-h" {print $6, $7}')"
	run vethctl list -j
	assertEquals '["10.8.8.1/24","fd00:8::1/64"] ["10.8.8.2/24"] null' \
		"$(echo "$OUT" | jq -c '.[] | select(.name == "v-ad") | .addrs, .peer_addrs, .name_netns' | xargs -d '\n')"
}

test_list_shows_pairs_made_by_connect_once() {
	I=$(uniq_name z)
	mkns "$I"
	vethctl connect "$I" "$J" --name e-i --peer e-j --addr 10.7.0.1/30 --peer-addr 10.7.0.2/30
	# Named so that J sorts first: the pair is shown from J's side.
	run vethctl list
	assertRC 0
	assertEquals "one row" 1 "$(echo "$OUT" | grep -c 'e-j\|e-i')"
	assertEquals "$J/e-j e-i $I up 10.7.0.2/30 10.7.0.1/30" \
		"$(echo "$OUT" | awk '$1 ~ /e-j$/ {print $1, $2, $3, $5, $6, $7}')"
	run vethctl list -j
	assertEquals "\"$J\" \"e-j\" \"e-i\" \"$I\" [\"10.7.0.2/30\"] [\"10.7.0.1/30\"]" \
		"$(echo "$OUT" | jq -c '.[] | select(.name_netns != null) | .name_netns, .name, .peer, .netns, .addrs, .peer_addrs' | xargs -d '\n')"
	# A namespace with two names is one namespace.
	nsname attach "${J}x" "/run/netns/$J"
	NSLIST="$NSLIST ${J}x"
	run vethctl list
	assertEquals "still one row" 1 "$(echo "$OUT" | grep -c 'e-j\|e-i')"
	# From inside one end's namespace, it is an ordinary pair.
	run nsjoin "$I" vethctl list
	assertEquals "e-i e-j $J" "$(echo "$OUT" | awk '$1 == "e-i" {print $1, $2, $3}')"
}

. shunit2
