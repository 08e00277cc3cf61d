#!/bin/bash
# mkrootfs: root filesystems from host programs, tarballs, OCI layouts and
# docker save archives; nothing is ever written outside DIR.
. "$(dirname "$0")/lib.sh"

oneTimeSetUp() {
	W=$(mktemp -d /tmp/mkrootfs.XXXXXX)
	chmod 755 "$W"	# tests run mkrootfs as nobody too
	mkdir "$W/outside"
	echo canary >"$W/outside/canary"
}

suite_teardown() {
	rm -rf "$W"
}

setUp() {
	R=$W/root$((n = ${n:-0} + 1))
}

tearDown() {
	umount -R "$R/proc" 2>/dev/null
	rm -rf "$R"
}

# Every node under $1: type, mode, owner, size, times, link target, link
# count, user xattrs and a hash of the content; one line each, sorted.
listing() {
	tree_listing "$1" times
}

# What lies outside the roots: the canary and every node in the roots'
# parent, with its type, mode, size, time (not of directories, whose times
# change as roots come and go beside them) and link target; the roots
# themselves too when $1 is "all".
outside_state() {
	cat "$W/outside/canary"
	if [ "${1:-}" = all ]; then
		find "$W" -printf '%y %m %U:%G %p %l\n'
		find "$W" ! -type d -printf '%y %s %T@ %p\n'
	else
		find "$W" -name 'root*' -prune -o -printf '%y %m %U:%G %p %l\n'
		find "$W" -name 'root*' -prune -o ! -type d -printf '%y %s %T@ %p\n'
	fi | sort
}

# A tree with every kind of node the tests compare after a round trip.
make_tree() {
	t=$1
	mkdir -p "$t/a/deep/er" "$t/sticky" "$t/rodir"
	printf 'hello\n' >"$t/a/file"
	printf '#!/bin/sh\n' >"$t/a/exec"
	head -c 100000 /dev/urandom >"$t/a/deep/er/big"
	: >"$t/empty"
	ln "$t/a/file" "$t/a/hard"
	ln -s a/file "$t/rel-link"
	ln -s /etc/passwd "$t/abs-link"
	mkfifo "$t/fifo"
	printf 'x' >"$t/rodir/inside"
	printf 'ro' >"$t/ro"
	printf 'none' >"$t/none"
	printf 'owned' >"$t/owned"
	chown 1234:5678 "$t/owned"
	chmod 0750 "$t/a"
	chmod 0755 "$t/a/exec"
	chmod 0400 "$t/ro"
	chmod 0000 "$t/none"
	chmod 1777 "$t/sticky"
	chmod 0555 "$t/rodir"
	python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.nskit", b"value")' "$t/a/file"
	find "$t" -mindepth 1 -exec touch -h -d '2001-02-03 04:05:06' {} +
}

# A tarball from Python's tarfile: ENTRIES is Python code adding members to tar "t".
make_tar() {
	python3 - "$1" "$2" "$W" <<'EOF'
import io, sys, tarfile
out, code, W = sys.argv[1], sys.argv[2], sys.argv[3]
t = tarfile.open(out, "w", format=tarfile.PAX_FORMAT)
def f(name, data=b"pwned\n", mode=0o644, **kw):
    i = tarfile.TarInfo(name); i.size = len(data); i.mode = mode
    for k, v in kw.items(): setattr(i, k, v)
    t.addfile(i, io.BytesIO(data))
def d(name, mode=0o755):
    i = tarfile.TarInfo(name); i.type = tarfile.DIRTYPE; i.mode = mode; t.addfile(i)
def s(name, target):
    i = tarfile.TarInfo(name); i.type = tarfile.SYMTYPE; i.linkname = target; t.addfile(i)
def h(name, target):
    i = tarfile.TarInfo(name); i.type = tarfile.LNKTYPE; i.linkname = target; t.addfile(i)
def c(name, major=1, minor=3):
    i = tarfile.TarInfo(name); i.type = tarfile.CHRTYPE; i.devmajor = major; i.devminor = minor
    i.mode = 0o666; t.addfile(i)
exec(code)
t.close()
EOF
}

# --- from the host ----------------------------------------------------------

test_from_host_runs_in_chroot() {
	run mkrootfs "$R" --from-host sh ls ps cat hostname
	assertRC 0; assertOutEmpty; assertErrEmpty
	# /proc for ps, in a private mount namespace of its own
	out=$(unshare -m --propagation private sh -c \
		"mount -t proc proc '$R/proc' && chroot '$R' /bin/sh -c 'ls /; ps -o pid,comm; cat /etc/hostname'")
	assertEquals "chroot ran" 0 $?
	assertContains "ls / inside" "$out" "proc"
	assertContains "ps inside" "$out" "ps"
	assertContains "hostname file" "$out" "localhost"
}

test_from_host_runs_in_nsnew() {
	if [ ! -x "$BUILD/nsnew" ]; then
		skip_test "no nsnew in $BUILD"
		startSkipping
		return 0
	fi
	mkrootfs "$R" --from-host sh ls ps
	run nsnew -a --rootfs "$R" --mount-proc -- /bin/sh -c 'ls /; ps -o pid,comm'
	assertRC 0
	assertOutContains "proc"
	# a new pid namespace, its own /proc: the shell is pid 1
	assertTrue "pid 1 inside: $OUT" "printf '%s\n' \"\$OUT\" | grep -qE '^ *1 '"
}

test_from_host_keeps_symlinks_and_loader() {
	run mkrootfs "$R" --from-host ls
	assertRC 0
	interp=/lib64/ld-linux-x86-64.so.2
	[ -e $interp ] && assertTrue "ELF interpreter copied" "[ -e '$R$interp' ]"
	assertNotNull "libc.so.6 present" "$(find "$R" -name libc.so.6)"
	# every copied symlink is the host's symlink, with the same target
	links=0
	for l in $(cd "$R" && find . -type l); do
		links=$((links + 1))
		assertEquals "symlink $l" "$(readlink "/$l")" "$(readlink "$R/$l")"
	done
	assertTrue "some symlinks kept" "[ $links -gt 0 ]"
	for f in $(cd "$R" && find ./usr -type f); do
		cmp -s "/$f" "$R/$f" || fail "$f differs from the host's"
	done
}

test_from_host_skeleton() {
	run mkrootfs "$R" --from-host sh --hostname box
	assertRC 0
	for d in proc sys dev dev/pts dev/shm tmp run etc; do
		assertTrue "$d is a directory" "[ -d '$R/$d' ] && [ ! -L '$R/$d' ]"
	done
	assertEquals "tmp is 1777" 1777 "$(stat -c %a "$R/tmp")"
	assertEquals "hostname" box "$(cat "$R/etc/hostname")"
	assertContains "hosts" "$(cat "$R/etc/hosts")" "box"
	assertContains "passwd" "$(cat "$R/etc/passwd")" "root:x:0:0:"
	assertContains "passwd nobody" "$(cat "$R/etc/passwd")" "nobody:x:65534:"
	assertContains "group" "$(cat "$R/etc/group")" "root:x:0:"
	assertContains "nsswitch" "$(cat "$R/etc/nsswitch.conf")" "hosts:"
	assertTrue "resolv.conf" "[ -f '$R/etc/resolv.conf' ]"
	assertEquals "no device nodes" "" "$(find "$R/dev" -type c -o -type b)"
}

