#!/bin/bash
# links: veth pairs into a network namespace.
#   one pair, addresses, routes, links up: vethctl add vs the same set-up as
#   ip commands (peer made in its netns directly; target <= 0.25)
#   N = 100, 1000 pairs (quick: 10), both ends up: vethctl -b vs ip -batch
#   (target <= 1.0) vs one ip process per step
#   teardown of N pairs: vethctl del NAME... (one request) vs ip -batch of
#   link del
#   (target: 1000 pairs under 1 s); deleting the namespace shown for scale
. "$NSKIT_TOP/bench/lib.sh"
need links "veth pairs" vethctl peer:ip || exit 0
V=$(nskit vethctl)
L=bench-links
W=/tmp/bench-links
mkdir -p "$W"
trap 'ip netns del $L 2>/dev/null' EXIT

# reset N: an empty namespace $L, every pair made in the last run gone
# (host ends vanish with their peers' namespace, by a kernel worker).
cat >"$W/reset" <<EOS
ip netns del $L 2>/dev/null
while ip link show vb1 >/dev/null 2>&1 || ip link show vb0 >/dev/null 2>&1 || ip link show "vb\$1" >/dev/null 2>&1; do sleep 0.005; done
ip netns add $L
EOS

if [ "${SKIP_ONE:-0}" = 0 ]; then
	cat >"$W/ip-one" <<EOS
ip link add vb0 type veth peer name eth0 netns $L
ip addr add 10.9.0.1/24 dev vb0
ip link set vb0 up
ip -n $L addr add 10.9.0.2/24 dev eth0
ip -n $L link set eth0 up
ip -n $L link set lo up
ip -n $L route add default via 10.9.0.1
EOS
	PREPARE="sh $W/reset 0" bench_time ip "sh -e $W/ip-one" \
		vethctl "$V add vb0 --netns $L --addr 10.9.0.1/24 --peer-addr 10.9.0.2/24 --gateway" &&
		bench_row links "one pair, addresses, route, up" 0.25 vethctl ip "peer: 7 ip commands, peer made in its netns" ||
		bench_fail links "one pair, addresses, route, up"
fi

if [ "$QUICK" = 1 ]; then sizes="10"; else sizes="100 1000"; fi
for n in $sizes; do
	# The same set-up on both sides: both ends up, and the namespace's lo
	# (vethctl add brings both up); ip needs a second batch inside $L for
	# the peers, as the peer cannot be created up in another namespace.
	for ((i = 1; i <= n; i++)); do echo "link add vb$i up type veth peer name vp$i netns $L"; done >"$W/ip-add-$n"
	{ echo "link set lo up"; for ((i = 1; i <= n; i++)); do echo "link set vp$i up"; done; } >"$W/ip-up-$n"
	{
		echo "ip -n $L link set lo up"
		for ((i = 1; i <= n; i++)); do
			echo "ip link add vb$i up type veth peer name vp$i netns $L"
			echo "ip -n $L link set vp$i up"
		done
	} >"$W/ip-procs-$n"
	for ((i = 1; i <= n; i++)); do echo "add vb$i --peer vp$i --netns $L"; done >"$W/veth-add-$n"
	for ((i = 1; i <= n; i++)); do echo "link del vb$i"; done >"$W/ip-del-$n"
	dels=$(for ((i = 1; i <= n; i++)); do printf ' vb%d' "$i"; done)
	r=$ROUNDS
	[ "$n" -ge 1000 ] && r=$(((ROUNDS + 3) / 4))
	ROUNDS=$r PREPARE="sh $W/reset $n" bench_time ip-batch "sh -c 'ip -batch $W/ip-add-$n && ip -n $L -batch $W/ip-up-$n'" \
		vethctl-b "$V -b $W/veth-add-$n" \
		ip-procs "sh -e $W/ip-procs-$n" &&
		bench_row links "$n pairs (vs ip -batch)" 1.0 vethctl-b ip-batch &&
		bench_row links "$n pairs (vs $((2 * n + 1)) ip processes)" - vethctl-b ip-procs &&
		series links-add "$n" vethctl-b ip-batch ||
		bench_fail links "$n pairs"
	# Teardown: each run starts from N pairs made by ip -batch.
	ROUNDS=$(((r + 1) / 2)) PREPARE="sh -c 'sh $W/reset $n && ip -batch $W/ip-add-$n'" \
		bench_time ip-batch-del "ip -batch $W/ip-del-$n" vethctl-del "$V del$dels" \
		ip-netns-del "ip netns del $L" &&
		bench_row links "teardown of $n pairs (vs ip -batch)" - vethctl-del ip-batch-del \
			"target: 1000 pairs under 1000 ms" &&
		bench_row links "teardown of $n pairs (vs deleting the netns)" - vethctl-del ip-netns-del &&
		bench_note links "teardown of $n pairs, vethctl del" "$(median vethctl-del) ms$([ "$n" -ge 1000 ] &&
			awk -v m="$(median vethctl-del)" 'BEGIN { printf " (target: under 1000 ms: %s)", m < 1000 ? "met" : "MISSED" }')" &&
		series links-del "$n" vethctl-del ip-batch-del ||
		bench_fail links "teardown of $n pairs"
done
