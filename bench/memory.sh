#!/bin/bash
# memory: peak resident set (/usr/bin/time's maximum resident set size) of
# each nskit command against its peer doing the same job (target: no
# higher). Each is the largest of 3 runs.
. "$NSKIT_TOP/bench/lib.sh"
have /usr/bin/time || { bench_skip memory all "/usr/bin/time not installed (package time)"; exit 0; }
W=/tmp/bench-mem
mkdir -p "$W"
ip netns add bench-mem || exit 1
p=/run/netns/bench-mem
for i in $(seq 1 100); do echo "netns add m$i"; done | ip -batch - || exit 1
trap 'ip -all netns del 2>/dev/null' EXIT

if need memory nsjoin nsjoin peer:ip peer:nsenter; then
	J=$(nskit nsjoin)
	mem_row "nsjoin NAME true" "$J bench-mem /bin/true" "ip netns exec bench-mem /bin/true"
	mem_row "nsjoin --net=PATH true" "$J --net=$p /bin/true" "nsenter --net=$p /bin/true"
fi
if need memory nsname nsname peer:ip; then
	S=$(nskit nsname)
	PREPARE="ip netns del bench-mx 2>/dev/null; true" mem_row "nsname add" "$S add bench-mx" "ip netns add bench-mx"
	PREPARE="ip netns add bench-mx 2>/dev/null; true" mem_row "nsname del" "$S del bench-mx" "ip netns del bench-mx"
	mem_row "nsname list, 100 names" "$S list" "ip netns list"
fi
if need memory nsnew nsnew peer:unshare; then
	X=$(nskit nsnew)
	mem_row "nsnew -pmuin --mount-proc" "$X -p -m -u -i -n --mount-proc -- /bin/true" \
		"unshare -fpmuin --mount-proc /bin/true"
	if have bwrap; then
		mini_root "$W/root" /bin/true
		mem_row "nsnew full jail" "$X -a --rootfs $W/root --mount-proc -- /bin/true" \
			"bwrap --unshare-all --bind $W/root / --proc /proc --dev /dev /bin/true"
	fi
fi
if need memory vethctl vethctl peer:ip; then
	V=$(nskit vethctl)
	for i in $(seq 1 100); do echo "link add vb$i type veth peer name vp$i netns bench-mem"; done >"$W/ip-add"
	for i in $(seq 1 100); do echo "link del vb$i"; done >"$W/ip-del"
	for i in $(seq 1 100); do echo "add vb$i --peer vp$i --netns bench-mem"; done >"$W/veth-add"
	PREPARE="ip netns del bench-mem; while ip link show vb1 >/dev/null 2>&1; do sleep 0.005; done; ip netns add bench-mem" \
		mem_row "vethctl -b, 100 pairs" "$V -b $W/veth-add" "ip -batch $W/ip-add"
fi
if need memory natctl natctl peer:nft; then
	C=$(nskit natctl)
	printf 'table ip nat {\n\tchain postrouting { type nat hook postrouting priority srcnat; }\n}\n' >"$W/nat.nft"
	echo "add rule ip nat postrouting ip saddr 10.9.0.0/24 masquerade" >>"$W/nat.nft"
	PREPARE="nft flush ruleset" mem_row "natctl masq add" "$C masq add 10.9.0.0/24" "nft -f $W/nat.nft"
fi
if need memory mkrootfs mkrootfs peer:tar; then
	M=$(nskit mkrootfs)
	mkdir -p "$W/src/usr/bin" && cp /bin/ls /bin/true "$W/src/usr/bin" && tar -cf "$W/small.tar" -C "$W/src" .
	PREPARE="rm -rf $W/o && mkdir $W/o" mem_row "mkrootfs --from-tar" "$M $W/o --from-tar $W/small.tar" \
		"tar -xf $W/small.tar -C $W/o"
fi

# The process that waits while a jail runs (nsnew's parent forwarding
# signals; bwrap's and crun's monitor): its proportional set size (Pss of
# /proc/PID/smaps_rollup) once the jail is up and idle.
descendants() {	# PID: every process below PID
	local c
	for c in $(pgrep -P "$1"); do
		echo "$c"
		descendants "$c"
	done
}
idle_pss() {	# CMD...: KiB, of the process started as CMD
	local pid pss= d
	"$@" >/dev/null 2>>"$BENCH_LOG" &
	pid=$!
	for _ in $(seq 1 200); do
		# up once a process below it is the sleep
		for d in $(descendants "$pid"); do
			[ "$(cat "/proc/$d/comm" 2>/dev/null)" = sleep ] && break 2
		done
		sleep 0.05
	done
	# nsnew's parent hands its waiting over to nsnew-init once the jail
	# runs: measure what stays.
	for _ in $(seq 1 200); do
		case $(readlink "/proc/$pid/exe") in */nsnew) sleep 0.05 ;; *) break ;; esac
	done
	pss=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null)
	kill -9 $(descendants "$pid") "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "${pss:--}"
}
if need memory "idle jail's waiting process" nsnew peer:bwrap; then
	X=$(nskit nsnew)
	mini_root "$W/iroot" /bin/sleep
	a=$(idle_pss $X -a --rootfs "$W/iroot" --mount-proc -- /bin/sleep 1000)
	b=$(idle_pss bwrap --unshare-all --bind "$W/iroot" / --proc /proc --dev /dev /bin/sleep 1000)
	c=-
	if have crun; then
		umount -l /sys/fs/cgroup 2>/dev/null; mount -t cgroup2 none /sys/fs/cgroup
		bundle=$W/ibundle
		mkdir -p "$bundle" && (cd "$bundle" && rm -f config.json && crun spec) &&
			python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sleep", "1000"]
c["root"]["path"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"))' "$bundle/config.json" "$W/iroot" &&
			c=$(idle_pss crun --cgroup-manager=disabled run --bundle "$bundle" bench-idle)
		crun delete -f bench-idle >/dev/null 2>&1
	fi
	bench_note memory "idle jail: Pss of the waiting process" \
		"nsnew $a KiB, bwrap $b KiB, crun $c KiB (crun: --cgroup-manager=disabled)"
fi