test_from_host_rpath_origin() {
	# A program whose library is found only through DT_RUNPATH $ORIGIN/../lib
	src=$W/origin
	mkdir -p "$src/bin" "$src/lib"
	printf 'int nskit_lib(void) { return 42; }\n' >"$src/l.c"
	printf 'int nskit_lib(void); int main(void) { return nskit_lib() == 42 ? 0 : 1; }\n' >"$src/m.c"
	cc -shared -fPIC -Wl,-soname,libnskittest.so.1 -o "$src/lib/libnskittest.so.1" "$src/l.c" &&
	cc -o "$src/bin/prog" "$src/m.c" -L"$src/lib" -l:libnskittest.so.1 -Wl,-rpath,'$ORIGIN/../lib'
	assertEquals "test program built" 0 $?
	run mkrootfs "$R" --from-host "$src/bin/prog"
	assertRC 0; assertErrEmpty
	assertTrue "found through \$ORIGIN" "[ -f '$R$src/lib/libnskittest.so.1' ]"
	# ld.so reads /proc/self/exe to expand $ORIGIN
	assertTrue "runs in the root" "unshare -m --propagation private sh -c \
		\"mount -t proc proc '$R/proc' && chroot '$R' '$src/bin/prog'\""
}

test_with_nss_and_copy() {
	printf 'extra\n' >"$W/extra.txt"
	run mkrootfs "$R" --from-host sh --with-nss --copy "$W/extra.txt"
	assertRC 0; assertErrEmpty
	assertEquals "copied file" extra "$(cat "$R$W/extra.txt")"
	assertNotNull "libnss_files copied" "$(find "$R" -name 'libnss_files.so.2')"
}

test_from_host_unprivileged() {
	mkdir -p "$W/user" && chown 65534:65534 "$W/user"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$BUILD/mkrootfs" "$W/user/r" --from-host sh cat
	assertRC 0; assertErrEmpty
	assertEquals "owned by the caller" 65534 "$(stat -c %u "$W/user/r/etc/passwd")"
	assertTrue "runs" "chroot '$W/user/r' /bin/sh -c 'cat /etc/hostname'"
	rm -rf "$W/user"
}

test_missing_program() {
	run mkrootfs "$R" --from-host sh nosuchprog-nskit
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "nosuchprog-nskit: command not found"
	assertFalse "the half-made root is removed" "[ -e '$R' ]"
}

test_non_elf_program() {
	printf '#!/bin/sh\necho hi\n' >"$W/script"
	chmod +x "$W/script"
	run mkrootfs "$R" --from-host "$W/script"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "script: not an ELF file"
	assertFalse "the half-made root is removed" "[ -e '$R' ]"
}

test_non_empty_dir_needs_force() {
	mkdir "$R" && echo keep >"$R/mine"
	run mkrootfs "$R" --from-host sh
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "not empty"
	assertEquals "nothing added" "mine" "$(ls "$R")"
	run mkrootfs --force "$R" --from-host sh
	assertRC 0
	assertEquals "own file kept" keep "$(cat "$R/mine")"
	assertTrue "sh added" "[ -e '$R/bin/sh' ]"
}

test_usage_errors() {
	run mkrootfs
	assertUsageError mkrootfs
	run mkrootfs "$R" sh
	assertUsageError mkrootfs
	assertErrContains "need --from-host"
	run mkrootfs "$R" --from-tar a.tar --from-oci b
	assertUsageError mkrootfs
	run mkrootfs "$R"
	assertUsageError mkrootfs
	assertFalse "nothing made" "[ -e '$R' ]"
}

# --- tarballs ---------------------------------------------------------------

test_tar_round_trip() {
	make_tree "$W/tree"
	tar --xattrs --xattrs-include='user.*' -cf "$W/tree.tar" -C "$W/tree" .
	run mkrootfs "$R" --from-tar "$W/tree.tar"
	assertRC 0; assertOutEmpty; assertErrEmpty
	want=$(listing "$W/tree") got=$(listing "$R")
	assertEquals "same tree" "$want" "$got"
	assertContains "xattrs compared" "$got" "user.nskit"
	assertEquals "hardlink shares the inode" "$(stat -c %i "$R/a/file")" "$(stat -c %i "$R/a/hard")"
	rm -rf "$W/tree"
}

test_tar_compressed_and_stdin() {
	make_tree "$W/tree2"
	tar --xattrs --xattrs-include='user.*' -cf "$W/t.tar" -C "$W/tree2" .
	want=$(listing "$W/tree2")
	gzip -c "$W/t.tar" >"$W/t.tar.gz"
	xz -c "$W/t.tar" >"$W/t.tar.xz"
	zstd -q -c "$W/t.tar" >"$W/t.tar.zst"
	for f in t.tar.gz t.tar.xz t.tar.zst; do
		run mkrootfs "$R" --from-tar "$W/$f"
		assertRC 0; assertErrEmpty
		assertEquals "$f: same tree" "$want" "$(listing "$R")"
		rm -rf "$R"
	done
	OUT=$(mkrootfs "$R" --from-tar - <"$W/t.tar.zst" 2>&1)
	assertEquals "stdin" 0 $?
	assertEquals "stdin: same tree" "$want" "$(listing "$R")"
	rm -rf "$W/tree2" "$W"/t.tar*
}

test_tar_through_absolute_symlink_stays_inside() {
	# Real images: var/run -> /run, then files written through it.
	make_tar "$W/run.tar" 'd("run"); d("var"); s("var/run", "/run"); f("var/run/x", b"in\n")'
	before=$(outside_state)
	run mkrootfs "$R" --from-tar "$W/run.tar"
	assertRC 0; assertErrEmpty
	assertEquals "landed in DIR/run" in "$(cat "$R/run/x")"
	assertTrue "host /run untouched" "[ ! -e /run/x ]"
	assertEquals "outside unchanged" "$before" "$(outside_state)"
}

test_tar_entry_over_symlink_replaces_it() {
	make_tar "$W/over.tar" "s('link', '$W/outside/canary'); f('link', b'new\n');
s('dir', '$W/outside'); d('dir'); f('dir/x', b'x\n')"
	before=$(outside_state)
	run mkrootfs "$R" --from-tar "$W/over.tar"
	assertRC 0
	assertTrue "link replaced by a file" "[ -f '$R/link' ] && [ ! -L '$R/link' ]"
	assertTrue "dir replaced by a directory" "[ -d '$R/dir' ] && [ ! -L '$R/dir' ]"
	assertEquals "canary" canary "$(cat "$W/outside/canary")"
	assertEquals "outside unchanged" "$before" "$(outside_state)"
}

test_tar_dir_replaced_by_symlink_is_followed_afresh() {
	# a/b was just used as a parent; then a becomes a symlink to c.
	make_tar "$W/swap.tar" 'd("c"); d("c/b"); d("a"); d("a/b"); f("a/b/x", b"x");
s("a", "c"); f("a/b/y", b"y")'
	run mkrootfs "$R" --from-tar "$W/swap.tar"
	assertRC 0; assertErrEmpty
	assertTrue "a is now a symlink" "[ -L '$R/a' ]"
	assertEquals "written through the new a" y "$(cat "$R/c/b/y")"
}

