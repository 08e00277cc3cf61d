#!/bin/bash
# lab: N jails on one host (N = 10, 100, 1000; quick: 2, 5). A jail is a
# name, its own network namespace, a veth pair with addresses and a
# default route, a masquerade entry for its subnet and a running process.
# Three ways, each a shell script as a user would write it, interleaved
# round by round (seed, batch, nskit), each brought up, checked (a ping
# from the host to every jail), measured and torn down:
#   seed:  one ip / iptables process per step, `ip netns exec NAME sleep &`
#   batch: ip -batch, one `ip -n NAME -batch` per jail, one nft -f,
#          `ip netns exec NAME sleep &`
#   nskit: `nsnew -n --name NAME --init -- sleep &` per jail, one
#          vethctl -b, one natctl masq add; down: vethctl del --group,
#          nsname del --kill --all, natctl flush
# Targets (DESIGN.md): 1000 jails up in <= 0.2x the seed's way; per-jail
# bring-up cost at N=1000 <= 1.2x at N=10; 1000 torn down in < 1 s; an
# idle jail's nskit processes (nsnew waiting + its --init) <= 0.3x the
# PSS of bwrap's two processes for the same jail.
# Everything happens in this job's sandbox (its own "host" netns, /run and
# ruleset); pings go only to the jails' addresses.
. "$NSKIT_TOP/bench/lib.sh"
need lab "lab" nsnew nsname vethctl natctl peer:ip peer:nft peer:iptables peer:ping || exit 0
NSNEW=$(nskit nsnew) NSNAME=$(nskit nsname) VETH=$(nskit vethctl) NAT=$(nskit natctl)
export NSNEW NSNAME VETH NAT
W=/tmp/bench-lab
mkdir -p "$W"
NETNS=/run/netns
GROUP=7

# ---- the three ways, as a user would write them (dash, like /bin/sh) ----

# Common to all: jail I's subnet 10.A.B.0/24 in $n (set, not printed: a
# $(...) would cost every way a fork per jail and line).
cat >"$W/addr.sh" <<'EOS'
net() { n=10.$((100 + $1 / 256)).$(($1 % 256)); }
EOS

cat >"$W/up-seed" <<'EOS'
. "$W/addr.sh"
set -e
i=1
while [ $i -le "$1" ]; do
	net $i
	ip netns add lab$i
	ip link add vl$i type veth peer name eth0 netns lab$i
	ip addr add $n.1/24 dev vl$i
	ip link set vl$i up
	ip -n lab$i addr add $n.2/24 dev eth0
	ip -n lab$i link set eth0 up
	ip -n lab$i link set lo up
	ip -n lab$i route add default via $n.1
	iptables -t nat -A POSTROUTING -s $n.0/24 -j MASQUERADE
	ip netns exec lab$i sleep infinity </dev/null >/dev/null 2>&1 &
	i=$((i + 1))
done
EOS
cat >"$W/down-seed" <<'EOS'
. "$W/addr.sh"
set -e
i=1
while [ $i -le "$1" ]; do
	net $i
	ip netns pids lab$i | xargs -r kill
	ip link del vl$i
	ip netns del lab$i
	iptables -t nat -D POSTROUTING -s $n.0/24 -j MASQUERADE
	i=$((i + 1))
done
EOS

cat >"$W/up-batch" <<'EOS'
. "$W/addr.sh"
set -e
i=1; while [ $i -le "$1" ]; do echo "netns add lab$i"; i=$((i + 1)); done | ip -batch -
i=1; while [ $i -le "$1" ]; do
	net $i
	echo "link add vl$i up group $GROUP type veth peer name eth0 netns lab$i"
	echo "addr add $n.1/24 dev vl$i"
	i=$((i + 1))
