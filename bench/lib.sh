# bench/lib.sh - sourced by bench/run and every bench/JOB.sh.
#
# Timing: bench_time runs its commands interleaved - one hyperfine call per
# round, each command once in the order given (peer first), so A B A B ...
# and slow drift of the machine hits both alike; the first call carries the
# warm-up runs. bench_row then prints one table row: each side's median, min
# and max in ms, and the median of the per-round ratios nskit/peer (pairing
# keeps the ratio meaningful when the machine's speed drifts).
#
# Set by bench/run: BENCH_OUT (results dir), BENCH_BIN (nskit binaries),
# FLOOR (floor binaries), QUICK (1 or 0), ROUNDS, WARMUP.

: "${ROUNDS:=20}" "${WARMUP:=3}" "${QUICK:=0}"
BENCH_ROWS=$BENCH_OUT/rows.tsv
BENCH_LOG=$BENCH_OUT/bench.log
_bt_dir=$BENCH_OUT/times
mkdir -p "$_bt_dir"

log() { printf '%s\n' "$*" >>"$BENCH_LOG"; }
# say: progress, to fd 3 when bench/run opened it (the job's stderr goes
# to the log), else to stderr.
say() {
	if { true >&3; } 2>/dev/null; then printf 'bench: %s\n' "$*" >&3; else printf 'bench: %s\n' "$*" >&2; fi
	log "== $*"
}

# nskit TOOL: its path in the build, or nothing (status 1). BENCH_BIN may
# list several build directories, colon-separated; the first one wins.
nskit() {
	local d
	local IFS=:
	for d in $BENCH_BIN; do
		[ -x "$d/$1" ] && [ -f "$d/$1" ] && { printf '%s\n' "$d/$1"; return 0; }
	done
	return 1
}

# have PROG: is a peer installed?
have() { command -v "$1" >/dev/null 2>&1; }

# bench_skip JOB CASE WHY: a table row saying why a case did not run.
bench_skip() {
	printf '%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\tskipped: %s\n' "$1" "$2" "$3" >>"$BENCH_ROWS"
	say "$1 / $2: skipped: $3"
}

# need JOB CASE TOOL... : true when every nskit tool (plain name) or peer
# (name given as peer:PROG) is present; otherwise writes the skip row.
need() {
	local job=$1 case=$2 t
	shift 2
	for t; do
		case $t in
		peer:*)
			have "${t#peer:}" || { bench_skip "$job" "$case" "${t#peer:} not installed"; return 1; } ;;
		floor:*)
			[ -x "$FLOOR/${t#floor:}" ] || { bench_skip "$job" "$case" "floor ${t#floor:} not built"; return 1; } ;;
		*)
			nskit "$t" >/dev/null || { bench_skip "$job" "$case" "$t not built in $BENCH_BIN"; return 1; } ;;
		esac
	done
}

# bench_time LABEL CMD [LABEL CMD]...: time the commands interleaved for
# $ROUNDS rounds after $WARMUP warm-up runs each. CMD is one string split as
# a shell splits words, run without a shell (hyperfine -N); write
# sh -c '...' where a pipe or two steps are needed. $PREPARE, when set, runs
# (through sh) before every timed run of every command. Times, in ms, land
# in $_bt_dir/LABEL, one per round. Returns 1 (and logs why) if a command
# failed.
bench_time() {
	local args=() labels=() r csv=$_bt_dir/.csv w=$WARMUP
	while [ $# -ge 2 ]; do
		labels+=("$1")
		args+=("$2")
		: >"$_bt_dir/$1"
		shift 2
	done
	local prep=()
	if [ -n "${PREPARE:-}" ]; then
		for _ in "${labels[@]}"; do prep+=(--prepare "$PREPARE"); done
	fi
	log "time: ${args[*]}"
	for ((r = 0; r < ROUNDS; r++)); do
		if ! hyperfine -N --style none --runs 1 --warmup "$w" "${prep[@]}" \
			--export-csv "$csv" -- "${args[@]}" >/dev/null 2>>"$BENCH_LOG"; then
			log "time: a command failed; each once, with its output:"
			for c in "${args[@]}"; do
				[ -z "${PREPARE:-}" ] || sh -c "$PREPARE" >>"$BENCH_LOG" 2>&1
				log "\$ $c"
				eval "$c" >>"$BENCH_LOG" 2>&1 || log "(exit status $?)"
			done
			return 1
		fi
		w=0
		# command,mean,stddev,median,user,system,min,max: the command
		# may hold commas, so count from the end.
		awk -F, 'NR > 1 { printf "%.4f\n", $(NF-6) * 1000 }' "$csv" >"$csv.ms"
		local i=0
		while read -r ms; do
			echo "$ms" >>"$_bt_dir/${labels[$i]}"
			i=$((i + 1))
		done <"$csv.ms"
	done
}

# stats LABEL: "median min max" of its times.
stats() {
	sort -g "$_bt_dir/$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f %.3f %.3f\n", m, v[1], v[NR] }'
}

