# tests/lib.sh - sourced by every shunit2 suite (tests/test_*.sh).
# The binaries under test come from the build tree (tests/run puts it first
# in PATH). Suites run as root inside tests/sandbox.sh, so /run (and with it
# /var/run/netns), /etc and /tmp are private to the suite.

TOP=${NSKIT_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${NSKIT_BUILD:-$TOP}
PATH=$BUILD:$PATH
export PATH

# A name no other test (or other run) uses: prefix-PID-COUNTER.
_uniq_n=0
uniq_name() {
	_uniq_n=$((_uniq_n + 1))
	printf '%s%s%s' "${1:-t}" "$$" "$_uniq_n"
}

# run CMD...: run it, keeping stdout in $OUT, stderr in $ERR, status in $RC.
_errf=$(mktemp)
run() {
	OUT=$("$@" 2>"$_errf")
	RC=$?
	ERR=$(cat "$_errf")
	return 0
}

# Assertions on the last run.
assertRC() { assertEquals "exit status of: $*" "$1" "$RC"; }
assertOutContains() { assertContains "stdout: $OUT" "$OUT" "$1"; }
assertErrContains() { assertContains "stderr: $ERR" "$ERR" "$1"; }
assertOutEmpty() { assertEquals "stdout" "" "$OUT"; }
assertErrEmpty() { assertEquals "stderr" "" "$ERR"; }
# One line on stderr, starting with the tool's name.
assertOneLineError() {
	assertEquals "stderr lines: $ERR" 1 "$(printf '%s\n' "$ERR" | grep -c .)"
	assertContains "stderr names the tool: $ERR" "$ERR" "$1: "
}
# Usage errors: one message line plus argp's "Try" hint.
assertUsageError() {
	assertEquals "usage status" 2 "$RC"
	assertContains "$ERR" "$ERR" "$1: "
	assertContains "$ERR" "$ERR" "Try"
}

# The mounts and files under the netns directory, to compare before/after.
netns_state() {
	ls -A /run/netns 2>/dev/null
	grep -c ' /run/netns' /proc/self/mountinfo
}
