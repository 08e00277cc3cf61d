#!/bin/bash
# test_faults.sh - fault injection (issue 7, part 4). Every mount, umount2,
# setns, unshare, flock, mkdir, unlink, netlink sendmsg and every open of a
# namespace file that a command makes is found by tracing the command once,
# then made to fail, one at a time, with
#   strace --inject=SYSCALL:error=ERRNO:when=N
# and the command is also killed (SIGKILL) on entering each of them, with
#   strace --inject=SYSCALL:signal=KILL:when=N.
# After a failure the command must exit with its failure status and one
# line naming the tool and the error; after either, nothing may be left, or
# what is left must be a whole, working name (the command got that far) or
# a remnant that the next `nsname del NAME` removes. Each case prints one
# "fault:" line saying which, for the record.
# Each injected fault is its own test (generated in suite()), so the count
# in tests/run's summary is the number of faults tried.
. "$(dirname "$0")/lib.sh"

NETNS=/run/netns
SYSCALLS="mount umount2 setns unshare openat flock mkdir unlink sendmsg sendto pivot_root"
# A plausible errno for each: what the kernel says when it runs short or
# refuses.
errno_for() {
	case $1 in
	mount | setns) echo EPERM ;;
	umount2 | unlink) echo EBUSY ;;
	unshare | clone3) echo ENOSPC ;;
	openat) echo EACCES ;;
	flock) echo ENOLCK ;;
	mkdir) echo EROFS ;;
	sendmsg | sendto | recvmsg) echo ENOBUFS ;;
	pivot_root | sethostname) echo EPERM ;;
	socket) echo EMFILE ;;
	write) echo EIO ;;
	esac
}
strerror_of() {
	case $1 in
	EPERM) echo "Operation not permitted" ;;
	EBUSY) echo "Device or resource busy" ;;
	ENOSPC) echo "No space left on device" ;;
	EACCES) echo "Permission denied" ;;
	ENOLCK) echo "No locks available" ;;
	EROFS) echo "Read-only file system" ;;
	ENOBUFS) echo "No buffer space available" ;;
	EMFILE) echo "Too many open files" ;;
	EIO) echo "Input/output error" ;;
	esac
}

# CMD... with the scenario's netns directory. LeakSanitizer stops the
# world with ptrace, which it cannot do under strace: leaks are checked by
# the sanitizer pass's other suites.
strace_env() {
	if [ -n "${NSKIT_SANITIZED-}" ]; then
		env NSKIT_NETNS_DIR="$DIR" ASAN_OPTIONS="${ASAN_OPTIONS-}:detect_leaks=0" "$@"
	else
		env NSKIT_NETNS_DIR="$DIR" "$@"
	fi
}

# ---- Scenarios: what to set up, the command, how it fails. ----
# scenario_NAME sets: CMD (array), TOOL, FAILRC, NAME (the name it works
# on), DIR (its netns directory, passed as NSKIT_NETNS_DIR), KIND
# (create|remove|use), and sets up what the command needs.
NAME=fx
scenario_add_fresh_dir() {
	DIR=/run/fresh-netns NAME=fx TOOL=nsname FAILRC=1 KIND=create
	CMD=(nsname add fx)
}
scenario_add() {
	DIR=$NETNS NAME=fx TOOL=nsname FAILRC=1 KIND=create
	CMD=(nsname add fx)
}
scenario_add_unique() {
	DIR=$NETNS NAME= TOOL=nsname FAILRC=1 KIND=create
	CMD=(nsname add)
}
scenario_attach() {
	DIR=$NETNS NAME=fx TOOL=nsname FAILRC=1 KIND=create
	start_netns_process
	CMD=(nsname attach fx "$PID")
}
scenario_del() {
	DIR=$NETNS NAME=fx TOOL=nsname FAILRC=1 KIND=remove
	nsname add fx
	CMD=(nsname del fx)
}
scenario_list() {
	DIR=$NETNS NAME=fx TOOL=nsname FAILRC=1 KIND=use
	nsname add fx
	CMD=(nsname list)
}
scenario_join() {
	DIR=$NETNS NAME=fx TOOL=nsjoin FAILRC=125 KIND=use
	nsname add fx
	mkdir -p /etc/netns/fx && echo "10.9.9.9 fx-host" >/etc/netns/fx/hosts
	CMD=(nsjoin fx cat /proc/net/dev)
}
scenario_join_create() {
	DIR=$NETNS NAME=fx TOOL=nsjoin FAILRC=125 KIND=create
	CMD=(nsjoin -c fx cat /proc/net/dev)
}
SCENARIOS="add_fresh_dir add add_unique attach del list join join_create"
# nsnew, vethctl and natctl have their own scenarios (fx_*, FX_SCENARIOS,
# below): they leave more than netns names (mounts, links, nft rules,
# ip_forward), and are checked for errors only.

