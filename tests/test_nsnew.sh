#!/bin/bash
# nsnew: new namespaces, from one to a whole container, rootful and rootless.
. "$(dirname "$0")/lib.sh"

NETNS=/run/netns
PINS=/run/nskit
USR=nskitnew

oneTimeSetUp() {
	# The binaries where an unprivileged user can reach them (the build
	# tree may not be traversable by others).
	BIN=$(mktemp -d /tmp/nsnew-bin.XXXXXX)
	chmod 755 "$BIN"
	cp "$BUILD/nsnew" "$BUILD/nsjoin" "$BUILD/nsname" "$BIN/"
	[ -x "$BUILD/idmap" ] && cp "$BUILD/idmap" "$BIN/"
	# A user of our own: /etc is a throwaway overlay in the sandbox.
	id "$USR" >/dev/null 2>&1 || useradd -M -s /bin/sh "$USR"
	sed -i "/^$USR:/d" /etc/subuid /etc/subgid 2>/dev/null
	echo "$USR:300000:65536" >>/etc/subuid
	echo "$USR:300000:65536" >>/etc/subgid
	ROOTFS=$(make_rootfs)
	write_terminal_programs
}

suite_teardown() {
	rm -rf "$BIN" "$ROOTFS"
}

# A root filesystem for the jail: the skeleton mkrootfs makes, with the
# host's /usr bound in by --volume ($JAILUSR) for the programs.
make_rootfs() {
	r=$(mktemp -d /tmp/nsnew-root.XXXXXX)
	chmod 755 "$r"
	mkdir -p "$r/usr" "$r/etc" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/run"
	for d in bin sbin lib lib32 lib64 libx32; do
		[ -e "/$d" ] && ln -s "usr/$d" "$r/$d"
	done
	touch "$r/etc/hosts" "$r/etc/resolv.conf" "$r/etc/hostname"
	printf '%s\n' "$r"
}
JAILUSR="--volume /usr:/usr:ro"

as_user() { setpriv --reuid="$USR" --regid="$USR" --clear-groups "$@"; }
AS_USER="setpriv --reuid=$USR --regid=$USR --clear-groups"

# tests/pty.py STEP... -- CMD: CMD on a terminal of its own, driven as a
# user at a keyboard would (see its header).
PTY="python3 $TOP/tests/pty.py"

# Programs a jail runs against its terminal, where the unprivileged user
# can read them.
write_terminal_programs() {
	# push "echo INJECTED" into the terminal on fd 0 (or /dev/tty, or the
	# parent's fd 0)
	cat >"$BIN/push.py" <<'EOF'
import fcntl, os, sys, termios
how = sys.argv[1:]
try:
    fd = os.open("/dev/tty", os.O_RDWR) if how == ["devtty"] else \
        os.open("/proc/%d/fd/0" % os.getppid(), os.O_RDWR) if how == ["parent"] else 0
    for c in b"echo INJECTED\n":
        fcntl.ioctl(fd, termios.TIOCSTI, bytes([c]))
    print("pushed")
except OSError as e:
    print("refused", e.errno)
EOF
	# make our own process group the terminal's foreground
	cat >"$BIN/takefg.py" <<'EOF'
import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTTOU])
try:
    fd = os.open("/dev/tty", os.O_RDWR) if sys.argv[1:] == ["devtty"] else 0
    try:
        os.setpgid(0, 0)
    except OSError:
        pass
    os.tcsetpgrp(fd, os.getpgrp())
    print("took")
except OSError as e:
    print("refused", e.errno)
EOF
	# a job that says when it runs and when it is continued
	cat >"$BIN/job.py" <<'EOF'
import signal
signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGCONT, lambda *a: print("job-continued", flush=True))
print("job-running", flush=True)
while True:
    signal.pause()
EOF
	# print the window size at the first SIGWINCH (blocked, so that it
	# cannot cut a write to the terminal short)
	cat >"$BIN/winch.py" <<'EOF'
