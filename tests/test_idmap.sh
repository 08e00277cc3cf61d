#!/bin/bash
# idmap: write and show the id maps of a user namespace, as root and,
# installed with file capabilities, as an unprivileged user.
. "$(dirname "$0")/lib.sh"

USR=nskitmap
OTHER=nskitother

oneTimeSetUp() {
	# A copy an unprivileged user can reach, with the capabilities
	# `make install-idmap-caps` gives it.
	BIN=$(mktemp -d /tmp/idmap-bin.XXXXXX)
	chmod 755 "$BIN"
	cp "$BUILD/idmap" "$BIN/idmap"
	setcap cap_setuid,cap_setgid+ep "$BIN/idmap"
	for u in $USR $OTHER; do
		id "$u" >/dev/null 2>&1 || useradd -M -s /bin/sh "$u"
		sed -i "/^$u:/d" /etc/subuid /etc/subgid 2>/dev/null
	done
	echo "$USR:400000:65536" >>/etc/subuid
	echo "$USR:400000:65536" >>/etc/subgid
	echo "$OTHER:500000:65536" >>/etc/subuid
	echo "$OTHER:500000:65536" >>/etc/subgid
	UID_=$(id -u $USR)
	GID_=$(id -g $USR)
}

suite_teardown() { rm -rf "$BIN"; }

setUp() { pids=; }

tearDown() {
	for p in $pids; do kill -9 "$p"; done 2>/dev/null
	wait 2>/dev/null
	return 0
}

as() { u=$1; shift; setpriv --reuid="$u" --regid="$u" --clear-groups "$@"; }

# A process in a new user namespace with no maps yet, owned by $1
# (default root); sets $PID.
start_userns() {
	if [ -n "${1-}" ]; then
		setpriv --reuid="$1" --regid="$1" --clear-groups unshare -U sleep 300 &
	else
		unshare -U sleep 300 &
	fi
	PID=$!
	pids="$pids $PID"
	wait_for 30 started "$PID" sleep
}

map_of() { tr -s ' ' <"/proc/$1/$2" | sed 's/^ //'; }

# ---- as root ----

test_map_root_maps_root_to_caller() {
	start_userns
	run idmap --map-root "$PID"
	assertRC 0; assertOutEmpty; assertErrEmpty
	assertEquals "0 0 1" "$(map_of $PID uid_map)"
	assertEquals "0 0 1" "$(map_of $PID gid_map)"
}

test_ranges_are_written_as_given() {
	start_userns
	run idmap -u 0:100000:65536 -u 65536:1000:1 -g 0:100000:65536 "$PID"
	assertRC 0; assertErrEmpty
	assertEquals "$(printf '0 100000 65536\n65536 1000 1')" "$(map_of $PID uid_map)"
	assertEquals "0 100000 65536" "$(map_of $PID gid_map)"
}

test_setgroups_deny_is_written_first() {
	start_userns
	run idmap --setgroups deny -g 0:100000:10 "$PID"
	assertRC 0
	assertEquals deny "$(cat /proc/$PID/setgroups)"
}

test_show_prints_table() {
	start_userns
	idmap -u 0:100000:65536 -g 0:200000:10 "$PID"
	run idmap show "$PID"
	assertRC 0; assertErrEmpty
	assertEquals "$(printf 'MAP      INSIDE    OUTSIDE      COUNT\nuid           0     100000      65536\ngid           0     200000         10\nsetgroups allow')" "$OUT"
}

test_show_json() {
	start_userns
	idmap -u 0:100000:65536 "$PID"
	run idmap show -j "$PID"
	assertRC 0
	assertEquals '{"pid":'"$PID"',"uid_map":[{"inside":0,"outside":100000,"count":65536}],"gid_map":[],"setgroups":"allow"}' "$OUT"
	assertEquals "json parses" 65536 "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["uid_map"][0]["count"])')"
}