start_netns_process() {
	unshare -n sleep 300 &
	PID=$!
	for _ in $(seq 100); do
		[ "$(readlink /proc/$PID/ns/net)" != "$(readlink /proc/self/ns/net)" ] && return
		sleep 0.02
	done
}

cleanup() {
	nsname del --all >/dev/null 2>&1
	NSKIT_NETNS_DIR=/run/fresh-netns nsname del --all >/dev/null 2>&1
	umount /run/fresh-netns 2>/dev/null
	rmdir /run/fresh-netns 2>/dev/null
	rm -rf /etc/netns
	[ -n "${PID-}" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	PID=
	return 0
}

# What a command may leave in DIR: its files, the mounts under it, and
# stacked mounts of DIR itself. DIR made a shared mount point of its own
# is not a leftover: `ip netns add` leaves it so too, and every later
# command relies on it.
state() {
	local n
	ls -A "$DIR" 2>/dev/null
	echo "under: $(awk -v d="$DIR/" 'index($5, d) == 1' /proc/self/mountinfo | wc -l)"
	n=$(awk -v d="$DIR" '$5 == d' /proc/self/mountinfo | wc -l)
	[ "$n" -le 1 ] && n="at most 1"
	echo "dir mounts: $n"
}

# SCENARIO: "SYSCALL N" for each call worth failing, N counting every call
# of SYSCALL the command makes (strace's when=N does the same). Opens count
# and mkdirs only when they are of a namespace file or the netns directory
# (the sanitizer runtime makes its log directory); calls on a
# path that is not there (ENOENT: they fail anyway, and could fail no other
# way) are left out; calls after the command execs its COMMAND are not
# nskit's.
enumerate() {
	local trace=$SHUNIT_TMPDIR/trace
	"scenario_$1" >/dev/null 2>&1
	strace_env strace -qq -o "$trace" -e trace="${SYSCALLS// /,},execve" \
		"${CMD[@]}" >/dev/null 2>&1
	cleanup
	awk -v dir="$DIR" '
		/^execve\(/ { if (++execs > 1 && $0 !~ /ENOENT/) exit; next }
		{ sc = substr($0, 1, index($0, "(") - 1); n[sc]++ }
		sc == "openat" && index($0, dir) == 0 && $0 !~ /\/ns\/|\/etc\/netns/ { next }
		sc == "mkdir" && index($0, dir) == 0 { next }	# not the sanitizer log directory
		/= -1 ENOENT / { next }
		{ print sc, n[sc] }' "$trace"
}

# The test body of one case: MODE (error|kill) SCENARIO SYSCALL N.
fault_case() {
	local mode=$1 scn=$2 sc=$3 n=$4 e inject clean before after left rc how
	clean=$(DIR=$NETNS; [ "$scn" = add_fresh_dir ] && DIR=/run/fresh-netns; state)
	"scenario_$scn" >/dev/null 2>&1
	before=$(state)
	# What the command leaves when it works: a remove leaves the clean
	# state, the others leave what was there (a create's new name aside).
	local done=$before
	[ "$KIND" = remove ] && done=$clean
	e=$(errno_for "$sc")
	if [ "$mode" = error ]; then
		inject="$sc:error=$e:when=$n"
	else
		inject="$sc:signal=KILL:when=$n"
	fi
	run strace_env strace -qq -o /dev/null -e trace="$sc" \
		-e inject="$inject" "${CMD[@]}"
	rc=$RC
	local what="${CMD[*]} with $inject"

	how=$(tolerated "$scn" "$sc" "$n")
	if [ "$mode" = kill ]; then
		assertEquals "$what: status" 137 "$RC"
	elif [ -n "$how" ]; then
		assertEquals "$what: status (this failure is survived); stderr: $ERR" 0 "$RC"
		if [ "$how" = warn ]; then
			assertEquals "$what: one warning line: $ERR" 1 "$(printf '%s\n' "$ERR" | grep -c .)"
			assertContains "$what: says why" "$ERR" "$(strerror_of "$e")"
		fi
	else
		assertEquals "$what: status; stderr: $ERR" "$FAILRC" "$RC"
		if [ "$FAILRC" != 0 ]; then
			assertEquals "$what: one line on stderr: $ERR" 1 "$(printf '%s\n' "$ERR" | grep -c .)"
			assertContains "$what: names the tool" "$ERR" "$TOOL: "
			assertContains "$what: says why" "$ERR" "$(strerror_of "$e")"
		fi
	fi
	after=$(state)
	if [ "$after" = "$done" ]; then
		left=nothing
	elif [ "$KIND" = remove ] && [ "$after" = "$before" ] &&
	     NSKIT_NETNS_DIR=$DIR nsname exists "$NAME"; then
		left="the name, untouched"
	elif [ "$KIND" = create ] && [ -n "$NAME" ] &&
	     NSKIT_NETNS_DIR=$DIR nsname exists "$NAME" && [ "$rc" = 137 -o "$TOOL" = nsjoin ]; then
		# Killed after the name was whole, or nsjoin -c failed after
		# creating it: a working name, as if the command had not failed.
		left="the name, whole (usable; nsname del removes it)"
	else
		left="a remnant: $(echo $after)"
	fi
	if [ "$left" != nothing ]; then
		if [ "$KIND" = create ] && [ "$mode" = error ] && [ "$TOOL" = nsname ]; then
			fail "$what: a failed create left $left"
		fi
		# The next nskit command on the name cleans up: del it, and the
		# directory is as it was before the command.
		if [ -n "$NAME" ]; then
			run env NSKIT_NETNS_DIR="$DIR" nsname del "$NAME"
			[ "$KIND" = remove ] && left="$left, removed by the next nsname del"
			[ "$KIND" != remove ] && left="$left, removed by nsname del"
		else
			run env NSKIT_NETNS_DIR="$DIR" nsname del --all
			left="$left, removed by nsname del --all"
		fi
		assertEquals "$what: nsname del cleans up; stderr: $ERR" 0 "$RC"
		assertEquals "$what: state after nsname del" "$done" "$(state)"
	fi
	# And the same command works again, so nothing in the way remains.
	if [ "$KIND" = create ]; then
		run env NSKIT_NETNS_DIR="$DIR" "${CMD[@]}"
		assertEquals "$what: the command works afterwards; stderr: $ERR" 0 "$RC"
	fi
	echo "fault: ${CMD[*]}: $inject: status $rc, left $left"
	cleanup
}

# Failures the tools survive by design, as iproute2 does ("silent", or
# "warn": one line on stderr, and the command still runs): nsjoin covers
# /sys when the old one cannot be unmounted; /etc/netns/NAME that cannot be
# read, or a file of it that cannot be bound, is reported; `nsname list`
# leaves an nsid out when netlink or the name's file cannot tell it.
tolerated() {
	case $1:$2 in
	join:umount2 | join_create:umount2 | list:sendmsg | list:sendto) echo silent ;;
	list:openat) [ "$3" != "$LIST_DIR_OPEN" ] && echo silent ;;
	join:openat) [ "$3" = "$JOIN_ETC_OPEN" ] && echo warn ;;
	join:mount) [ "$3" = "$JOIN_ETC_MOUNT" ] && echo warn ;;
	esac
	return 0
}