done | ip -batch -
# ip -batch takes no -n per line: one process per namespace.
i=1; while [ $i -le "$1" ]; do
	net $i
	printf 'link set lo up\nlink set eth0 up\naddr add %s.2/24 dev eth0\nroute add default via %s.1\n' $n $n |
		ip -n lab$i -batch -
	i=$((i + 1))
done
{
	echo 'table ip nat { chain postrouting { type nat hook postrouting priority srcnat; }; }'
	i=1; while [ $i -le "$1" ]; do
		net $i
		echo "add rule ip nat postrouting ip saddr $n.0/24 masquerade"
		i=$((i + 1))
	done
} | nft -f -
i=1; while [ $i -le "$1" ]; do
	ip netns exec lab$i sleep infinity </dev/null >/dev/null 2>&1 &
	i=$((i + 1))
done
EOS
cat >"$W/down-batch" <<'EOS'
set -e
i=1; while [ $i -le "$1" ]; do echo "netns pids lab$i"; i=$((i + 1)); done | ip -batch - | xargs -r kill
ip link del group $GROUP
i=1; while [ $i -le "$1" ]; do echo "netns del lab$i"; i=$((i + 1)); done | ip -batch -
nft delete table ip nat
EOS

cat >"$W/up-nskit" <<'EOS'
. "$W/addr.sh"
set -e
i=1; while [ $i -le "$1" ]; do
	"$NSNEW" -n --name lab$i --init -- sleep infinity </dev/null >/dev/null 2>&1 &
	i=$((i + 1))
done
# nsnew pins the name before the command starts; wait until every name
# is there (a half-made one is waited for by whoever opens it).
i=1 t=0
while [ $i -le "$1" ]; do
	if [ -e $NETNS/lab$i ]; then i=$((i + 1)); continue; fi
	t=$((t + 1)); [ $t -lt 6000 ] || { echo "lab$i: never pinned" >&2; exit 1; }
	sleep 0.01
done
i=1; while [ $i -le "$1" ]; do
	net $i
	echo "add vl$i -n lab$i --addr $n.1/24 --peer-addr $n.2/24 --gateway --group $GROUP"
	i=$((i + 1))
done | "$VETH" -b -
subs=; i=1; while [ $i -le "$1" ]; do net $i; subs="$subs $n.0/24"; i=$((i + 1)); done
"$NAT" masq add $subs
EOS
# The lab owns nskit's NAT table here: natctl flush removes it whole
# (masq del of 1000 subnets costs natctl ~0.3 s of libnftables CPU).
cat >"$W/down-nskit" <<'EOS'
set -e
"$VETH" del --group $GROUP
"$NSNAME" del --kill --all
"$NAT" flush
EOS
export W NETNS GROUP

# ---- helpers outside the timing ----

# lab_clean: nothing of any way left (processes, names, links, rules), and
# the kernel's deferred namespace clean-up given time to finish, so the
# next timed step starts from the same state.
lab_clean() {
	local t=0
	"$NSNAME" del --kill --all >>"$BENCH_LOG" 2>&1
	ip -all netns del >>"$BENCH_LOG" 2>&1
	ip link del group $GROUP >>"$BENCH_LOG" 2>&1
	nft flush ruleset >>"$BENCH_LOG" 2>&1
	while ip -o link show | grep -q ': vl[0-9]'; do
		t=$((t + 1))
		[ $t -lt 1200 ] || { log "lab_clean: host ends still there"; return 1; }
		sleep 0.1
	done
	sleep "$SETTLE"
}
SETTLE=2
[ "$QUICK" = 1 ] && SETTLE=0
NPIDS= BPIDS= FPIDS=
trap 'idle_end; lab_clean' EXIT

# now_ms: wall clock in ms (bash's own clock: no process).
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)).$((t % 1000 / 100)); }

