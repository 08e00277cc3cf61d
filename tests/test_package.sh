#!/bin/bash
# The Debian package (debian/): dpkg-buildpackage builds an nskit .deb from
# a copy of this tree, lintian finds no error in it, and once installed its
# binaries run, `man -w` finds its pages, bash-completion loads its
# completions and the postinst gives idmap its file capabilities.
#
# The package is installed for real with dpkg -i, but only inside this
# suite's private mount namespace and only after /usr and /var are covered
# by overlays whose upper layers live in a scratch directory: the host's
# /usr, /var and dpkg database never change (tests/sandbox.sh already gives
# /etc, /run and /tmp). The postinst's fallbacks are run against trees
# unpacked with dpkg -x, with $DPKG_ROOT pointing at them.
. "$(dirname "$0")/lib.sh"

# Why every test skips, when the suite cannot run here at all.
SKIP_WHY=
# Overlays this suite mounted, to undo at the end.
MOUNTED=
# Background processes a test started (killed at the end if still there).
PIDS=

# The source tree as a fresh clone plus whatever is not committed yet
# (tracked and untracked files, no ignored build products), or without git
# the whole tree less .git and build directories.
export_tree() {
	mkdir -p "$1" || return 1
	if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$TOP" ls-files -co --exclude-standard -z |
			tar -C "$TOP" --null -T - --ignore-failed-read -cf - 2>/dev/null |
			tar -C "$1" -xf -
	else
		tar -C "$TOP" --exclude=./.git --exclude='./build*' --exclude=./debian/nskit \
			--exclude=./Makefile --exclude=./config.status --exclude=./config.h \
			--exclude=./config.log --exclude=./stamp-h1 --exclude='*.o' --exclude='*.a' \
			--exclude=.deps --exclude=.dirstamp -cf - . | tar -C "$1" -xf -
	fi
}

# outer_mount_ns: whether an ancestor of this shell (tests/run's timeout,
# outside tests/sandbox.sh) is in another mount namespace than this one.
outer_mount_ns() {
	local pid=$$ mine
	mine=$(readlink /proc/self/ns/mnt)
	while pid=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) && [ "${pid:-0}" -gt 1 ]; do
		ns=$(readlink "/proc/$pid/ns/mnt" 2>/dev/null) || continue
		[ "$ns" != "$mine" ] && return 0
	done
	return 1
}

# in_sandbox: this shell has a mount namespace of its own whose mounts
# propagate nowhere, and /etc is under tests/sandbox.sh's overlay.
in_sandbox() {
	outer_mount_ns &&
		[ "$(findmnt -n -o PROPAGATION --mountpoint /)" = private ] &&
		[ "$(findmnt -n -o FSTYPE --mountpoint /etc | tail -n 1)" = overlay ]
}

# The host's /usr and /var, seen through a bind mount of / made before the
# overlays go on (so it shows what lies under them).
host_state() {
	ls -l "$W/host/usr/sbin/nsname" "$W/host/usr/bin/idmap" 2>&1
	grep -c '^Package: nskit$' "$W/host/var/lib/dpkg/status"
	find "$W/host/var/lib/dpkg/info" -maxdepth 1 -name 'nskit.*' | wc -l
}

# dpkg -i into this mount namespace only, /usr and /var under throwaway
# overlays. Sets INSTALL_WHY when it could not.
install_package() {
	local d
	# A mount namespace of its own whose mounts propagate nowhere: the
	# overlays below can never show up on the host.
	if ! in_sandbox; then
		INSTALL_WHY="not in a private mount namespace (run through tests/run): refusing to install onto the host"
		return 1
	fi
	mkdir -p "$W/host"
	mount --bind / "$W/host" && MOUNTED="$W/host $MOUNTED"
	for d in usr var; do
		findmnt -n --mountpoint "/$d" >/dev/null || continue
		mount --bind "/$d" "$W/host/$d" && MOUNTED="$W/host/$d $MOUNTED"
	done
	HOST_BEFORE=$(host_state)
	for d in usr var; do
		mkdir -p "$W/ov-$d/upper" "$W/ov-$d/work"
		if ! mount -t overlay "nskit-pkg-$d" \
			-o "lowerdir=/$d,upperdir=$W/ov-$d/upper,workdir=$W/ov-$d/work" "/$d"; then
			INSTALL_WHY="cannot put an overlay on /$d"
			return 1
		fi
		MOUNTED="/$d $MOUNTED"
		if [ "$(findmnt -n -o SOURCE --mountpoint "/$d" | tail -n 1)" != "nskit-pkg-$d" ]; then
			INSTALL_WHY="/$d is not under this suite's overlay: refusing to install"
			return 1
		fi
	done
	if ! DEBIAN_FRONTEND=noninteractive dpkg -i "$DEB" >"$W/install.log" 2>&1; then
		INSTALL_WHY="dpkg -i failed: $(tail -n 5 "$W/install.log")"
		return 1
	fi
	return 0
}