test_subids_as_root_needs_ranges() {
	start_userns
	run idmap --subids "$PID"
	assertRC 1
	assertOneLineError idmap
	assertErrContains "no ranges in /etc/subuid"
	assertEquals "nothing written" "" "$(cat /proc/$PID/uid_map)"
}

# ---- installed with capabilities, run by a user ----

test_user_range_inside_subuid_succeeds() {
	start_userns $USR
	run as $USR "$BIN/idmap" -u 0:400000:1000 -g 0:400000:1000 "$PID"
	assertRC 0; assertErrEmpty
	assertEquals "0 400000 1000" "$(map_of $PID uid_map)"
	assertEquals "0 400000 1000" "$(map_of $PID gid_map)"
	assertEquals "setgroups denied unless allowed" deny "$(cat /proc/$PID/setgroups)"
}

test_user_own_id_and_subids() {
	start_userns $USR
	run as $USR "$BIN/idmap" --subids "$PID"
	assertRC 0; assertErrEmpty
	assertEquals "$(printf '0 %s 1\n1 400000 65536' "$UID_")" "$(map_of $PID uid_map)"
	assertEquals "$(printf '0 %s 1\n1 400000 65536' "$GID_")" "$(map_of $PID gid_map)"
}

test_user_may_allow_setgroups_for_subgid_only_maps() {
	start_userns $USR
	run as $USR "$BIN/idmap" --setgroups allow -u 0:400000:10 -g 0:400000:10 "$PID"
	assertRC 0
	assertEquals allow "$(cat /proc/$PID/setgroups)"
}

# The own gid is the passwd entry's primary group, as newgidmap takes it:
# a caller whose real gid is another group's (newgrp, sg, a setgid
# program) may not map that group.
as_with_gid() { u=$1 g=$2; shift 2; setpriv --reuid="$u" --regid="$g" --clear-groups "$@"; }

test_user_own_gid_is_the_passwd_primary_gid() {
	other_gid=$(id -g $OTHER)
	start_userns $USR
	run as_with_gid $USR "$other_gid" "$BIN/idmap" -g 0:"$other_gid":1 "$PID"
	assertRC 1
	assertOneLineError idmap
	assertErrContains "not your own gid nor inside your /etc/subgid ranges"
	assertEquals "nothing written" "" "$(cat /proc/$PID/gid_map)"
	run as_with_gid $USR "$other_gid" "$BIN/idmap" -g 0:"$GID_":1 "$PID"
	assertRC 0; assertErrEmpty
	assertEquals "0 $GID_ 1" "$(map_of $PID gid_map)"
}

test_user_map_root_and_subids_use_the_passwd_gid() {
	other_gid=$(id -g $OTHER)
	start_userns $USR
	run as_with_gid $USR "$other_gid" "$BIN/idmap" --map-root "$PID"
	assertRC 0; assertErrEmpty
	assertEquals "0 $GID_ 1" "$(map_of $PID gid_map)"
	start_userns $USR
	run as_with_gid $USR "$other_gid" "$BIN/idmap" --subids "$PID"
	assertRC 0; assertErrEmpty
	assertEquals "$(printf '0 %s 1\n1 400000 65536' "$GID_")" "$(map_of $PID gid_map)"
}

test_user_subgid_lines_match_the_user_not_a_group() {
	# A line whose owner is the caller's group id names another user
	# (subgid(5): "login name or UID").
	other_gid=$(id -g $OTHER)
	grp=$(uniq_name g | tr -dc 0-9 | cut -c1-6)
	grp=$((grp + 70000))
	echo "$grp:600000:10" >>/etc/subgid
	start_userns $USR
	run as_with_gid $USR "$grp" "$BIN/idmap" -g 0:600000:10 "$PID"
	sed -i "/^$grp:/d" /etc/subgid
	assertRC 1
	assertErrContains "not your own gid nor inside your /etc/subgid ranges"
	assertEquals "nothing written" "" "$(cat /proc/$PID/gid_map)"
}

