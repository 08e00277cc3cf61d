#!/bin/sh
# Run "$@" in private namespaces (tests/run starts us under
# `unshare -m -n -u -i --propagation private`) where the host's netns
# directory, /etc, links and firewall cannot be touched: fresh tmpfs on /run and /tmp, /etc under an
# overlay whose upper layer vanishes with the namespace.
set -eu
scratch=$(mktemp -d /tmp/nskit-sandbox.XXXXXX)
mount -t tmpfs nskit-sandbox "$scratch"
mkdir "$scratch/upper" "$scratch/work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$scratch/upper,workdir=$scratch/work" /etc
mount -t tmpfs nskit-run /run
mkdir -p /run/netns
umount -l "$scratch" 2>/dev/null || true
rmdir "$scratch" 2>/dev/null || true
mount -t tmpfs -o mode=1777 nskit-tmp /tmp
ip link set lo up
hostname nskit-test
exec "$@"