test_without_openat2_same_safety() {
	# The O_NOFOLLOW walk used where openat2 is missing.
	export NSKIT_NO_OPENAT2=1
	test_tar_through_absolute_symlink_stays_inside
	rm -rf "$R"
	test_tar_dir_replaced_by_symlink_is_followed_afresh
	rm -rf "$R"
	hostile symabs "s('evil', '$W/outside'); f('evil/canary')" "evil/canary"
	hostile symrel "s('evil', '../../../../../../..$W/outside'); f('evil/pwned')" "evil/pwned"
	hostile symchain "s('a', 'b'); s('b', '$W'); f('a/outside/canary')" "a/outside/canary"
	hostile hardsym "s('s', '$W/outside'); h('h', 's/canary')" "h: hardlink"
	test_tar_dotdot_symlinks_stop_at_root
	unset NSKIT_NO_OPENAT2
}

test_tar_hardlink_to_symlink_links_the_symlink() {
	make_tar "$W/hsym.tar" "s('s', '$W/outside/canary'); h('h', 's'); f('h2', b'x'); h('h2', 's')"
	before=$(outside_state)
	run mkrootfs "$R" --from-tar "$W/hsym.tar"
	assertRC 0; assertErrEmpty
	assertTrue "h is the symlink itself" "[ -L '$R/h' ] && [ \"\$(stat -c %i '$R/h')\" = \"\$(stat -c %i '$R/s')\" ]"
	assertTrue "h2 replaced by the link" "[ -L '$R/h2' ]"
	assertEquals "outside unchanged" "$before" "$(outside_state)"
}

test_tar_again_with_force_gives_the_same_tree() {
	make_tree "$W/tree4"
	tar -cf "$W/t4.tar" -C "$W/tree4" .
	mkrootfs "$R" --from-tar "$W/t4.tar"
	first=$(listing "$R")
	run mkrootfs "$R" --from-tar "$W/t4.tar"
	assertRC 1; assertErrContains "not empty"
	run mkrootfs --force "$R" --from-tar "$W/t4.tar"
	assertRC 0; assertErrEmpty
	assertEquals "same tree" "$first" "$(listing "$R")"
	rm -rf "$W/tree4" "$W/t4.tar"
}

test_tar_setuid_cleared_unless_kept() {
	make_tar "$W/suid.tar" 'f("su", b"x", mode=0o4755); f("sg", b"x", mode=0o2755)'
	run mkrootfs "$R" --from-tar "$W/suid.tar"
	assertRC 0
	assertEquals "setuid cleared" 755 "$(stat -c %a "$R/su")"
	assertEquals "setgid cleared" 755 "$(stat -c %a "$R/sg")"
	rm -rf "$R"
	run mkrootfs "$R" --from-tar "$W/suid.tar" --keep-setuid
	assertRC 0
	assertEquals "setuid kept" 4755 "$(stat -c %a "$R/su")"
	assertEquals "setgid kept" 2755 "$(stat -c %a "$R/sg")"
}

test_tar_device_node_made_by_root() {
	make_tar "$W/dev.tar" 'd("dev"); c("dev/null")'
	run mkrootfs "$R" --from-tar "$W/dev.tar"
	assertRC 0
	assertTrue "char device" "[ -c '$R/dev/null' ]"
}

# Each hostile archive: exit 1, one line naming the entry, nothing outside DIR changed.
hostile() {
	name=$1 code=$2 entry=$3
	make_tar "$W/$name.tar" "$code"
	before=$(outside_state all)
	run mkrootfs "$R" --from-tar "$W/$name.tar"
	assertEquals "$name: exit status" 1 "$RC"
	assertOneLineError mkrootfs
	assertErrContains "$entry"
	assertEquals "$name: canary" canary "$(cat "$W/outside/canary")"
	assertEquals "$name: outside unchanged, DIR removed" "$before" "$(outside_state all)"
	assertFalse "$name: no file at /pwned" "[ -e /pwned ]"
	rm -f "$W/$name.tar"
}

test_hostile_dotdot() {
	hostile dotdot 'f("ok"); f("../pwned")' "../pwned"
	hostile dotdot2 'd("a"); f("a/../../outside/canary")' "a/../../outside/canary"
}

test_hostile_absolute_name() {
	hostile absolute "f('$W/outside/canary')" "$W/outside/canary"
}

test_hostile_symlink_then_write_through() {
	hostile symabs "s('evil', '$W/outside'); f('evil/canary')" "evil/canary"
	hostile symrel "s('evil', '../../../../../../..$W/outside'); f('evil/pwned')" "evil/pwned"
	hostile symchain "s('a', 'b'); s('b', '$W'); f('a/outside/canary')" "a/outside/canary"
}

test_tar_dotdot_symlinks_stop_at_root() {
	# ".." through symlinks stops at DIR, as at "/": the file lands inside.
	make_tar "$W/up.tar" "s('up', '..'); s('up2', 'up/up/up'); f('up2/outside/canary')"
	before=$(outside_state)
	run mkrootfs "$R" --from-tar "$W/up.tar"
	assertRC 0; assertErrEmpty
	assertEquals "inside DIR" pwned "$(cat "$R/outside/canary")"
	assertEquals "outside unchanged" "$before" "$(outside_state)"
	rm -rf "$R" "$W/up.tar"
}

test_hostile_hardlink_out() {
	hostile hardrel 'h("h", "../outside/canary")' "h: hardlink"
	hostile hardabs "h('h', '$W/outside/canary')" "h: hardlink"
	hostile hardsym "s('s', '$W/outside'); h('h', 's/canary')" "h: hardlink"
}

test_hostile_long_names() {
	hostile longcomp 'f("a/" + "x" * 300)' "xxxxxxxx"
	hostile longpath 'f("/".join(["d" * 200] * 30))' "dddddddd"
}

test_hostile_name_with_newline_stays_one_line() {
	hostile newline 'f("x" + chr(10) + "mkrootfs: all good/../../pwned")' "x?mkrootfs: all good"
}

test_hostile_device_node_when_not_root() {
	make_tar "$W/dev.tar" 'c("null")'
	mkdir "$R" && chown 65534:65534 "$R"
	before=$(outside_state)
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$BUILD/mkrootfs" "$R" --from-tar "$W/dev.tar"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "null: device node refused"
	assertFalse "no node" "[ -e '$R/null' ]"
	assertEquals "outside unchanged" "$before" "$(outside_state)"
}