oneTimeSetUp() {
	local c
	W=$(mktemp -d /tmp/nskit-pkg.XXXXXX) && chmod 755 "$W"
	if [ -n "${NSKIT_SANITIZED-}" ]; then
		SKIP_WHY="the package is built with Debian's flags, not the sanitizer build; the plain pass tests it"
		return 0
	fi
	# Tests below write /etc/subuid and install the package: only ever in
	# tests/sandbox.sh (its own mount namespace, /etc under an overlay).
	if ! in_sandbox; then
		SKIP_WHY="not inside tests/sandbox.sh (run the suite through tests/run)"
		return 0
	fi
	for c in dpkg-buildpackage dh lintian fakeroot man getcap setcap setpriv findmnt readelf; do
		command -v "$c" >/dev/null 2>&1 && continue
		SKIP_WHY="$c is not installed (scripts/setup installs it from scripts/packages.txt)"
		return 0
	done

	VERSION=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
	SRC=$W/nskit-$VERSION
	DEB=$W/nskit_${VERSION}_$(dpkg --print-architecture).deb
	CHANGES=${DEB%.deb}.changes
	export_tree "$SRC"
	(cd "$SRC" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) \
		>"$W/build.log" 2>&1
	BUILD_RC=$?
	[ -f "$DEB" ] || return 0
	dpkg-deb -e "$DEB" "$W/control"
	dpkg-deb -x "$DEB" "$W/x"
	install_package
	return 0
}

suite_teardown() {
	local p d
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for d in $MOUNTED; do
		umount -l "$d"
	done
	rm -rf "$W"
	return 0
}

# need WHAT: whether this test can go on; skips or fails it when not.
#   deb      the package was built
#   install  and is installed (in this namespace's overlays)
#   idmap    the package holds idmap
#   bash-completion  bash-completion is there to load completions
need() {
	if [ -n "$SKIP_WHY" ]; then
		skip_test "$SKIP_WHY"
		return 1
	fi
	if [ ! -f "$DEB" ]; then
		fail "dpkg-buildpackage made no .deb (status $BUILD_RC): $(tail -n 25 "$W/build.log")"
		return 1
	fi
	case $1 in
	install)
		[ -z "${INSTALL_WHY-}" ] && return 0
		fail "$INSTALL_WHY"
		return 1
		;;
	bash-completion)
		[ -f /usr/share/bash-completion/bash_completion ] && return 0
		skip_test "bash-completion is not installed (scripts/setup installs it)"
		return 1
		;;
	idmap)
		[ -e "$W/x/usr/bin/idmap" ] && return 0
		skip_test "the package holds no idmap yet"
		return 1
		;;
	esac
	return 0
}

# The package's programs (names only).
pkg_programs() { find "$W/x/usr/bin" "$W/x/usr/sbin" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null; }

# fresh_root: a new tree unpacked from the .deb, for one postinst run.
fresh_root() {
	R=$(mktemp -d "$W/root.XXXXXX")
	dpkg-deb -x "$DEB" "$R"
}

# postinst_in ROOT PATH-DIR ACTION: the package's postinst against ROOT
# ($DPKG_ROOT), with only PATH-DIR in PATH.
postinst_in() {
	run env DPKG_ROOT="$1" PATH="$2" /bin/sh "$W/control/postinst" "$3"
}

# fake_path: a PATH directory holding dpkg-statoverride and nothing else.
fake_path() {
	F=$(mktemp -d "$W/bin.XXXXXX")
	ln -s "$(command -v dpkg-statoverride)" "$F/dpkg-statoverride"
}

# userns_process UID: a process of UID in a new user namespace with no
# maps yet. Sets NPID; waits until the process is in its own namespace.
userns_process() {
	setpriv --reuid="$1" --regid="$1" --clear-groups unshare -U sleep 60 &
	NPID=$!
	PIDS="$PIDS $NPID"
	wait_for 30 started "$NPID" sleep
}

