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
	cp "$BUILD/nsnew" "$BUILD/nsnew-init" "$BUILD/nsjoin" "$BUILD/nsname" "$BIN/"
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
	cg_cleanup
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

# As an ordinary user --name is a rootless name (test_usernet.sh has the
# rest): nothing pinned on the host, and the record gone with the jail.
test_rootless_name_pins_nothing_and_goes_with_the_jail() {
	n=$(uniq_name)
	run as_user env -u XDG_RUNTIME_DIR "$BIN/nsnew" -U --map-root -n --name "$n" -- \
		sh -c "cat /tmp/nskit-$(id -u "$USR")/netns/$n >/dev/null && echo named"
	assertRC 0; assertErrEmpty
	assertEquals "named while the jail ran" named "$OUT"
	assertEquals "gone after" "" "$(ls -A "/tmp/nskit-$(id -u "$USR")/netns")"
	rm -rf "/tmp/nskit-$(id -u "$USR")"
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

# ---- what an idle jail keeps ----

# exe_of PID: the program PID runs now.
exe_of() { readlink "/proc/$1/exe" 2>/dev/null; }
# runs_small PID: PID has handed its waiting over to nsnew-init.
runs_small() { case $(exe_of "$1") in */nsnew-init) return 0 ;; esac; return 1; }
# child_of PID: PID's first child.
child_of() { local c; c=$(cat "/proc/$1/task/$1/children" 2>/dev/null); echo "${c%% *}"; }

# Once a named --init jail runs, neither its waiting nsnew nor its init
# needs the whole of nsnew: both exec nsnew-init, a few static pages. ps
# still names them nsnew; the jail is still reached by name, answers
# signals with the command's status, and leaves no process behind.
test_idle_jail_keeps_only_nsnew_init() {
	n=$(uniq_name j)
	f=$(mktemp /tmp/idle.XXXXXX)
	nsnew -n --name "$n" --init --setenv JAILVAR=1 -- sh -c 'trap "exit 3" TERM; : >$1.ready
		while :; do sleep 300 & wait $!; done' sh "$f" &
	p=$!
	wait_for 30 test -e "$f.ready"
	init=$(child_of "$p")
	wait_for 30 runs_small "$p"
	assertTrue "the waiting parent is nsnew-init: $(exe_of "$p")" "runs_small $p"
	wait_for 30 runs_small "$init"
	assertTrue "the jail's init is nsnew-init: $(exe_of "$init")" "runs_small $init"
	assertEquals "ps names the parent nsnew" nsnew "$(cat "/proc/$p/comm")"
	assertEquals "ps names the init nsnew" nsnew "$(cat "/proc/$init/comm")"
	cmd=$(child_of "$init")
	assertEquals "the command runs under the init" sh "$(cat "/proc/$cmd/comm")"
	own=$(for fd in $(ls "/proc/$init/fd"); do [ -e "/proc/$$/fd/$fd" ] || echo "$fd"; done)
	assertEquals "the init holds no fd but those the caller passed on" "" "$own"
	assertEquals "the init has the command's environment" JAILVAR=1 "$(tr '\0' '\n' <"/proc/$init/environ" | grep -x JAILVAR=1)"
	run nsjoin "$n" ip -o link show
	assertRC 0
	assertContains "nsjoin NAME reaches the jail" "$OUT" "lo:"
	kill -TERM "$p"
	wait "$p"
	assertEquals "SIGTERM went through both to the command; its status came back" 3 $?
	wait_for 30 eval "[ ! -e /proc/$init ] && [ ! -e /proc/$cmd ]"
	assertFalse "no process of the jail left" "[ -e /proc/$init ] || [ -e /proc/$cmd ]"
	nsname del "$n"
	rm -f "$f" "$f.ready"
}

# Outside a PID namespace the small init is a subreaper: the command's
# orphans come to it and are reaped, not left as zombies.
test_small_init_reaps_orphans() {
	run nsnew -n --init -- bash -c "$(declare -f wait_for)"'
		init=$PPID
		wait_for 30 eval "case \$(readlink /proc/$init/exe) in */nsnew-init) true ;; *) false ;; esac" || exit 9
		sh -c "true & exec true"
		wait_for 30 eval "! ps -o stat= --ppid $init | grep -q Z" || exit 8
		ps -o stat= --ppid $init | grep -c .'
	assertRC 0
	assertEquals "only the command is left under the init" 1 "$OUT"
}

# Where nsnew has something to do when the jail ends (here: remove its
# cgroup) the parent stays nsnew; the init still becomes small.
test_parent_with_work_left_stays_nsnew() {
	have_v1 || { skip_test "no v1 pids hierarchy"; return 0; }
	"$BUILD/nsnew" --pids 10 --init -- sleep 300 &
	p=$!
	cg_pids="$cg_pids $p"
	wait_for 30 eval '[ -n "$(child_of $(child_of '"$p"'))" ]'
	init=$(child_of "$p")
	wait_for 30 runs_small "$init"
	assertTrue "the init is nsnew-init" "runs_small $init"
	assertEquals "the parent is still nsnew" "$(readlink -f "$BUILD/nsnew")" "$(exe_of "$p")"
	kill -TERM "$p"
	wait "$p"
	assertEquals "the command's status" 143 $?
	assertEquals "its cgroup removed" "" "$(cg_of "$p")"
}