test_progress_line_only_on_a_terminal() {
	make_tar "$W/many.tar" 'for i in range(3000): f("f%d" % i, b"")'
	# fed slowly through a pipe, so the line has time to show
	feed="python3 -c 'import sys,time
d=open(sys.argv[1],\"rb\").read()
for i in range(0, len(d), 65536): sys.stdout.buffer.write(d[i:i+65536]); sys.stdout.flush(); time.sleep(0.04)' $W/many.tar"
	out=$(script -qec "$feed | $BUILD/mkrootfs $R --from-tar -" /dev/null)
	assertContains "progress on a terminal: $out" "$out" "mkrootfs: stdin: "
	assertContains "counts entries" "$out" " entries"
	assertEquals "all unpacked" 3000 "$(ls "$R" | wc -l)"
	rm -rf "$R"
	run sh -c "$feed | mkrootfs $R --from-tar -"
	assertRC 0; assertErrEmpty
	rm -f "$W/many.tar"
}

test_tar_missing_unreadable_corrupt() {
	run mkrootfs "$R" --from-tar "$W/nonexistent.tar"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "nonexistent.tar: No such file or directory"
	assertFalse "no root left" "[ -e '$R' ]"

	head -c 10000 /dev/urandom >"$W/junk.tar"
	run mkrootfs "$R" --from-tar "$W/junk.tar"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "junk.tar"

	make_tree "$W/tree3"
	tar -czf "$W/trunc.tar.gz" -C "$W/tree3" .
	head -c 2000 "$W/trunc.tar.gz" >"$W/cut.tar.gz"
	run mkrootfs "$R" --from-tar "$W/cut.tar.gz"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "cut.tar.gz"
	assertFalse "half-unpacked root removed" "[ -e '$R' ]"

	chmod 000 "$W/junk.tar"
	mkdir -p "$W/nobody" && chown 65534 "$W/nobody"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$BUILD/mkrootfs" "$W/nobody/r" --from-tar "$W/junk.tar"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "Permission denied"
	rm -rf "$W/tree3" "$W/nobody" "$W"/*.tar*
}

# --- images -----------------------------------------------------------------

# Two layers: an uncompressed one and a gzip one with whiteouts and an
# opaque directory. $1: "oci" for a layout in $W/oci, "docker" for $W/save.tar.
# ALG=sha512: the layout's digests are sha512. DOCKER_BLOBS=1: the archive
# names its members blobs/sha256/HEX, as docker 25 and later do.
make_image() {
	python3 - "$1" "$W" <<'EOF'
import gzip, hashlib, io, json, os, sys, tarfile
kind, W = sys.argv[1], sys.argv[2]
def layer(entries, gz):
    b = io.BytesIO()
    t = tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT)
    for kind_, name, arg in entries:
        i = tarfile.TarInfo(name)
        if kind_ == "d": i.type = tarfile.DIRTYPE; i.mode = 0o755; t.addfile(i)
        elif kind_ == "s": i.type = tarfile.SYMTYPE; i.linkname = arg; t.addfile(i)
        else: i.size = len(arg); i.mode = 0o644; t.addfile(i, io.BytesIO(arg))
    t.close()
    data = b.getvalue()
    return gzip.compress(data) if gz else data
l1 = layer([("d", "etc", None), ("f", "etc/os-release", b"one\n"), ("d", "bin", None),
            ("f", "bin/keep", b"keep\n"), ("d", "gone", None), ("f", "gone/file", b"x"),
            ("f", "gone2", b"x"), ("d", "opq", None), ("f", "opq/old1", b"x"), ("f", "opq/old2", b"x"),
            ("d", "run", None), ("d", "var", None), ("s", "var/run", "/run")], False)
l2 = layer([("f", ".wh.gone", b""), ("f", ".wh.gone2", b""), ("d", "opq", None),
            ("f", "opq/early", b"e"), ("f", "opq/.wh..wh..opq", b""), ("f", "opq/new", b"n"),
            ("f", "etc/os-release", b"two\n"), ("f", "var/run/x", b"through\n")], True)
if kind == "oci":
    alg = os.environ.get("ALG", "sha256")
    os.makedirs(W + "/oci/blobs/" + alg)
    def blob(data):
        d = hashlib.new(alg, data).hexdigest()
        open(W + "/oci/blobs/" + alg + "/" + d, "wb").write(data)
        return {"digest": alg + ":" + d, "size": len(data)}
    cfg = blob(b"{}")
    man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
           "config": dict(cfg, mediaType="application/vnd.oci.image.config.v1+json"),
           "layers": [dict(blob(l1), mediaType="application/vnd.oci.image.layer.v1.tar"),
                      dict(blob(l2), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")]}
    m = blob(json.dumps(man).encode())
    mt = "application/vnd.oci.image.manifest.v1+json"
    idx = {"schemaVersion": 2, "manifests": [dict(m, mediaType=mt,
           annotations={"org.opencontainers.image.ref.name": "v1"})]}
    if os.environ.get("MULTIARCH"):
        # v1 is a multi-platform image index: this machine's manifest, and
        # an empty one for another architecture.
        other = blob(json.dumps(dict(man, layers=[])).encode())
        arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)
        sub = blob(json.dumps({"schemaVersion": 2, "manifests": [
            dict(other, mediaType=mt, platform={"os": "linux", "architecture": "s390x" if arch != "s390x" else "riscv64"}),
            dict(m, mediaType=mt, platform={"os": "linux", "architecture": arch})]}).encode())
        idx["manifests"] = [dict(sub, mediaType="application/vnd.oci.image.index.v1+json",
                                 annotations={"org.opencontainers.image.ref.name": "v1"})]
    open(W + "/oci/index.json", "w").write(json.dumps(idx))
    open(W + "/oci/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
elif os.environ.get("DOCKER_BLOBS"):
    t = tarfile.open(W + "/save.tar", "w")
    def add(data, name=None):
        name = name or "blobs/sha256/" + hashlib.sha256(data).hexdigest()
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
        return name
    cfg = b'{"architecture": "amd64"}'
    add(cfg, hashlib.sha256(cfg).hexdigest() + ".json")
    layers = [add(l1), add(l2)]
    add(json.dumps([{"Config": hashlib.sha256(cfg).hexdigest() + ".json", "RepoTags": ["nskit/test:v1"],
                     "Layers": layers}]).encode(), "manifest.json")
    t.close()
else:
    t = tarfile.open(W + "/save.tar", "w")
    def add(name, data):
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
    add("cfg.json", b"{}")
    add("l1/layer.tar", l1)
    add("l2/layer.tar", l2)
    # docker save shares a layer two images hold by a symlink to it
    i = tarfile.TarInfo("l3/layer.tar"); i.type = tarfile.SYMTYPE; i.linkname = "../l2/layer.tar"; t.addfile(i)
    add("manifest.json", json.dumps([{"Config": "cfg.json", "RepoTags": ["nskit/test:v1"],
                                      "Layers": ["l1/layer.tar", "l2/layer.tar"]},
                                     {"Config": "cfg.json", "RepoTags": ["nskit/other:v2"],
                                      "Layers": ["l1/layer.tar", "l3/layer.tar"]}]).encode())
    t.close()
EOF
}

assert_image_tree() {
	assertEquals "upper layer wins" two "$(cat "$R/etc/os-release")"
	assertEquals "lower file kept" keep "$(cat "$R/bin/keep")"
	assertFalse "whited-out directory gone" "[ -e '$R/gone' ]"
	assertFalse "whited-out file gone" "[ -e '$R/gone2' ]"
	assertEquals "opaque directory: only this layer's" "early new" "$(ls "$R/opq" | xargs)"
	assertEquals "written through var/run -> /run" through "$(cat "$R/run/x")"
	assertEquals "no whiteout files left" "" "$(find "$R" -name '.wh.*')"
}

test_oci_layout() {
	make_image oci
	run mkrootfs "$R" --from-oci "$W/oci"
	assertRC 0; assertOutEmpty; assertErrEmpty
	assert_image_tree
	rm -rf "$R"
	run mkrootfs "$R" --from-oci "$W/oci:v1"
	assertRC 0
	assert_image_tree
	rm -rf "$W/oci"
}

test_oci_multi_platform_index() {
	MULTIARCH=1 make_image oci
	run mkrootfs "$R" --from-oci "$W/oci:v1"
	assertRC 0; assertErrEmpty
	assert_image_tree
	rm -rf "$W/oci"
}

test_oci_unknown_tag_and_missing_index() {
	make_image oci
	run mkrootfs "$R" --from-oci "$W/oci:nope"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "no image tagged 'nope'"
	assertFalse "no root left" "[ -e '$R' ]"
	rm "$W/oci/index.json"
	run mkrootfs "$R" --from-oci "$W/oci"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "no index.json"
	run mkrootfs "$R" --from-oci "$W/no-such-layout"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "No such file or directory"
	rm -rf "$W/oci"
}

test_oci_bad_digest_and_missing_blob() {
	make_image oci
	python3 - "$W/oci/index.json" <<'EOF'
import json, sys
p = sys.argv[1]; i = json.load(open(p))
i["manifests"][0]["digest"] = "sha256:../../../../etc/passwd"
json.dump(i, open(p, "w"))
EOF
	run mkrootfs "$R" --from-oci "$W/oci"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "not a valid digest"
	rm -rf "$W/oci"
	make_image oci
	for b in "$W"/oci/blobs/sha256/*; do
		[ "$(head -c 1 "$b")" = "{" ] || rm "$b"
	done
	run mkrootfs "$R" --from-oci "$W/oci"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "layer 1/2"
	assertFalse "no root left" "[ -e '$R' ]"
	rm -rf "$W/oci"
}

# The file of the layout $W/oci that holds ROLE: "index" (the nested image
# index of a MULTIARCH layout), "manifest", "config", "layer1", "layer2".
blob_of() {
	python3 - "$W/oci" "$1" <<'EOF'
import json, os, sys
top, role = sys.argv[1], sys.argv[2]
path = lambda d: os.path.join(top, "blobs", *d["digest"].split(":"))
d = json.load(open(top + "/index.json"))["manifests"][0]
if d["mediaType"].endswith(".index.v1+json"):
    if role == "index":
        print(path(d))
        sys.exit(0)
    d = json.load(open(path(d)))["manifests"][1]
m = json.load(open(path(d)))
print({"manifest": path(d), "config": path(m["config"])}.get(role) or path(m["layers"][int(role[5:]) - 1]))
EOF
}

# Rewrite the blob of ROLE in place (its name, the digest, stays): a layer
# becomes one that makes "evil"; a manifest, an image index or a config
# names such a layer (stored under its true digest) or changes.
tamper() {
	python3 - "$W/oci" "$1" "$(blob_of "$1")" <<'EOF'
import hashlib, io, json, os, sys, tarfile
top, role, path = sys.argv[1:4]
alg = path.split("/")[-2]
def blob(data, mt):
    d = hashlib.new(alg, data).hexdigest()
    open(os.path.join(top, "blobs", alg, d), "wb").write(data)
    return {"digest": alg + ":" + d, "size": len(data), "mediaType": mt}
def evil():
    b = io.BytesIO()
    t = tarfile.open(fileobj=b, mode="w")
    i = tarfile.TarInfo("evil"); i.size = 6; t.addfile(i, io.BytesIO(b"pwned\n"))
    t.close()
    return blob(b.getvalue(), "application/vnd.oci.image.layer.v1.tar")
if role.startswith("layer"):
    data = open(os.path.join(top, "blobs", *evil()["digest"].split(":")), "rb").read()
else:
    doc = json.load(open(path))
    if role == "config":
        doc["evil"] = True
    elif role == "manifest":
        doc["layers"].append(evil())
    else:
        m = doc["manifests"][1]
        man = json.load(open(os.path.join(top, "blobs", *m["digest"].split(":"))))
        man["layers"] = [evil()]
        doc["manifests"][1] = dict(m, **blob(json.dumps(man).encode(), m["mediaType"]))
    data = json.dumps(doc).encode()
open(path, "wb").write(data)
EOF
}

test_oci_blob_not_matching_its_digest() {
	# Each blob read, tampered with in turn: refused before DIR (not empty,
	# with --force, so nothing would clean it up) gets a byte of the image.
	for role in index manifest config layer1 layer2; do
		MULTIARCH=1 make_image oci
		tamper $role
		case $role in
		index) what="image index" ;;
		layer*) what="layer ${role#layer}/2" ;;
		*) what=$role ;;
		esac
		mkdir "$R" && echo mine >"$R/mine"
		run mkrootfs --force "$R" --from-oci "$W/oci:v1"
		assertEquals "$role: exit status; $ERR" 1 "$RC"
		assertOneLineError mkrootfs
		assertErrContains "$what sha256:"
		assertErrContains "content does not match its digest"
		assertEquals "$role: DIR got nothing of the image" mine "$(ls -A "$R")"
		rm -rf "$R" "$W/oci"
	done
}

test_oci_layer_cut_short() {
	make_image oci
	l=$(blob_of layer2)
	head -c -100 "$l" >"$W/cut" && cat "$W/cut" >"$l"
	run mkrootfs "$R" --from-oci "$W/oci"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "layer 2/2 sha256:"
	assertErrContains "content does not match its digest"
	assertFalse "no root left" "[ -e '$R' ]"
	rm -rf "$W/oci" "$W/cut"
}

test_oci_sha512_layout() {
	ALG=sha512 make_image oci
	assertTrue "the layout's blobs are sha512" "[ -n \"\$(ls '$W/oci/blobs/sha512')\" ]"
	run mkrootfs "$R" --from-oci "$W/oci"
	assertRC 0; assertErrEmpty
	assert_image_tree
	rm -rf "$R"
	tamper layer1
	run mkrootfs "$R" --from-oci "$W/oci"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "layer 1/2 sha512:"
	assertErrContains "content does not match its digest"
	assertFalse "no root left" "[ -e '$R' ]"
	rm -rf "$W/oci"
}

test_oci_malformed_digests() {
	# Whatever a manifest names becomes a path only when it is sha256 with
	# 64 or sha512 with 128 lowercase hex digits.
	h=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	for d in "sha256:../../../../../..$W/outside/canary" "sha256:$h/../$h" "sha256:${h^^}" \
		"sha256:${h:1}" "sha512:$h" "sha384:$h" "md5:${h:0:32}" "sha256:" "$h" "sha256:$h "; do
		for where in index layer; do
			make_image oci
			python3 - "$W/oci" "$(blob_of manifest)" "$d" "$where" <<'EOF'
import hashlib, json, sys
top, path, d, where = sys.argv[1:5]
i = json.load(open(top + "/index.json"))
if where == "layer":
    m = json.load(open(path)); m["layers"][0]["digest"] = d
    raw = json.dumps(m).encode(); md = hashlib.sha256(raw).hexdigest()
    open(top + "/blobs/sha256/" + md, "wb").write(raw)
    d = "sha256:" + md
i["manifests"][0]["digest"] = d
open(top + "/index.json", "w").write(json.dumps(i))
EOF
			run mkrootfs "$R" --from-oci "$W/oci"
			assertEquals "'$d' in $where: exit status" 1 "$RC"
			assertOneLineError mkrootfs
			assertErrContains "not a valid digest"
			assertFalse "no root left" "[ -e '$R' ]"
			rm -rf "$W/oci"
		done
	done
}

# A layout a user made, unpacked by root. The user cannot read $W/secret.tar
# (root's, mode 600) and points the layout at it; the digests are the
# secret's own, so only the confinement to the layout stands in the way.
secret_layout() {
	make_tar "$W/secret.tar" 'f("secret", b"TOPSECRET\n")'
	chmod 600 "$W/secret.tar"
	make_image oci
	python3 - "$W/oci" "$(blob_of manifest)" "$W/secret.tar" <<'EOF'
import hashlib, json, os, sys
top, mpath, secret = sys.argv[1:4]
data = open(secret, "rb").read()
d = hashlib.sha256(data).hexdigest()
open(top + "/blobs/sha256/" + d, "wb").write(data)
m = json.load(open(mpath)); m["layers"][0] = dict(m["layers"][0], digest="sha256:" + d, size=len(data))
raw = json.dumps(m).encode(); md = hashlib.sha256(raw).hexdigest()
open(top + "/blobs/sha256/" + md, "wb").write(raw)
i = json.load(open(top + "/index.json")); i["manifests"][0].update(digest="sha256:" + md, size=len(raw))
open(top + "/index.json", "w").write(json.dumps(i))
EOF
	chown -R 65534:65534 "$W/oci"
}

# Each way of pointing out of the layout: refused, and the secret appears
# nowhere under DIR (not empty, with --force: nothing cleans it up).
assert_confined() {
	what=$1 why=$2
	mkdir "$R" && echo mine >"$R/mine"
	# the timeout only ends a run that would hang (the fifo, on old code)
	run timeout 120 mkrootfs --force "$R" --from-oci "$W/oci"
	assertEquals "$what: exit status; $ERR" 1 "$RC"
	assertOneLineError mkrootfs
	assertErrContains "$why"
	assertEquals "$what: the secret nowhere under DIR" "" "$(grep -rl TOPSECRET "$R")"
	assertEquals "$what: DIR got nothing of the image" mine "$(ls -A "$R")"
	rm -rf "$R" "$W/oci"
}

oci_confinement() {
	secret_layout
	l=$(blob_of layer1)
	ln -sf "$W/secret.tar" "$l"
	assert_confined "layer blob a symlink out" "layer 1/2 blobs/sha256/${l##*/}: a symlink: refused"

	secret_layout
	mkdir "$W/elsewhere" && mv "$W/oci/blobs/sha256" "$W/elsewhere/" && ln -s "$W/elsewhere/sha256" "$W/oci/blobs/sha256"
	assert_confined "blobs/sha256 a symlink out" "blobs/sha256/"
	rm -rf "$W/elsewhere"

	secret_layout
	mv "$W/oci/index.json" "$W/index.json" && chmod 600 "$W/index.json"
	ln -s "$W/index.json" "$W/oci/index.json"
	assert_confined "index.json a symlink out" "index.json: a symlink: refused"
	rm -f "$W/index.json"

	secret_layout
	ln -sf /etc/shadow "$W/oci/oci-layout"
	assert_confined "oci-layout a symlink out" "oci-layout: a symlink: refused"

	# A fifo is never opened for a blocking read (that would hang for good).
	secret_layout
	l=$(blob_of layer1)
	rm "$l" && mkfifo "$l"
	assert_confined "layer blob a fifo" "layer 1/2 blobs/sha256/${l##*/}: not a regular file"
	rm -f "$W/secret.tar"
}