# median LABEL
median() { set -- $(stats "$1"); echo "$1"; }

# pair_ratio A B: median over rounds of A's time / B's time.
pair_ratio() {
	paste "$_bt_dir/$1" "$_bt_dir/$2" | awk '$2 > 0 { print $1 / $2 }' | sort -g |
		awk '{ v[NR] = $1 } END { if (!NR) { print "-"; exit }
			printf "%.2f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_row JOB CASE TARGET NSKIT_LABEL PEER_LABEL [NOTE]: one table row.
# TARGET is the largest acceptable ratio (nskit/peer), or - for none.
bench_row() {
	local job=$1 case=$2 target=$3 a=$4 b=$5 note=${6:-} ratio verdict
	ratio=$(pair_ratio "$a" "$b")
	verdict=-
	if [ "$target" != - ] && [ "$ratio" != - ]; then
		verdict=$(awk -v r="$ratio" -v t="$target" 'BEGIN { print (r <= t) ? "met" : "MISSED" }')
	fi
	local sa1 sa2 sa3 sb1 sb2 sb3
	read -r sa1 sa2 sa3 <<<"$(stats "$a")"
	read -r sb1 sb2 sb3 <<<"$(stats "$b")"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$job" "$case" \
		"$a" "$sa1" "$sa2" "$sa3" "$b" "$sb1" "$sb2" "$sb3" \
		"$ratio" "$target" "$verdict${note:+; $note}" >>"$BENCH_ROWS"
	say "$job / $case: $a $(median "$a") ms, $b $(median "$b") ms, ratio $ratio (target $target)"
}

# bench_fail JOB CASE: the row for a case whose command failed.
bench_fail() {
	bench_note "$1" "$2" "FAILED: a command exited non-zero (see bench.log)"
}

# bench_note JOB CASE TEXT: a row that only reports a figure.
bench_note() {
	printf '%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t%s\n' "$1" "$2" "$3" >>"$BENCH_ROWS"
	say "$1 / $2: $3"
}

# series NAME N NSKIT_LABEL PEER_LABEL: a point for the plot of NAME
# (cost against N), from the medians just measured.
series() {
	local f=$BENCH_OUT/series-$1.dat
	[ -f "$f" ] || printf '# N\t%s\t%s\n' "$3" "$4" >"$f"
	printf '%s\t%s\t%s\n' "$2" "$(median "$3")" "$(median "$4")" >>"$f"
}

# peak_rss CMD: the largest maximum resident set (KiB) of 3 runs of CMD (one
# string, split as the shell splits it), as /usr/bin/time reports it (-v's
# "Maximum resident set size"). $PREPARE, when set, runs before each run.
peak_rss() {
	local best=0 k
	for _ in 1 2 3; do
		[ -z "${PREPARE:-}" ] || sh -c "$PREPARE" >>"$BENCH_LOG" 2>&1
		eval "/usr/bin/time -f %M -o $_bt_dir/.rss $1" >/dev/null 2>>"$BENCH_LOG" || {
			log "peak_rss: failed: $1"
			echo -
			return 1
		}
		k=$(tail -n 1 "$_bt_dir/.rss")
		[ "$k" -gt "$best" ] && best=$k
	done
	echo "$best"
}

# mem_row CASE NSKIT_CMD PEER_CMD: the memory table row, target "no higher
# than the peer"; the label is each command's first word.
mem_row() {
	local case=$1 a b ratio verdict la lb
	la=$(basename "${2%% *}") lb=$(basename "${3%% *}")
	a=$(peak_rss "$2") || true
	b=$(peak_rss "$3") || true
	if [ "$a" = - ] || [ "$b" = - ]; then
		bench_fail memory "$case"
		return
	fi
	ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')
	verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 1) ? "met" : "MISSED" }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' memory "$case" \
		"$la" "$a" - - "$lb" "$b" - - "$ratio" 1 "$verdict; KiB, not ms" >>"$BENCH_ROWS"
	say "memory / $case: $la $a KiB, $lb $b KiB, ratio $ratio"
}

# mini_root DIR PROG...: a minimal root holding PROGs (by their host path)
# and the shared libraries ldd says they need, plus empty /proc /dev /sys
# /tmp /etc for a sandbox to mount on.
mini_root() {
	local dir=$1 p l
	shift
	mkdir -p "$dir"/proc "$dir"/dev "$dir"/sys "$dir"/tmp "$dir"/etc "$dir"/run
	for p; do
		mkdir -p "$dir$(dirname "$p")"
		cp -L "$p" "$dir$p"
		for l in $(ldd "$p" | grep -o '/[^ ]*'); do
			mkdir -p "$dir$(dirname "$l")"
			cp -L "$l" "$dir$l"
		done
	done
}