# One test per fault: test_error_SCENARIO_SYSCALL_N, test_kill_...
suite() {
	local scn sc n f
	for f in $(declare -F | awk '$3 ~ /^test/ { print $3 }'); do
		suite_addTest "$f"
	done
	# The last open and mount of `nsjoin NAME` are of /etc/netns/NAME and
	# its hosts; the first open of `nsname list` is of the directory.
	JOIN_ETC_MOUNT=$(enumerate join | awk '$1 == "mount" { n = $2 } END { print n }')
	JOIN_ETC_OPEN=$(enumerate join | awk '$1 == "openat" { n = $2 } END { print n }')
	LIST_DIR_OPEN=$(enumerate list | awk '$1 == "openat" { print $2; exit }')
	for scn in $SCENARIOS; do
		while read -r sc n; do
			[ -n "$sc" ] || continue
			f=test_error_${scn}_${sc}_$n
			eval "$f() { fault_case error $scn $sc $n; }"
			suite_addTest "$f"
			[ "$scn" = list ] && continue
			f=test_kill_${scn}_${sc}_$n
			eval "$f() { fault_case kill $scn $sc $n; }"
			suite_addTest "$f"
		done <<EOF
$(enumerate "$scn")
EOF
	done
	suite_fx
}

# ---- nsnew, vethctl, natctl: error injection only (issue 7 item 4) ----
# Each fx_SCENARIO sets CMD, TOOL, FAILRC, FXSYS (the calls worth failing)
# and FXOPEN (which openat paths count, and, when set, which mkdirs), and sets up what CMD needs. The
# command is traced once with -f (nsnew does its mounts in the child;
# strace counts when=N per process, so does enumerate_fx), and the first
# FX_CAP calls of each syscall are made to fail. After a failure: status
# FAILRC, one line naming the tool, and fx_state as before the command.
FX_CAP=6
FX_SCENARIOS="nsnew_all nsnew_name nsnew_rootfs veth_add masq_add publish_add"
fx_nsnew_all() {
	DIR=$NETNS TOOL=nsnew FAILRC=125 FXSYS="clone3 mount unshare sethostname write" FXOPEN=
	CMD=(nsnew -m -u -i -n -p --mount-proc --hostname h -- true)
}
fx_nsnew_name() {
	DIR=$NETNS TOOL=nsnew FAILRC=125 FXSYS="clone3 mount mkdir flock openat write" FXOPEN='netns|/ns/'
	CMD=(nsnew -n --name fx -- true)
}
fx_nsnew_rootfs() {
	DIR=$NETNS TOOL=nsnew FAILRC=125 FXSYS="mount pivot_root umount2 mkdir unshare" FXOPEN=
	[ -x "$SHUNIT_TMPDIR/R/bin/sh" ] || [ -e "$SHUNIT_TMPDIR/R/usr/bin/sh" ] ||
		mkrootfs "$SHUNIT_TMPDIR/R" --from-host sh true >/dev/null 2>&1
	CMD=(nsnew --rootfs "$SHUNIT_TMPDIR/R" -- true)
}
fx_veth_add() {
	DIR=$NETNS TOOL=vethctl FAILRC=1 FXSYS="sendmsg recvmsg setns socket" FXOPEN=
	nsname add fxv
	CMD=(vethctl add fxv0 -n fxv --addr 10.77.0.1/24 --peer-addr 10.77.0.2/24 --gateway)
}
fx_masq_add() {
	DIR=$NETNS TOOL=natctl FAILRC=1 FXSYS="sendmsg sendto write openat" FXOPEN='/proc/sys'
	echo 0 >/proc/sys/net/ipv4/ip_forward
	CMD=(natctl masq add 10.77.0.0/24)
}
fx_publish_add() {
	DIR=$NETNS TOOL=natctl FAILRC=1 FXSYS="sendmsg sendto write openat" FXOPEN='/proc/sys'
	echo 0 >/proc/sys/net/ipv4/ip_forward
	CMD=(natctl publish add 8080/tcp 10.77.0.2:80)
}
# What the scenarios may leave: pins, mounts, links (host and fxv), nft
# rules, ip_forward.
# Addresses, but not lo's (vethctl add -n NS brings NS's lo up, and a
# failure after that leaves it up: harmless, and what `ip link set lo up`
# would do) nor the link-local ones (they come with a random MAC, later).
FX_ADDRS='$2 != "lo" && $4 !~ /^fe80:/ { print p, $2, $4 }'
fx_state() {
	echo "pins: $(ls -A /run/netns /run/nskit 2>/dev/null | tr '\n' ' ')"
	echo "mounts:"
	awk '{ print $5, $9 }' /proc/self/mountinfo | sort
	echo "links: $(ip -o link 2>/dev/null | awk -F': ' '{ print $2 }' | tr '\n' ' ')"
	[ -e /run/netns/fxv ] &&
		echo "fxv links: $(ip -n fxv -o link 2>/dev/null | awk -F': ' '{ print $2 }' | tr '\n' ' ')" &&
		ip -n fxv -o addr 2>/dev/null | awk "$FX_ADDRS" p="fxv addr:" &&
		ip -n fxv route 2>/dev/null | sed 's/^/fxv route: /; s/ linkdown//'
	ip -o addr 2>/dev/null | awk "$FX_ADDRS" p="addr:"
	ip route 2>/dev/null | sed 's/^/route: /; s/ linkdown//'
	echo "nft:"
	nft list ruleset 2>/dev/null
	echo "ip_forward: $(cat /proc/sys/net/ipv4/ip_forward)"
}
fx_cleanup() {
	natctl flush >/dev/null 2>&1
	ip link del fxv0 2>/dev/null
	cleanup
}