test_oci_blobs_read_only_from_inside_the_layout() {
	# The layout as made unpacks; then each attack on it.
	secret_layout
	run mkrootfs "$R" --from-oci "$W/oci"
	assertRC 0
	assertEquals "the layout as made unpacks" TOPSECRET "$(cat "$R/secret")"
	rm -rf "$R" "$W/oci"
	oci_confinement
}

test_oci_blobs_confined_without_openat2() {
	# The O_NOFOLLOW walk used where openat2 is missing.
	export NSKIT_NO_OPENAT2=1
	oci_confinement
	unset NSKIT_NO_OPENAT2
}

test_oci_layout_version() {
	make_image oci
	echo '{"imageLayoutVersion": "2.0.0"}' >"$W/oci/oci-layout"
	run mkrootfs "$R" --from-oci "$W/oci"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "oci-layout: not an image layout of version 1"
	echo 'junk' >"$W/oci/oci-layout"
	run mkrootfs "$R" --from-oci "$W/oci"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "oci-layout: not valid"
	rm "$W/oci/oci-layout"
	run mkrootfs "$R" --from-oci "$W/oci"
	assertRC 0; assertErrEmpty
	assert_image_tree
	rm -rf "$W/oci"
}

test_docker_archive() {
	make_image docker
	run mkrootfs "$R" --from-docker-archive "$W/save.tar:v1"
	assertRC 0; assertOutEmpty; assertErrEmpty
	assert_image_tree
	rm -rf "$R"
	run mkrootfs "$R" --from-docker-archive "$W/save.tar:nskit/other:v2"
	assertRC 0; assertErrEmpty
	assert_image_tree
	rm -rf "$R"
	run mkrootfs "$R" --from-docker-archive "$W/save.tar"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "several images"
	run mkrootfs "$R" --from-docker-archive "$W/save.tar:nope"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "no image tagged 'nope'"
	rm -f "$W/save.tar"
}

