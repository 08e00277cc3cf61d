#!/bin/bash
# test_usedhost.sh - the suites are isolated from the host they run on, not
# only hidden from it. A host where `ip netns` has been used has
# /run/netns bind-mounted on itself with names pinned there, maybe
# /etc/netns/NAME, nskit-cni state and nft tables; other programs add and
# remove names during the run; the machine is loaded. Each test here builds
# such a "host" as an outer throwaway namespace (mount and network, inside
# this suite's own sandbox), runs tests/sandbox.sh or tests/run inside it,
# and requires the same result as in a clean outer namespace, and the
# outer namespace's names and mounts as they were before.
. "$(dirname "$0")/lib.sh"

# The suites that read the netns directory and count mounts.
SUITES=${NSKIT_USEDHOST_SUITES:-test_nsname.sh test_stress.sh test_nsjoin.sh test_nsnew.sh}

# host MODE CMD...: run CMD in a new outer mount and network namespace,
# "clean" (a fresh tmpfs on /run, as a host boots) or "used" (that, plus
# what `ip netns` and other programs leave, a loop adding and deleting
# names, CPU load). Prints CMD's output, then "outer: unchanged" when the
# outer namespace's names, mounts, /etc/netns, /run/nskit-cni and nft
# ruleset are as before CMD ran, else "outer: changed" and the difference.
host() {
	TOP=$TOP SUITES=$SUITES SHUNIT_TMPDIR=$SHUNIT_TMPDIR unshare -m -n --propagation private \
		bash -c "$(declare -f _host_main sandbox_view inner_run wait_for); _host_main \"\$@\"" host "$@"
}
_host_main() {
	local mode=$1 loadpids='' hostmnt=''
	shift
	mount -t tmpfs host-run /run || return 1
	if [ "$mode" = used ]; then
		# What iproute2 leaves: /run/netns a shared mount of itself (made
		# by the first add, kept after the last del), names pinned in it.
		ip netns add hostpin1 && ip netns add hostpin2 &&
			ip netns add hostgone && ip netns del hostgone || return 1
		mkdir -p /etc/netns/hostpin1 && echo "192.0.2.1 hostpin" >/etc/netns/hostpin1/hosts
		mkdir -p /run/nskit-cni/hostnet && echo 10.22.0.2 >/run/nskit-cni/hostnet/state
		nft add table inet hosttable
		hostmnt=$(mktemp -d /tmp/hostmnt.XXXXXX) && mount -t tmpfs hostmnt "$hostmnt"
	fi
	_state() {
		ls -A /run/netns /etc/netns /run/nskit-cni 2>/dev/null
		awk '{ print $5, $9 }' /proc/self/mountinfo | sort
		nft list ruleset
	}
	local before
	before=$(_state)
	if [ "$mode" = used ]; then
		# Another program adding and deleting names all along; on TERM it
		# removes the name it may hold, so it leaves nothing behind.
		_churn() {
			local i=0
			trap 'ip netns del "churn$i" 2>/dev/null; exit 0' TERM
			while :; do
				i=$((i + 1))
				ip netns add "churn$i" && ip netns del "churn$i"
			done
		}
		# Each bounded in time, should this shell be killed; a stop
		# signal goes to the loop only (--foreground), which finishes the
		# ip command it runs, then deletes the name it holds.
		timeout --foreground 900 bash -c "$(declare -f _churn); _churn" &
		loadpids="$loadpids $!"
		for _ in 1 2; do
			timeout 900 yes >/dev/null &
			loadpids="$loadpids $!"
		done
		# ... and stopped whatever way this shell ends.
		# shellcheck disable=SC2064 # the pids, now: loadpids is local
		trap "kill $loadpids 2>/dev/null" EXIT
		trap 'exit 1' TERM INT
		# The loop is running once it has made its first name.
		wait_for 30 eval 'ip netns list 2>/dev/null | grep -q churn' ||
			{ echo "outer: the loop made no name"; return 1; }
	fi
	"$@"
	if [ -n "$loadpids" ]; then
		kill $loadpids
		wait $loadpids 2>/dev/null
		trap - EXIT
	fi
	local after
	after=$(_state)
	if [ "$before" = "$after" ]; then
		echo "outer: unchanged"
	else
		echo "outer: changed"
		diff <(echo "$before") <(echo "$after")
	fi
	# The outer /etc and /tmp are this suite's: leave them as found.
	rm -rf /etc/netns/hostpin1
	[ -n "$hostmnt" ] && umount "$hostmnt" && rmdir "$hostmnt"
	return 0
}

# What the sandbox shows of the paths the suites use: names, the mount
# points at or under /run, /tmp and /etc/netns (/etc itself is an overlay
# whose lower layer is the host's /etc, mounts and all), /etc/netns,
# nskit-cni state, nft.
sandbox_view() {
	unshare -m -n -u -i --propagation private "$TOP/tests/sandbox.sh" bash -c '
		echo "names: $(ls -A /run/netns)"
		echo "etc/netns: $(ls -A /etc/netns 2>/dev/null || echo absent)"
		echo "cni: $(ls -A /run/nskit-cni 2>/dev/null || echo absent)"
		awk "{ print \$5 }" /proc/self/mountinfo |
			grep -E "^(/run|/var/run|/tmp|/etc/netns)(/|\$)" |
			grep -v -x -e "$NSKIT_TOP" -e "$NSKIT_BUILD"
		echo "nft: $(nft list ruleset)"'
}

test_sandbox_starts_from_nothing_the_used_host_had() {
	local expect
	expect='names: 
etc/netns: absent
cni: absent
/run
/run/.nskit-etc
/tmp
nft: '
	run host clean sandbox_view
	assertEquals "clean host" "$expect
outer: unchanged" "$OUT"
	run host used sandbox_view
	assertEquals "used host" "$expect
outer: unchanged" "$OUT"
}

test_sandbox_refuses_the_namespace_it_was_started_in() {
	local before
	before=$(cat /proc/self/mountinfo)
	run "$TOP/tests/sandbox.sh" true
	assertEquals "status" 1 "$RC"
	assertOneLineError tests/sandbox.sh
	assertErrContains "refusing to run in the mount namespace of process"
	assertEquals "no mount touched" "$before" "$(cat /proc/self/mountinfo)"
}

# tests/run's last line for SUITES in a MODE outer namespace, and the
# outer namespace's verdict.
inner_run() {
	NSKIT_ASAN=0 NSKIT_FUZZ=0 "$TOP/tests/run" $SUITES >"$SHUNIT_TMPDIR/inner-$1" 2>&1
	tail -n 1 "$SHUNIT_TMPDIR/inner-$1"
}

test_suites_pass_on_a_used_host_as_on_a_clean_one() {
	local clean used
	run host clean inner_run clean
	clean=$OUT
	run host used inner_run used
	used=$OUT
	assertContains "clean: $clean" "$clean" " 0 failed"
	assertContains "clean host unchanged" "$clean" "outer: unchanged"
	assertEquals "used host: same result as the clean one" "$clean" "$used"
	# the inner runs' output, when they differ (indented: it has its own
	# suites' result lines)
	[ "$clean" = "$used" ] || sed 's/^/  | /' "$SHUNIT_TMPDIR/inner-used"
	[[ $clean == *" 0 failed"* ]] || sed 's/^/  | /' "$SHUNIT_TMPDIR/inner-clean"
}

. shunit2
