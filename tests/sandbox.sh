#!/bin/sh
# Run "$@" in private namespaces (tests/run starts us under
# `unshare -m -n -u -i --propagation private`) where the host's netns
# directory, /etc, links and firewall cannot be touched, and where nothing
# the host had there is seen: every mount inherited at or below /run (and
# /var/run when it is a directory of its own), /tmp and /etc/netns is
# detached, in this namespace only, before a fresh tmpfs goes on /run and
# /tmp; /etc goes under an overlay whose upper layer vanishes with the
# namespace and hides the host's /etc/netns. A copied mount namespace still
# lists the host's mounts under a new tmpfs, so only detaching them makes
# the suite's mount counts its own. The source and build trees stay visible
# even when they live under /tmp (a CI clone may).
set -eu

die() {
	echo "tests/sandbox.sh: $*" >&2
	exit 1
}

# What follows detaches mounts: never in the host's mount namespace. A
# namespace made for us (unshare execs us) is shared by none of our
# ancestors; the host's is shared by all of them, up to PID 1 (whose
# namespace may be unreadable in a container: then the others decide).
self=$(readlink /proc/self/ns/mnt) || die "cannot read /proc/self/ns/mnt"
readlink "/proc/$PPID/ns/mnt" >/dev/null || die "cannot read /proc/$PPID/ns/mnt"
p=$PPID
while [ "${p:-0}" -gt 0 ]; do
	[ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" != "$self" ] ||
		die "refusing to run in the mount namespace of process $p; start it under unshare -m --propagation private (as tests/run does)"
	p=$(awk '$1 == "PPid:" { print $2 }' "/proc/$p/status" 2>/dev/null) || p=0
done
# Nothing done here may propagate out, whatever unshare was asked for.
mount --make-rprivate /

for d in "${NSKIT_TOP-}" "${NSKIT_BUILD-}"; do
	case $d in
	/run | /run/* | /var/run | /var/run/*) die "$d: the trees cannot live under /run, which the sandbox replaces" ;;
	esac
done

# detach_under DIR: lazily detach every mount at or below DIR, deepest
# first, until none is left (a stack of mounts on one path goes one per
# round; a mount hidden under another goes with its parent).
detach_under() {
	n=$(awk -v d="$1" '$5 == d || index($5, d "/") == 1' /proc/self/mountinfo | wc -l)
	while [ "$n" -gt 0 ]; do
		awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
			sort -r -u | while read -r mp; do
			# mountinfo escapes space, tab, newline and \ as \ooo
			umount -l "$(printf '%b' "$(printf '%s' "$mp" | sed 's/\\\([0-7][0-7][0-7]\)/\\0\1/g')")" 2>/dev/null || :
		done
		left=$(awk -v d="$1" '$5 == d || index($5, d "/") == 1' /proc/self/mountinfo | wc -l)
		[ "$left" -lt "$n" ] || die "$1: cannot detach the $left mount(s) inherited there"
		n=$left
	done
}

var_run=
[ -d /var/run ] && [ ! -L /var/run ] && var_run=1

detach_under /run
[ -n "$var_run" ] && detach_under /var/run
detach_under /etc/netns
mount -t tmpfs nskit-run /run
mkdir -p /run/netns /run/.nskit-etc /run/.nskit-tmp
[ -n "$var_run" ] && mount --bind /run /var/run

mount -t tmpfs nskit-etc /run/.nskit-etc
mkdir /run/.nskit-etc/upper /run/.nskit-etc/work
mount -t overlay overlay \
	-o "lowerdir=/etc,upperdir=/run/.nskit-etc/upper,workdir=/run/.nskit-etc/work" /etc
# A whiteout in the upper layer: the host's /etc/netns/NAME never leaks in.
rm -rf /etc/netns

# The new /tmp is built aside, the trees under the old /tmp bound into it,
# everything mounted at or under the old /tmp detached, then the new one
# moved over /tmp.
mount -t tmpfs -o mode=1777 nskit-tmp /run/.nskit-tmp
for d in "${NSKIT_TOP-}" "${NSKIT_BUILD-}"; do
	case $d in
	/tmp/?*)
		mkdir -p "/run/.nskit-tmp/${d#/tmp/}"
		mount --bind "$d" "/run/.nskit-tmp/${d#/tmp/}"
		;;
	esac
done
detach_under /tmp
mount --move /run/.nskit-tmp /tmp
# /dev/shm too: Podman and other peers leave lock files there.
mount -t tmpfs -o mode=1777,nosuid,nodev nskit-shm /dev/shm

ip link set lo up
hostname nskit-test
exec "$@"