# answering N: how many of the N jails answer a ping from the host. The
# kernel's neighbour table is shared by every namespace and holds 1024
# entries before it must evict (gc_thresh3, which only the real host can
# raise), and it evicts only entries older than 5 s; a lab of 1000 jails
# needs two per jail (the host's for the jail, the jail's for the host).
# So the jails that did not answer are pinged again after 6 s, 3 times.
answering() {
	local i t todo=$W/ping-todo
	for ((i = 1; i <= $1; i++)); do echo "10.$((100 + i / 256)).$((i % 256)).2"; done >"$todo"
	for t in 1 2 3 4; do
		[ -s "$todo" ] || break
		[ "$t" = 1 ] || sleep 6
		xargs -P 8 -I@ sh -c 'ping -c 1 -W 2 -q @ >/dev/null 2>&1 || echo @' <"$todo" >"$todo.left"
		mv "$todo.left" "$todo"
	done
	echo $(($1 - $(wc -l <"$todo")))
}

# pss_lab: PSS in KiB of the jails' processes: every process in a lab$I
# namespace, plus its parent when that is an nsnew waiting outside.
# Prints "jails total nsnew-and-init command".
pss_lab() {
	python3 - "$NETNS" <<'EOP'
import os, sys
d = sys.argv[1]
want = set()
for n in os.listdir(d):
    if n.startswith("lab"):
        try: want.add(os.stat(os.path.join(d, n)).st_ino)
        except OSError: pass
def pss(p):
    try:
        for l in open(f"/proc/{p}/smaps_rollup"):
            if l.startswith("Pss:"): return int(l.split()[1])
    except OSError: pass
    return 0
def comm(p):
    try: return open(f"/proc/{p}/comm").read().strip()
    except OSError: return ""
def ppid(p):
    try:
        for l in open(f"/proc/{p}/status"):
            if l.startswith("PPid:"): return int(l.split()[1])
    except OSError: pass
    return 0
inside, tool = set(), set()
for p in os.listdir("/proc"):
    if not p.isdigit(): continue
    try: ino = os.stat(f"/proc/{p}/ns/net").st_ino
    except OSError: continue
    if ino in want: inside.add(int(p))
for p in inside:
    q = ppid(p)
    if q not in inside and comm(q) == "nsnew": tool.add(q)
tool |= {p for p in inside if comm(p) == "nsnew"}
cmd = inside - tool
t, c = sum(pss(p) for p in tool), sum(pss(p) for p in cmd)
print(len(want), t + c, t, c)
EOP
}

# objects N WAY: netlink and nft objects the lab holds, per jail.
objects() {
	local n=$1 hl ha hr jl ja jr rules elems
	hl=$(ip -o link show | grep -c ': vl[0-9]')
	ha=$(ip -o -4 addr show | grep -c ' vl[0-9]')
	hr=$(ip -4 route show | grep -c ' dev vl[0-9]')
	jl=$(ip -n lab1 -o link show | wc -l)
	ja=$(ip -n lab1 -o -4 addr show | wc -l)
	jr=$(ip -n lab1 -4 route show | wc -l)
	read -r rules elems < <(nft -j list ruleset | python3 -c '
import json, sys
r = e = 0
for o in json.load(sys.stdin).get("nftables", []):
    if "rule" in o: r += 1
    if "set" in o: e += len(o["set"].get("elem", []))
print(r, e)')
	echo "host: $hl links, $ha addresses, $hr routes for $n jails; in a jail: $jl links, $ja addresses, $jr routes; nft: $rules rules, $elems set elements"
	printf '%s\t%s\t%s\t%s\n' "$2" "$n" "$rules" "$elems" >>"$W/nft-counts"
}

slab_kib() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }

# ---- the rounds ----