nobody_in_userns() { userns_process 65534; }

as_nobody() { run setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# --- building -------------------------------------------------------------

test_dpkg_buildpackage_builds_the_deb_and_runs_make_check() {
	need deb || return 0
	assertEquals "dpkg-buildpackage status: $(tail -n 25 "$W/build.log")" 0 "$BUILD_RC"
	assertEquals "package name" nskit "$(dpkg-deb -f "$DEB" Package)"
	assertEquals "version" "$VERSION" "$(dpkg-deb -f "$DEB" Version)"
	assertContains "dh_auto_test ran make check" "$(cat "$W/build.log")" "PASS: tests/unit/test_lib"
	assertContains "make check passed" "$(cat "$W/build.log")" "# FAIL:  0"
	return 0
}

test_lintian_reports_no_errors() {
	need deb || return 0
	run lintian --pedantic -I "$CHANGES"
	echo "lintian: ${OUT:-no tags}"
	assertEquals "lintian errors" "" "$(printf '%s\n' "$OUT" | grep '^E:')"
	return 0
}

test_build_depends_names_every_configure_dependency() {
	need deb || return 0
	local bd pkg
	bd=$(sed -n '/^Build-Depends:/,/^[^ ]/p' "$SRC/debian/control")
	for pkg in $(sed -n 's/^NSKIT_DEP(\[[^]]*\], \[[^]]*\], \[\([^]]*\)\])$/\1/p' "$SRC/configure.ac") \
		pkg-config autoconf automake; do
		assertContains "Build-Depends has $pkg" "$bd" "$pkg,"
	done
	assertContains "debhelper compat" "$bd" "debhelper-compat (= 13)"
	run sh -c "cd '$SRC' && dpkg-checkbuilddeps"
	assertRC 0
	return 0
}

test_deb_depends_on_every_linked_library() {
	need deb || return 0
	local deps f lib path owner
	deps=$(dpkg-deb -f "$DEB" Depends)
	assertContains "libc" "$deps" "libc6"
	for f in "$W"/x/usr/bin/* "$W"/x/usr/sbin/*; do
		[ -f "$f" ] || continue
		for lib in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
			# dpkg knows the file by one of its merged-/usr names.
			owner=$({ dpkg -S "$path" || dpkg -S "${path#/usr}" || dpkg -S "/usr$path"; } 2>/dev/null |
				head -n 1 | cut -d: -f1)
			assertNotNull "${f##*/}: who ships $lib" "$owner"
			assertContains "${f##*/} needs $lib: Depends: $deps" "$deps" "$owner "
		done
	done
	assertContains "Recommends" "$(dpkg-deb -f "$DEB" Recommends)" "iproute2"
	assertContains "Recommends" "$(dpkg-deb -f "$DEB" Recommends)" "nftables"
	return 0
}

