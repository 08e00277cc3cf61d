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
	# a glob, not ls: names may hold whitespace and newlines
	for f in "$NETNS"/* "$NETNS"/.[!.]*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		umount -l "$f" 2>/dev/null
		rm -f "$f"
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

# Names others made (ip netns add takes any byte but '/') with a newline,
# a tab, a space and a terminal escape: listed one per line, escaped as C
# escapes; exact in -j; NUL-terminated with -q -0, so xargs -0 deletes
# exactly them. Sets $odd (the names, one per line as printf %q gives).
add_odd_names() {
	ok=$(uniq_name)
	nl="$(printf 'n\nl%s' "$ok")" tab="$(printf 't\tb%s' "$ok")"
	sp="s p$ok" esc="$(printf 'e\033[2J%s' "$ok")"
	for n in "$ok" "$nl" "$tab" "$sp" "$esc"; do ip netns add "$n" || fail "ip netns add"; done
}

test_list_escapes_names_made_by_others() {
	add_odd_names
	run nsname list
	assertRC 0; assertErrEmpty
	assertEquals "one line per name, escaped" \
		"$(printf '%s\n' "$ok" "n\\nl$ok" "t\\tb$ok" "s\\040p$ok" "e\\033[2J$ok" | sort)" \
		"$(printf '%s\n' "$OUT" | sort)"
	run nsname list -q
	assertEquals "-q too" \
		"$(printf '%s\n' "$ok" "n\\nl$ok" "t\\tb$ok" "s\\040p$ok" "e\\033[2J$ok" | sort)" \
		"$(printf '%s\n' "$OUT" | sort)"
	assertNotContains "no raw escape reaches the terminal" "$OUT" "$(printf '\033')"
}

test_list_json_gives_names_made_by_others_exactly() {
	add_odd_names
	run nsname list -j
	assertRC 0
	got=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(repr(sorted(e["name"] for e in json.load(sys.stdin))))')
	want=$(python3 -c 'import sys; print(repr(sorted(sys.argv[1:])))' "$ok" "$nl" "$tab" "$sp" "$esc")
	assertEquals "$want" "$got"
	run nsname list --all -j
	got=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(repr(sorted(n for e in json.load(sys.stdin) for n in e["names"])))')
	assertEquals "list --all -j" "$want" "$got"
	run nsname list --all
	assertContains "list --all escapes" "$OUT" "n\\nl$ok"
	assertNotContains "$OUT" "$(printf '\033')"
}

test_list_quiet_null_feeds_xargs_0() {
	add_odd_names
	nsname list -q -0 >"$_errf.out"
	assertEquals "exit status" 0 $?
	assertEquals "five names, each NUL-terminated" \
		"$(python3 -c 'import sys; print(repr(sorted(sys.argv[1:])))' "$ok" "$nl" "$tab" "$sp" "$esc")" \
		"$(python3 -c 'import sys; d=open(sys.argv[1]).read(); print(repr(sorted(d.split("\0")[:-1])) if d.endswith("\0") else "no final NUL")' "$_errf.out")"
	rm -f "$_errf.out"
	nsname list -q -0 | xargs -0 -rn1 nsname del
	assertEquals "exactly those names removed" "" "$(ls -A $NETNS)"
}

test_new_names_with_control_chars_or_whitespace_are_refused() {
	for n in "$(printf 'a\nb')" "$(printf 'a\tb')" "a b" "$(printf '\033[31mred')" \
		 "$(printf 'a\302\233b')" "$(printf 'a\342\200\256b')" "$(printf 'a\377')"; do
		for cmd in add attach; do
			if [ $cmd = add ]; then run nsname add "$n"; else run nsname attach "$n" $$; fi
			assertRC 1
			assertOneLineError nsname
			assertErrContains "without control characters or whitespace"
			assertNotContains "no raw escape on stderr" "$ERR" "$(printf '\033')"
			assertEquals "nothing made" "" "$(ls -A $NETNS)"
		done
	done
	run nsname add "$(printf 'a\nb')"
	assertErrContains "'a\\nb'"
}

test_del_of_missing_odd_name_message_is_escaped() {
	run nsname del "$(printf 'q\033[2Jr')"
	assertRC 1
	assertOneLineError nsname
	assertErrContains 'q\033[2Jr: no such network namespace'
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

# `add` without NAME makes one up: a name that could not be told is taken
# back, not left as a namespace nobody knows of.
test_add_without_name_that_cannot_be_printed_leaves_none() {
	run sh -c 'nsname add >/dev/full'
	assertRC 1
	assertOneLineError nsname
	assertErrContains "write error: No space left on device"
	assertEquals "nothing made" "$base_files" "$(ls -A $NETNS | wc -l)"
	assertEquals "no mount left" 0 "$(grep -c " $NETNS/" /proc/self/mountinfo)"
}

# Its reader gone (with SIGPIPE ignored, as a Python parent leaves it):
# silent, status 1, and no name left.
test_add_without_name_to_a_closed_pipe_leaves_none() {
	run python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
sys.exit(subprocess.run(["nsname", "add"], stdout=w, restore_signals=False).returncode)'
	assertRC 1
	assertErrEmpty
	assertEquals "nothing made" "$base_files" "$(ls -A $NETNS | wc -l)"
}

# ---- what a newcomer trips over ----

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

test_unprivileged_errors_say_what_is_needed() {
	n=$(uniq_name)
	nsname add "$n"
	for args in "add $(uniq_name)" "add" "del $n" "attach $(uniq_name) $$"; do
		run as_nobody nsname $args
		assertRC 1
		assertOneLineError nsname
		assertErrContains "needs root or CAP_SYS_ADMIN"
	done
	assertErrContains "nsname: $$: Permission denied (needs root or CAP_SYS_ADMIN)"
	# An ordinary user's names are its rootless ones: root's is not among them.
	run as_nobody nsname del "$n"
	assertEquals "nsname: $n: no rootless name of yours; root has one in /var/run/netns (needs root or CAP_SYS_ADMIN)" "$ERR"
	assertTrue "the name is kept" "nsname exists $n"
	# Root without the capability is told the same.
	run setpriv --bounding-set=-sys_admin nsname add "$(uniq_name)"
	assertErrContains "Operation not permitted (needs root or CAP_SYS_ADMIN)"
	# No hint where the capability is held: the cause is elsewhere.
	run nsname add "$n"
	assertEquals "nsname: $n: name already exists" "$ERR"
}

test_attach_with_pid_first_shows_the_usage() {
	n=$(uniq_name)
	run nsname attach $$ "$n"
	assertUsageError nsname
	assertErrContains "attach $$ $n: NAME comes first: attach NAME PID|PATH"
	assertEquals "nothing named" "$base_files" "$(ls -A $NETNS | wc -l)"
	# A name that is a number, given first, is still a name.
	run nsname attach 1234 $$
	assertRC 0
	assertTrue "nsname exists 1234"
}

test_iproute2_words_and_unique_prefixes() {
	n=$(uniq_name)
	run nsname a "$n"
	assertUsageError nsname
	assertErrContains "'a': ambiguous command (add, attach)"
	nsname ad "$n" || fail "ad is add"
	for w in list ls lst show sh l; do
		run nsname $w
		assertRC 0
		assertEquals "$w lists" "$n" "$OUT"
	done
	run nsname ex "$n"
	assertRC 0
	run nsname delete "$n"
	assertRC 0
	assertFalse "deleted" "nsname exists $n"
}

test_unknown_command_suggests_the_nearest_word() {
	run nsname dle x
	assertUsageError nsname
	assertErrContains "nsname: 'dle': unknown command (did you mean 'del'?)"
	assertEquals "stderr: message and Try line" 2 "$(printf '%s\n' "$ERR" | wc -l)"
	run nsname xyz
	assertErrContains "'xyz': unknown command (add, attach, del, exists, identify, list, pids)"
	run nsname exec x true
	assertUsageError nsname
	assertErrContains "nsjoin NAME COMMAND"
}

# Wait until NAME's namespace holds N processes or more.
has_pids() {
	[ "$(nsname pids "$1" | wc -l)" -ge "$2" ]
}
wait_pids() {
	wait_for 10 has_pids "$@"
}

test_del_kill_ends_the_processes_then_removes_the_name() {
	n=$(uniq_name) other=$(uniq_name)
	nsname add "$n"; nsname add "$other"
	nsjoin "$n" sleep 1000 & p1=$!
	nsjoin "$n" sh -c 'sleep 1000 & sleep 1000' & p2=$!
	nsjoin "$other" sleep 1000 & p3=$!
	pids="$p1 $p2 $p3"
	wait_pids "$n" 3 && wait_pids "$other" 1 || fail "processes did not start"
	run nsname del --kill "$n"
	assertRC 0; assertOutEmpty; assertErrEmpty
	assertFalse "the name is gone" "nsname exists $n"
	wait "$p1"; assertEquals "killed" 137 $?
	wait "$p2"; assertEquals "killed" 137 $?
	assertTrue "the other namespace's process lives" "kill -0 $p3"
	assertTrue "nsname exists $other"
}

test_del_kill_all() {
	a=$(uniq_name) b=$(uniq_name)
	nsname add "$a"; nsname add "$b"
	nsjoin "$a" sleep 1000 & p1=$!
	nsjoin "$b" sleep 1000 & p2=$!
	pids="$p1 $p2"
	wait_pids "$a" 1 && wait_pids "$b" 1 || fail "processes did not start"
	run nsname del -k --all
	assertRC 0
	assertEquals "" "$(ls -A $NETNS)"
	wait "$p1"; assertEquals 137 $?
	wait "$p2"; assertEquals 137 $?
}

# Several names: every name's processes are killed first, then all are
# waited for together; by the time nsname returns each has exited (a
# zombie of ours until we reap it), and every name is gone.
test_del_kill_several_names_returns_after_every_process_exited() {
	a=$(uniq_name) b=$(uniq_name) c=$(uniq_name)
	pids=
	for n in $a $b $c; do
		nsname add "$n"
		nsjoin "$n" sleep 1000 & pids="$pids $!"
		nsjoin "$n" sleep 1000 & pids="$pids $!"
	done
	for n in $a $b $c; do wait_pids "$n" 2 || fail "processes did not start"; done
	run nsname del --kill "$a" "$b" "$c"
	assertRC 0; assertErrEmpty
	for p in $pids; do
		assertEquals "process $p exited" Z "$(awk '{ print $3 }' /proc/$p/stat 2>/dev/null || echo Z)"
	done
	for n in $a $b $c; do assertFalse "$n is gone" "nsname exists $n"; done
	for p in $pids; do wait "$p"; assertEquals 137 $?; done
}

test_kill_is_only_for_del() {
	for args in "list -k" "add -k x" "pids --kill x"; do
		run nsname $args
		assertUsageError nsname
		assertErrContains "--kill is for del"
	done
}

test_list_all_shows_a_few_pids_and_the_count() {
	n=$(uniq_name)
	nsname add "$n"
	nsjoin "$n" sh -c 'for i in 1 2 3 4 5 6; do sleep 1000 & done; wait' & pids=$!
	wait_pids "$n" 7 || fail "processes did not start"
	run nsname list -a
	assertRC 0
	row=$(printf '%s\n' "$OUT" | awk -v n="$n" '$3 == n')
	assertEquals "NPROCS" 7 "$(echo "$row" | awk '{print $4}')"
	assertEquals "four pids, then +3" 5 "$(echo "$row" | awk '{print $5}' | tr , '\n' | wc -l)"
	assertContains "$row" ",+3"
	run nsname list -a -j
	assertEquals "every pid in -j" 7 "$(printf '%s' "$OUT" | jq --arg n "$n" '.[] | select(.names == [$n]) | .pids | length')"
	kill -9 $(nsname pids "$n")
}

. shunit2
