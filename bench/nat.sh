#!/bin/bash
# NAT: masquerade for subnets.
#   one subnet: natctl masq add vs nft add rule (table and chain made
#   beforehand for nft; natctl makes its own table in the same transaction)
#   N = 1, 100, 1000 subnets (quick: 1, 10) in one command: natctl masq add
#   S1..SN vs one nft -f with N rules (target <= 1.0) vs iptables-restore
#   and the number of rules each leaves (target: constant in N)
# Every run starts from an empty ruleset in this sandbox's own netns.
. "$NSKIT_TOP/bench/lib.sh"
need nat "masquerade" natctl peer:nft || exit 0
N=$(nskit natctl)
W=/tmp/bench-nat
mkdir -p "$W"
cat >"$W/base.nft" <<EOS
table ip nat {
	chain postrouting { type nat hook postrouting priority srcnat; }
}
EOS
# rules: how many rules the ruleset holds.
nft_rules() { nft -a list ruleset | grep '# handle' | grep -vc -e '^[[:space:]]*table ' -e '^[[:space:]]*chain ' -e '^[[:space:]]*set ' -e '^[[:space:]]*map '; }
subnet() { echo "10.$((100 + $1 / 256)).$(($1 % 256)).0/24"; }

PREPARE="sh -c 'nft flush ruleset && nft -f $W/base.nft'" bench_time \
	nft "nft add rule ip nat postrouting ip saddr 10.9.0.0/24 masquerade" \
	natctl "$N masq add 10.9.0.0/24" &&
	bench_row nat "one masquerade" - natctl nft "nft: table and chain made beforehand" ||
	bench_fail nat "one masquerade"

if [ "$QUICK" = 1 ]; then sizes="1 10"; else sizes="1 100 1000"; fi
for n in $sizes; do
	subs=
	{
		cat "$W/base.nft"
		for ((i = 1; i <= n; i++)); do echo "add rule ip nat postrouting ip saddr $(subnet $i) masquerade"; done
	} >"$W/nft-$n"
	{
		echo '*nat'
		echo ':POSTROUTING ACCEPT [0:0]'
		for ((i = 1; i <= n; i++)); do echo "-A POSTROUTING -s $(subnet $i) -j MASQUERADE"; done
		echo COMMIT
	} >"$W/ipt-$n"
	for ((i = 1; i <= n; i++)); do subs="$subs $(subnet $i)"; done
	# The same table natctl makes (its sets, chains and 20 rules, and the
	# N elements), written out by nft and loaded back with nft -f: what
	# nskit's table costs the kernel and libnftables, without nskit.
	nft flush ruleset && $N masq add$subs && nft list table inet nskit >"$W/same-$n"
	peers=(nft-f "nft -f $W/nft-$n" nft-same "nft -f $W/same-$n")
	have iptables-restore && peers+=(iptables-restore "iptables-restore $W/ipt-$n")
	PREPARE="nft flush ruleset" bench_time "${peers[@]}" natctl "$N masq add$subs" || {
		bench_fail nat "$n subnets"
		continue
	}
	# DESIGN.md's target is for 1000 subnets; below that nft -f of one
	# chain and N rules does less than nskit's table of four hooked chains.
	target=-
	[ "$n" -ge 1000 ] && target=1.0
	bench_row nat "$n subnets, one command (vs nft -f)" "$target" natctl nft-f \
		"$([ "$target" = - ] && echo "target is for 1000 subnets")"
	bench_row nat "$n subnets, one command (vs nft -f of the same table)" - natctl nft-same \
		"peer: nskit's table and elements as nft wrote them"
	have iptables-restore && bench_row nat "$n subnets, one command (vs iptables-restore)" - natctl iptables-restore
	series nat-subnets "$n" natctl nft-f
	nft flush ruleset && $N masq add$subs && a=$(nft_rules)
	nft flush ruleset && nft -f "$W/nft-$n" && b=$(nft_rules)
	bench_note nat "rules after $n subnets" "natctl $a, nft -f $b"
	printf '%s\t%s\n' "$n" "$a" >>"$W/counts"
done
if [ -f "$W/counts" ]; then
	bench_note nat "natctl rule count, N=${sizes// /, }" "$(cut -f2 "$W/counts" | paste -sd' ') (target: constant: $(
		[ "$(cut -f2 "$W/counts" | sort -u | wc -l)" = 1 ] && echo met || echo MISSED))"
fi
