#!/bin/bash
# names: nsname against ip netns with N = 1, 10, 100, 1000 names existing
# (quick: 1, 10): add+del of one more name, list, and exists. Targets:
# add+del no slower than ip netns; per-name cost flat from 1 to 1000 (add
# and exists cost the same at N=1000 as at N=1; list grows by no more per
# name than ip netns list does). ip netns has no "exists": its peer is what
# scripts write, ip netns list | grep -w.
. "$NSKIT_TOP/bench/lib.sh"
need names "add+del, list, exists" nsname peer:ip || exit 0
NS=$(nskit nsname)
if [ "$QUICK" = 1 ]; then sizes="1 10"; else sizes="1 10 100 1000"; fi
have=0
trap 'ip -all netns del 2>/dev/null' EXIT

# Flatness is judged on each command's fastest run relative to /bin/true's
# fastest in the same rounds: load on a busy machine only ever adds time,
# so the minimum is the steadiest estimate of a command's own cost, and the
# ratio to true cancels a machine that got slower between one N and the
# next.
declare -A first last
keep() { # keep KEY LABEL: min(LABEL)/min(true) at the first and last N
	local r
	r=$(awk -v a="$(stats "$2" | cut -d' ' -f2)" -v b="$(stats true | cut -d' ' -f2)" \
		'BEGIN { printf "%.4f", a / b }')
	[ -n "${first[$1]:-}" ] || first[$1]=$r
	last[$1]=$r
}

for n in $sizes; do
	# Distinct namespaces, as real names are; made in one ip -batch.
	for ((i = have + 1; i <= n; i++)); do echo "netns add n$i"; done | ip -batch - || exit 1
	have=$n
	bench_time ip "sh -c 'ip netns add bench-x && ip netns del bench-x'" \
		nsname "sh -c '$NS add bench-x && $NS del bench-x'" true /bin/true &&
		bench_row names "add+del, N=$n" 1.0 nsname ip && series names-add+del "$n" nsname ip &&
		keep add-nsname nsname && keep add-ip ip
	bench_time ip "ip netns list" nsname "$NS list" true /bin/true &&
		bench_row names "list, N=$n" - nsname ip && series names-list "$n" nsname ip &&
		keep list-nsname nsname && keep list-ip ip
	bench_time ip "sh -c 'ip netns list | grep -qw n1'" nsname "$NS exists n1" true /bin/true &&
		bench_row names "exists, N=$n" - nsname ip "peer: ip netns list | grep -w" &&
		series names-exists "$n" nsname ip && keep exists-nsname nsname && keep exists-ip ip
done

# Flatness: cost at the largest N over cost at N=1 (fastest runs, relative
# to /bin/true), and list's cost per name in units of /bin/true.
nmax=${sizes##* }
for k in add exists; do
	[ -n "${first[$k-nsname]:-}" ] || continue
	bench_note names "$k: fastest run at N=$nmax / at N=1, relative to /bin/true" "$(awk -v a="${first[$k-nsname]}" -v b="${last[$k-nsname]}" \
		-v c="${first[$k-ip]}" -v d="${last[$k-ip]}" \
		'BEGIN { r = b / a; printf "nsname %.2f (target <= 1.1: %s), ip %.2f", r, r <= 1.1 ? "met" : "MISSED", d / c }')"
done
if [ -n "${first[list-nsname]:-}" ]; then
	bench_note names "list: cost per name, N=1 to $nmax (fastest runs, in units of /bin/true)" "$(awk -v a="${first[list-nsname]}" -v b="${last[list-nsname]}" \
		-v c="${first[list-ip]}" -v d="${last[list-ip]}" -v n="$nmax" \
		'BEGIN { x = (b - a) / (n - 1) * 1000; y = (d - c) / (n - 1) * 1000
		printf "nsname %.2f, ip %.2f thousandths of a true per name (target: no more than ip: %s)", x, y, n < 100 ? "N too small to judge" : (x <= y * 1.1 ? "met" : "MISSED") }')"
fi
