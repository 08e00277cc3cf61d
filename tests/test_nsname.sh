#!/bin/bash
# nsname: named network namespaces, interoperable with ip netns both ways.
. "$(dirname "$0")/lib.sh"

NETNS=/run/netns

setUp() {
	base_files=$(ls -A $NETNS 2>/dev/null | wc -l)
	pids=
}

tearDown() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in $(ls -A $NETNS 2>/dev/null); do
		umount -l "$NETNS/$n" 2>/dev/null
		rm -f "$NETNS/$n"
	done
	return 0
}

# A process in a new network namespace of its own; sets $PID.
start_netns_process() {
	unshare -n sleep 300 &
	PID=$!
	pids="$pids $PID"
	# wait until unshare has exec'd sleep inside the new namespace
	wait_for 30 started "$PID" sleep
}

test_add_then_join_sees_only_lo() {
	n=$(uniq_name)
	run nsname add "$n"
	assertRC 0; assertOutEmpty; assertErrEmpty
	run nsjoin "$n" ip -o link
	assertRC 0
	assertEquals "only lo" "1" "$(printf '%s\n' "$OUT" | grep -c .)"
	assertOutContains ": lo: "
}

test_add_is_seen_by_ip_nsenter_lsns() {
	n=$(uniq_name)
	nsname add "$n"
	assertContains "$(ip netns list)" "$n"
	assertTrue "ip netns exec" "ip netns exec $n true"
	assertTrue "nsenter --net" "nsenter --net=$NETNS/$n true"
	ip netns exec "$n" sleep 300 &
	pids="$pids $!"
	wait_for 30 started $! sleep
	assertContains "ip netns identify" "$(ip netns identify $!)" "$n"
	# lsns fails (status 1, no output) when a process it scans exits
	# meanwhile, as on a busy host: retry until one scan completes
	wait_for 30 eval 'lsns_out=$(lsns -t net -o NS,NSFS)'
	assertContains "lsns sees the pin" "$lsns_out" "$NETNS/$n"
}

test_ip_netns_add_is_seen_and_joined() {
	n=$(uniq_name)
	ip netns add "$n"
	run nsname list
	assertOutContains "$n"
	run nsjoin "$n" ip -o link
	assertRC 0
	assertEquals 1 "$(printf '%s\n' "$OUT" | grep -c .)"
}

test_ip_netns_del_removes_an_nsname_name() {
	n=$(uniq_name)
	nsname add "$n"
	assertTrue "ip netns del" "ip netns del $n"
	assertFalse "gone" "[ -e $NETNS/$n ]"
	run nsname exists "$n"
	assertRC 1
}

test_del_removes_an_ip_netns_name() {
	n=$(uniq_name)
	ip netns add "$n"
	run nsname del "$n"
	assertRC 0; assertErrEmpty
	assertNotContains "$(ip netns list)" "$n"
	assertEquals "no mount left" 0 "$(grep -c " $NETNS/$n " /proc/self/mountinfo)"
}

test_list_matches_ip_netns_list() {
	a=$(uniq_name) b=$(uniq_name)
	nsname add "$a"
	ip netns add "$b"
	ip netns set "$b" 7
	run nsname list
	assertRC 0
	assertEquals "same as ip netns list" "$(ip netns list | sort)" "$(printf '%s\n' "$OUT" | sort)"
	assertOutContains "$b (id: 7)"
}

test_list_json_is_one_document() {
	a=$(uniq_name)
	nsname add "$a"
	ip netns set "$a" 3
	run nsname list -j
	assertRC 0
	got=$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(";".join("%s=%s" % (e["name"], e["id"]) for e in d))')
	assertEquals "$a=3" "$got"
}

test_list_quiet_prints_bare_names_for_xargs() {
	a=$(uniq_name) b=$(uniq_name)
	nsname add "$a"; nsname add "$b"
	ip netns set "$a" 4
	run nsname list -q
	assertEquals "$(printf '%s\n%s\n' "$a" "$b" | sort)" "$(printf '%s\n' "$OUT" | sort)"
	nsname list -q | xargs -rn1 nsname del
	assertEquals "all gone" "" "$(ls -A $NETNS)"
}