# LAB_SIZES: the N to run (LAB_SIZES= runs only the idle jails below).
if [ "$QUICK" = 1 ]; then sizes=${LAB_SIZES-2 5}; else sizes=${LAB_SIZES-10 100 1000}; fi
WAYS="seed batch nskit"
: >"$W/nft-counts"
lab_clean
for n in $sizes; do
	# Rounds: fewer for large N (the seed's way takes minutes at 1000).
	if [ "$QUICK" = 1 ]; then r=1
	elif [ "$n" -ge 1000 ]; then r=${LAB_ROUNDS_1000:-3}
	elif [ "$n" -ge 100 ]; then r=$(((ROUNDS + 3) / 4))
	else r=$(((ROUNDS + 1) / 2)); fi
	for w in $WAYS; do : >"$_bt_dir/up-$w-$n"; : >"$_bt_dir/down-$w-$n"; done
	for ((k = 1; k <= r; k++)); do
		for w in $WAYS; do
			say "lab: N=$n round $k/$r: $w"
			s0=$(slab_kib)
			t0=$(now_ms)
			/usr/bin/time -f %M -o "$W/rss" sh "$W/up-$w" "$n" >>"$BENCH_LOG" 2>&1
			rc=$?
			t1=$(now_ms)
			if [ $rc -ne 0 ]; then
				log "lab: up-$w $n failed ($rc)"
				bench_fail lab "$n jails up ($w)"
				lab_clean
				continue
			fi
			echo "$t1 $t0" | awk '{ printf "%.1f\n", $1 - $2 }' >>"$_bt_dir/up-$w-$n"
			# An idle lab: the jails' processes settled (every nsnew
			# waiting, every sleep started).
			ok=$(answering "$n")
			[ "$ok" = "$n" ] || log "lab: $w N=$n: only $ok of $n jails answered"
			if [ "$k" = 1 ]; then
				read -r nj tot tool cmd <<<"$(pss_lab)"
				s1=$(slab_kib)
				bench_note lab "$w, N=$n: answering, objects" "$ok of $n jails answer a ping; $(objects "$n" "$w")"
				bench_note lab "$w, N=$n: memory of the idle lab" "$(awk -v n="$n" -v t="$tot" -v a="$tool" -v c="$cmd" \
					-v p="$(tail -n 1 "$W/rss")" -v s=$((s1 - s0)) 'BEGIN {
					printf "processes %.0f KiB PSS per jail (tools waiting %.0f, commands %.0f); kernel slab +%.0f KiB per jail (whole machine, noisy); peak RSS of a bring-up process %d KiB", t / n, a / n, c / n, s / n, p }')"
			fi
			t0=$(now_ms)
			sh "$W/down-$w" "$n" >>"$BENCH_LOG" 2>&1
			rc=$?
			t1=$(now_ms)
			if [ $rc -ne 0 ]; then
				log "lab: down-$w $n failed ($rc)"
				bench_fail lab "$n jails down ($w)"
			else
				echo "$t1 $t0" | awk '{ printf "%.1f\n", $1 - $2 }' >>"$_bt_dir/down-$w-$n"
			fi
			# Whatever the way left for the kernel (namespaces freed
			# by a worker, host ends of the seed's pairs) is timed
			# as "settled", outside the way's own time.
			t0=$(now_ms)
			lab_clean
			t1=$(now_ms)
			log "lab: $w N=$n: settled $(echo "$t1 $t0 $SETTLE" | awk '{ printf "%.1f", $1 - $2 - $3 * 1000 }') ms after down"
		done
	done
	target=-
	[ "$n" -ge 1000 ] && target=0.2
	bench_row lab "$n jails up (vs seed: one ip/iptables process per step)" "$target" up-nskit-$n up-seed-$n \
		"$([ "$target" = - ] && echo "target is for 1000 jails")"
	bench_row lab "$n jails up (vs ip -batch, ip -n -batch per jail, nft -f)" - up-nskit-$n up-batch-$n
	bench_row lab "$n jails down (vs seed)" - down-nskit-$n down-seed-$n
	bench_row lab "$n jails down (vs batch)" - down-nskit-$n down-batch-$n
	bench_note lab "$n jails down, nskit" "$(median down-nskit-$n) ms$([ "$n" -ge 1000 ] &&
		awk -v m="$(median down-nskit-$n)" 'BEGIN { printf " (target: under 1000 ms: %s)", m < 1000 ? "met" : "MISSED" }')"
	# Per-jail cost (ms per jail) against N, one column per way.
	for s in up down; do
		f=$BENCH_OUT/series-lab-$s.dat
		[ -f "$f" ] || printf '# N\tnskit\tbatch\tseed\n' >"$f"
		printf '%s' "$n" >>"$f"
		for w in nskit batch seed; do
			printf '\t%s' "$(awk -v m="$(median $s-$w-$n)" -v n="$n" 'BEGIN { printf "%.4f", m / n }')" >>"$f"
		done
		echo >>"$f"
	done
