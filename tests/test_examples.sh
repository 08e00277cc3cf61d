#!/bin/bash
# examples/: the demos run, and print each command as it can be pasted
# into a shell (quoted where the shell needs it).
. "$(dirname "$0")/lib.sh"

oneTimeSetUp() {
	DEMO_OUT=$(mktemp)
	"$TOP/examples/jail-demo" >"$DEMO_OUT" 2>&1
	DEMO_RC=$?
}

suite_teardown() {
	rm -f "$DEMO_OUT"
}

# The command the demo printed starting with "$ WORDS", joined over the
# lines an argument with newlines spans (up to the line before UNTIL).
printed() {
	sed -n "/^\\\$ $1/,/^$2/p" "$DEMO_OUT" | sed '$d'
}

test_jail_demo_runs() {
	assertEquals "status: $(tail -n 20 "$DEMO_OUT")" 0 "$DEMO_RC"
	assertContains "$(cat "$DEMO_OUT")" "hostname: jail, pid 1"
	assertContains "$(cat "$DEMO_OUT")" "internet: hello 203.0.113.1"
	# a shell, ps, ping and socat behind the default seccomp profile
	assertContains "$(printed "nsjoin jail nsnew" "hostname:")" "--seccomp=default"
	assertContains "$(cat "$DEMO_OUT")" "64 bytes from 203.0.113.2"
}

test_jail_demo_prints_commands_that_paste() {
	cmd=$(printed "nsjoin jail nsnew" "hostname:")
	assertNotNull "the jail command is printed" "$cmd"
	printf '%s\n' "${cmd#\$ }" | bash -n
	assertTrue "it parses: $cmd" $?
	eval "set -- ${cmd#\$ }"
	assertEquals "the script is one word" "/bin/sh" "${@: -3:1}"
	assertContains "the script, as run" "${@: -1}" 'echo "hostname: $(hostname), pid $$"; ps -e;'
	assertContains "${@: -1}" "socat -T2 - TCP:203.0.113.2:8080"
	cmd=$(grep '^\$ nsjoin internet socat' "$DEMO_OUT")
	assertEquals "in the background" " &" "${cmd: -2}"
	cmd=${cmd% &}
	eval "set -- ${cmd#\$ }"
	assertEquals "the server's words" 'SYSTEM:echo "internet: hello $SOCAT_PEERADDR"' "${@: -1}"
}

. shunit2
