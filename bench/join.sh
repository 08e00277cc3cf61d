#!/bin/bash
# join: run a command in an existing network namespace.
#   nsjoin NAME true      vs ip netns exec NAME true   (target <= 0.8)
#   nsjoin --net=PATH true vs nsenter --net=PATH true and the setns+exec
#   floor (target <= 1.1x the floor)
# plus the kernel's own cost of a setns round trip, timed in a loop.
. "$NSKIT_TOP/bench/lib.sh"
ns=bench-join
ip netns add "$ns" || exit 1
trap 'ip netns del "$ns" 2>/dev/null' EXIT
path=/run/netns/$ns
NSJOIN=$(nskit nsjoin)

if need join "NAME true" nsjoin peer:ip; then
	bench_time ip-netns-exec "ip netns exec $ns /bin/true" \
		nsjoin "$NSJOIN $ns /bin/true" \
		floor-setns+sys "$FLOOR/setns_exec -s $path /bin/true" &&
		bench_row join "NAME true" 0.8 nsjoin ip-netns-exec &&
		bench_row join "NAME true (vs floor)" - nsjoin floor-setns+sys "floor: setns, unshare mnt, /sys remount, exec" &&
		bench_row join "ip netns exec (vs floor)" - ip-netns-exec floor-setns+sys "DESIGN.md: 1.5"
fi

if need join "--net=PATH true" nsjoin peer:nsenter floor:setns_exec; then
	bench_time nsenter "nsenter --net=$path /bin/true" \
		nsjoin "$NSJOIN --net=$path /bin/true" \
		floor-setns "$FLOOR/setns_exec $path /bin/true" &&
		bench_row join "--net=PATH true (vs floor)" 1.1 nsjoin floor-setns &&
		bench_row join "--net=PATH true (vs nsenter)" 1.0 nsjoin nsenter "below nsenter" &&
		bench_row join "nsenter (vs floor)" - nsenter floor-setns "DESIGN.md: 1.3"
fi

if [ -x "$FLOOR/setns_exec" ]; then
	n=$([ "$QUICK" = 1 ] && echo 1000 || echo 20000)
	bench_note join "kernel: setns in+out, in-process loop" \
		"$(awk -v ns="$("$FLOOR/setns_exec" -l "$n" "$path")" 'BEGIN { printf "%.1f us per round trip", ns / 1000 }')"
fi
