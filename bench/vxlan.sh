#!/bin/bash
# vxlan: a VXLAN device and P flannel-style peers (P = 1, 10, 50; quick: 1,
# 10), each peer one forwarding entry, one neighbour and one route.
#   vethctl vxlan add + P `vethctl vxlan peer add` processes vs the same as
#   `ip link add type vxlan` + `ip link set up` + P x (`bridge fdb append`,
#   `ip neigh add`, `ip route add`): 2 + 3P processes
#   vethctl -b of the same lines vs `ip -batch` (link, neighbours, routes)
#   + `bridge -batch` (forwarding entries): two processes, the fairest peer
#   (target: no slower)
# Every run starts with no device (deleted before it, untimed); the peers
# are addresses on the underlay no traffic goes to.
. "$NSKIT_TOP/bench/lib.sh"
need vxlan "vxlan and peers" vethctl peer:ip peer:bridge || exit 0
V=$(nskit vethctl)
W=/tmp/bench-vxlan
mkdir -p "$W"

ip link add ul0 type veth peer name ul1 && ip addr add 10.50.0.1/16 dev ul0 &&
	ip link set ul0 up && ip link set ul1 up || { bench_fail vxlan "underlay"; exit 0; }
# The device is gone before each run (the kernel's grace period for the
# deletion is spent here, not in the timed command).
printf 'ip link del vx0 2>/dev/null; true\n' >"$W/reset"

# peer I: its MAC, underlay address, VTEP address and subnet.
mac() { printf '02:50:00:00:%02x:%02x' $(($1 / 256)) $(($1 % 256)); }
remote() { echo "10.50.$((1 + $1 / 250)).$(($1 % 250 + 1))"; }
vtep() { echo "10.60.$1.0"; }

if [ "$QUICK" = 1 ]; then sizes="1 10"; else sizes="1 10 50"; fi
for p in $sizes; do
	{
		echo "ip link add vx0 type vxlan id 42 local 10.50.0.1 dev ul0 dstport 4789 nolearning"
		echo "ip link set vx0 up"
		for ((i = 1; i <= p; i++)); do
			echo "bridge fdb append $(mac $i) dev vx0 dst $(remote $i) self permanent"
			echo "ip neigh add $(vtep $i) lladdr $(mac $i) dev vx0 nud permanent"
			echo "ip route add $(vtep $i)/24 via $(vtep $i) dev vx0 onlink"
		done
	} >"$W/ip-procs-$p"
	{
		echo "link add vx0 up type vxlan id 42 local 10.50.0.1 dev ul0 dstport 4789 nolearning"
		for ((i = 1; i <= p; i++)); do
			echo "neigh add $(vtep $i) lladdr $(mac $i) dev vx0 nud permanent"
			echo "route add $(vtep $i)/24 via $(vtep $i) dev vx0 onlink"
		done
	} >"$W/ip-batch-$p"
	for ((i = 1; i <= p; i++)); do
		echo "fdb append $(mac $i) dev vx0 dst $(remote $i) self permanent"
	done >"$W/bridge-batch-$p"
	{
		echo "$V vxlan add vx0 --vni 42 --local 10.50.0.1 --dev ul0"
		for ((i = 1; i <= p; i++)); do
			echo "$V vxlan peer add vx0 --remote $(remote $i) --mac $(mac $i) --addr $(vtep $i) --route $(vtep $i)/24"
		done
	} >"$W/vethctl-procs-$p"
	sed "s|^$V ||" "$W/vethctl-procs-$p" >"$W/vethctl-b-$p"
	PREPARE="sh $W/reset" bench_time ip-procs "sh -e $W/ip-procs-$p" \
		vethctl-procs "sh -e $W/vethctl-procs-$p" \
		ip-batch "sh -c 'ip -batch $W/ip-batch-$p && bridge -batch $W/bridge-batch-$p'" \
		vethctl-b "$V -b $W/vethctl-b-$p" &&
		bench_row vxlan "device + $p peers (vs $((2 + 3 * p)) ip/bridge processes)" - vethctl-procs ip-procs \
			"vethctl: $((1 + p)) processes" &&
		bench_row vxlan "device + $p peers, batch (vs ip -batch + bridge -batch)" 1.0 vethctl-b ip-batch &&
		bench_row vxlan "device + $p peers, batch (vs $((2 + 3 * p)) ip/bridge processes)" - vethctl-b ip-procs &&
		series vxlan-peers "$p" vethctl-b ip-batch ||
		bench_fail vxlan "device + $p peers"
	# What each way left: one forwarding entry, neighbour and route per peer.
	sh "$W/reset"
	"$V" -b "$W/vethctl-b-$p" &&
		bench_note vxlan "device + $p peers: entries vethctl made" \
			"$(bridge fdb show dev vx0 | grep -c self) forwarding, $(ip neigh show dev vx0 | grep -c .) neighbour, $(ip route show dev vx0 | grep -c .) route entries"
done
sh "$W/reset"