test_docker_archive_without_manifest() {
	make_tar "$W/nomanifest.tar" 'f("l1/layer.tar", b"")'
	run mkrootfs "$R" --from-docker-archive "$W/nomanifest.tar"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "manifest.json: no such member"
	assertFalse "no root left" "[ -e '$R' ]"
}

# Rewrite member NAME of $W/save.tar (the first whose name starts so) with
# other content, under the same name.
tamper_member() {
	python3 - "$W/save.tar" "$1" <<'EOF'
import io, sys, tarfile
path, want = sys.argv[1:3]
src = tarfile.open(path); members = [(m, src.extractfile(m).read() if m.isfile() else None) for m in src]
src.close()
out = tarfile.open(path, "w")
done = False
for m, data in members:
    if not done and m.name.startswith(want):
        done = True
        b = io.BytesIO()
        t = tarfile.open(fileobj=b, mode="w")
        i = tarfile.TarInfo("evil"); i.size = 6; t.addfile(i, io.BytesIO(b"pwned\n"))
        t.close()
        data = b.getvalue() if not m.name.endswith(".json") else b'{"evil": true}'
        m.size = len(data)
    out.addfile(m, io.BytesIO(data) if data is not None else None)
out.close()
EOF
}

test_docker_archive_blobs_checked() {
	# docker 25 and later: members blobs/sha256/HEX, the config HEX.json.
	DOCKER_BLOBS=1 make_image docker
	run mkrootfs "$R" --from-docker-archive "$W/save.tar"
	assertRC 0; assertOutEmpty; assertErrEmpty
	assert_image_tree
	rm -rf "$R"
	mv "$W/save.tar" "$W/good.tar"
	layers=$(tar -tf "$W/good.tar" | grep '^blobs/sha256/')
	for m in $layers $(tar -tf "$W/good.tar" | grep '\.json$' | grep -v manifest); do
		cp "$W/good.tar" "$W/save.tar"
		tamper_member "$m"
		case $m in
		*.json) what=config ;;
		"${layers%%$'\n'*}") what="layer 1/2" ;;
		*) what="layer 2/2" ;;
		esac
		mkdir "$R" && echo mine >"$R/mine"
		run mkrootfs --force "$R" --from-docker-archive "$W/save.tar"
		assertEquals "$m: exit status; $ERR" 1 "$RC"
		assertOneLineError mkrootfs
		assertErrContains "$what $m: content does not match its digest"
		assertEquals "$m: DIR got nothing of the image" mine "$(ls -A "$R")"
		rm -rf "$R" "$W/save.tar"
	done
	rm -f "$W/good.tar"
}