test_add_without_name_prints_a_unique_one() {
	run nsname add
	assertRC 0
	n=$OUT
	assertTrue "printed name exists" "[ -e $NETNS/$n ]"
	assertTrue "usable in a pipe" "nsjoin $n true"
	run nsname add
	assertNotEquals "unique" "$n" "$OUT"
}

test_attach_names_a_process_namespace() {
	start_netns_process
	n=$(uniq_name)
	run nsname attach "$n" "$PID"
	assertRC 0; assertErrEmpty
	assertTrue "ip netns exec" "ip netns exec $n true"
	assertEquals "same namespace" "$(readlink /proc/$PID/ns/net)" "$(ip netns exec $n readlink /proc/self/ns/net)"
	run nsname identify "$PID"
	assertEquals "$n" "$OUT"
}

test_attach_from_a_path() {
	a=$(uniq_name) b=$(uniq_name)
	nsname add "$a"
	run nsname attach "$b" "$NETNS/$a"
	assertRC 0
	run nsname list -a -j
	got=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(" ".join(",".join(sorted(e["names"])) for e in json.load(sys.stdin) if e["names"]))')
	assertEquals "both names on one namespace" "$(printf '%s\n' "$a" "$b" | sort | paste -sd,)" "$got"
}

test_identify_defaults_to_self() {
	n=$(uniq_name)
	nsname add "$n"
	run nsjoin "$n" nsname identify
	assertRC 0
	assertEquals "$n" "$OUT"
	run nsname identify
	assertOutEmpty
}

test_pids_lists_processes_inside() {
	n=$(uniq_name)
	nsname add "$n"
	nsjoin "$n" sleep 300 &
	pids="$pids $!"
	wait_for 30 started $! sleep
	run nsname pids "$n"
	assertEquals "$!" "$OUT"
	run nsname pids -j "$n"
	assertEquals "[$!]" "$OUT"
}

test_exists_is_an_exit_status() {
	n=$(uniq_name)
	run nsname exists "$n"
	assertRC 1; assertOutEmpty; assertErrEmpty
	nsname add "$n"
	run nsname exists "$n"
	assertRC 0; assertOutEmpty
}

test_list_all_shows_unnamed_and_named_with_pids() {
	start_netns_process
	n=$(uniq_name)
	nsname add "$n"
	run nsname list --all
	assertRC 0
	ino=$(stat -Lc %i /proc/$PID/ns/net)
	assertContains "unnamed netns of $PID" "$OUT" "$ino"
	assertContains "$OUT" "$n"
	run nsname list --all -j
	assertContains "$OUT" "\"pids\":[$PID]"
	assertContains "$OUT" "\"names\":[\"$n\"]"
}

test_del_all() {
	nsname add "$(uniq_name)"; ip netns add "$(uniq_name)"
	run nsname del --all
	assertRC 0
	assertEquals "" "$(ls -A $NETNS)"
	assertEquals 0 "$(grep -c " $NETNS/" /proc/self/mountinfo)"
}

test_del_several_names() {
	a=$(uniq_name) b=$(uniq_name)
	nsname add "$a"; nsname add "$b"
	run nsname del "$a" "$b"
	assertRC 0
	assertEquals "" "$(ls -A $NETNS)"
}

test_symlink_entry_is_listed_joined_and_deleted() {
	start_netns_process
	n=$(uniq_name)
	ln -s "/proc/$PID/ns/net" "$NETNS/$n"
	run nsname list
	assertOutContains "$n"
	run nsjoin "$n" readlink /proc/self/ns/net
	assertEquals "$(readlink /proc/$PID/ns/net)" "$OUT"
	run nsname del "$n"
	assertRC 0
	assertFalse "[ -L $NETNS/$n ]"
	assertTrue "process unharmed" "kill -0 $PID"
}

test_netns_dir_override_is_made_a_shared_mount() {
	d=$(mktemp -d)/netns
	n=$(uniq_name)
	NSKIT_NETNS_DIR=$d nsname add "$n"
	assertTrue "pinned there" "[ -e $d/$n ]"
	assertContains "dir is a shared mount point" "$(grep " $d " /proc/self/mountinfo)" "shared:"
	assertFalse "not in the default dir" "[ -e $NETNS/$n ]"
	run env NSKIT_NETNS_DIR="$d" nsjoin "$n" ip -o link
	assertRC 0
	NSKIT_NETNS_DIR=$d nsname del "$n"
	assertFalse "[ -e $d/$n ]"
	umount "$d"
}

