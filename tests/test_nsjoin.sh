#!/bin/bash
# nsjoin: enter a named netns as `ip netns exec` does, or any namespaces
# of a process or nsfs file as nsenter does.
. "$(dirname "$0")/lib.sh"

NETNS=/run/netns

setUp() {
	NS=$(uniq_name)
	nsname add "$NS"
	pids=
}

tearDown() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "/etc/netns/$NS"
	nsname del --all 2>/dev/null
	return 0
}

# Start "$@" in the background and wait until it has exec'd; sets $PID.
start() {
	"$@" &
	PID=$!
	pids="$pids $PID"
	wait_for 30 started "$PID" sleep
}

test_named_netns_sees_only_lo() {
	run nsjoin "$NS" ip -o link
	assertRC 0; assertErrEmpty
	assertEquals 1 "$(printf '%s\n' "$OUT" | grep -c .)"
}

test_sys_shows_the_namespace_interfaces() {
	ip link add "v$$" type veth peer name "w$$"
	run nsjoin "$NS" ls /sys/class/net
	assertEquals "lo" "$OUT"
	ip link del "v$$"
}

test_etc_netns_files_cover_etc() {
	mkdir -p "/etc/netns/$NS"
	echo "192.0.2.7 jailhost" >"/etc/netns/$NS/hosts"
	before=$(cat /etc/hosts)
	run nsjoin "$NS" cat /etc/hosts
	assertEquals "192.0.2.7 jailhost" "$OUT"
	assertEquals "host's /etc/hosts unchanged" "$before" "$(cat /etc/hosts)"
}

test_mounts_do_not_propagate_back() {
	before=$(wc -l </proc/self/mountinfo)
	run nsjoin "$NS" sh -c 'mount -t tmpfs x /mnt && grep -c " /mnt " /proc/self/mountinfo'
	assertEquals 1 "$OUT"
	assertEquals "$before" "$(wc -l </proc/self/mountinfo)"
	assertEquals 0 "$(grep -c ' /mnt ' /proc/self/mountinfo)"
}

test_command_options_are_left_to_the_command() {
	run nsjoin "$NS" ip -o -d link
	assertRC 0
	assertOutContains "loopback"
	run nsjoin "$NS" -- ip -o -d link
	assertRC 0
	assertOutContains "loopback"
}

test_default_command_is_shell() {
	run sh -c "echo 'exit 3' | SHELL=/bin/sh nsjoin $NS"
	assertRC 3
	run sh -c "echo 'exit 4' | env -u SHELL nsjoin $NS"
	assertRC 4
}

test_target_pid_net_like_the_seed() {
	start unshare -fn sleep 300
	run nsjoin -t "$PID" -n ip a
	assertRC 0
	assertEquals "only lo" "1: lo:" "$(printf '%s\n' "$OUT" | grep -o '^[0-9]*: [^ ]*')"
	n=$(uniq_name)
	nsname attach "$n" "$PID"
	assertTrue "ip netns exec on the attached name" "ip netns exec $n true"
}

test_target_uts_and_ipc() {
	start unshare -ui sh -c 'hostname inner; exec sleep 300'
	run nsjoin -t "$PID" -u hostname
	assertEquals "inner" "$OUT"
	assertNotEquals "inner" "$(hostname)"
}

test_target_all_enters_pid_namespace() {
	start unshare -fpmuin --mount-proc sleep 300
	child=$(pgrep -P "$PID" sleep)
	run nsjoin -t "$child" -a sh -c 'echo $$; ps -e -o pid= | wc -l'
	assertRC 0
	set -- $OUT
	assertNotEquals "runs inside the pid namespace" "$$" "$1"
	assertTrue "low pid inside ($1)" "[ $1 -lt 10 ]"
	assertEquals "sees sleep, sh, ps and wc only" 4 "$2"
}

test_net_path() {
	run nsjoin --net="$NETNS/$NS" ip -o link
	assertRC 0
	assertEquals 1 "$(printf '%s\n' "$OUT" | grep -c .)"
	run nsjoin -n"/proc/self/ns/net" --uts=/proc/self/ns/uts true
	assertRC 0
}

test_user_namespace_joined_first_as_unprivileged() {
	start setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn sleep 300
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		nsjoin -t "$PID" -U -n sh -c 'id -u; ip -o link | wc -l'
	assertRC 0
	assertEquals "$(printf '0\n1')" "$OUT"
}