test_docker_archive_malformed_blob_name() {
	DOCKER_BLOBS=1 make_image docker
	python3 - "$W/save.tar" <<'EOF'
import io, json, sys, tarfile
path = sys.argv[1]
src = tarfile.open(path); members = [(m, src.extractfile(m).read()) for m in src]
src.close()
out = tarfile.open(path, "w")
for m, data in members:
    if m.name == "manifest.json":
        doc = json.loads(data); doc[0]["Layers"][0] = "blobs/sha256/nothex"; data = json.dumps(doc).encode()
        m.size = len(data)
    out.addfile(m, io.BytesIO(data))
i = tarfile.TarInfo("blobs/sha256/nothex"); i.size = 0; out.addfile(i, io.BytesIO(b""))
out.close()
EOF
	run mkrootfs "$R" --from-docker-archive "$W/save.tar"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "'blobs/sha256/nothex': not a valid digest"
	assertFalse "no root left" "[ -e '$R' ]"
	rm -f "$W/save.tar"
}

# --- limits -----------------------------------------------------------------

test_max_size() {
	make_tar "$W/big.tar" 'f("small", b"x" * 1000); f("big", b"y" * 100000)'
	run mkrootfs "$R" --from-tar "$W/big.tar" --max-size 50K
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "big.tar: big: over the size limit (--max-size 50K)"
	assertFalse "the DIR it made is removed, as after any failure" "[ -e '$R' ]"
	# exactly the content's bytes: enough
	run mkrootfs "$R" --from-tar "$W/big.tar" --max-size 101000
	assertRC 0; assertErrEmpty
	assertEquals "all unpacked" 100000 "$(stat -c %s "$R/big")"
	rm -rf "$R"
	run mkrootfs "$R" --from-tar "$W/big.tar" --max-size 100999
	assertRC 1; assertErrContains "big: over the size limit"
	# a DIR that was not empty (--force) keeps what came before the error
	mkdir "$R" && echo mine >"$R/mine"
	run mkrootfs --force "$R" --from-tar "$W/big.tar" --max-size 50k
	assertRC 1; assertOneLineError mkrootfs
	assertEquals "left partial" "big mine small" "$(ls "$R" | xargs)"
	assertEquals "never more than the limit written" 0 "$(stat -c %s "$R/big")"
	rm -f "$W/big.tar"
}

test_max_size_counts_every_layer_and_host_file() {
	local kept
	make_image oci
	# the two layers write 13 and 14 bytes of file content, and the kept
	# run configuration (.nskit/image.json) counts too
	mkrootfs "$R" --from-oci "$W/oci" || fail "mkrootfs"
	kept=$(stat -c %s "$R/.nskit/image.json")
	rm -rf "$R"
	run mkrootfs "$R" --from-oci "$W/oci" --max-size $((27 + kept))
	assertRC 0; assertErrEmpty
	rm -rf "$R"
	run mkrootfs "$R" --from-oci "$W/oci" --max-size $((26 + kept))
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains ".nskit/image.json: over the size limit (--max-size $((26 + kept)))"
	assertFalse "no root left" "[ -e '$R' ]"
	run mkrootfs "$R" --from-oci "$W/oci" --max-size 26
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "layer 2/2: "
	assertErrContains "over the size limit (--max-size 26)"
	assertFalse "no root left" "[ -e '$R' ]"
	rm -rf "$W/oci"
	run mkrootfs "$R" --from-host sh --max-size 10K
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "over the size limit (--max-size 10K)"
	assertFalse "no root left" "[ -e '$R' ]"
	run mkrootfs "$R" --from-host sh --max-size 1G
	assertRC 0; assertErrEmpty
}

test_max_size_usage() {
	for s in 0 -1 1X 10KB "" K 99999999999999999999 20000000000000000T; do
		run mkrootfs "$R" --from-tar /dev/null --max-size "$s"
		assertUsageError mkrootfs
		assertErrContains "not a size"
	done
	assertFalse "nothing made" "[ -e '$R' ]"
}

test_file_size_limit_is_reported() {
	# ulimit -f: a write past it is an error named as such, not a death by
	# SIGXFSZ without a word (status 153) that leaves DIR behind.
	make_tar "$W/big.tar" 'f("big", b"y" * 300000)'
	run bash -c "ulimit -f 100 && exec mkrootfs '$R' --from-tar '$W/big.tar'"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains "big.tar: big: file size limit exceeded (ulimit -f)"
	assertFalse "no root left" "[ -e '$R' ]"
	run bash -c "ulimit -f 20 && exec mkrootfs '$R' --from-host sh"
	assertRC 1; assertOneLineError mkrootfs
	assertErrContains ": file size limit exceeded (ulimit -f)"
	assertFalse "no root left" "[ -e '$R' ]"
	rm -f "$W/big.tar"
}

test_completion() {
	. /usr/share/bash-completion/bash_completion
	. "$TOP/completions/mkrootfs"
	COMP_WORDS=(mkrootfs /tmp/r --from-)
	COMP_CWORD=2 COMP_LINE="mkrootfs /tmp/r --from-" COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_mkrootfs mkrootfs --from- /tmp/r
	assertEquals "--from- options" "--from-docker-archive --from-host --from-oci --from-tar" "${COMPREPLY[*]}"
	COMP_WORDS=(mkrootfs /tmp/r --from-host mkroot)
	COMP_CWORD=3 COMP_LINE="mkrootfs /tmp/r --from-host mkroot" COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_mkrootfs mkrootfs mkroot --from-host
	assertContains "programs after --from-host" "${COMPREPLY[*]}" "mkrootfs"
}

test_help_has_examples() {
	run mkrootfs --help
	assertRC 0
	assertOutContains "Examples:"
	assertOutContains "Exit status:"
}

# --- image configuration -------------------------------------------