test_parallel_add_and_del_leave_nothing() {
	# counted against what was there before: only what this test made
	before=$(grep -c " $NETNS" /proc/self/mountinfo)
	name_mounts=$(grep -c " $NETNS/" /proc/self/mountinfo) files=$(ls -A $NETNS)
	names=
	for i in $(seq 50); do names="$names $(uniq_name p)"; done
	fails=0
	for n in $names; do nsname add "$n" & done
	for job in $(jobs -p); do wait "$job" || fails=$((fails + 1)); done
	assertEquals "adds failed" 0 "$fails"
	assertEquals $((base_files + 50)) "$(ls -A $NETNS | wc -l)"
	for n in $names; do nsname del "$n" & done
	for job in $(jobs -p); do wait "$job" || fails=$((fails + 1)); done
	assertEquals "dels failed" 0 "$fails"
	assertEquals "no stray file" "$files" "$(ls -A $NETNS)"
	after=$(grep -c " $NETNS" /proc/self/mountinfo)
	# the directory itself may have become a mount point (once), no more
	assertTrue "no stray mount ($before -> $after)" "[ $after -le $((before + 1)) ]"
	assertEquals "no name mounts" "$name_mounts" "$(grep -c " $NETNS/" /proc/self/mountinfo)"
}

# --- bad input: one line, a status, nothing created --------------------

assert_bad_name() {
	run nsname add "$1"
	assertUsageError nsname
	assertEquals "nothing created" "" "$(ls -A $NETNS)"
}

test_bad_names_are_refused_before_any_change() {
	assert_bad_name "a/b"
	assert_bad_name "."
	assert_bad_name ".."
	assert_bad_name ""
	assert_bad_name "$(printf 'x%.0s' $(seq 256))"
	assert_bad_name "/"
	run nsname del "a/b"
	assertUsageError nsname
	run nsname attach "a/b" 1
	assertUsageError nsname
}

test_add_existing_name_fails_and_keeps_it() {
	n=$(uniq_name)
	nsname add "$n"
	ino=$(stat -c %i "$NETNS/$n")
	run nsname add "$n"
	assertRC 1
	assertOneLineError nsname
	assertErrContains "$n: name already exists"
	assertEquals "untouched" "$ino" "$(stat -c %i "$NETNS/$n")"
}

test_del_missing_name() {
	run nsname del "nope$$"
	assertRC 1
	assertOneLineError nsname
	assertErrContains "nope$$: no such network namespace"
}

test_attach_bad_pids_and_paths() {
	n=$(uniq_name)
	run nsname attach "$n" 12abc
	assertRC 1; assertOneLineError nsname
	run nsname attach "$n" 999999999
	assertRC 1; assertErrContains "999999999: "
	run nsname attach "$n" /etc/passwd
	assertRC 1; assertErrContains "/etc/passwd: not a namespace file"
	run nsname attach "$n" /proc/self/ns/uts
	assertRC 1; assertErrContains "not a network namespace"
	true & dead=$!; wait $dead
	run nsname attach "$n" "$dead"
	assertRC 1; assertErrContains "no such process"
	assertEquals "nothing created" "" "$(ls -A $NETNS)"
}

test_identify_bad_pid() {
	run nsname identify 0
	assertUsageError nsname
	run nsname identify 999999999
	assertRC 1; assertOneLineError nsname
}

test_usage_errors() {
	run nsname
	assertUsageError nsname
	run nsname frobnicate
	assertUsageError nsname
	run nsname add a b
	assertUsageError nsname
	run nsname del
	assertUsageError nsname
	run nsname del --all x
	assertUsageError nsname
	run nsname exists -j x
	assertUsageError nsname
}

test_write_error_on_stdout_fails() {
	nsname add "$(uniq_name)"
	run sh -c 'nsname list >/dev/full'
	assertRC 1
	assertErrContains "write error"
}

. shunit2