test_setuid_setgid() {
	run nsjoin -S 65534 -G 65534 "$NS" sh -c 'id -u; id -g; id -G'
	assertRC 0
	assertEquals "$(printf '65534\n65534\n65534')" "$OUT"
}

test_wd_and_root() {
	r=$(mktemp -d)
	mkdir -p "$r/bin" "$r/work"
	cp /bin/busybox "$r/bin/"
	run nsjoin --root="$r" --wd="$r/work" "$NS" /bin/busybox pwd
	assertRC 0
	assertEquals "/work" "$OUT"
	run nsjoin --wd=/etc "$NS" pwd
	assertEquals "/etc" "$OUT"
	rm -rf "$r"
}

test_create_makes_the_name_then_joins() {
	n=$(uniq_name)
	run nsjoin -c "$n" ip -o link
	assertRC 0
	assertEquals 1 "$(printf '%s\n' "$OUT" | grep -c .)"
	assertContains "$(ip netns list)" "$n"
	run nsjoin -c "$n" true
	assertRC 0
}

# A failure after -c made the name (here setuid, without CAP_SETUID) takes
# the name back: made, entered, unmade; a name that was there stays.
test_create_then_a_failing_setup_leaves_no_name() {
	n=$(uniq_name)
	run setpriv --bounding-set=-setuid nsjoin -S 1 -c "$n" true
	assertRC 125
	assertOneLineError nsjoin
	assertErrContains "setuid 1: Operation not permitted"
	assertEquals "nothing made" "$NS" "$(ls -A $NETNS)"
	assertEquals "no mount left" 0 "$(grep -c " $NETNS/$n " /proc/self/mountinfo)"
	run setpriv --bounding-set=-setuid nsjoin -S 1 -c "$NS" true
	assertRC 125
	assertOneLineError nsjoin
	assertTrue "a name -c did not make is kept" "nsname exists $NS"
}

test_create_then_a_command_not_found_keeps_the_name() {
	n=$(uniq_name)
	run nsjoin -c "$n" /nonexistent/cmd
	assertRC 127
	assertOneLineError nsjoin
	assertTrue "entered: the name is the result" "nsname exists $n"
}

test_create_refuses_a_new_name_with_control_chars_or_whitespace() {
	for n in "$(printf 'a\nb')" "a b" "$(printf '\033[2Jx')"; do
		run nsjoin -c "$n" true
		assertRC 125
		assertOneLineError nsjoin
		assertErrContains "without control characters or whitespace"
		assertNotContains "no raw escape on stderr" "$ERR" "$(printf '\033')"
		assertEquals "nothing made" "$NS" "$(ls -A $NETNS)"
	done
}

test_joins_a_name_others_made_with_control_chars() {
	n="$(printf 'o\nd d%s' "$(uniq_name)")"
	ip netns add "$n"
	run nsjoin -c "$n" ip -o link
	assertRC 0
	assertOutContains ": lo: "
	ip netns del "$n"
}

test_missing_odd_name_message_is_escaped() {
	run nsjoin "$(printf 'q\033[2Jr')" true
	assertRC 125
	assertOneLineError nsjoin
	assertErrContains 'q\033[2Jr: '
}

test_create_race_one_creates_all_join() {
	n=$(uniq_name)
	out=$(mktemp)
	for _ in $(seq 20); do
		nsjoin -c "$n" readlink /proc/self/ns/net >>"$out" &
	done
	fails=0
	for job in $(jobs -p); do wait "$job" || fails=$((fails + 1)); done
	assertEquals "all succeeded" 0 "$fails"
	assertEquals "all in one namespace" 1 "$(sort -u "$out" | wc -l)"
	assertEquals "$(readlink "$NETNS/$n" 2>/dev/null || nsjoin "$n" readlink /proc/self/ns/net)" "$(sort -u "$out")"
	assertEquals "one name" 1 "$(ls -A $NETNS | grep -cx "$n")"
	assertEquals "one mount" 1 "$(grep -c " $NETNS/$n " /proc/self/mountinfo)"
	rm -f "$out"
}

