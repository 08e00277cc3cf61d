#!/bin/bash
# bench/run as a smoke test: the quick run completes and writes its table,
# each job measured or skipped with a reason. No timing is asserted.
. "$(dirname "$0")/lib.sh"
BENCH=$TOP/bench/run
JOBS="join spawn names links vxlan nat rootfs memory usernet lab"

oneTimeSetUp() {
	RES=$(mktemp -d)
	# NSKIT_BUILD as tests/run set it: the build under test.
	"$BENCH" --quick -o "$RES" >"$RES/stdout" 2>"$RES/stderr"
	QUICK_RC=$?
}

suite_teardown() {
	rm -rf "$RES"
}

testQuickRunSucceeds() {
	assertEquals "bench/run --quick status; stderr: $(tail -n 5 "$RES/stderr")" 0 "$QUICK_RC"
	assertContains "$(cat "$RES/stdout")" "$RES/results.md"
}

testQuickRunWritesTable() {
	assertTrue "results.md exists" "[ -s '$RES/results.md' ]"
	assertContains "$(cat "$RES/results.md")" "| job | case | nskit | median (min-max) | peer |"
}

testEveryJobHasARow() {
	for j in $JOBS; do
		assertTrue "a row for $j" "grep -q '^| $j | ' '$RES/results.md'"
	done
}

testMeasuredRowsHaveRatios() {
	# join needs only nsjoin, ip and nsenter, all there: its rows carry
	# a number in the ratio column.
	assertTrue "$(grep '^| join |' "$RES/results.md")" \
		"grep -Eq '^\\| join \\| NAME true \\| nsjoin \\| [0-9.]+ .*\\| [0-9]+\\.[0-9]+ \\| <= 0.8 \\|' '$RES/results.md'"
}

testLabJailsAnswerEachWay() {
	# lab brings up its tiny labs three ways; every jail of each answers
	# the host's ping, and nskit's NAT keeps one rule count whatever N.
	for w in seed batch nskit; do
		for n in 2 5; do
			assertTrue "$w N=$n: $(grep "^| lab | $w, N=$n: answering" "$RES/results.md")" \
				"grep -q '^| lab | $w, N=$n: answering, objects | .* $n of $n jails answer a ping' '$RES/results.md'"
		done
	done
	assertTrue "nskit rule count" "grep -q '^| lab | nft rules: .* [0-9][0-9]* (constant: yes)' '$RES/results.md'"
	assertFalse "no lab step failed" "grep -q '^| lab | .*FAILED' '$RES/results.md'"
}

testNoJobScriptFailed() {
	assertFalse "$(grep -F '(job)' "$RES/results.md")" "grep -qF '(job)' '$RES/results.md'"
}

testPlotsOrReasonForEachSeries() {
	for dat in "$RES"/series-*.dat; do
		[ -f "$dat" ] || continue
		n=$(basename "$dat" .dat)
		n=${n#series-}
		assertTrue "plot or reason for $n" "[ -s '$RES/$n.png' ] || grep -q '$n: not plotted' '$RES/results.md'"
	done
}

testMissingToolIsSkippedWithReason() {
	empty=$(mktemp -d)
	NSKIT_BUILD=$empty run "$BENCH" --quick -o "$RES/skip" join
	assertRC 0
	assertTrue "skip row: $(cat "$RES/skip/results.md")" \
		"grep -q '| join | .*skipped: nsjoin not built' '$RES/skip/results.md'"
	rmdir "$empty"
}

testUnknownJobIsUsageError() {
	run "$BENCH" -o "$RES/bad" nosuchjob
	assertRC 2
	assertErrContains "nosuchjob: no such job"
}

testMissingOutputDirArgumentIsUsageError() {
	run "$BENCH" -o
	assertRC 2
	assertErrContains "usage: bench/run"
}

testUnknownOptionIsUsageError() {
	run "$BENCH" --no-such-option
	assertRC 2
	assertErrContains "usage: bench/run"
}

testNeedsRoot() {
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$BENCH" --quick -o /tmp join
	assertRC 1
	assertErrContains "needs root"
}

testHostNetworkUntouched() {
	# The suite's "host" saw none of the links or names the run made.
	assertEquals "links: $(ip -br link)" "lo" "$(ip -br link | awk '{ print $1 }' | paste -sd' ')"
	assertEquals "nft ruleset" "" "$(nft list ruleset 2>/dev/null)"
}

. shunit2
