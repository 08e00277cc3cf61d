#!/bin/bash
# Bash completion: each tool's file completes subcommands, options and
# namespace names (from the netns directory), and hands over to the
# wrapped command.
. "$(dirname "$0")/lib.sh"

. /usr/share/bash-completion/bash_completion

# complete_words TOOL WORD...: COMPREPLY for the last word, one per line.
complete_words() {
	local tool=$1
	shift
	COMP_WORDS=("$tool" "$@")
	COMP_CWORD=$(($# ))
	COMP_LINE="$tool $*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	. "$TOP/completions/$tool"
	"_$tool" "$tool" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

oneTimeSetUp() {
	NS=$(uniq_name c)
	nsname add "$NS"
}

suite_teardown() {
	nsname del "$NS"
}

test_completion_files_parse() {
	for f in "$TOP"/completions/*; do
		assertTrue "$f" "bash -n $f"
	done
}

test_nsname_subcommands() {
	assertEquals "exists" "$(complete_words nsname ex)"
	assertContains "$(complete_words nsname '')" "attach"
}

test_nsname_options() {
	assertContains "$(complete_words nsname list --)" "--json"
}

test_nsname_del_completes_names() {
	assertEquals "$NS" "$(complete_words nsname del "${NS:0:4}")"
}

test_nsname_attach_second_word_is_a_pid() {
	assertContains "$(complete_words nsname attach "$NS" "$$")" "$$"
}

test_nsjoin_completes_names() {
	assertEquals "$NS" "$(complete_words nsjoin "${NS:0:4}")"
}

# Where nsjoin's completion hands over to the command's: the index of the
# command's first word.
handover() {
	_command_offset() { echo "offset $1"; }
	complete_words nsjoin "$@"
}

test_nsjoin_hands_over_to_the_command() {
	assertEquals "after NAME" "offset 2" "$(handover "$NS" hostnam)"
	assertEquals "after NAME, with options" "offset 2" "$(handover "$NS" ip -)"
	assertEquals "after -c NAME" "offset 3" "$(handover -c "$NS" ip)"
	assertEquals "after -t PID -n" "offset 4" "$(handover -t 1 -n hostnam)"
	assertEquals "after --net=PATH" "offset 2" "$(handover --net=/proc/1/ns/net ip)"
	assertEquals "after --" "offset 4" "$(handover -t 1 -- ip)"
}

test_nsjoin_options() {
	assertContains "$(complete_words nsjoin --ne)" "--net="
}

. shunit2