import os, signal
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGWINCH])
print("winch-ready", flush=True)
signal.sigwait([signal.SIGWINCH])
cols, rows = os.get_terminal_size(0)
print("winch", rows, cols, flush=True)
EOF
	chmod 644 "$BIN"/*.py
}

setUp() {
	pids=
	mounts_before=$(wc -l </proc/self/mountinfo)
}

tearDown() {
	# the jail first: its PID 1 outlives a killed nsnew
	for p in $pids; do pkill -9 -P "$p"; kill -9 "$p"; done 2>/dev/null
	wait 2>/dev/null
	for n in $(ls -A $NETNS 2>/dev/null) $(ls -A $PINS 2>/dev/null); do
		"$BIN/nsname" del "$n" 2>/dev/null
	done
	return 0
}

# Wait until NAME is pinned (a backgrounded nsnew has started).
wait_pinned() {
	wait_for 30 pinned "$1"
}
pinned() {
	[ -e "$NETNS/$1" ] && "$BIN/nsjoin" "$1" true 2>/dev/null
}

assertNothingLeft() {
	assertEquals "mounts unchanged" "$mounts_before" "$(wc -l </proc/self/mountinfo)"
	assertEquals "nothing pinned" "" "$(ls -A $NETNS $PINS 2>/dev/null | grep -v ':$' | grep .)"
}

# ---- the container ----

test_container_has_own_hostname_pid1_and_processes() {
	run nsnew -a --hostname container --rootfs "$ROOTFS" $JAILUSR --mount-proc -- \
		/bin/sh -c 'hostname; echo $$; ps -e -o comm='
	assertRC 0; assertErrEmpty
	assertEquals "hostname, pid 1, only the jail's processes" \
		"$(printf 'container\n1\nsh\nps')" "$OUT"
}

test_container_does_not_see_host_message_queue() {
	q=$(ipcmk -Q | sed 's/.*: //')
	run nsnew -a --rootfs "$ROOTFS" $JAILUSR -- ipcs -q
	ipcrm -q "$q"
	assertRC 0
	assertContains "ipcs ran" "$OUT" "Message Queues"
	assertNotContains "host queue not seen" "$OUT" "0x"
	assertTrue "the host still has queues" "true"
}

test_container_leaves_host_unchanged() {
	q=$(ipcmk -Q | sed 's/.*: //')
	host=$(hostname)
	mi=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
	queues=$(ipcs -q)
	run nsnew -a --hostname other --rootfs "$ROOTFS" $JAILUSR --mount-proc -- \
		/bin/sh -c 'hostname x2; ipcmk -Q >/dev/null; mount -t tmpfs t /mnt 2>/dev/null; true'
	assertRC 0
	assertEquals "hostname" "$host" "$(hostname)"
	assertEquals "mount table" "$mi" "$(cut -d' ' -f5 /proc/self/mountinfo | sort)"
	assertEquals "message queues" "$queues" "$(ipcs -q)"
	ipcrm -q "$q"
}

test_container_has_minimal_dev_and_readonly_sys() {
	run nsnew -a --rootfs "$ROOTFS" $JAILUSR -- /bin/sh -c \
		'ls /dev | tr "\n" " "; echo; echo x >/dev/null && echo null-ok; touch /sys/x 2>/dev/null || echo sys-ro; ls /dev/pts'
	assertRC 0
	assertEquals "$(printf 'fd full null ptmx pts random shm stderr stdin stdout tty urandom zero \nnull-ok\nsys-ro\nptmx')" "$OUT"
}

test_container_root_is_pivoted_not_chrooted() {
	run nsnew -m --rootfs "$ROOTFS" $JAILUSR -- /bin/sh -c 'grep -c . /proc/self/mountinfo; ls /'
	assertRC 0
	assertNotContains "the host's root is not reachable" "$OUT" "work"
	assertContains "$OUT" "usr"
}

# ---- the host's /etc files (hosts, resolv.conf, hostname) ----

# What a hostile root jail does to the /etc files it was given: read them
# (it must see the host's), then rewrite them, after trying to make their
# mounts writable again or to take them away.
ETC_ATTACK='cat /etc/hosts /etc/resolv.conf; getent hosts nskit-etc-probe
for f in /etc/hosts /etc/resolv.conf /etc/hostname; do
	mount -o remount,bind,rw "$f" 2>/dev/null
	echo "6.6.6.6 evil" >>"$f"
	echo "nameserver 6.6.6.6" >"$f"
	umount -l "$f" 2>/dev/null
	echo "6.6.6.6 evil" >>"$f"
done
hostname evil 2>/dev/null; true'

# Host files with a name only they resolve, saved for the comparison.
etc_setup() {
	etc_saved=$(mktemp -d /tmp/etc-saved.XXXXXX)
	cp -a /etc/hosts /etc/resolv.conf /etc/hostname "$etc_saved/"
	echo "10.77.7.7 nskit-etc-probe" >>/etc/hosts
	etc_want=$(cat /etc/hosts /etc/resolv.conf /etc/hostname)
}

# The host's files are as before the jail; then restored.
assertHostEtcUnchanged() {
	assertEquals "the host's hosts, resolv.conf and hostname" "$etc_want" \
		"$(cat /etc/hosts /etc/resolv.conf /etc/hostname)"
	cp -a "$etc_saved/hosts" "$etc_saved/resolv.conf" "$etc_saved/hostname" /etc/
	rm -rf "$etc_saved"
}

test_root_jail_without_caps_cannot_write_host_etc() {
	etc_setup
	run nsnew -a --drop-caps all --hostname box --rootfs "$ROOTFS" $JAILUSR -- /bin/sh -c "$ETC_ATTACK"
	assertRC 0
	assertEquals "the jail sees the host's files and resolves their names" \
		"$(cat /etc/hosts /etc/resolv.conf; echo '10.77.7.7       nskit-etc-probe')" "$OUT"
	assertHostEtcUnchanged
}

test_root_jail_with_all_caps_cannot_write_host_etc() {
	etc_setup
	run nsnew -m -u -p --mount-proc --rootfs "$ROOTFS" $JAILUSR -- /bin/sh -c "$ETC_ATTACK"
	assertRC 0
	assertEquals "the jail sees the host's files and resolves their names" \
		"$(cat /etc/hosts /etc/resolv.conf; echo '10.77.7.7       nskit-etc-probe')" "$OUT"
	assertHostEtcUnchanged
}

test_jail_etc_files_are_its_own_writable_copies() {
	f=$(mktemp /tmp/hosts.XXXXXX)
	echo "10.1.2.3 given" >"$f"
	run nsnew -a --hostname box --hosts "$f" --rootfs "$ROOTFS" $JAILUSR -- /bin/sh -c \
		'echo "10.4.5.6 added" >>/etc/hosts && cat /etc/hosts /etc/hostname'
	assertRC 0; assertErrEmpty
	assertEquals "$(printf '10.1.2.3 given\n10.4.5.6 added\nbox')" "$OUT"
	assertEquals "--hosts FILE unchanged" "10.1.2.3 given" "$(cat "$f")"
	rm -f "$f"
}

test_hosts_not_a_regular_file() {
	run nsnew --rootfs "$ROOTFS" --hosts /dev/null -- true
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "/dev/null: not a regular file"
}

# ---- volumes ----

test_volume_directory_file_is_visible() {
	d=$(mktemp -d /tmp/vol.XXXXXX)
	echo hello >"$d/f"
	run nsnew --rootfs "$ROOTFS" $JAILUSR --volume "$d:/data" -- cat /data/f
	assertRC 0; assertErrEmpty
	assertEquals hello "$OUT"
	rm -rf "$d"
}

test_volume_read_only_cannot_be_written() {
	d=$(mktemp -d /tmp/vol.XXXXXX)
	run nsnew --rootfs "$ROOTFS" $JAILUSR --volume "$d:/data:ro" -- sh -c 'touch /data/new'
	assertNotEquals "write refused" 0 "$RC"
	assertContains "$ERR" "Read-only file system"
	assertFalse "nothing landed on the host" "[ -e $d/new ]"
	rm -rf "$d"
}

test_volume_file_target_is_made_a_file() {
	f=$(mktemp /tmp/volf.XXXXXX)
	echo filevol >"$f"
	run nsnew --rootfs "$ROOTFS" $JAILUSR --volume "$f:/etc/app.conf" -- sh -c 'cat /etc/app.conf; [ -f /etc/app.conf ] && echo file'
	assertRC 0
	assertEquals "$(printf 'filevol\nfile')" "$OUT"
	rm -f "$f" "$ROOTFS/etc/app.conf"
}

test_volume_without_rootfs_binds_in_place() {
	d=$(mktemp -d /tmp/vol.XXXXXX)
	echo inplace >"$d/f"
	run nsnew --volume "$d:/mnt" -- cat /mnt/f
	assertRC 0
	assertEquals inplace "$OUT"
	assertNotEquals "not on the host" inplace "$(cat /mnt/f 2>/dev/null)"
	rm -rf "$d"
}

# ---- rootless ----

test_rootless_map_root_is_uid_0_with_map() {
	run as_user "$BIN/nsnew" -U --map-root -- sh -c 'id -u; cat /proc/self/uid_map'
	assertRC 0; assertErrEmpty
	uid=$(id -u "$USR")
	assertEquals "0" "$(printf '%s\n' "$OUT" | head -n1)"
	assertEquals "0 $uid 1" "$(printf '%s\n' "$OUT" | sed -n 2p | tr -s ' ' | sed 's/^ //')"
}

test_rootless_jail_with_pid_namespace_and_rootfs() {
	run as_user "$BIN/nsnew" -U --map-root -m -p --mount-proc --rootfs "$ROOTFS" $JAILUSR -- ps -e -o pid=,comm=
	assertRC 0; assertErrEmpty
	assertEquals "only ps, as pid 1" "1 ps" "$(printf '%s' "$OUT" | tr -s ' ' | sed 's/^ //')"
}

test_rootless_subids_uses_setcap_idmap() {
	if [ ! -x "$BIN/idmap" ]; then skip_test "no idmap built"; return 0; fi
	setcap cap_setuid,cap_setgid+ep "$BIN/idmap"
	run as_user "$BIN/nsnew" -U --subids -- cat /proc/self/uid_map /proc/self/setgroups
	assertRC 0; assertErrEmpty
	assertContains "$OUT" "300000"
	assertContains "$OUT" "deny"
	setcap -r "$BIN/idmap"
}

# --subids as root: /etc/subgid lines name the user (root or 0), never the
# caller's real gid, and gid 0 inside is root's passwd group, as newgidmap
# and idmap (which unprivileged callers go through) decide.
test_subids_subgid_matches_the_user_and_passwd_gid() {
	sed -i '/^root:/d; /^0:/d; /^4321:/d' /etc/subuid /etc/subgid
	echo "root:700000:65536" >>/etc/subuid
	echo "4321:500000:65536" >>/etc/subgid
	echo "0:600000:65536" >>/etc/subgid
	run setpriv --regid 4321 --clear-groups nsnew -U --subids -- cat /proc/self/gid_map
	sed -i '/^root:/d; /^0:/d; /^4321:/d' /etc/subuid /etc/subgid
	assertRC 0; assertErrEmpty
	assertEquals "$(printf '0 0 1\n1 600000 65536')" "$(printf '%s\n' "$OUT" | tr -s ' ' | sed 's/^ //')"
}

test_rootless_name_is_refused_and_nothing_pinned() {
	run as_user "$BIN/nsnew" -U --map-root -n --name "$(uniq_name)" -- true
	assertRC 125
	assertOneLineError nsnew
	assertNothingLeft
}

# ---- names ----

test_name_pins_netns_for_ip_netns_and_nsjoin() {
	n=$(uniq_name j)
	nsnew -n --name "$n" -- sleep 100 &
	jail=$!
	pids="$pids $jail"
	assertTrue "pinned" "wait_pinned $n"
	run ip netns exec "$n" ip -o link
	assertRC 0
	assertEquals "only lo" 1 "$(printf '%s\n' "$OUT" | grep -c .)"
	run nsjoin "$n" hostname
	assertRC 0
	assertEquals "$(hostname)" "$OUT"
	run nsname pids "$n"
	# its own sleep: other suites' sleeps run beside it (no pid namespace)
	assertContains "the jail's sleep is in it" "$OUT" "$(pgrep -P "$jail" -x sleep || echo "$jail")"
}

test_pin_all_lets_nsjoin_enter_uts() {
	n=$(uniq_name j)
	nsnew --pin-all -u --hostname h -n --name "$n" -- sleep 100 &
	pids="$pids $!"
	assertTrue "pinned" "wait_pinned $n"
	run nsjoin "$n" hostname
	assertRC 0
	assertEquals h "$OUT"
}

test_pin_all_jail_entered_whole_and_released_by_nsname_del() {
	n=$(uniq_name j)
	nsnew -a --pin-all --name "$n" --hostname box --rootfs "$ROOTFS" $JAILUSR --mount-proc -- sleep 100 &
	pids="$pids $!"
	assertTrue "pinned" "wait_pinned $n"
	run nsjoin "$n" sh -c 'hostname; ps -e -o pid=,comm= | head -n1; id -u'
	assertRC 0
	assertEquals "$(printf 'box\n1 sleep\n0')" "$(printf '%s\n' "$OUT" | tr -s ' ' | sed 's/^ //')"
	assertTrue "sibling pins exist" "[ -e $PINS/$n/mnt ] && [ -e $PINS/$n/pid ] && [ -e $PINS/$n/user ]"
	run nsname del "$n"
	assertRC 0
	assertFalse "netns pin released" "[ -e $NETNS/$n ]"
	assertFalse "sibling pins released" "[ -e $PINS/$n ]"
}

test_name_taken_is_refused_before_anything() {
	n=$(uniq_name j)
	nsname add "$n"
	mounts_before=$(wc -l </proc/self/mountinfo)
	run nsnew -n --name "$n" -- true
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "$n: name already exists"
	assertEquals "$mounts_before" "$(wc -l </proc/self/mountinfo)"
}

test_failed_jail_leaves_no_pins() {
	n=$(uniq_name j)
	run nsnew --pin-all -u -n --name "$n" --rootfs "$ROOTFS" -- /no/such/command
	assertRC 127
	assertOneLineError nsnew
	assertNothingLeft
}

# Under --init the command, not its PID 1, tells nsnew whether the jail
# started: the init lets go of the report pipe, so nsnew waits for the
# jail (and forwards signals) at once instead of when the init ends.
test_named_init_jail_reports_its_start() {
	n=$(uniq_name j)
	run nsnew --init -n --name "$n" -- /no/such/command
	assertRC 127
	assertOneLineError nsnew
	assertNothingLeft
	f=$(mktemp /tmp/term.XXXXXX)
	nsnew --init -n --name "$n" -- sh -c 'trap "echo got-term >$1; exit 3" TERM; : >$1.ready
		while :; do sleep 300 & wait $!; done' sh "$f" &
	p=$!
	wait_for 30 test -e "$f.ready"
	kill -TERM "$p"
	wait_for 30 test -s "$f"
	assertEquals "SIGTERM reached the running command" got-term "$(cat "$f")"
	kill -KILL "$p" 2>/dev/null
	wait "$p"
	assertTrue "the name of a jail that started stays" "[ -e $NETNS/$n ]"
	nsname del "$n"
	rm -f "$f" "$f.ready"
}

# ---- the process ----

test_init_reaps_orphaned_zombie() {
	# The inner `true &` outlives its parent or becomes its zombie: either
	# way init inherits it, and must reap it (waited for, within a bound).
	run nsnew -p --mount-proc --init -- bash -c "$(declare -f wait_for)"'
		sh -c "true & exec true"
		wait_for 30 eval "! ps -e -o stat= | grep -q Z"
		ps -e -o stat=,comm='
	assertRC 0
	assertNotContains "no zombie left: $OUT" "$OUT" "Z"
	assertContains "init is pid 1 and the shell runs under it" "$OUT" "nsnew"
}

test_sigterm_to_nsnew_reaches_the_command() {
	f=$(mktemp /tmp/term.XXXXXX)
	nsnew -p --init -- sh -c 'trap "echo got-term >$1; exit 3" TERM; : >$1.ready
		while :; do sleep 300 & wait $!; done' sh "$f" &
	p=$!
	wait_for 30 test -e "$f.ready"
	kill -TERM "$p"
	wait "$p"
	rc=$?
	assertEquals "the command's status" 3 "$rc"
	assertEquals got-term "$(cat "$f")"
	rm -f "$f" "$f.ready"
}

test_exit_status_is_the_commands() {
	run nsnew -- sh -c 'exit 7'
	assertRC 7
	run nsnew -p -u -- sh -c 'exit 9'
	assertRC 9
}

test_killed_by_sigkill_gives_137() {
	run nsnew -n -- sh -c 'kill -9 $$'
	assertRC 137
	run nsnew -p --init -- sh -c 'kill -9 $$'
	assertRC 137
}

test_command_not_found_gives_127() {
	run nsnew -u -- /no/such/command
	assertRC 127
	assertOneLineError nsnew
}

test_uid_gid_groups_and_caps_inside() {
	run nsnew -u --uid 1234 --gid 2345 --groups 7,8 -- sh -c 'id -u; id -g; id -G; grep CapEff /proc/self/status'
	assertRC 0
	assertEquals "$(printf '1234\n2345\n2345 7 8\nCapEff:\t0000000000000000')" "$OUT"
}

test_keep_caps_limits_bounding_set() {
	run nsnew -u --keep-caps net_admin,cap_sys_admin -- grep -E 'CapBnd|CapEff' /proc/self/status
	assertRC 0
	assertEquals "$(printf 'CapEff:\t0000000000201000\nCapBnd:\t0000000000201000')" "$OUT"
}

test_keep_caps_survive_uid_change_as_ambient() {
	run nsnew -u --uid 1000 --keep-caps net_raw -- grep -E 'CapEff|CapAmb' /proc/self/status
	assertRC 0
	assertEquals "$(printf 'CapEff:\t0000000000002000\nCapAmb:\t0000000000002000')" "$OUT"
}

test_drop_caps_and_no_new_privs() {
	run nsnew -u --drop-caps sys_admin --no-new-privs -- grep -E 'CapBnd|NoNewPrivs' /proc/self/status
	assertRC 0
	assertNotContains "sys_admin gone" "$OUT" "CapBnd:	000001ffffffffff"
	assertContains "$OUT" "NoNewPrivs:	1"
}

test_die_with_parent_kills_the_command() {
	# nsnew's parent (a subshell) is killed once the jail's command runs:
	# nsnew and the command go too. The durations are this run's own:
	# another run on the host has its sleeps too.
	local t1=$((1000000 + SRANDOM % 1000000)) t2
	t2=$((t1 + 1))
	{ (nsnew -p --die-with-parent -- sleep $t1 & wait_for 30 pgrep -f "^sleep $t1\$" && kill -9 $BASHPID); } >/dev/null 2>&1
	wait_for 30 eval "! pgrep -f 'sleep $t1\$' >/dev/null"
	assertEquals "no jail command left" "" "$(pgrep -f "sleep $t1\$")"
	{ (nsnew -p -- sleep $t2 & wait_for 30 pgrep -f "^sleep $t2\$" && kill -9 $BASHPID); } >/dev/null 2>&1
	# That something does NOT happen needs a time: a death signal would
	# act within this second even on a loaded machine.
	sleep 1
	assertNotEquals "without it the command lives on" "" "$(pgrep -f "sleep $t2\$")"
	pkill -9 -f "sleep $t2\$"
}

# ---- the terminal: the jail never holds the caller's ----

# caller_reads_after LINE: on a terminal of its own, the caller's shell
# runs the command line LINE (a jail), then reads one line from the
# terminal: it must be what the user types ("clean"), never input the jail
# pushed into the terminal (TIOCSTI, the CVE-2017-5226 class).
caller_reads_after() {
	run $PTY expect:READY 'send:clean\n' -- sh -c "$1; echo READY; read -r l; echo \"got:\$l\""
}

assertCallerReadsClean() {
	assertEquals "$1: the driver: $ERR" 0 "$RC"
	assertTrue "$1: the jail ran: $OUT" "printf '%s' \"\$OUT\" | grep -Eq 'pushed|refused'"
	assertContains "$1: the caller read what was typed: $OUT" "$OUT" "got:clean"
	assertNotContains "$1: the jail's input reached the caller: $OUT" "$OUT" "got:echo INJECTED"
}

test_terminal_rootless_jail_cannot_push_input_to_caller() {
	for m in "-U --map-root" "-U --map-root -p" "-U --map-root --init" "-U --map-root -p --init"; do
		caller_reads_after "$AS_USER $BIN/nsnew $m -- python3 $BIN/push.py"
		assertCallerReadsClean "$m"
		# no std fd a terminal: /dev/tty must not reach it either
		caller_reads_after "$AS_USER $BIN/nsnew $m -- python3 $BIN/push.py devtty </dev/null 2>&1 | cat"
		assertCallerReadsClean "$m, through /dev/tty"
		case $m in *-p*) continue ;; esac
		# the relaying nsnew holds the caller's terminal
		caller_reads_after "$AS_USER $BIN/nsnew $m -- python3 $BIN/push.py parent"
		assertCallerReadsClean "$m, through nsnew's fd 0"
	done
}

test_terminal_root_jail_without_caps_cannot_push_input_to_caller() {
	for m in "-u" "-u -p" "-u --init" "-p --init" "-a --rootfs $ROOTFS $JAILUSR --volume $BIN:$BIN:ro"; do
		caller_reads_after "nsnew $m --drop-caps all -- python3 $BIN/push.py"
		assertCallerReadsClean "$m"
		caller_reads_after "nsnew $m --drop-caps all -- python3 $BIN/push.py devtty </dev/null 2>&1 | cat"
		assertCallerReadsClean "$m, through /dev/tty"
		case $m in *-p* | *-a*) continue ;; esac
		caller_reads_after "nsnew $m --drop-caps all -- python3 $BIN/push.py parent"
		assertCallerReadsClean "$m, through nsnew's fd 0"
	done
}

test_terminal_jail_cannot_take_caller_foreground() {
	for jail in "nsnew -u --drop-caps all" "nsnew -u -p --drop-caps all" "$AS_USER $BIN/nsnew -U --map-root"; do
		for how in "" "devtty </dev/null 2>&1 | cat"; do
			run $PTY -- sh -c "$jail -- python3 $BIN/takefg.py $how;
				python3 -c 'import os; print(\"caller-in-foreground:\", os.tcgetpgrp(0) == os.getpgrp())'"
			assertEquals "$jail $how: $ERR" 0 "$RC"
			assertTrue "$jail $how: the jail ran: $OUT" "printf '%s' \"\$OUT\" | grep -Eq 'took|refused'"
			assertContains "$jail $how: $OUT" "$OUT" "caller-in-foreground: True"
		done
	done
}

test_terminal_interactive_shell_has_job_control() {
	for m in "-u" "-p -m --mount-proc" "-p --init" "-U --map-root -p"; do
		run $PTY 'send:PS1=ja"il$ "\n' 'expect:jail$ ' "send:python3 $BIN/job.py\n" expect:job-running \
			'send:\x1a' expect:Stopped 'expect:jail$ ' 'send:jobs\n' expect:Stopped 'expect:jail$ ' \
			'send:fg\n' expect:job-continued 'send:\x03' 'expect:jail$ ' \
			'send:echo status=$?\n' expect:status=130 'send:exit 3\n' -- nsnew $m -- /bin/sh -i
		assertEquals "$m: the shell's exit status: $ERR" 3 "$RC"
	done
}

# ^Z to a command under --init (not a shell, which keeps its jobs itself)
# stops nsnew in the caller's shell, which gets its terminal modes back;
# fg continues the command.
test_terminal_stopped_command_under_init_stops_nsnew() {
	for m in "-p --init" "-u --init"; do
		run $PTY 'send:PS1=ou"ter$ "\n' 'expect:outer$ ' "send:nsnew $m -- python3 $BIN/job.py\n" \
			expect:job-running 'send:\x1a' expect:Stopped 'expect:outer$ ' \
			'send:stty -a | grep -c " icanon"\n' 'expect:outer$ ' 'send:fg\n' expect:job-continued \
			'send:\x03' 'expect:outer$ ' 'send:echo status=$?\n' expect:status=130 'send:exit 3\n' -- /bin/sh -i
		assertEquals "$m: $ERR" 3 "$RC"
		assertContains "$m: cooked again while stopped: $OUT" "$OUT" "$(printf '\r\n1\r\n')"
	done
}

# With only the output on a terminal, the caller's terminal stays cooked:
# its ^Z stops nsnew and the jail with it, as when they shared a process
# group; fg continues both, ^C is passed on.
test_terminal_output_only_jail_stops_with_nsnew() {
	run $PTY 'send:PS1=ou"ter$ "\n' 'expect:outer$ ' "send:nsnew -u -- python3 $BIN/job.py </dev/null\n" \
		expect:job-running 'send:\x1a' expect:Stopped 'expect:outer$ ' \
		'send:ps -o stat= -C python3 | grep -c T\n' 'expect:outer$ ' 'send:fg\n' expect:job-continued \
		'send:\x03' 'expect:outer$ ' 'send:echo status=$?\n' expect:status=130 'send:exit 3\n' -- /bin/sh -i
	assertEquals "$ERR" 3 "$RC"
	assertContains "the jail was stopped too: $OUT" "$OUT" "$(printf '\r\n1\r\n')"
}

test_terminal_window_size_and_resize_reach_the_jail() {
	for m in "-u" "-p --init"; do
		run $PTY expect:winch-ready size:40x100 'expect:winch 40 100' -- \
			nsnew $m -- sh -c "stty size; python3 $BIN/winch.py"
		assertEquals "$m: $ERR" 0 "$RC"
		assertEquals "$m: the size, then the new one" "$(printf '24 80\r\nwinch-ready\r\nwinch 40 100\r')" "$OUT"
	done
}

test_terminal_status_signals_and_modes_restored() {
	run $PTY -- sh -c 'a=$(stty -g)
		nsnew -u -- sh -c "exit 5"; echo rc=$?
		nsnew -u -- sh -c "kill -9 \$\$"; echo rc=$?
		nsnew -u -- sleep 1719 & p=$!
		for i in $(seq 200); do pgrep -x -f "sleep 1719" >/dev/null && break; sleep 0.05; done
		kill -TERM $p; wait $p; echo rc=$?
		[ "$(stty -g)" = "$a" ] && echo modes-restored'
	assertRC 0
	assertEquals "$(printf 'rc=5\r\nrc=137\r\nrc=143\r\nmodes-restored\r')" "$OUT"
}

test_terminal_on_output_only_relays_without_extra_returns() {
	run $PTY -- sh -c 'echo piped | nsnew -u -- sh -c "cat; [ -t 0 ] || echo in-pipe; [ -t 1 ] && echo out-tty; exit 4"'
	assertRC 4
	assertEquals "$(printf 'piped\r\nin-pipe\r\nout-tty\r')" "$OUT"
}

test_no_terminal_pipes_and_exec_in_place_unchanged() {
	run sh -c 'printf "a\nb\n" | nsnew -p -u -- cat | tr ab AB'
	assertRC 0
	assertEquals "$(printf 'A\nB')" "$OUT"
	run sh -c 'echo $$; exec nsnew -u -- sh -c "echo \$\$"'
	assertEquals "the command has nsnew's pid: $OUT" 1 "$(printf '%s\n' "$OUT" | sort -u | wc -l)"
}

test_sigterm_forwarded_to_pid_1_without_init() {
	f=$(mktemp -u /tmp/term.XXXXXX)
	nsnew -p -- sh -c 'trap "echo got-term >'"$f"'.out; exit 3" TERM; : >'"$f"'; while :; do sleep 0.05; done' &
	p=$!
	for _ in $(seq 200); do [ -e "$f" ] && break; sleep 0.05; done
	kill -TERM "$p"
	wait "$p"
	assertEquals "the command's status" 3 "$?"
	assertEquals got-term "$(cat "$f.out")"
	rm -f "$f" "$f.out"
}

# ---- bad input: one line, 125, nothing left behind ----

test_unknown_namespace_option_is_usage_error() {
	run nsnew -Z -- true
	assertRC 125
	assertErrContains "invalid option"
	assertErrContains "Try"
	assertNothingLeft
}

test_rootfs_missing() {
	run nsnew -a --rootfs /no/such/dir -- true
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "/no/such/dir"
	assertNothingLeft
}

test_rootfs_not_a_directory() {
	f=$(mktemp /tmp/notdir.XXXXXX)
	run nsnew -a --rootfs "$f" -- true
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "not a directory"
	assertNothingLeft
	rm -f "$f"
}

test_volume_source_missing() {
	run nsnew --rootfs "$ROOTFS" --volume /no/such/src:/data -- true
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "/no/such/src"
	assertNothingLeft
}

test_volume_malformed() {
	run nsnew --volume /tmp:relative -- true
	assertRC 125
	assertErrContains "--volume"
	run nsnew --volume /tmp:/x:rx -- true
	assertRC 125
}

test_malformed_maps() {
	for m in 0:1000 0:1000:0 a:1:1 0:4294967295:1 0:1:4294967295; do
		run nsnew --map-user "$m" -- true
		assertRC 125
		assertErrContains "--map-user '$m'"
	done
	run nsnew --map-user 0:1000:10 --map-user 5:2000:1 -- true
	assertRC 125
	assertErrContains "overlaps"
	assertNothingLeft
}

test_pin_all_needs_name() {
	run nsnew --pin-all -u -- true
	assertRC 125
	assertErrContains "--pin-all needs --name"
}

test_hostname_too_long() {
	run nsnew --hostname "$(printf 'x%.0s' $(seq 70))" -- true
	assertRC 125
	assertErrContains "longer than 64"
}

test_unknown_capability() {
	run nsnew --keep-caps net_admin,bogus -- true
	assertRC 125
	assertErrContains "'bogus': unknown capability"
}

test_uid_out_of_range() {
	run nsnew --uid 4294967295 -- true
	assertRC 125
	assertErrContains "not a valid user id"
	run nsnew --gid x -- true
	assertRC 125
	assertErrContains "not a valid group id"
}

test_groups_malformed() {
	run nsnew --groups 1,,x -- true
	assertRC 125
	assertErrContains "'x': not a valid group id"
}

test_subids_with_map_user_refused() {
	run nsnew --subids --map-user 0:1000:1 -- true
	assertRC 125
	assertErrContains "--subids cannot be combined"
}

test_subids_without_ranges_refused() {
	run nsnew -n --name "$(uniq_name j)" --subids -- true
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "no ranges in /etc/subuid"
	assertNothingLeft
}

test_map_root_conflicts_with_inside_0() {
	run nsnew --map-root --map-user 0:1000:1 -- true
	assertRC 125
	assertErrContains "inside id 0 is mapped already"
}

test_hosts_file_missing() {
	run nsnew --rootfs "$ROOTFS" --hosts /no/such/hosts -- true
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "/no/such/hosts"
}

test_name_with_control_chars_or_whitespace_refused() {
	for n in "$(printf 'a\nb')" "a b" "$(printf '\033[2Jx')"; do
		run nsnew -n --name "$n" -- true
		assertRC 125
		assertOneLineError nsnew
		assertErrContains "without control characters or whitespace"
		assertNotContains "no raw escape on stderr" "$ERR" "$(printf '\033')"
		assertNothingLeft
	done
}

test_name_invalid() {
	run nsnew --name a/b -- true
	assertRC 125
	assertErrContains "invalid namespace name"
	assertNothingLeft
}

test_rootfs_empty_path() {
	run nsnew --rootfs "" -- true
	assertRC 125
	assertOneLineError nsnew
}

test_volume_without_destination() {
	run nsnew --volume /tmp -- true
	assertRC 125
	assertErrContains "not SRC:DST"
}

test_rootless_foreign_map_refused_and_child_never_runs() {
	m=$(mktemp -d /tmp/mark.XXXXXX)
	chmod 777 "$m"
	run as_user "$BIN/nsnew" -U --map-user 0:0:1 -- touch "$m/ran"
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "write uid_map"
	assertFalse "the command never ran" "[ -e $m/ran ]"
	rm -rf "$m"
}

test_setup_failure_in_jail_unpins() {
	n=$(uniq_name j)
	run nsnew --pin-all -u -n --name "$n" --rootfs "$ROOTFS" --volume /tmp:/etc/hosts/sub -- true
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "/etc/hosts"
	assertNothingLeft
	run nsjoin "$n" true
	assertRC 125
	assertErrContains "no such network namespace"
}

# ---- what a newcomer expects (issue 21) ----

# A root filesystem of busybox alone: no /usr of the host, no bash.
make_busybox_rootfs() {
	r=$(mktemp -d /tmp/nsnew-bb.XXXXXX)
	chmod 755 "$r"
	mkdir -p "$r/bin" "$r/etc" "$r/tmp"
	cp /bin/busybox "$r/bin/"
	ln -s busybox "$r/bin/sh"
	printf '%s\n' "$r"
}

test_mount_proc_implies_pid_namespace() {
	run nsnew -m --mount-proc -- ps -e -o pid=
	assertRC 0; assertErrEmpty
	assertEquals "only ps, as pid 1" "1" "$(printf '%s' "$OUT" | tr -d ' ')"
	run nsnew --hostname jail --rootfs "$ROOTFS" $JAILUSR --mount-proc -- ps -e -o comm=
	assertRC 0
	assertEquals "the jail's processes only" "ps" "$OUT"
}

test_new_netns_has_lo_up_unless_lo_down() {
	run nsnew -n -- ping -c1 -W5 127.0.0.1
	assertRC 0
	run nsnew -n -- ip -o link show lo
	assertContains "lo up: $OUT" "$OUT" "<LOOPBACK,UP,LOWER_UP>"
	run nsnew -n --lo-down -- ip -o link show lo
	assertRC 0
	assertContains "lo kept down: $OUT" "$OUT" "<LOOPBACK>"
	run nsnew -n --lo-down -- ping -c1 -W5 127.0.0.1
	assertNotEquals "no loopback traffic with lo down" 0 "$RC"
	run as_user "$BIN/nsnew" -U -r -n -- ip -o link show lo
	assertRC 0
	assertContains "rootless: lo up too: $OUT" "$OUT" "<LOOPBACK,UP,LOWER_UP>"
}

test_root_user_namespace_maps_every_id() {
	r=$(make_busybox_rootfs)
	echo secret >"$r/owned"
	chown 1234:1234 "$r/owned"
	chmod 600 "$r/owned"
	run nsnew -a --rootfs "$r" -- /bin/busybox sh -c \
		'cat /proc/self/uid_map /proc/self/gid_map | tr -s " " | sed "s/^ //"; /bin/busybox cat /owned; /bin/busybox chown 4321 /owned && echo chowned'
	assertRC 0; assertErrEmpty
	assertEquals "$(printf '0 0 4294967295\n0 0 4294967295\nsecret\nchowned')" "$OUT"
	assertEquals "4321" "$(stat -c %u "$r/owned")"
	run nsnew -U -r -- cat /proc/self/uid_map
	assertEquals "an explicit map wins" "0 0 1" "$(printf '%s' "$OUT" | tr -s ' ' | sed 's/^ //')"
	rm -rf "$r"
}

test_rootfs_default_command_is_its_own_bin_sh() {
	r=$(make_busybox_rootfs)
	OUT=$(echo 'echo in-jail' | SHELL=/bin/bash nsnew -m --rootfs "$r" 2>"$_errf"); RC=$?
	ERR=$(cat "$_errf")
	assertRC 0; assertErrEmpty
	assertEquals in-jail "$OUT"
	rm -rf "$r"
}

test_exec_failure_in_rootfs_names_it() {
	r=$(make_busybox_rootfs)
	run nsnew -m --rootfs "$r" -- /bin/bash
	assertRC 127
	assertOneLineError nsnew
	assertErrContains "/bin/bash: not found in $r"
	printf 'x' >"$r/bin/noexec"
	chmod 644 "$r/bin/noexec"
	run nsnew -m --rootfs "$r" -- /bin/noexec
	assertRC 126
	assertOneLineError nsnew
	assertErrContains "/bin/noexec in $r: Permission denied"
	rm -rf "$r"
}

test_unprivileged_eperm_gives_a_hint() {
	for o in -n -p; do
		run as_user "$BIN/nsnew" $o -- true
		assertRC 125
		assertOneLineError nsnew
		assertErrContains "Operation not permitted (needs root or CAP_SYS_ADMIN; unprivileged: add -U --map-root)"
	done
}

test_subids_without_idmap_caps_says_how_to_install_them() {
	if [ ! -x "$BIN/idmap" ]; then skip_test "no idmap built"; return 0; fi
	setcap -r "$BIN/idmap" 2>/dev/null
	run as_user "$BIN/nsnew" -U --subids -- true
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "lacks the file capabilities cap_setuid,cap_setgid"
	assertErrContains "make install-idmap-caps"
}

test_short_options_r_and_v() {
	d=$(mktemp -d /tmp/vol.XXXXXX)
	echo short >"$d/f"
	run as_user "$BIN/nsnew" -U -r -- id -u
	assertRC 0
	assertEquals 0 "$OUT"
	run nsnew -v "$d:/mnt:ro" -- cat /mnt/f
	assertRC 0
	assertEquals short "$OUT"
	rm -rf "$d"
}

test_chdir() {
	run nsnew -u --chdir /tmp -- pwd
	assertRC 0
	assertEquals /tmp "$OUT"
	run nsnew -u --chdir /no/such -- pwd
	assertRC 125
	assertOneLineError nsnew
}

# An image configuration the jail points elsewhere is refused.
test_image_config_symlink_refused() {
	r=$(make_busybox_rootfs)
	mkdir "$r/.nskit"
	ln -s /etc/passwd "$r/.nskit/image.json"
	run nsnew -m --rootfs "$r" -- /bin/sh -c 'echo ran'
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "symbolic link"
	rm "$r/.nskit/image.json"
	ln -s / "$r/x"
	mkdir "$r/x2"
	rmdir "$r/.nskit"
	ln -s x2 "$r/.nskit"
	echo '{"Env":["A=1"]}' >"$r/x2/image.json"
	run nsnew -m --rootfs "$r" -- /bin/sh -c 'echo ran'
	assertRC 125
	assertErrContains "symbolic link"
	rm -rf "$r"
}

test_help_says_the_defaults() {
	run nsnew --help
	assertRC 0
	assertOutContains "implies -p"
	assertOutContains "--lo-down"
	assertOutContains "--chdir"
	assertOutContains ".nskit/image.json"
	assertOutContains "maps every id to itself"
	assertOutContains "-r, --map-root"
	assertOutContains "-v, --volume"
}

. shunit2
