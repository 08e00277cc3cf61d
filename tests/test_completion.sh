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
	assertContains "$(complete_words nsname list -q --)" "--null"
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

# An ordinary user's names are its rootless ones, from its own directory.
test_names_of_an_ordinary_user_come_from_its_own_directory() {
	local d c
	d=$(mktemp -d /tmp/compl-run.XXXXXX)
	c=$(mktemp -d /tmp/compl-lib.XXXXXX)
	chmod 755 "$c"
	cp "$TOP/completions/_nskit" "$c/"
	mkdir -p "$d/nskit/netns"
	touch "$d/nskit/netns/mine"
	chown -R 65534 "$d"
	chmod -R go-rwx "$d"
	assertEquals "mine" "$(setpriv --reuid=65534 --regid=65534 --clear-groups env XDG_RUNTIME_DIR="$d" \
		bash -c ". $c/_nskit; _nskit_netns_names")"
	# Another's runtime directory (as su keeps it) is not taken for theirs.
	assertEquals "/tmp/nskit-65534/netns" "$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		env XDG_RUNTIME_DIR=/run bash -c ". $c/_nskit; _nskit_netns_dir")"
	rm -rf "$d" "$c"
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

# --- nsnew ---------------------------------------------------------------

test_nsnew_options_and_capabilities() {
	assertEquals "--hostname" "$(complete_words nsnew --hostn)"
	assertContains "$(complete_words nsnew --keep-caps net_)" "net_admin"
}

test_nsnew_user_net_helpers() {
	assertEquals "--user-net" "$(complete_words nsnew --user-)"
	assertEquals "$(printf 'pasta\nslirp4netns')" "$(complete_words nsnew --user-net '')"
	assertEquals "slirp4netns" "$(complete_words nsnew --user-net s)"
	_command_offset() { echo "offset $1"; }
	assertEquals "offset 5" "$(complete_words nsnew --user-net pasta --publish 8080:80 sh)"
	unset -f _command_offset
}

test_nsnew_seccomp_and_limits() {
	assertEquals "default" "$(complete_words nsnew --seccomp=def)"
	assertEquals "nofile=" "$(complete_words nsnew --rlimit nofi)"
	assertEquals "--seccomp --seccomp-fd" "$(complete_words nsnew --secc | xargs)"
}

test_nsnew_hands_over_to_the_command() {
	_command_offset() { echo "offset $1"; }
	assertEquals "offset 2" "$(complete_words nsnew -a hostnam)"
	assertEquals "offset 4" "$(complete_words nsnew --rootfs /tmp -- sh)"
	assertEquals "offset 5" "$(complete_words nsnew --memory 1G --rlimit core=0 sh)"
	unset -f _command_offset
}

# --- idmap ---------------------------------------------------------------

test_idmap_completes_show_pids_and_setgroups() {
	assertContains "$(complete_words idmap sh)" "show"
	assertContains "$(complete_words idmap show "$$")" "$$"
	assertEquals "allow" "$(complete_words idmap --setgroups a)"
}

# --- vethctl -------------------------------------------------------------

test_vethctl_subcommands_names_and_bridges() {
	assertContains "$(complete_words vethctl '')" "connect"
	assertEquals "$NS" "$(complete_words vethctl add v0 --netns "${NS:0:4}")"
	br=$(uniq_name cb)
	ip link add "$br" type bridge
	assertEquals "$br" "$(complete_words vethctl add v0 --master "${br:0:5}")"
	assertEquals "$br" "$(complete_words vethctl bridge del "${br:0:5}")"
	ip link del "$br"
	assertContains "$(complete_words vethctl add v0 --p)" "--peer-addr"
}

test_vethctl_vxlan_words_options_and_devices() {
	assertEquals "add del list peer" "$(complete_words vethctl vxlan '' | xargs)"
	assertEquals "add del" "$(complete_words vethctl vxlan peer '' | xargs)"
	assertContains "$(complete_words vethctl vxlan add vx0 --v)" "--vni"
	assertContains "$(complete_words vethctl vxlan peer add vx0 --r)" "--route"
	assertContains "$(complete_words vethctl vxlan peer add vx0 --r)" "--remote"
	# Devices and links of the namespace -n names.
	ip -n "$NS" link add vxc0 type vxlan id 9 dstport 4789
	ip -n "$NS" link add brc0 type bridge
	assertEquals "vxc0" "$(complete_words vethctl vxlan del -n "$NS" vx)"
	assertEquals "vxc0" "$(complete_words vethctl vxlan peer add -n "$NS" v)"
	assertEquals "brc0" "$(complete_words vethctl vxlan add vx1 -n "$NS" --master b)"
	assertContains "$(complete_words vethctl vxlan add vx1 -n "$NS" --dev '')" "vxc0"
	assertEquals "" "$(complete_words vethctl vxlan del vx)"
	ip -n "$NS" link del vxc0
	ip -n "$NS" link del brc0
}

# --- natctl --------------------------------------------------------------

test_natctl_subcommands_and_interfaces() {
	assertEquals "masq" "$(complete_words natctl ma)"
	assertContains "$(complete_words natctl masq '')" "add"
	assertEquals "lo" "$(complete_words natctl masq add 10.0.0.0/8 --out l)"
}

# --- mkrootfs ------------------------------------------------------------

test_mkrootfs_options_and_files() {
	assertContains "$(complete_words mkrootfs /tmp/r --from-t)" "--from-tar"
	f=$(mktemp /tmp/compl.XXXXXX)
	assertContains "$(complete_words mkrootfs /tmp/r --from-tar /tmp/compl.)" "$f"
	rm -f "$f"
}

# --- what a newcomer trips over --------------------------------

test_vethctl_netns_offers_names_first_pids_once_a_digit_is_typed() {
	assertEquals "names only" "$(ls -A /run/netns | sort)" "$(complete_words vethctl add x -n '')"
	assertEquals "$NS" "$(complete_words vethctl add x --netns "${NS:0:4}")"
	assertContains "$(complete_words vethctl add x -n "$$")" "$$"
	assertNotContains "no names among pids" "$(complete_words vethctl add x -n 1)" "$NS"
}

test_prefixes_and_iproute2_words_complete_like_the_full_word() {
	assertEquals "$NS" "$(complete_words nsname delete "${NS:0:4}")"
	assertEquals "$NS" "$(complete_words nsname d "${NS:0:4}")"
	assertEquals "--kill" "$(complete_words nsname del --k)"
	assertEquals "--json" "$(complete_words vethctl ls --j)"
	assertEquals "add del" "$(complete_words natctl pub '' | xargs)"
}

. shunit2
