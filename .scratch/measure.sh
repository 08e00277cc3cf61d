# Run inside tests/sandbox.sh as root: times as an ordinary user.
set -u
cd /work/wt/rootlessname
U=nskitm
id $U >/dev/null 2>&1 || useradd -M -s /bin/sh $U
B=$(mktemp -d /tmp/m.XXXX); chmod 755 $B; cp nsnew nsjoin nsname $B/
R=$(mktemp -d /tmp/r.XXXX); chown $U $R; chmod 700 $R
AS="setpriv --reuid=$U --regid=$U --clear-groups env XDG_RUNTIME_DIR=$R"
N=${N:-200}
t() { local s e; s=$(date +%s%N); for _ in $(seq $N); do "$@" >/dev/null 2>&1; done; e=$(date +%s%N); echo "$(( (e - s) / N / 1000 ))"; }
for round in 1 2; do
echo "round $round (us per call, N=$N)"
echo " nsnew -U -r -n -p -- true:          $(t $AS $B/nsnew -U --map-root -n -p -- true)"
echo " nsnew -U -r -n -p --name x -- true: $(t $AS $B/nsnew -U --map-root -n -p --name x -- true)"
done
$AS $B/nsnew -U --map-root -a --name j -- sleep 1000 &
J=$!
for i in $(seq 100); do $AS $B/nsname exists j && break; sleep 0.05; done
P=$(pgrep -P $J -x sleep)
for round in 1 2; do
echo "round $round"
echo " nsjoin j true (rootless name):      $(t $AS $B/nsjoin j true)"
echo " nsjoin -t PID -a true:              $(t $AS $B/nsjoin -t $P -a true)"
echo " nsenter -t PID -a true:             $(t $AS nsenter -t $P -a true)"
echo " nsname list:                        $(t $AS $B/nsname list)"
done
# A pinning process's cost: the PSS of a minimal one (sleep) in the jail.
$AS $B/nsjoin j sleep 1000 &
K=$!
sleep 1
S=$(pgrep -P $K -x sleep || echo $K)
grep -E '^(Pss|Rss):' /proc/$S/smaps_rollup | tr -s ' ' | tr '\n' ' '; echo "(sleep as a pinning process)"
kill $J $K 2>/dev/null; wait