test_signal_forwarded_through_pid_namespace_fork() {
	start unshare -fp --mount-proc sleep 300
	child=$(pgrep -P "$PID" sleep)
	ready=$SHUNIT_TMPDIR/trap-set
	nsjoin -t "$child" -p sh -c 'trap "exit 9" TERM; : >"$1"; sleep 300 & wait' sh "$ready" &
	j=$!
	wait_for 30 test -e "$ready"
	kill -TERM "$j"
	wait "$j"
	assertEquals "command's trap ran" 9 $?
}

# --- exit statuses -------------------------------------------------------

test_exit_status_is_the_commands() {
	run nsjoin "$NS" sh -c 'exit 7'
	assertRC 7
}

test_exit_127_for_missing_command() {
	run nsjoin "$NS" no-such-command-$$
	assertRC 127
	assertOneLineError nsjoin
	assertErrContains "no-such-command-$$: No such file or directory"
}

test_exit_126_for_non_executable() {
	printf 'not a program\n' >/tmp/noexec$$
	chmod 644 /tmp/noexec$$
	run nsjoin "$NS" /tmp/noexec$$
	rm -f /tmp/noexec$$
	assertRC 126
	assertOneLineError nsjoin
}

test_exit_128_plus_signal() {
	run nsjoin "$NS" sh -c 'kill -9 $$'
	assertRC 137
	start unshare -fp sleep 300
	child=$(pgrep -P "$PID" sleep)
	run nsjoin -t "$child" -p sh -c 'kill -TERM $$'
	assertRC 143
}

test_exit_125_when_nsjoin_fails() {
	run nsjoin "missing$$" true
	assertRC 125
	assertOneLineError nsjoin
	assertErrContains "missing$$: no such network namespace"
}

# --- bad input -----------------------------------------------------------

test_bad_target_pids() {
	run nsjoin -t 12abc -n true
	assertUsageError_125
	run nsjoin -t 999999999 -n true
	assertRC 125; assertOneLineError nsjoin
	assertErrContains "no such process"
	true & dead=$!; wait $dead
	run nsjoin -t "$dead" -n true
	assertRC 125; assertErrContains "$dead: no such process"
}

test_paths_that_are_not_namespaces() {
	run nsjoin --net=/etc/passwd true
	assertRC 125; assertOneLineError nsjoin
	assertErrContains "/etc/passwd: not a namespace file"
	run nsjoin --net=/proc/self/ns/uts true
	assertRC 125; assertErrContains "not a network namespace"
	run nsjoin --net=/nonexistent true
	assertRC 125; assertErrContains "/nonexistent: "
	mkfifo /tmp/fifo$$
	run timeout 5 nsjoin --net=/tmp/fifo$$ true
	assertRC 125; assertErrContains "not a namespace file"
	rm -f /tmp/fifo$$
}

test_bad_names() {
	for bad in "a/b" "." ".."; do
		run nsjoin "$bad" true
		assertUsageError_125
	done
	run nsjoin -c "a/b" true
	assertUsageError_125
	assertEquals "nothing created" "$NS" "$(ls -A $NETNS)"
}

test_usage_errors() {
	run nsjoin
	assertUsageError_125
	run nsjoin -n true
	assertUsageError_125
	run nsjoin -a true
	assertUsageError_125
	run nsjoin -S notanumber "$NS" true
	assertUsageError_125
	run nsjoin -S 4294967295 "$NS" true
	assertUsageError_125
}

assertUsageError_125() {
	assertEquals "usage status" 125 "$RC"
	assertContains "$ERR" "$ERR" "nsjoin: "
	assertContains "$ERR" "$ERR" "Try"
}

# ---- what a newcomer trips over ----

# An ordinary user's NAME is one of its rootless names (nsnew --name run by
# that user); root's names need root.
test_unprivileged_name_mode_says_what_is_needed() {
	n=$(uniq_name)
	run setpriv --reuid=65534 --regid=65534 --clear-groups nsjoin "$NS" true
	assertRC 125
	assertEquals "nsjoin: $NS: no rootless name of yours; root has one in /var/run/netns (needs root or CAP_SYS_ADMIN)" "$ERR"
	run setpriv --reuid=65534 --regid=65534 --clear-groups nsjoin -c "$n" true
	assertRC 125
	assertEquals "nsjoin: $n: --create needs root or CAP_SYS_ADMIN (rootless names are made by \`nsnew --name\`)" "$ERR"
	# As root the same join works, and says nothing.
	run nsjoin "$NS" true
	assertRC 0; assertErrEmpty
}

. shunit2