# Without nsnew-init (not installed beside nsnew or in libexec) a jail
# runs as before: nsnew itself waits and is the init.
test_without_nsnew_init_nsnew_waits_itself() {
	d=$(mktemp -d /tmp/alone.XXXXXX)
	cp "$BUILD/nsnew" "$d/"
	[ ! -e "$(strings "$d/nsnew" | grep -m1 '/nsnew-init$')" ] ||
		{ rm -rf "$d"; skip_test "nsnew-init is installed"; return 0; }
	run "$d/nsnew" -n --init -- sh -c 'readlink /proc/$PPID/exe; exit 7'
	assertRC 7
	assertEquals "the init is nsnew itself" "$(readlink -f "$d/nsnew")" "$OUT"
	rm -rf "$d"
}

# A seccomp profile that refuses execveat leaves the init as it was:
# nsnew, under the filter, still reaping and passing the status on.
test_init_stays_nsnew_when_a_profile_refuses_exec() {
	f=$(mktemp /tmp/profile.XXXXXX)
	printf 'default allow\ndeny execveat EPERM\n' >"$f"
	run nsnew -n --init --seccomp "$f" -- sh -c 'readlink /proc/$PPID/exe; grep ^Seccomp: /proc/$PPID/status; exit 5'
	assertRC 5
	assertEquals "the init is nsnew, filtered" "$(readlink -f "$BUILD/nsnew")
Seccomp:	2" "$OUT"
	rm -f "$f"
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

test_setuid_setgid_spelled_as_nsjoin_and_nsenter_do() {
	run nsnew -u -S 1234 -G 2345 -- sh -c 'id -u; id -g'
	assertRC 0; assertErrEmpty
	assertEquals "$(printf '1234\n2345')" "$OUT"
	run nsnew -u --setuid 1235 --setgid 2346 -- sh -c 'id -u; id -g'
	assertEquals "$(printf '1235\n2346')" "$OUT"
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
	wait_for 10 test -e "$f"
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

# ---- what a newcomer expects ----

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

# ---- the command's environment ----

test_env_options_apply_in_command_line_order() {
	A=caller B=caller run nsnew --setenv A=1 --unsetenv B --setenv C=x=y --setenv A=2 -- \
		sh -c 'echo "A=$A B=${B-unset} C=$C"'
	assertRC 0; assertErrEmpty
	assertEquals "A=2 B=unset C=x=y" "$OUT"
	# an unset after a set of the same name wins, and the reverse
	run nsnew --setenv A=1 --unsetenv A -- sh -c 'echo "${A-unset}"'
	assertEquals unset "$OUT"
	A=caller run nsnew --unsetenv A --setenv A=3 -- sh -c 'echo "$A"'
	assertEquals 3 "$OUT"
}

test_clearenv_empties_before_the_others_whatever_their_place() {
	A=caller run nsnew --setenv B=1 --clearenv -- /usr/bin/env
	assertRC 0; assertErrEmpty
	assertEquals "B=1" "$OUT"
	run nsnew --clearenv -- /usr/bin/env
	assertEquals "" "$OUT"
}

test_env_file_in_dockers_format() {
	f=$(mktemp /tmp/nsnew-env.XXXXXX)
	printf '# a comment\n\n   \nA=1\n  B=two words \nC\nD=x=y\nNOTSET\nE="q"\r\n  # indented comment\n' >"$f"
	C=from-caller run nsnew --clearenv --env-file "$f" -- /usr/bin/env
	assertRC 0; assertErrEmpty
	assertEquals "$(printf 'A=1\nB=two words \nC=from-caller\nD=x=y\nE="q"')" "$OUT"
	# later options win over the file, the file over earlier ones
	run nsnew --clearenv --setenv A=0 --env-file "$f" --setenv D=last -- sh -c 'echo "$A $D"'
	assertEquals "1 last" "$OUT"
	rm -f "$f"
}

test_env_file_bad_line_is_one_line_naming_file_and_line() {
	f=$(mktemp /tmp/nsnew-env.XXXXXX)
	printf 'A=1\n# fine\nBAD NAME=1\n' >"$f"
	n=$(uniq_name envf)
	run nsnew -n --name "$n" --env-file "$f" -- true
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "$f:3: whitespace in the variable name"
	assertFalse "no name pinned" "[ -e $NETNS/$n ]"
	printf '=x\n' >"$f"
	run nsnew --env-file "$f" -- true
	assertRC 125; assertOneLineError nsnew
	assertErrContains "$f:1: no variable name"
	run nsnew --env-file /no/such/file -- true
	assertRC 125; assertOneLineError nsnew
	assertErrContains "/no/such/file: No such file or directory"
	rm -f "$f"
}

test_env_bad_values_are_one_line_errors() {
	for a in "--setenv =x" "--setenv NOEQUALS" "--unsetenv A=B" "--unsetenv="; do
		run nsnew $a -- true
		assertRC 125
		assertOneLineError nsnew
	done
}

test_env_with_image_config_and_rootfs_defaults() {
	r=$(make_busybox_rootfs)
	mkdir "$r/.nskit"
	echo '{"Env":["A=img","B=img","PATH=/bin"]}' >"$r/.nskit/image.json"
	A=caller X=caller run nsnew -m --rootfs "$r" --setenv B=opt --unsetenv PATH -- /bin/busybox env
	assertRC 0; assertErrEmpty
	assertContains "image's Env is the base: $OUT" "$OUT" "A=img"
	assertContains "$OUT" "B=opt"
	assertNotContains "not the caller's: $OUT" "$OUT" "X=caller"
	assertContains "PATH unset gets the default: $OUT" "$OUT" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	assertContains "HOME of the user, / without passwd: $OUT" "$OUT" "HOME=/"
	run nsnew -m --rootfs "$r" --clearenv -- /bin/busybox env
	assertEquals "$(printf 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOME=/')" "$OUT"
	# without an image: the caller's HOME and PATH only where they make sense inside
	rm -r "$r/.nskit"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
	mkdir "$r/root"
	HOME=/no/such/home PATH=/no/such/bin:$PATH run nsnew -m --rootfs "$r" -- /bin/busybox sh -c 'echo "$HOME $PATH"'
	assertEquals "/root /no/such/bin:$PATH" "$OUT"
	HOME=/tmp PATH=/nothing:/nowhere run "$BUILD/nsnew" -m --rootfs "$r" -- /bin/busybox sh -c 'echo "$HOME $PATH"'
	assertEquals "/tmp /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "$OUT"
	run nsnew -m --rootfs "$r" --setenv HOME=/given -- /bin/busybox sh -c 'echo "$HOME"'
	assertEquals "given HOME kept as it is" /given "$OUT"
	rm -rf "$r"
}

test_rootless_env_options() {
	f=$(mktemp /tmp/nsnew-env.XXXXXX)
	chmod 644 "$f"
	echo 'F=file' >"$f"
	run as_user "$BIN/nsnew" -U -r --clearenv --env-file "$f" --setenv S=1 -- /usr/bin/env
	assertRC 0; assertErrEmpty
	assertEquals "$(printf 'F=file\nS=1')" "$OUT"
	rm -f "$f"
}

# ---- read-only and copy-on-write roots ----

# A fresh root filesystem for tests that write to it.
rw_rootfs() { r=$(make_rootfs); chmod 755 "$r"; printf '%s\n' "$r"; }

test_ro_rootfs_keeps_tmp_and_dev_writable() {
	r=$(rw_rootfs)
	run nsnew --rootfs "$r" $JAILUSR --ro-rootfs -- sh -c \
		'touch /new 2>&1; echo "rc=$?"; touch /tmp/x /run/x /dev/shm/x && echo writable; echo > /dev/null && echo dev'
	assertRC 0
	assertContains "$OUT" "Read-only file system"
	assertContains "$OUT" "rc=1"
	assertContains "$OUT" "writable"
	assertContains "$OUT" "dev"
	assertFalse "nothing reached the image" "[ -e $r/new ]"
	run nsnew --rootfs "$r" $JAILUSR --ro-rootfs -- sh -c 'grep -E "^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / " /proc/self/mountinfo'
	assertContains "/ is ro: $OUT" "$OUT" " / ro,"
	run as_user "$BIN/nsnew" -U -r --rootfs "$r" $JAILUSR --ro-rootfs -- sh -c 'touch /new 2>&1; touch /tmp/x && echo tmp'
	assertRC 0
	assertContains "rootless too: $OUT" "$OUT" "Read-only file system"
	assertContains "$OUT" "tmp"
	rm -rf "$r"
}

test_tmpfs_mounted_with_its_size_and_writable() {
	r=$(rw_rootfs)
	run nsnew --rootfs "$r" $JAILUSR --ro-rootfs --tmpfs /scratch:1M --tmpfs /var/cache -- sh -c \
		'grep -E " /(scratch|var/cache) " /proc/self/mountinfo; echo x >/scratch/f && cat /scratch/f; df -k /scratch | tail -1'
	assertRC 0; assertErrEmpty
	assertContains "$OUT" "/scratch rw,nosuid,nodev"
	assertContains "size honoured: $OUT" "$OUT" "size=1024k"
	assertContains "$OUT" "/var/cache rw,nosuid,nodev"
	assertContains "writable: $OUT" "$OUT" "x"
	run nsnew --rootfs "$r" $JAILUSR --tmpfs /scratch:1M -- sh -c 'head -c 2000000 /dev/zero >/scratch/big'
	assertNotEquals "more than SIZE does not fit" 0 "$RC"
	# without --rootfs, on an existing directory of the host, in the jail only
	d=$(mktemp -d /tmp/nsnew-tmpfs.XXXXXX)
	touch "$d/host-file"
	run nsnew --tmpfs "$d" -- sh -c "ls -A $d; touch $d/jail-file"
	assertRC 0; assertEquals "" "$OUT"
	assertEquals "host-file" "$(ls -A "$d")"
	run as_user "$BIN/nsnew" -U -r --rootfs "$r" $JAILUSR --tmpfs /scratch:64K -- sh -c 'df -k /scratch | tail -1'
	assertRC 0
	assertContains "rootless: $OUT" "$OUT" " 64 "
	rm -rf "$r" "$d"
}

test_tmpfs_and_root_bad_values_are_one_line_errors_leaving_nothing() {
	r=$(rw_rootfs)
	mi=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
	for a in "--tmpfs relative" "--tmpfs /" "--tmpfs /x:12Q" "--tmpfs /x:" "--tmpfs /x:1" \
		"--overlay" "--ro-rootfs" "--ephemeral" "--overlay-dir $r"; do
		run nsnew -m $a -- true
		assertRC 125
		assertOneLineError nsnew
	done
	assertErrContains "--overlay-dir needs --rootfs"
	run nsnew --tmpfs /no/such/dir -- true
	assertRC 125; assertOneLineError nsnew
	run nsnew --rootfs "$r" --tmpfs /s:0 -- true
	assertRC 125; assertOneLineError nsnew
	assertFalse "no directory made in the image" "[ -e $r/s ]"
	assertEquals "no mount left" "$mi" "$(cut -d' ' -f5 /proc/self/mountinfo | sort)"
	rm -rf "$r"
}

test_overlay_leaves_the_image_untouched() {
	r=$(rw_rootfs)
	before=$(cd "$r" && find . | sort)
	run nsnew --rootfs "$r" $JAILUSR --overlay -- sh -c \
		'echo jail >/etc/hosts; echo new >/new; rm -f /etc/hostname; mkdir /d; cat /new; ls /etc'
	assertRC 0; assertErrEmpty
	assertContains "$OUT" "new"
	assertEquals "the image is as it was" "$before" "$(cd "$r" && find . | sort)"
	assertEquals "" "$(cat "$r/etc/hosts")"
	run as_user "$BIN/nsnew" -U -r --rootfs "$r" $JAILUSR --overlay -- sh -c 'echo new >/new && cat /new && id -u'
	assertRC 0; assertErrEmpty
	assertEquals "rootless: $OUT" "$(printf 'new\n0')" "$OUT"
	assertEquals "the image is as it was" "$before" "$(cd "$r" && find . | sort)"
	rm -rf "$r"
}

test_concurrent_overlay_jails_see_only_their_own_writes() {
	r=$(rw_rootfs)
	d=$(mktemp -d /tmp/nsnew-ov.XXXXXX)
	for j in 1 2; do
		nsnew --rootfs "$r" $JAILUSR --volume "$d:/out" --overlay -- sh -c \
			"echo $j >/mine; touch /out/ready$j; i=0; while { [ ! -e /out/ready1 ] || [ ! -e /out/ready2 ]; } && [ \$i -lt 600 ]; do i=\$((i+1)); sleep 0.1; done; cat /mine; ls /" \
			>"$d/out$j" 2>&1 &
	done
	wait
	assertEquals "jail 1 sees its own" 1 "$(head -1 "$d/out1")"
	assertEquals "jail 2 sees its own" 2 "$(head -1 "$d/out2")"
	assertFalse "not the image" "[ -e $r/mine ]"
	rm -rf "$r" "$d"
}

test_overlay_dir_keeps_the_upper_layer_between_runs() {
	r=$(rw_rootfs)
	d=$(mktemp -d /tmp/nsnew-ovd.XXXXXX)
	run nsnew --rootfs "$r" $JAILUSR --overlay-dir "$d" -- sh -c 'echo kept >/kept'
	assertRC 0; assertErrEmpty
	assertEquals "kept" "$(cat "$d/upper/kept")"
	run nsnew --rootfs "$r" $JAILUSR --overlay-dir "$d" -- cat /kept
	assertEquals "a second run sees it" kept "$OUT"
	assertFalse "the image untouched" "[ -e $r/kept ]"
	# --ephemeral: a fresh upper layer inside DIR, gone at exit
	run nsnew --rootfs "$r" $JAILUSR --overlay-dir "$d" --ephemeral -- sh -c 'cat /kept 2>&1; echo e >/e; mkdir -p /x/y; ls /e'
	assertRC 0
	assertContains "the kept layer is not used: $OUT" "$OUT" "No such file"
	assertEquals "only upper and work left" "$(printf 'upper\nwork')" "$(ls -A "$d")"
	rm -rf "$r" "$d"
}

test_ephemeral_alone_is_an_overlay_on_tmpfs() {
	r=$(rw_rootfs)
	run nsnew --rootfs "$r" $JAILUSR --ephemeral -- sh -c 'echo x >/x && cat /x'
	assertRC 0; assertEquals x "$OUT"
	assertFalse "[ -e $r/x ]"
	rm -rf "$r"
}

test_rootless_overlay_dir_and_ephemeral() {
	r=$(rw_rootfs)
	d=$(as_user mktemp -d /tmp/nsnew-ovd.XXXXXX)
	run as_user "$BIN/nsnew" -U -r --rootfs "$r" $JAILUSR --overlay-dir "$d" -- sh -c 'echo kept >/kept'
	assertRC 0; assertErrEmpty
	run as_user "$BIN/nsnew" -U -r --rootfs "$r" $JAILUSR --overlay-dir "$d" -- cat /kept
	assertRC 0; assertEquals kept "$OUT"
	run as_user "$BIN/nsnew" -U -r --rootfs "$r" $JAILUSR --overlay-dir "$d" --ephemeral -- sh -c 'echo e >/e; mkdir -p /a/b; cat /e'
	assertRC 0; assertEquals e "$OUT"
	assertEquals "ephemeral layer removed" "$(printf 'upper\nwork')" "$(ls -A "$d")"
	rm -rf "$r" "$d"
}

test_overlay_dir_refused_unless_private_and_nothing_left() {
	r=$(rw_rootfs)
	d=$(mktemp -d /tmp/nsnew-ovd.XXXXXX)
	chmod 755 "$d"
	run nsnew --rootfs "$r" --overlay-dir "$d" -- true
	assertRC 125; assertOneLineError nsnew
	assertErrContains "mode 0700"
	assertEquals "nothing made" "" "$(ls -A "$d")"
	chmod 700 "$d"
	run as_user "$BIN/nsnew" -U -r --rootfs "$r" --overlay-dir "$d" -- true
	assertRC 125; assertOneLineError nsnew
	run nsnew --rootfs "$r" --overlay-dir /no/such/dir -- true
	assertRC 125; assertOneLineError nsnew
	# a jail that fails to start leaves no layer behind
	run nsnew --rootfs "$r" --overlay-dir "$d" --chdir /no/such -- true
	assertRC 125; assertOneLineError nsnew
	assertEquals "layers taken back" "" "$(ls -A "$d")"
	run nsnew -p --rootfs "$r" --overlay-dir "$d" --tmpfs /made/by/nsnew --chdir /no/such -- true
	assertRC 125
	assertEquals "with the mount points its set-up made" "" "$(ls -A "$d")"
	run as_user "$BIN/nsnew" -U -r --rootfs "$r" --overlay-dir "$(as_user mktemp -d /tmp/nsnew-ovd.XXXXXX)" \
		--chdir /no/such -- true
	assertRC 125
	run nsnew -p --rootfs "$r" --overlay-dir "$d" --ephemeral --chdir /no/such -- true
	assertRC 125
	assertEquals "ephemeral too" "" "$(ls -A "$d")"
	rm -rf "$r" "$d"
}

test_help_names_the_root_and_environment_options() {
	run nsnew --help
	assertRC 0
	for o in --clearenv --env-file --ephemeral --overlay --overlay-dir --ro-rootfs --setenv --tmpfs --unsetenv; do
		assertOutContains "$o"
	done
	assertOutContains "command-line order"
}

# ---- seccomp, rlimits, cgroups ----

# probe.py NAME...: each system call made with arguments that make it
# fail at once, and the errno it failed with ("bpf:EPERM"); numbers
# resolved by libseccomp, as nsnew resolves them.
write_probe() {
	[ -f "$BIN/probe.py" ] && return 0
	cat >"$BIN/probe.py" <<'EOF'
import ctypes, errno, sys
libc = ctypes.CDLL(None, use_errno=True)
sc = ctypes.CDLL("libseccomp.so.2")
args = {"kexec_load": (0, 0, 0, -1), "reboot": (0, 0, 0, 0), "unshare": (-1,),
        "setns": (-1, 0), "ptrace": (16, 0x7fffffff, 0, 0), "clone3": (0, 0),
        "keyctl": (-1, 0, 0, 0), "userfaultfd": (-1,), "bpf": (-1, 0, 0)}
out = []
for name in sys.argv[1:]:
    nr = sc.seccomp_syscall_resolve_name(name.encode())
    a = [ctypes.c_long(x) for x in args.get(name, (0, 0, 0, 0, 0))]
    ctypes.set_errno(0)
    r = libc.syscall(ctypes.c_long(nr), *a)
    out.append("%s:%s" % (name, errno.errorcode.get(ctypes.get_errno(), "OK") if r == -1 else "OK"))
print(" ".join(out))
EOF
	chmod 644 "$BIN/probe.py"
}
BLOCKED="kexec_load reboot bpf perf_event_open userfaultfd keyctl add_key mount umount2 unshare setns ptrace open_by_handle_at io_uring_setup"

test_seccomp_default_blocks() {
	write_probe
	run nsnew -u --seccomp=default -- python3 "$BIN/probe.py" $BLOCKED clone3
	assertRC 0
	for s in $BLOCKED; do assertContains "$OUT" "$s:EPERM"; done
	assertContains "clone3 says ENOSYS so the C library uses clone: $OUT" "$OUT" "clone3:ENOSYS"
	# the same calls fail otherwise without the filter (root here)
	run nsnew -u -- python3 "$BIN/probe.py" $BLOCKED clone3
	assertRC 0
	assertNotContains "$OUT" "EPERM"
	assertContains "$OUT" "clone3:EINVAL"
	run nsnew -u --seccomp=none -- python3 "$BIN/probe.py" bpf
	assertEquals "bpf:EINVAL" "$OUT"
}

# The jail's own set-up is not filtered (mounts, pivot_root, sethostname
# all happen before), and the programs of a jail run: a shell, ps, ping.
test_seccomp_default_lets_programs_run() {
	run nsnew -a --hostname box --rootfs "$ROOTFS" $JAILUSR --mount-proc --seccomp=default -- \
		/bin/sh -c 'hostname; ps -e -o pid=,comm= | head -1; ping -c1 -W5 127.0.0.1 >/dev/null && echo pinged; echo $(( 6 * 7 ))'
	assertRC 0
	assertEquals "box
      1 sh
pinged
42" "$OUT"
}

# New namespaces and mounts: blocked, unless the jail keeps CAP_SYS_ADMIN
# by name; tracing: blocked unless the jail has a PID namespace.
test_seccomp_default_allows_what_the_jail_was_given() {
	write_probe
	run nsnew -m --seccomp=default -- unshare -u true
	assertRC 1
	run nsnew -m --keep-caps sys_admin --seccomp=default -- unshare -u true
	assertRC 0
	run nsnew -m --seccomp=default -- python3 "$BIN/probe.py" ptrace
	assertEquals "ptrace:EPERM" "$OUT"
	run nsnew -p --mount-proc --seccomp=default -- python3 "$BIN/probe.py" ptrace
	assertEquals "ptrace:ESRCH" "$OUT"
}

# TIOCSTI (push input into a terminal) is refused before the kernel looks
# at the fd; and a system call of another ABI (x32 here) kills.
test_seccomp_default_tiocsti_and_other_abi() {
	run nsnew -u --seccomp=default -- python3 -c '
import fcntl, termios
try:
    fcntl.ioctl(0, termios.TIOCSTI, b"x")
except OSError as e:
    print(e.errno)' </dev/null
	assertEquals 1 "$OUT"
	[ "$(uname -m)" = x86_64 ] || { skip_test "x32 is x86_64's"; return 0; }
	run nsnew -u --seccomp=default -- python3 -c '
import ctypes; ctypes.CDLL(None).syscall(0x40000000 | 39); print("ran")'
	assertEquals "killed by SIGSYS" 159 "$RC"
	assertNotContains "$OUT" "ran"
}

# Unprivileged, the filter goes in under no_new_privs (the kernel wants
# it); as root it does not, so set-uid programs still work.
test_seccomp_rootless_and_no_new_privs() {
	write_probe
	run as_user "$BIN/nsnew" --seccomp=default -- sh -c "python3 $BIN/probe.py bpf keyctl; grep NoNewPrivs /proc/self/status"
	assertRC 0
	assertEquals "bpf:EPERM keyctl:EPERM
NoNewPrivs:	1" "$OUT"
	# in a user namespace of its own the jail holds CAP_SYS_ADMIN there,
	# which is enough for the kernel
	run as_user "$BIN/nsnew" -U -r --seccomp=default -- sh -c "python3 $BIN/probe.py bpf mount; grep NoNewPrivs /proc/self/status"
	assertRC 0
	assertEquals "bpf:EPERM mount:EPERM
NoNewPrivs:	0" "$OUT"
	run nsnew -u --seccomp=default -- grep NoNewPrivs /proc/self/status
	assertEquals "NoNewPrivs:	0" "$OUT"
}

test_seccomp_file_profile() {
	f=$(mktemp /tmp/profile.XXXXXX)
	printf '# a profile\ndefault allow\ndeny mkdir EACCES   # as if read-only\ndeny rmdir 38\nkill chroot\nallow read\n' >"$f"
	d=$(mktemp -d /tmp/pd.XXXXXX)
	run nsnew -u --seccomp "$f" -- python3 -c "
import os, sys
for f in (lambda: os.mkdir('$d/a'), lambda: os.rmdir('$d')):
    try: f()
    except OSError as e: print(e.errno)
sys.stdout.flush()
os.chroot('/')
print('not killed')"
	assertEquals "killed by SIGSYS" 159 "$RC"
	assertEquals "13
38" "$OUT"
	[ -d "$d" ] && [ ! -e "$d/a" ]
	assertTrue "the denied calls did nothing" $?
	# default deny: only what is allowed runs
	printf 'default deny\nallow write\nallow exit_group\n' >"$f"
	run nsnew -u --seccomp "$f" -- /bin/echo ran
	assertNotEquals 0 "$RC"
	assertEquals "execve itself is denied: nothing ran" "" "$OUT"
	rm -rf "$f" "$d"
}

# Linked, json-c and libseccomp cost every run memory (DESIGN.md: peak
# memory no higher than unshare's): nsnew opens them only when a run
# needs them (tools/nsnew/lazylib.c).
test_seccomp_library_opened_only_for_a_profile_file() {
	f=$(mktemp /tmp/profile.XXXXXX)
	printf 'default allow\ndeny mkdir\n' >"$f"
	run env LD_DEBUG=files nsnew -u -- true
	assertRC 0
	assertNotContains "no profile: no libseccomp" "$ERR" "libseccomp"
	assertNotContains "no image: no json-c" "$ERR" "libjson-c"
	run env LD_DEBUG=files nsnew -u --seccomp=default -- true
	assertRC 0
	assertNotContains "the default profile is compiled in" "$ERR" "libseccomp"
	run env LD_DEBUG=files nsnew -u --seccomp "$f" -- mkdir /tmp/sc-lazy
	assertEquals "denied by the profile" 1 "$RC"
	assertContains "a profile file: libseccomp opened" "$ERR" "libseccomp.so.2"
	[ ! -e /tmp/sc-lazy ]
	assertTrue "mkdir was denied" $?
	rm -f "$f"
}

test_seccomp_bad_profiles() {
	f=$(mktemp /tmp/profile.XXXXXX)
	for bad in 'allow' 'allow no_such_call' 'deny read EWHAT' 'deny read 0' 'default maybe' \
		'default allow\ndefault kill' 'kill read 1' 'allow read\nallow read' 'frob read' 'allow Read'; do
		printf "$bad\n" >"$f"
		run nsnew -m --seccomp "$f" -- touch /tmp/seccomp-ran
		assertRC 125
		assertOneLineError nsnew
		assertContains "names the file and line: $ERR" "$ERR" "$f:"
		[ ! -e /tmp/seccomp-ran ]
		assertTrue "the command did not run" $?
	done
	run nsnew --seccomp /no/such/profile -- true
	assertRC 125
	assertOneLineError nsnew
	run nsnew --seccomp /tmp -- true
	assertRC 125
	assertOneLineError nsnew
	rm -f "$f"
}

# A filter compiled elsewhere, as bwrap's users bring theirs: here by
# libseccomp's seccomp_export_bpf.
test_seccomp_fd() {
	f=$(mktemp /tmp/bpf.XXXXXX)
	python3 - "$f" <<'EOF'
import ctypes, os, sys
sc = ctypes.CDLL("libseccomp.so.2")
sc.seccomp_init.restype = ctypes.c_void_p
ctx = sc.seccomp_init(ctypes.c_uint(0x7fff0000))				# SCMP_ACT_ALLOW
assert sc.seccomp_rule_add(ctypes.c_void_p(ctx), ctypes.c_uint(0x00050000 | 13),	# ERRNO(EACCES)
                           sc.seccomp_syscall_resolve_name(b"mkdir"), 0) == 0
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
assert sc.seccomp_export_bpf(ctypes.c_void_p(ctx), fd) == 0
EOF
	d=$(mktemp -d /tmp/pd.XXXXXX)
	run nsnew -u --seccomp-fd 3 -- python3 -c "
import os
try: os.mkdir('$d/a')
except OSError as e: print(e.errno)
print(os.path.exists('/proc/self/fd/3'))" 3<"$f"
	assertRC 0
	assertEquals "13
False" "$OUT"
	# with the default profile too: both filters apply
	write_probe
	run nsnew -u --seccomp=default --seccomp-fd 3 -- python3 "$BIN/probe.py" mkdir bpf 3<"$f"
	assertEquals "mkdir:EACCES bpf:EPERM" "$OUT"
	head -c 12 "$f" >"$f.short"
	for input in "$f.short" /dev/null; do
		run nsnew -u --seccomp-fd 3 -- touch "$d/ran" 3<"$input"
		assertRC 125
		assertOneLineError nsnew
	done
	run nsnew --seccomp-fd 77 -- touch "$d/ran"
	assertRC 125
	run nsnew --seccomp-fd x -- touch "$d/ran"
	assertRC 125
	[ ! -e "$d/ran" ]
	assertTrue "no command ran" $?
	rm -rf "$f" "$f.short" "$d"
}

test_rlimit() {
	run nsnew -u --rlimit nofile=100:200 --rlimit core=0 --rlimit msgqueue=1000:2000 -- \
		sh -c 'grep -E "open files|core file|msgqueue" /proc/self/limits | tr -s " "'
	assertRC 0
	assertEquals "Max core file size 0 0 bytes 
Max open files 100 200 files 
Max msgqueue size 1000 2000 bytes " "$OUT"
	# SOFT alone sets both, as prlimit does; the later one wins
	run nsnew -u --rlimit nofile=50 --rlimit nofile=60 -- sh -c 'ulimit -Sn; ulimit -Hn'
	assertEquals "60
60" "$OUT"
	# rootless: lowering works, raising the hard limit is refused, one line
	run as_user "$BIN/nsnew" --rlimit nofile=64 -- sh -c 'ulimit -n'
	assertEquals 64 "$OUT"
	run as_user "$BIN/nsnew" --rlimit "nofile=64:$(( $(ulimit -Hn) + 1 ))" -- true
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "nofile"
	for bad in nofile nofile= foo=1 nofile=1:x nofile=2:1 nofile=-1 'nofile=1 ' =1; do
		run nsnew --rlimit "$bad" -- true
		assertRC 125
		assertContains "$ERR" "nsnew: --rlimit"
	done
}

# Cgroups nsnew made, found by the pid of the nsnew that made them.
cg_of() {
	ls -d /sys/fs/cgroup/*/nsnew-"$1"-* /sys/fs/cgroup/nsnew-"$1"-* 2>/dev/null
}
cg_pids=
cg_cleanup() {
	local p d
	for p in $cg_pids; do
		for d in $(cg_of "$p"); do
			xargs -r kill -9 <"$d/cgroup.procs" 2>/dev/null
			wait_for 10 rmdir "$d" 2>/dev/null
		done
	done
	cg_pids=
}
# run_nsnew ARGS...: run nsnew, its pid (so its cgroup's name) kept.
run_nsnew() {
	local pf
	pf=$(mktemp /tmp/pid.XXXXXX)
	run sh -c 'echo $$ >"$0"; exec "$@"' "$pf" "$BUILD/nsnew" "$@"
	NSNEW_PID=$(cat "$pf")
	cg_pids="$cg_pids $NSNEW_PID"
	rm -f "$pf"
}
have_v1() {
	[ -f /sys/fs/cgroup/memory/cgroup.procs ] && [ -f /sys/fs/cgroup/pids/cgroup.procs ] &&
		[ -f /sys/fs/cgroup/cpu/cgroup.procs ] && [ ! -f /sys/fs/cgroup/cgroup.controllers ] &&
		! grep -qw memory /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null
}

# This machine's hierarchies are v1: the limits are written there, seen
# from inside, and the cgroups are gone when the jail ends.
test_cgroup_limits_v1() {
	have_v1 || { skip_test "no v1 memory, pids and cpu hierarchies"; return 0; }
	run_nsnew --memory 64M --pids 20 --cpus 0.5 -- sh -c '
		for c in memory pids cpu; do grep ":$c:" /proc/self/cgroup | cut -d: -f3; done
		m=$(grep :memory: /proc/self/cgroup | cut -d: -f3)
		cat /sys/fs/cgroup/memory$m/memory.limit_in_bytes /sys/fs/cgroup/pids$m/pids.max \
			/sys/fs/cgroup/cpu$m/cpu.cfs_quota_us /sys/fs/cgroup/cpu$m/cpu.cfs_period_us'
	assertRC 0
	name=$(printf '%s\n' "$OUT" | head -1)
	assertContains "$name" "/nsnew-$NSNEW_PID-"
	assertEquals "$name
$name
$name
67108864
20
50000
100000" "$OUT"
	assertEquals "gone after the jail" "" "$(cg_of "$NSNEW_PID")"
	# with a cgroup namespace, the jail's cgroup is its root
	run_nsnew -C --pids 20 -- grep :pids: /proc/self/cgroup
	assertEquals "8:pids:/" "$(echo "$OUT" | sed 's/^[0-9]*:/8:/')"
	run_nsnew -U -r -C --pids 20 -- grep :pids: /proc/self/cgroup
	assertEquals "8:pids:/" "$(echo "$OUT" | sed 's/^[0-9]*:/8:/')"
	# the limit holds
	run_nsnew --pids 3 -- sh -c 'for i in 1 2 3 4 5 6; do sleep 5 & done; wait; echo done'
	assertContains "$ERR" "fork"
	assertEquals "" "$(cg_of "$NSNEW_PID")"
}

# The cgroup goes when the command fails, when nsnew fails after making
# it, and what the command left behind in it is killed.
test_cgroup_removed_on_failure_and_leftovers_killed() {
	have_v1 || { skip_test "no v1 hierarchies"; return 0; }
	run_nsnew --pids 10 -- /no/such/command
	assertRC 127
	assertEquals "" "$(cg_of "$NSNEW_PID")"
	run_nsnew --pids 10 -u --chdir /no/such -- true
	assertRC 125
	assertEquals "" "$(cg_of "$NSNEW_PID")"
	f=$(mktemp /tmp/left.XXXXXX)
	run_nsnew --pids 10 -- sh -c "sleep 300 & echo \$! >$f"
	assertRC 0
	assertEquals "" "$(cg_of "$NSNEW_PID")"
	left=$(cat "$f")
	[ ! -e "/proc/$left" ] || grep -q '^State:.Z' "/proc/$left/status"
	assertTrue "what the command left in its cgroup is killed (a zombie until reaped)" $?
	rm -f "$f"
}

# SIGKILL gives nsnew no chance: its cgroup stays with the jail in it,
# found by the name nsnew-PID-* and removed as nsnew(1) says.
cg_populated() {
	local d
	d=$(cg_of "$1")
	[ -n "$d" ] && [ -n "$(cat "$d/cgroup.procs")" ]
}
test_cgroup_after_sigkill() {
	have_v1 || { skip_test "no v1 hierarchies"; return 0; }
	"$BUILD/nsnew" --pids 10 -- sleep 300 &
	p=$!
	pids="$pids $p"
	cg_pids="$cg_pids $p"
	wait_for 30 cg_populated "$p"
	kill -9 "$p"
	wait "$p" 2>/dev/null
	d=$(cg_of "$p")
	assertNotEquals "left behind" "" "$d"
	xargs kill -9 <"$d/cgroup.procs"
	wait_for 30 rmdir "$d" 2>/dev/null
	assertEquals "" "$(cg_of "$p")"
}

# The v2 file protocol, against a directory laid out like a v2 root
# (NSKIT_CGROUP_ROOT): controllers enabled for children, the cgroup made,
# limits and the jail's pid written, all of it removed.
test_cgroup_v2_protocol_in_a_plain_directory() {
	d=$(mktemp -d /tmp/cg2.XXXXXX)
	echo "cpuset cpu io memory hugetlb pids" >"$d/cgroup.controllers"
	echo "cpu" >"$d/cgroup.subtree_control"
	NSKIT_CGROUP_ROOT=$d run nsnew --memory 1G --pids 100 --cpus 1.5 -- sh -c \
		"cd $d/nsnew-*-* && cat memory.max pids.max cpu.max cgroup.procs && echo \$\$"
	assertRC 0
	set -- $OUT
	assertEquals "1073741824 100 150000 100000" "$1 $2 $3 $4"
	assertEquals "the jail's process was moved in" "$6" "$5"
	assertEquals "memory and pids enabled for children (cpu was)" "cpu +memory +pids" "$(xargs <"$d/cgroup.subtree_control")"
	assertEquals "removed" "" "$(ls -d "$d"/nsnew-* 2>/dev/null)"
	# a controller the hierarchy lacks: one line, nothing made
	echo "cpu io" >"$d/cgroup.controllers"
	NSKIT_CGROUP_ROOT=$d run nsnew --memory 1G -- touch "$d/ran"
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "memory controller"
	assertEquals "nothing made" "cgroup.controllers cgroup.subtree_control" "$(ls "$d" | xargs)"
	rm -rf "$d"
}

# A real cgroup2 hierarchy, mounted in the sandbox's mount namespace:
# where a controller is free of v1 the protocol runs against the kernel;
# where none is (this machine: only hugetlb), the clear error and nothing
# made.
test_cgroup_v2_real_hierarchy() {
	m=$(mktemp -d /tmp/cg2m.XXXXXX)
	mount -t cgroup2 none "$m" || { rmdir "$m"; skip_test "cannot mount cgroup2"; return 0; }
	before=$(ls "$m" | xargs)
	if grep -qw pids "$m/cgroup.controllers"; then
		NSKIT_CGROUP_ROOT=$m run nsnew --pids 7 -- sh -c "cat $m/nsnew-*/pids.max"
		assertRC 0
		assertEquals 7 "$OUT"
	else
		NSKIT_CGROUP_ROOT=$m run nsnew --pids 7 -- touch /tmp/cg2-ran
		assertRC 125
		assertOneLineError nsnew
		assertErrContains "pids controller"
		[ ! -e /tmp/cg2-ran ]
		assertTrue "nothing ran" $?
	fi
	assertEquals "nothing left" "$before" "$(ls "$m" | xargs)"
	umount "$m" && rmdir "$m"
}

test_cgroup_rootless_and_bad_values() {
	run as_user "$BIN/nsnew" -U -r --memory 64M -- touch /tmp/cg-ran
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "limits need root, or a cgroup delegated"
	for bad in "--memory 1k" "--memory 1X" "--memory -5" "--pids 0" "--pids x" "--cpus 0" "--cpus 0.001" \
		"--cpus 1.000001" "--cpus 5000" "--cpus .5" "--cpus 1."; do
		run_nsnew $bad -- touch /tmp/cg-ran
		assertRC 125
		assertContains "$ERR" "nsnew: ${bad%% *}"
		assertEquals "nothing made: $bad" "" "$(cg_of "$NSNEW_PID")"
	done
	[ ! -e /tmp/cg-ran ]
	assertTrue "no command ran" $?
}

. shunit2