done

# Flatness: per-jail bring-up cost at the largest N over the smallest.
if [ -n "$sizes" ]; then
set -- $sizes
lo=$1 hi=${!#}
f=$BENCH_OUT/series-lab-up.dat
flat=$(awk -v lo="$lo" -v hi="$hi" '!/^#/ { for (c = 2; c <= 4; c++) v[$1, c] = $c }
	END { printf "nskit %.2f, batch %.2f, seed %.2f", v[hi, 2] / v[lo, 2], v[hi, 3] / v[lo, 3], v[hi, 4] / v[lo, 4]; r = v[hi, 2] / v[lo, 2]; print (r <= 1.2 ? " (nskit: met)" : " (nskit: MISSED)") }' "$f")
bench_note lab "per-jail bring-up cost, N=$hi / N=$lo (target <= 1.2)" "$flat"
rules=$(awk '$1 == "nskit" { print $3 }' "$W/nft-counts" | sort -u | paste -sd,)
case $rules in *,*) const=no ;; *) const=yes ;; esac
bench_note lab "nft rules: nskit's count at every N" "$rules (constant: $const); seed and batch: one rule per jail"
fi

# ---- an idle jail's processes: nsnew + its --init vs bwrap's two ----
# One jail of each alone (the target), then M of each side by side, as in
# a lab: there the file pages are shared among the jails, and what is left
# per jail is mostly its private memory. Once a jail runs, nsnew's waiting
# parent and its --init exec nsnew-init (a few static pages); a copy of
# nsnew with no nsnew-init beside it keeps both as copies of nsnew, as
# nsnew did before: one more round, alone, shows the difference.
OLD=$W/old
mkdir -p "$OLD"
cp "$NSNEW" "$OLD/nsnew"
# pss_tree PID...: the PSS (KiB) of each PID and its children (not their
# commands), summed.
pss_tree() {
	python3 - "$@" <<'EOP'
import os, sys
def pss(p):
    try:
        for l in open(f"/proc/{p}/smaps_rollup"):
            if l.startswith("Pss:"): return int(l.split()[1])
    except OSError: pass
    return 0
def children(p):
    try: return open(f"/proc/{p}/task/{p}/children").read().split()
    except OSError: return []
print(sum(pss(p) + sum(pss(c) for c in children(p)) for p in sys.argv[1:]))
EOP
}
# settled PID KIND: PID (a jail's outer process) has its child and that
# child its command; for KIND nsnew, both have handed over to nsnew-init.
settled() {
	local c
	c=$(cat "/proc/$1/task/$1/children" 2>/dev/null)
	c=${c%% *}
	[ -n "$c" ] && [ -n "$(cat "/proc/$c/task/$c/children" 2>/dev/null)" ] || return 1
	[ "$2" = nsnew ] || return 0
	case $(readlink "/proc/$1/exe")/$(readlink "/proc/$c/exe") in */nsnew-init/*/nsnew-init) return 0 ;; esac
	return 1
}
# idle_jails COUNT [NSNEW]: start COUNT jails each way (nsnew, bwrap, and
# the floor when built); waits until every one has its child and that
# child its sleep, and nsnew's two have handed over to nsnew-init (unless
# NSNEW is the copy without it).
idle_jails() {
	local i t p k bin=${2:-$NSNEW}
	NPIDS= BPIDS= FPIDS=
	for ((i = 1; i <= $1; i++)); do
		"$bin" -n --name labmem$i --init -- sleep infinity </dev/null >/dev/null 2>&1 &
		NPIDS="$NPIDS $!"
		bwrap --unshare-all --die-with-parent --dev-bind / / sleep infinity </dev/null >/dev/null 2>&1 &
		BPIDS="$BPIDS $!"
		if [ -x "$FLOOR/idle" ]; then
			"$FLOOR/idle" sleep infinity </dev/null >/dev/null 2>&1 &
			FPIDS="$FPIDS $!"
		fi
	done
	for p in $NPIDS $BPIDS $FPIDS; do
		k=other
		[ "$bin" = "$NSNEW" ] && case " $NPIDS " in *" $p "*) k=nsnew ;; esac
		for ((t = 0; t < 1000; t++)); do
			settled "$p" "$k" && break
			sleep 0.01
		done
	done
}
idle_end() {
	[ -n "$NPIDS$BPIDS$FPIDS" ] || return 0
	kill $BPIDS 2>/dev/null
	# The floor's command, then the floor: it has no signal forwarding.
	local p c
	for p in $FPIDS; do
		c=$(cat "/proc/$p/task/$p/children" 2>/dev/null)
		[ -z "${c%% *}" ] || pkill -P "${c%% *}"
	done
	"$NSNAME" del --kill --all >>"$BENCH_LOG" 2>&1
	wait $NPIDS $BPIDS $FPIDS 2>/dev/null
	NPIDS= BPIDS= FPIDS=
}
# idle_rows CASE PER [before]: the rows for the jails idle_jails started,
# PSS per jail (PER: how many each way); the target row only for one jail
# alone of today's nsnew ("before": the copy without nsnew-init).
idle_rows() {
	local a b f ratio target=- verdict=-
	a=$(($(pss_tree $NPIDS) / $2)) b=$(($(pss_tree $BPIDS) / $2))
	ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')
	if [ "$2" = 1 ] && [ -z "${3-}" ]; then
		target=0.3
		verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 0.3) ? "met" : "MISSED" }')
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' lab "$1: nsnew + its --init vs bwrap's two (PSS per jail)" \
		nsnew "$a" - - bwrap "$b" - - "$ratio" "$target" "$verdict; KiB, not ms" >>"$BENCH_ROWS"
	say "lab / $1, PSS per jail: nsnew+init $a KiB, bwrap $b KiB, ratio $ratio"
	[ -n "$FPIDS" ] && [ -z "${3-}" ] || return 0
	f=$(($(pss_tree $FPIDS) / $2))
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' lab "$1: floor/idle vs bwrap's two (PSS per jail)" \
		floor-idle "$f" - - bwrap "$b" - - "$(awk -v a="$f" -v b="$b" 'BEGIN { printf "%.2f", a / b }')" - \
		"-; KiB, not ms; floor: a waiting parent and a subreaper child, nothing else; nsnew/floor $(awk -v a="$a" -v b="$f" 'BEGIN { printf "%.2f", a / b }')" >>"$BENCH_ROWS"
	say "lab / $1, PSS per jail: floor $f KiB"
}
if have bwrap; then
	lab_clean
	idle_jails 1
	idle_rows "idle jail alone" 1
	idle_end
	idle_jails 1 "$OLD/nsnew"
	idle_rows "idle jail alone, nsnew as before (no nsnew-init: its parent and init stay copies of nsnew)" 1 before
	idle_end
	if [ "$QUICK" = 1 ]; then M=5; else M=100; fi
	idle_jails $M
	idle_rows "idle jail among $M of each" $M
	idle_end
fi
exit 0
