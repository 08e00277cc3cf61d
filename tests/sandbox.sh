#!/bin/sh
# Run "$@" in private namespaces (tests/run starts us under
# `unshare -m -n -u -i --propagation private`) where the host's netns
# directory, /etc, links and firewall cannot be touched: fresh tmpfs on /run
# and /tmp, /etc under an overlay whose upper layer vanishes with the
# namespace. The source and build trees stay visible even when they live
# under /tmp (a CI clone may).
set -eu
mount -t tmpfs nskit-run /run
mkdir -p /run/netns /run/.nskit-etc /run/.nskit-tmp

mount -t tmpfs nskit-etc /run/.nskit-etc
mkdir /run/.nskit-etc/upper /run/.nskit-etc/work
mount -t overlay overlay \
	-o "lowerdir=/etc,upperdir=/run/.nskit-etc/upper,workdir=/run/.nskit-etc/work" /etc

# The new /tmp is built aside, the trees under the old /tmp bound into it,
# then moved over /tmp.
mount -t tmpfs -o mode=1777 nskit-tmp /run/.nskit-tmp
for d in "${NSKIT_TOP-}" "${NSKIT_BUILD-}"; do
	case $d in
	/tmp/?*)
		mkdir -p "/run/.nskit-tmp/${d#/tmp/}"
		mount --bind "$d" "/run/.nskit-tmp/${d#/tmp/}"
		;;
	esac
done
mount --move /run/.nskit-tmp /tmp

ip link set lo up
hostname nskit-test
exec "$@"