test_deb_holds_everything_make_install_installs() {
	need deb || return 0
	local f n=0
	run make -s -C "$SRC" install DESTDIR="$W/stage"
	assertRC 0
	for f in $(cd "$W/stage" && find . ! -type d); do
		case $f in ./usr/share/man/*) f=$f.gz ;; esac
		assertTrue "the .deb has ${f#.}" "[ -e '$W/x/$f' ]"
		n=$((n + 1))
	done
	assertTrue "make install installed something" "[ $n -gt 0 ]"
	assertTrue "nsname in /usr/sbin" "[ -x '$W/x/usr/sbin/nsname' ]"
	assertTrue "nsname(8) in man8" "[ -f '$W/x/usr/share/man/man8/nsname.8.gz' ]"
	assertTrue "completion for nsname" "[ -f '$W/x/usr/share/bash-completion/completions/nsname' ]"
	run man -w -M "$W/x/usr/share/man" nsname
	assertEquals "$W/x/usr/share/man/man8/nsname.8.gz" "$OUT"
	return 0
}

test_deb_has_no_setuid_or_setgid_file() {
	need deb || return 0
	assertEquals "setuid/setgid files" "" "$(find "$W/x" -perm /6000)"
	assertEquals "files not owned by root" "" "$(dpkg-deb -c "$DEB" | awk '$2 != "root/root"')"
	return 0
}

# --- the installed package -------------------------------------------------

test_installed_programs_run() {
	need install || return 0
	local t p
	for t in $(pkg_programs); do
		p=$(PATH=/usr/sbin:/usr/bin command -v "$t")
		assertEquals "$t is installed in /usr" "/usr/" "${p:0:5}"
		run "$p" --version
		assertRC 0
		assertOutContains "$VERSION"
		run "$p" --help
		assertRC 0
		assertOutContains "Usage: $t"
	done
	# One real job through the installed binaries: name a netns, join it.
	local ns
	ns=$(uniq_name pkg)
	run /usr/sbin/nsname add "$ns"
	assertRC 0
	run /usr/sbin/nsjoin "$ns" cat /proc/net/dev
	assertRC 0
	assertOutContains "lo:"
	run /usr/sbin/nsname del "$ns"
	assertRC 0
	return 0
}

test_installed_programs_reject_a_bad_option() {
	need install || return 0
	local t want
	for t in $(pkg_programs); do
		case $t in nsjoin | nsnew) want=125 ;; *) want=2 ;; esac
		run "$(PATH=/usr/sbin:/usr/bin command -v "$t")" --no-such-option
		assertEquals "$t --no-such-option: $ERR" "$want" "$RC"
		assertContains "$t names itself: $ERR" "$ERR" "$t: "
		assertContains "$t hints at --help: $ERR" "$ERR" "Try"
	done
	return 0
}

test_man_w_finds_every_page_in_debians_place() {
	need install || return 0
	local t sec
	for t in $(pkg_programs); do
		sec=1
		[ -e "/usr/sbin/$t" ] && sec=8
		run env -u MANPATH PATH=/usr/sbin:/usr/bin:/sbin:/bin man -w "$t"
		assertEquals "man -w $t: $ERR" "/usr/share/man/man$sec/$t.$sec.gz" "$OUT"
	done
	run env -u MANPATH PATH=/usr/sbin:/usr/bin:/sbin:/bin man -w 7 nskit
	assertEquals "man -w 7 nskit: $ERR" "/usr/share/man/man7/nskit.7.gz" "$OUT"
	return 0
}

test_installed_man_pages_render() {
	need install || return 0
	local page name
	for page in $(cd "$W/x" && find usr/share/man -name '*.gz'); do
		page=/$page
		name=$(basename "$page" .gz)
		run env MANWIDTH=80 man -P cat -l "$page"
		assertRC 0
		assertOutContains "${name%.*}"
		assertTrue "$name renders to more than a title: $OUT" \
			"[ $(printf '%s\n' "$OUT" | grep -c .) -gt 10 ]"
	done
	return 0
}

test_every_program_has_a_completion_bash_loads() {
	need install || return 0
	need bash-completion || return 0
	local t
	for t in $(pkg_programs); do
		assertTrue "completion file for $t" "[ -s /usr/share/bash-completion/completions/$t ]"
		# bash-completion's on-demand loader, as an interactive shell uses it.
		run env PATH=/usr/sbin:/usr/bin:/sbin:/bin bash --norc -c '
			. /usr/share/bash-completion/bash_completion
			__load_completion "$1" || exit 3
			spec=$(complete -p "$1") || exit 4
			fn=${spec#*-F }
			fn=${fn%% *}
			[ "$(type -t "$fn")" = function ] || exit 5
			echo "$spec"' bash "$t"
		assertRC 0
		assertOutContains " $t"
		assertErrEmpty
	done
	return 0
}

test_installed_nsname_completion_offers_subcommands() {
	need install || return 0
	need bash-completion || return 0
	run env PATH=/usr/sbin:/usr/bin:/sbin:/bin bash --norc -c '
		. /usr/share/bash-completion/bash_completion
		__load_completion nsname || exit 3
		COMP_WORDS=(nsname a) COMP_CWORD=1 COMP_LINE="nsname a" COMP_POINT=8
		_nsname nsname a nsname
		printf "%s\n" "${COMPREPLY[@]}"'
	assertRC 0
	assertEquals "add
attach" "$(printf '%s\n' "$OUT" | sort)"
	return 0
}

test_postinst_gives_idmap_its_capabilities() {
	need install || return 0
	need idmap || return 0
	run getcap /usr/bin/idmap
	assertOutContains "cap_setgid,cap_setuid=ep"
	assertTrue "no setuid bit" "[ ! -u /usr/bin/idmap ]"
	return 0
}

test_installed_idmap_maps_subids_for_a_user() {
	need install || return 0
	need idmap || return 0
	echo "nobody:200000:65536" >>/etc/subuid
	echo "nobody:200000:65536" >>/etc/subgid
	nobody_in_userns
	assertTrue "nobody's process is in a new user namespace" $?
	as_nobody /usr/bin/idmap --subids "$NPID"
	assertEquals "idmap --subids as nobody: $ERR" 0 "$RC"
	assertContains "uid_map" "$(cat "/proc/$NPID/uid_map")" "200000"
	assertContains "gid_map" "$(cat "/proc/$NPID/gid_map")" "200000"
	assertEquals "setgroups" deny "$(cat "/proc/$NPID/setgroups")"
	kill "$NPID"
	return 0
}

test_installed_idmap_refuses_ids_a_user_does_not_own() {
	need install || return 0
	need idmap || return 0
	nobody_in_userns
	assertTrue "nobody's process is in a new user namespace" $?
	as_nobody /usr/bin/idmap -u 0:12345:1 "$NPID"
	assertEquals "idmap -u 0:12345:1 as nobody: $ERR" 1 "$RC"
	assertContains "$ERR" "$ERR" "idmap: "
	as_nobody /usr/bin/idmap -u 0:0:1 "$NPID"
	assertEquals "idmap -u 0:0:1 as nobody: $ERR" 1 "$RC"
	assertEquals "uid_map still empty" "" "$(cat "/proc/$NPID/uid_map")"
	kill "$NPID"
	return 0
}

test_idmap_without_capabilities_grants_nothing() {
	need deb || return 0
	need idmap || return 0
	# The unpacked copy never went through the postinst: no capabilities.
	assertEquals "no capabilities" "" "$(getcap "$W/x/usr/bin/idmap")"
	grep -q '^nobody:' /etc/subuid 2>/dev/null || echo "nobody:200000:65536" >>/etc/subuid
	grep -q '^nobody:' /etc/subgid 2>/dev/null || echo "nobody:200000:65536" >>/etc/subgid
	nobody_in_userns
	assertTrue "nobody's process is in a new user namespace" $?
	as_nobody "$W/x/usr/bin/idmap" --subids "$NPID"
	assertEquals "idmap --subids as nobody, no caps: $ERR" 1 "$RC"
	assertEquals "uid_map still empty" "" "$(cat "/proc/$NPID/uid_map")"
	kill "$NPID"
	return 0
}

test_install_never_reaches_the_host() {
	need install || return 0
	assertTrue "installed here" "[ -x /usr/sbin/nsname ]"
	assertContains "dpkg here knows nskit" "$(dpkg -s nskit 2>&1)" "Status: install ok installed"
	assertTrue "the host's / is visible beside the overlays" "[ -x '$W/host/usr/bin/dpkg' ]"
	assertEquals "the host's /usr and dpkg database" "$HOST_BEFORE" "$(host_state)"
	return 0
}

test_installed_tools_fail_cleanly_on_a_missing_namespace() {
	need install || return 0
	local ns
	ns=$(uniq_name nope)
	run /usr/sbin/nsname del "$ns"
	assertRC 1
	assertOneLineError nsname
	run /usr/sbin/nsjoin "$ns" true
	assertRC 125
	assertOneLineError nsjoin
	assertErrContains "$ns"
	return 0
}

test_installed_idmap_refuses_a_process_of_another_user() {
	need install || return 0
	need idmap || return 0
	userns_process 0
	assertTrue "root's process is in a new user namespace" $?
	as_nobody /usr/bin/idmap --map-root "$NPID"
	assertEquals "idmap --map-root on root's process, as nobody: $ERR" 1 "$RC"
	assertErrContains "not your process"
	assertEquals "uid_map still empty" "" "$(cat "/proc/$NPID/uid_map")"
	kill "$NPID"
	return 0
}

test_installed_idmap_refuses_setgroups_allow_with_the_users_own_gid() {
	need install || return 0
	need idmap || return 0
	nobody_in_userns
	assertTrue "nobody's process is in a new user namespace" $?
	# With its own gid mapped and setgroups allowed, a user could drop
	# groups that deny it access (CVE-2018-7169 in newgidmap).
	as_nobody /usr/bin/idmap -g 0:65534:1 --setgroups allow "$NPID"
	assertEquals "idmap --setgroups allow with the own gid, as nobody: $ERR" 1 "$RC"
	assertErrContains "setgroups"
	assertEquals "gid_map still empty" "" "$(cat "/proc/$NPID/gid_map")"
	assertEquals "setgroups untouched" allow "$(cat "/proc/$NPID/setgroups")"
	kill "$NPID"
	return 0
}

test_installed_idmap_refuses_subids_to_a_user_without_ranges() {
	need install || return 0
	need idmap || return 0
	# uid 12345 has no line in /etc/subuid or /etc/subgid.
	userns_process 12345
	assertTrue "uid 12345's process is in a new user namespace" $?
	run setpriv --reuid=12345 --regid=12345 --clear-groups /usr/bin/idmap --subids "$NPID"
	assertEquals "idmap --subids as uid 12345: $ERR" 1 "$RC"
	assertErrContains "no ranges in /etc/subuid"
	assertEquals "uid_map still empty" "" "$(cat "/proc/$NPID/uid_map")"
	kill "$NPID"
	return 0
}

# --- the postinst against unpacked trees ------------------------------------

test_postinst_sets_capabilities_under_dpkg_root() {
	need deb || return 0
	need idmap || return 0
	fresh_root
	postinst_in "$R" "$PATH" configure
	assertRC 0
	assertErrEmpty
	assertContains "$(getcap "$R/usr/bin/idmap")" "cap_setgid,cap_setuid=ep"
	return 0
}

test_postinst_without_setcap_leaves_idmap_plain() {
	need deb || return 0
	need idmap || return 0
	fresh_root
	fake_path
	postinst_in "$R" "$F" configure
	assertRC 0
	assertErrContains "setcap is not installed"
	assertEquals "capabilities" "" "$(getcap "$R/usr/bin/idmap")"
	assertTrue "not made setuid instead" "[ ! -u '$R/usr/bin/idmap' ]"
	return 0
}

test_postinst_survives_a_failing_setcap() {
	need deb || return 0
	need idmap || return 0
	fresh_root
	fake_path
	printf '#!/bin/sh\necho "setcap: Operation not supported" >&2\nexit 1\n' >"$F/setcap"
	chmod +x "$F/setcap"
	postinst_in "$R" "$F" configure
	assertRC 0
	assertErrContains "setcap failed on /usr/bin/idmap"
	assertEquals "capabilities" "" "$(getcap "$R/usr/bin/idmap")"
	assertTrue "not made setuid instead" "[ ! -u '$R/usr/bin/idmap' ]"
	return 0
}

test_postinst_leaves_a_statoverride_alone() {
	need deb || return 0
	need idmap || return 0
	fresh_root
	mkdir -p "$R/var/lib/dpkg"
	echo "root root 0755 /usr/bin/idmap" >"$R/var/lib/dpkg/statoverride"
	postinst_in "$R" "$PATH" configure
	assertRC 0
	assertErrContains "dpkg-statoverride"
	assertEquals "capabilities" "" "$(getcap "$R/usr/bin/idmap")"
	return 0
}

test_postinst_without_idmap_does_nothing() {
	need deb || return 0
	fresh_root
	rm -f "$R/usr/bin/idmap"
	fake_path
	printf '#!/bin/sh\necho "setcap called: $*" >&2\nexit 1\n' >"$F/setcap"
	chmod +x "$F/setcap"
	postinst_in "$R" "$F" configure
	assertRC 0
	assertErrEmpty
	assertTrue "no idmap appeared" "[ ! -e '$R/usr/bin/idmap' ]"
	return 0
}

test_postinst_acts_only_on_configure() {
	need deb || return 0
	need idmap || return 0
	local action
	for action in abort-upgrade abort-remove abort-deconfigure; do
		fresh_root
		postinst_in "$R" "$PATH" "$action"
		assertRC 0
		assertEquals "$action: capabilities" "" "$(getcap "$R/usr/bin/idmap")"
	done
	return 0
}

# Last: it removes what the tests above use.
test_purge_removes_every_file() {
	need install || return 0
	local f left=
	run dpkg --purge nskit
	assertRC 0
	for f in $(cd "$W/x" && find . ! -type d); do
		[ -e "${f#.}" ] || [ -e "${f#.}.gz" ] && left="$left ${f#.}"
	done
	assertEquals "files left after purge" "" "$left"
	run dpkg -s nskit
	assertTrue "nskit no longer installed" "[ $RC -ne 0 ]"
	return 0
}

. shunit2