# A busybox image whose configuration sets Env, WorkingDir, Entrypoint, Cmd
# and User. $1: "oci" for $W/cfgoci, "docker" for $W/cfgsave.tar.
make_config_image() {
	python3 - "$1" "$W" <<'EOF'
import hashlib, io, json, os, sys, tarfile
kind, W = sys.argv[1], sys.argv[2]
b = io.BytesIO()
t = tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT)
def add(name, data=None, mode=0o644, link=None):
    i = tarfile.TarInfo(name)
    if data is None and link is None: i.type = tarfile.DIRTYPE; i.mode = 0o755; t.addfile(i)
    elif link is not None: i.type = tarfile.SYMTYPE; i.linkname = link; t.addfile(i)
    else: i.size = len(data); i.mode = mode; t.addfile(i, io.BytesIO(data))
add("bin"); add("etc"); add("tmp")
add("bin/busybox", open("/bin/busybox", "rb").read(), 0o755)
add("bin/sh", link="busybox")
add("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\napp:x:1234:2345:app:/home/app:/bin/sh\n")
add("etc/group", b"root:x:0:\napp:x:2345:\nstaff:x:50:\n")
# an image's own file where the configuration is kept never wins
add(".nskit"); add(".nskit/image.json", b'{"Env":["FOO=forged"]}')
t.close()
layer = b.getvalue()
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {
    "Env": ["FOO=from image", "PATH=/bin"], "WorkingDir": "/srv/app",
    "Entrypoint": ["/bin/busybox", "sh", "-c"],
    "Cmd": ['echo "$FOO|$(busybox pwd)|$(busybox id -u):$(busybox id -g)|$PATH|${CALLER-unset}"'],
    "User": "app", "Labels": {"x": "y"}}, "rootfs": {"type": "layers", "diff_ids": []}}).encode()
if kind == "oci":
    os.makedirs(W + "/cfgoci/blobs/sha256")
    def blob(data):
        d = hashlib.sha256(data).hexdigest()
        open(W + "/cfgoci/blobs/sha256/" + d, "wb").write(data)
        return {"digest": "sha256:" + d, "size": len(data)}
    mt = "application/vnd.oci.image.manifest.v1+json"
    man = {"schemaVersion": 2, "mediaType": mt,
           "config": dict(blob(cfg), mediaType="application/vnd.oci.image.config.v1+json"),
           "layers": [dict(blob(layer), mediaType="application/vnd.oci.image.layer.v1.tar")]}
    open(W + "/cfgoci/index.json", "w").write(json.dumps({"schemaVersion": 2,
        "manifests": [dict(blob(json.dumps(man).encode()), mediaType=mt)]}))
    open(W + "/cfgoci/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
else:
    t = tarfile.open(W + "/cfgsave.tar", "w")
    def member(name, data):
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
    member("c0ffee.json", cfg)
    member("l1/layer.tar", layer)
    member("manifest.json", json.dumps([{"Config": "c0ffee.json", "RepoTags": ["nskit/cfg:v1"],
                                         "Layers": ["l1/layer.tar"]}]).encode())
    t.close()
EOF
}

assert_config_applied() {
	assertTrue "configuration kept" "[ -f '$R/.nskit/image.json' ]"
	assertNotContains "not the layer's own file" "$(cat "$R/.nskit/image.json")" "forged"
	assertNotContains "only the keys nsnew applies" "$(cat "$R/.nskit/image.json")" "Labels"
	# the Entrypoint and Cmd, the Env (not the caller's), WorkingDir, User
	OUT=$(CALLER=leak nsnew -m --rootfs "$R" 2>"$_errf"); RC=$?; ERR=$(cat "$_errf")
	assertRC 0; assertErrEmpty
	assertEquals "from image|/srv/app|1234:2345|/bin|unset" "$OUT"
	# COMMAND replaces Entrypoint and Cmd; the Env and User stay
	run nsnew -m --rootfs "$R" -- sh -c 'echo "$FOO $(busybox id -u)"'
	assertRC 0
	assertEquals "from image 1234" "$OUT"
	# --chdir, --uid and --gid win over WorkingDir and User
	run nsnew -m --rootfs "$R" --chdir /tmp --uid 0 -- sh -c 'busybox pwd; busybox id -u; busybox id -g'
	assertRC 0
	assertEquals "$(printf '/tmp\n0\n0')" "$OUT"
	run nsnew -m --rootfs "$R" --gid 50 -- sh -c 'busybox id -u; busybox id -g'
	assertEquals "$(printf '1234\n50')" "$OUT"
	# --hostname sets HOSTNAME, and HOME is the user's, as podman does
	run nsnew -m --hostname cfgjail --rootfs "$R" -- sh -c 'echo $HOSTNAME $HOME'
	assertEquals "cfgjail /home/app" "$OUT"
	run nsnew -m --rootfs "$R" --uid 0 -- sh -c 'echo $HOME'
	assertEquals /root "$OUT"
	run nsnew -m --rootfs "$R" --uid 77 -- sh -c 'echo $HOME'
	assertEquals "no passwd entry" / "$OUT"
}

test_oci_config_kept_and_applied_by_nsnew() {
	make_config_image oci
	run mkrootfs "$R" --from-oci "$W/cfgoci"
	assertRC 0; assertErrEmpty
	assert_config_applied
	rm -rf "$W/cfgoci"
}

test_docker_archive_config_kept_and_applied_by_nsnew() {
	make_config_image docker
	run mkrootfs "$R" --from-docker-archive "$W/cfgsave.tar"
	assertRC 0; assertErrEmpty
	assert_config_applied
	rm -f "$W/cfgsave.tar"
}

test_image_user_unknown_is_refused() {
	make_config_image oci
	run mkrootfs "$R" --from-oci "$W/cfgoci"
	sed -i 's/"User":"app"/"User":"nobody9"/' "$R/.nskit/image.json"
	run nsnew -m --rootfs "$R" -- true
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "image user 'nobody9': not in $R/etc/passwd"
	rm -rf "$W/cfgoci"
}

test_help_names_the_kept_image_config() {
	run mkrootfs --help
	assertRC 0
	assertOutContains "DIR/.nskit/image.json"
}

test_image_user_unmapped_in_user_namespace_says_so() {
	make_config_image oci
	run mkrootfs "$R" --from-oci "$W/cfgoci"
	run nsnew -U -r -m --rootfs "$R"
	assertRC 125
	assertOneLineError nsnew
	assertErrContains "image user 'app' (uid 1234): not mapped"
	run nsnew -U -r -m --rootfs "$R" --uid 0 -- sh -c 'echo $FOO'
	assertRC 0
	assertEquals "from image" "$OUT"
	rm -rf "$W/cfgoci"
}

test_from_host_swapped_operands_show_usage() {
	run mkrootfs --from-host sh "$R"
	assertRC 2
	assertErrContains "'sh' looks like a PROG and '$R' like DIR: DIR comes first"
	assertErrContains "Usage: mkrootfs"
	assertFalse "nothing made" "[ -e '$R' ] || [ -e sh ]"
	mkdir "$R"
	run mkrootfs --from-host ./nosuch "$R"
	assertRC 2
	assertErrContains "DIR comes first"
}

. shunit2
