#!/bin/bash
# rootfs: mkrootfs --from-tar of a generated archive of ~50,000 files
# (quick: 2,000) vs tar -x of it (target <= 1.2), both into an empty
# directory on the sandbox's tmpfs.
. "$NSKIT_TOP/bench/lib.sh"
need rootfs "--from-tar" mkrootfs peer:tar || exit 0
M=$(nskit mkrootfs)
W=/tmp/bench-rootfs
if [ "$QUICK" = 1 ]; then dirs=20; else dirs=500; fi
# dirs directories of 100 entries: 96 files of 0-4 KiB, 2 symlinks (one
# absolute, as images hold), 1 hard link, 1 subdirectory; written straight
# into the archive (python3's tarfile), since 50,000 file-making processes
# would take longer than the benchmark.
mkdir -p "$W"
python3 - "$W/image.tar" "$dirs" <<'EOS' || exit 1
import io, sys, tarfile
out, dirs = sys.argv[1], int(sys.argv[2])
zero = bytes(4096)
def entry(name, kind, **kw):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mtime = kind, 1700000000
    ti.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti
with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as t:
    t.addfile(entry("usr", tarfile.DIRTYPE))
    for d in range(dirs):
        t.addfile(entry(f"usr/d{d}", tarfile.DIRTYPE))
        t.addfile(entry(f"usr/d{d}/sub", tarfile.DIRTYPE))
        for f in range(96):
            n = (d * 97 + f * 31) % 4096
            t.addfile(entry(f"usr/d{d}/f{f}", tarfile.REGTYPE, size=n), io.BytesIO(zero[:n]))
        t.addfile(entry(f"usr/d{d}/rel", tarfile.SYMTYPE, linkname="f0"))
        t.addfile(entry(f"usr/d{d}/abs", tarfile.SYMTYPE, linkname=f"/usr/d{d}/f1"))
        t.addfile(entry(f"usr/d{d}/hard", tarfile.LNKTYPE, linkname=f"usr/d{d}/f2"))
EOS
files=$(tar -tf "$W/image.tar" | wc -l)
r=$ROUNDS
[ "$QUICK" = 1 ] || r=$(((ROUNDS + 3) / 4))
ROUNDS=$r PREPARE="sh -c 'rm -rf $W/out && mkdir $W/out'" bench_time \
	tar "tar -xf $W/image.tar -C $W/out" \
	mkrootfs "$M $W/out --from-tar $W/image.tar" &&
	bench_row rootfs "--from-tar, $files entries" 1.2 mkrootfs tar ||
	bench_fail rootfs "--from-tar, $files entries"
rm -rf "$W"