test_user_range_outside_subuid_is_refused() {
	start_userns $USR
	run as $USR "$BIN/idmap" -u 0:500000:10 "$PID"
	assertRC 1
	assertOneLineError idmap
	assertErrContains "not your own uid nor inside your /etc/subuid ranges"
	assertEquals "nothing written" "" "$(cat /proc/$PID/uid_map)"
}

test_user_range_past_subuid_end_is_refused() {
	start_userns $USR
	run as $USR "$BIN/idmap" -u 0:465000:1000 "$PID"
	assertRC 1
	assertOneLineError idmap
}

test_user_mapping_host_root_is_refused() {
	start_userns $USR
	run as $USR "$BIN/idmap" -u 0:0:1 "$PID"
	assertRC 1
	assertOneLineError idmap
	assertErrContains "host uid 0"
	assertEquals "" "$(cat /proc/$PID/uid_map)"
}

test_user_other_users_process_is_refused() {
	start_userns $OTHER
	run as $USR "$BIN/idmap" -u 0:400000:10 "$PID"
	assertRC 1
	assertOneLineError idmap
	assertErrContains "not your process"
	assertEquals "" "$(cat /proc/$PID/uid_map)"
}

test_user_roots_process_is_refused() {
	start_userns
	run as $USR "$BIN/idmap" --map-root "$PID"
	assertRC 1
	assertErrContains "not your process"
}

test_user_setgroups_allow_with_own_gid_is_refused() {
	start_userns $USR
	run as $USR "$BIN/idmap" --setgroups allow --map-root "$PID"
	assertRC 1
	assertOneLineError idmap
	assertErrContains "setgroups allow"
	assertEquals "" "$(cat /proc/$PID/gid_map)"
}

# ---- validation before anything is written ----

test_overlapping_ranges_refused() {
	start_userns
	run idmap -u 0:100000:100 -u 50:200000:10 "$PID"
	assertUsageError idmap
	assertErrContains "overlaps"
	run idmap -u 0:100000:100 -u 200:100050:10 "$PID"
	assertUsageError idmap
	assertEquals "" "$(cat /proc/$PID/uid_map)"
}

test_zero_count_refused() {
	run idmap -u 0:100000:0 1
	assertUsageError idmap
	assertErrContains "count is 0"
}

test_range_past_2_32_refused() {
	run idmap -u 0:4294967000:1000 1
	assertUsageError idmap
	run idmap -g 4294967295:0:1 1
	assertUsageError idmap
}

test_too_many_lines_refused() {
	args=
	for i in $(seq 0 340); do args="$args -u $i:$((100000 + i)):1"; done
	run idmap $args 1
	assertUsageError idmap
	assertErrContains "340"
}

test_malformed_range_refused() {
	for m in 0:1 0:1:2:3 x:1:1 0:-1:1 ""; do
		run idmap -u "$m" 1
		assertUsageError idmap
	done
}

test_no_such_process() {
	run idmap --map-root 999999999
	assertRC 1
	assertOneLineError idmap
	assertErrContains "no such process"
}

test_map_written_twice_fails() {
	start_userns
	idmap --map-root "$PID"
	run idmap --map-root "$PID"
	assertRC 1
	assertOneLineError idmap
	assertErrContains "gid_map: not permitted"
}

# Nothing written can be taken back (setgroups deny is for good, a map is
# written once): a uid_map written already is found before setgroups and
# gid_map are written, not after.
test_a_map_written_already_fails_before_anything_is_written() {
	start_userns
	echo "0 0 1" >"/proc/$PID/uid_map"
	run idmap --map-root --setgroups deny "$PID"
	assertRC 1
	assertOneLineError idmap
	assertErrContains "$PID: uid_map: not permitted (map written already"
	assertEquals "gid_map not written" "" "$(cat /proc/$PID/gid_map)"
	assertEquals "setgroups not written" allow "$(cat /proc/$PID/setgroups)"
}

test_nothing_to_write_is_usage_error() {
	run idmap 1
	assertUsageError idmap
	run idmap show
	assertUsageError idmap
	run idmap show 1 -u 0:1:1
	assertUsageError idmap
}

. shunit2