# SCENARIO: "SYSCALL N" for the first FX_CAP calls of each of FXSYS made
# by nskit's code (per process; calls after a process execs COMMAND and
# calls on paths that are not there are left out).
enumerate_fx() {
	local trace=$SHUNIT_TMPDIR/trace
	"fx_$1" >/dev/null 2>&1
	strace_env strace -f -qq -o "$trace" -e trace="${FXSYS// /,},execve" "${CMD[@]}" >/dev/null 2>&1
	fx_cleanup >/dev/null 2>&1
	awk -v open="$FXOPEN" -v cap=$FX_CAP '
		{ pid = $1; $1 = ""; sub(/^ /, "") }
		/^execve\(/ { if (seen[pid]++ || started) done[pid] = 1; started = 1; next }
		done[pid] { next }
		{ sc = substr($0, 1, index($0, "(") - 1); n = ++cnt[pid, sc] }
		sc == "openat" && (open == "" || $0 !~ open) { next }
		sc == "mkdir" && open != "" && $0 !~ open { next }	# not the sanitizer log directory
		/= -1 ENOENT / { next }
		!printed[sc, n]++ && ++cases[sc] <= cap { print sc, n }' "$trace"
}

# Cases that show a real bug in a tool: SCENARIO:SYSCALL:N, reported as
# skipped with what they leave. None now: the last two (vethctl add losing
# the ack of the pair it made, nsnew --name failing to start its child)
# were fixed to undo what they made.
FX_KNOWN=""

fx_case() {
	local scn=$1 sc=$2 n=$3 e before after what left known
	"fx_$scn" >/dev/null 2>&1
	before=$(fx_state)
	e=$(errno_for "$sc")
	run strace_env strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc:error=$e:when=$n" "${CMD[@]}"
	what="${CMD[*]} with $sc:error=$e:when=$n"
	after=$(fx_state)
	if [ "$RC" = 0 ]; then
		# Survived (libnftables' probes, a retried netlink read): then
		# the command must have done all it does without the fault.
		fx_cleanup
		"fx_$scn" >/dev/null 2>&1
		run "${CMD[@]}"
		assertEquals "$what: survived, with the same result as without the fault" \
			"$(fx_state | sed 's/@if[0-9]*//g')" "$(echo "$after" | sed 's/@if[0-9]*//g')"
		echo "fault: $what: status 0 (survived$([ "$(echo "$after" | sed 's/@if[0-9]*//g')" = "$(fx_state | sed 's/@if[0-9]*//g')" ] && echo ", same result as without the fault"))"
		fx_cleanup
		return 0
	fi
	if [ "$after" = "$before" ]; then
		left=nothing
	else
		left=$(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | tr '\n' ' ')
	fi
	known=$(printf '%s\n' $FX_KNOWN | grep -x "$scn:$sc:$n")
	echo "fault: $what: status $RC, $(printf '%s\n' "$ERR" | grep -c .) line(s): $(printf '%s' "$ERR" | head -c 200), left $left"
	if [ -n "$known" ]; then
		skip_test "known: $what: status $RC, stderr: $ERR; left $left"
		fx_cleanup
		return 0
	fi
	assertEquals "$what: status; stderr: $ERR" "$FAILRC" "$RC"
	assertEquals "$what: one line on stderr: $ERR" 1 "$(printf '%s\n' "$ERR" | grep -c .)"
	assertContains "$what: names the tool" "$ERR" "$TOOL: "
	assertEquals "$what: nothing left" nothing "$left"
	fx_cleanup
	return 0
}

suite_fx() {
	local scn sc n f
	for scn in $FX_SCENARIOS; do
		while read -r sc n; do
			[ -n "$sc" ] || continue
			f=test_error_${scn}_${sc}_$n
			eval "$f() { fault_case_fx $scn $sc $n; }"
			suite_addTest "$f"
		done <<EOF
$(enumerate_fx "$scn")
EOF
	done
}
fault_case_fx() {
	fx_case "$@"
}

testEnumerationFindsTheCallsFx() {
	local calls
	calls=$(enumerate_fx nsnew_rootfs)
	assertContains "nsnew --rootfs pivots: $calls" "$calls" "pivot_root 1"
	calls=$(enumerate_fx veth_add)
	assertContains "vethctl enters NS: $calls" "$calls" "setns 1"
	calls=$(enumerate_fx masq_add)
	assertContains "natctl commits: $calls" "$calls" "sendmsg 1"
}


tearDown() {
	cleanup
}

# The enumeration found the calls it must: if it finds none, the suite
# would pass by testing nothing.
testEnumerationFindsTheCalls() {
	local calls
	calls=$(enumerate add_fresh_dir)
	assertContains "add makes the directory shared: $calls" "$calls" "mount 3"
	assertContains "add unshares: $calls" "$calls" "unshare 1"
	calls=$(enumerate join)
	assertContains "join enters: $calls" "$calls" "setns 1"
	calls=$(enumerate del)
	assertContains "del unmounts: $calls" "$calls" "umount2 1"
	assertContains "del unlinks: $calls" "$calls" "unlink 1"
}

# A name half made by a killed `nsname add` (an empty file, nothing bound
# on it) is not taken for a namespace, blocks neither a new name nor
# `nsjoin -c`'s error, and `nsname del` removes it.
testKilledAddRemnantIsReportedAndRemovable() {
	scenario_add
	run strace -qq -o /dev/null -e trace=unshare -e inject=unshare:signal=KILL:when=1 "${CMD[@]}"
	assertEquals "killed" 137 "$RC"
	assertTrue "the empty name file is left" "[ -f $NETNS/fx ]"
	run nsname exists fx
	assertEquals "a remnant is not a namespace" 1 "$RC"
	run nsname add fx
	assertRC 1
	assertOneLineError nsname
	assertErrContains "fx: name already exists"
	run nsjoin fx true
	assertRC 125
	assertOneLineError nsjoin
	assertErrContains "fx: not a namespace file"
	run nsname del fx
	assertRC 0
	assertEquals "nothing left" "" "$(ls -A $NETNS)"
}

. shunit2
