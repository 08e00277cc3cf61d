# tests/lib.sh - sourced by every shunit2 suite (tests/test_*.sh).
# The binaries under test come from the build tree (tests/run puts it first
# in PATH). Suites run as root inside tests/sandbox.sh, so /run (and with it
# /var/run/netns), /etc and /tmp are private to the suite.

SHUNIT_COLOR=none
TOP=${NSKIT_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${NSKIT_BUILD:-$TOP}
PATH=$BUILD:$PATH
export PATH

# A name no other test (or other run) uses: PREFIX and 32 random bits,
# short enough for an interface name when PREFIX has at most 7 bytes.
uniq_name() {
	printf '%s%08x' "${1:-t}" "$SRANDOM"
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

# wait_for SECONDS CMD...: run CMD until it succeeds (status 0), polling
# briefly between tries; status 1 once SECONDS have passed without. Wait
# for the condition itself (the process started, the port listens, the
# name exists), never for a guessed time: a loaded machine is only slower.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.02
	done
}
# started PID COMM: PID (or a child of it) has exec'd COMM.
started() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] || pgrep -x -P "$1" "$2" >/dev/null
}
# in_own_netns PID: PID runs in a network namespace other than ours.
in_own_netns() {
	local ns
	ns=$(readlink "/proc/$1/ns/net" 2>/dev/null) && [ "$ns" != "$(readlink /proc/self/ns/net)" ]
}
# listening NETNS PORT: a TCP socket listens on PORT in NETNS ("" = ours).
listening() {
	if [ -n "$1" ]; then
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .
	else
		ss -Hltn "sport = :$2" | grep -q .
	fi
}

# cni_plugins PLUGIN...: $plugins, a new directory holding nskit-cni and
# Debian's reference PLUGINs, exported as CNI_PATH as a runtime sets it.
cni_plugins() {
	plugins=$(mktemp -d) || return 1
	ln -s "$BUILD/nskit-cni" "$plugins/nskit-cni"
	for p in "$@"; do ln -s "/usr/lib/cni/$p" "$plugins/$p" 2>/dev/null; done
	export CNI_PATH=$plugins
}

# fetch_ok ARGS...: the suite's `fetch ARGS`, tried up to three times
# until it answers (a first connection through a NAT just set up may be
# lost on a loaded machine); its answer, or "".
fetch_ok() {
	local out
	for _ in 1 2 3; do
		out=$(fetch "$@")
		[ -n "$out" ] && break
	done
	printf '%s\n' "$out"
}

# The mounts and files under the netns directory, to compare before/after.
netns_state() {
	ls -A /run/netns 2>/dev/null
	grep -c ' /run/netns' /proc/self/mountinfo
}

# tree_listing DIR [times]: every node under DIR, one line each, sorted:
# path, mode, owner, size, link count and content hash of files, link
# targets; with "times" also each non-link's mtime and its user.* xattrs.
# Two trees with the same listing are the same tree.
tree_listing() {
	python3 - "$1" "${2-}" <<'EOF'
import hashlib, os, stat, sys
top, times, out = sys.argv[1], sys.argv[2] == "times", []
for d, dirs, files in os.walk(top):
    for name in dirs + files:
        p = os.path.join(d, name)
        st = os.lstat(p)
        m = st.st_mode
        line = [os.path.relpath(p, top), stat.filemode(m), "%d:%d" % (st.st_uid, st.st_gid)]
        if stat.S_ISREG(m):
            line += ["size=%d" % st.st_size, "nlink=%d" % st.st_nlink,
                     hashlib.sha256(open(p, "rb").read()).hexdigest()[:16]]
        if stat.S_ISLNK(m):
            line.append("-> " + os.readlink(p))
        elif times:
            line.append("mtime=%d" % st.st_mtime)
            try:
                line += sorted("%s=%r" % (x, os.getxattr(p, x, follow_symlinks=False))
                               for x in os.listxattr(p, follow_symlinks=False) if x.startswith("user."))
            except OSError:
                pass
        out.append(" ".join(line))
print("\n".join(sorted(out)))
EOF
}

# Counting tests, not assertions: shunit2 runs oneTimeTearDown after the
# last test, so it reports the counts tests/run adds up. Suites that need a
# one-time teardown define suite_teardown instead; a test that cannot run
# here calls `skip_test "why"; return 0` (counted as skipped, not passed).
_skipped_tests=0
skip_test() {
	echo "SKIPPED: ${_shunit_test_:-test}: $*"
	_skipped_tests=$((_skipped_tests + 1))
}
oneTimeTearDown() {
	# shunit2 may call this twice (normally, then from its exit trap).
	[ -n "${_torn_down-}" ] && return 0
	_torn_down=1
	if command -v suite_teardown >/dev/null 2>&1; then
		suite_teardown
	fi
	rm -f "$_errf"
	echo "nskit-result: $((__shunit_testsPassed - _skipped_tests)) $__shunit_testsFailed $_skipped_tests"
	return 0
}
