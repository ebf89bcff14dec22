#!/usr/bin/env bash
# bench/handoffd_rate.sh — nat64-handoffd's control-plane figures,
# each against a yardstick measured in the same run:
#
#   1. rates on one core (the server pinned with taskset) with full tables
#      and several NAT64s: new entries/s (every one an eviction), lookups/s
#      by port (IPv4 packet) and by client (repeated IPv6 packet), as a
#      ratio to bench/udp-echo (bare recvmmsg/sendmmsg echo, same core, the
#      same packets from the same handoff-sim); also the fill rate into
#      empty tables. Throughput (answers/s seen by the sim) and capacity
#      (answers per CPU-second of the server process) are both given: on a
#      2-core machine the sim on the other core may be the bottleneck, in
#      which case the capacity ratio is the meaningful one.
#   2. memory per full table: RSS growth over N tables filled to 64508 / N,
#      every entry a distinct client (the worst case), then again with 4
#      connections per client.
#   3. start-up with STARTUP_TABLES (default 1000) full persisted tables:
#      time to READY=1, time until a lookup is answered, channels loaded at
#      that point (the server loads lazily), and the time to load every
#      table (nat64-handoffd -n, which loads and checks them all).
#
# usage: make bench && bench/handoffd_rate.sh      (root; not part of make check)
# env:   BUILD (build), NATS (8), EVICT (20000 per NAT64), STARTUP_TABLES
#        (1000), SRV_CPU (0), SIM_CPU (1)
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
NATS=${NATS:-8}
EVICT=${EVICT:-20000}
TABLES=${STARTUP_TABLES:-1000}
SRV_CPU=${SRV_CPU:-0}
SIM_CPU=${SIM_CPU:-1}
FULL=64508
SRV=$PWD/$BUILD/nat64-handoffd
SIM=$PWD/$BUILD/handoff-sim
ECHO=$PWD/$BUILD/bench/udp-echo
CLONE=$PWD/$BUILD/bench/tblclone

[ "$(id -u)" = 0 ] || { echo "bench: run as root (namespace, port 9)"; exit 1; }
for b in "$SRV" "$SIM" "$ECHO" "$CLONE"; do
	[ -x "$b" ] || { echo "bench: $b missing: make BUILD=$BUILD bench"; exit 1; }
done
command -v taskset >/dev/null || { echo "bench: taskset (util-linux) missing"; exit 1; }

NS=nk-bench-$$
T=$(mktemp -d /tmp/nk-bench.XXXXXX)
PID=
cleanup() {
	[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up

now_ns() { date +%s%N; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }	# utime + stime
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
TCK=$(getconf CLK_TCK)
sim() { ip netns exec "$NS" taskset -c "$SIM_CPU" "$SIM" -s 127.0.0.1 -p 6464 -C 40000 --phases "$@"; }
# phase_rate NAME OUTPUT: answers/s of that phase from its PHASE line
phase_rate() { printf '%s\n' "$2" | sed -n "s/^PHASE name=$1 .* rate=\([0-9]*\)$/\1/p" | tail -n1; }
phase_sent() { printf '%s\n' "$2" | sed -n "s/^PHASE name=$1 sent=\([0-9]*\) .*/\1/p" | tail -n1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# capacity SENT TICKS: answers per CPU-second of the measured process
capacity() { awk -v n="$1" -v t="$2" -v hz="$TCK" 'BEGIN { if (t > 0) printf "%d", n * hz / t; else print "n/a" }'; }

wait_ready() {	# wait until the process in the namespace answers on 6464 (status file or a bit)
	local i
	for i in $(seq 200); do
		[ -f "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

echo "nat64-handoffd benchmark: $NATS NAT64s, tables of $FULL, server on CPU $SRV_CPU, sim on CPU $SIM_CPU"
echo "machine: $(nproc) CPUs, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

# ---- yardstick: udp-echo with the same packets ----
ip netns exec "$NS" taskset -c "$SRV_CPU" "$ECHO" -l 127.0.0.1 -p 6464 2>/dev/null &
PID=$!
sleep 0.3
c0=$(cpu_ticks $PID)
out=$(sim --echo-target -N "$NATS" -c "$EVICT" --udp -w 512 --lookups --repeat -q)
c1=$(cpu_ticks $PID)
kill $PID; wait $PID 2>/dev/null; PID=
e_new=$(phase_rate new "$out"); e_lookup=$(phase_rate lookup "$out"); e_repeat=$(phase_rate repeat "$out")
e_sent=$(( $(phase_sent new "$out") + $(phase_sent lookup "$out") + $(phase_sent repeat "$out") ))
e_cap=$(capacity "$e_sent" $((c1 - c0)))

# ---- the server ----
STATE=$T/state
ip netns exec "$NS" taskset -c "$SRV_CPU" "$SRV" -p 6464 -l 127.0.0.1 -s "$STATE" -L "$T/log" \
    -t $FULL -m 2048 2>"$T/server.err" &
PID=$!
wait_ready "$STATE/status" || { echo "bench: server did not start"; cat "$T/server.err"; exit 1; }
rss0=$(rss_kib $PID)
out=$(sim -N "$NATS" -c $FULL --udp -w 512 -T 2s --record "$T/rec" -q)
s_fill=$(phase_rate new "$out")
rss1=$(rss_kib $PID)
filled=$(wc -l <"$T/rec")
[ "$filled" = $((NATS * FULL)) ] || echo "bench: WARNING: only $filled of $((NATS * FULL)) entries filled"

c0=$(cpu_ticks $PID)
out=$(sim -N "$NATS" -c $FULL --udp -w 512 --verify "$T/rec" --lookups -n $((NATS * EVICT + NATS)) -q)
c1=$(cpu_ticks $PID)
s_lookup=$(phase_rate lookup "$out"); n_lookup=$(phase_sent lookup "$out")
out2=$(sim -N "$NATS" -c $FULL --udp -w 512 --verify "$T/rec" --repeat --no-probe -n $((NATS * EVICT)) -q)
c2=$(cpu_ticks $PID)
s_repeat=$(phase_rate repeat "$out2"); n_repeat=$(phase_sent repeat "$out2")
out3=$(sim -N "$NATS" -c "$EVICT" --client-base $FULL --udp -w 512 -q)
c3=$(cpu_ticks $PID)
s_new=$(phase_rate new "$out3"); n_new=$(phase_sent new "$out3")
[ -n "$s_new" ] || { echo "bench: eviction run failed:"; echo "$out3"; }
kill -USR1 $PID; sleep 0.5
evicted=$(awk '$1 == "channel" { for (i = 4; i < NF; i++) if ($i == "evicted") s += $(i + 1) } END { print s + 0 }' "$STATE/status")
mem_status=$(awk '$1 == "channel" { for (i = 4; i < NF; i++) if ($i == "memory") { print $(i + 1); exit } }' "$STATE/status")
kill $PID; wait $PID 2>/dev/null; PID=
s_cap_new=$(capacity "$n_new" $((c3 - c2)))
s_cap_lookup=$(capacity "$n_lookup" $((c1 - c0)))
s_cap_repeat=$(capacity "$n_repeat" $((c2 - c1)))

echo
echo "== rates (answers/s seen by the sim; capacity = answers per server CPU-second)"
printf '%-40s %10s %10s %8s\n' "" server udp-echo ratio
printf '%-40s %10s %10s %8s\n' "new entries/s, full tables (evictions)" "$s_new" "$e_new" "$(ratio "$s_new" "$e_new")"
printf '%-40s %10s %10s %8s\n' "lookups/s by port (IPv4 packet)" "$s_lookup" "$e_lookup" "$(ratio "$s_lookup" "$e_lookup")"
printf '%-40s %10s %10s %8s\n' "lookups/s by client (IPv6 packet)" "$s_repeat" "$e_repeat" "$(ratio "$s_repeat" "$e_repeat")"
printf '%-40s %10s %10s %8s\n' "capacity, new entries (full tables)" "$s_cap_new" "$e_cap" "$(ratio "$s_cap_new" "$e_cap")"
printf '%-40s %10s %10s %8s\n' "capacity, lookups by port" "$s_cap_lookup" "$e_cap" "$(ratio "$s_cap_lookup" "$e_cap")"
printf '%-40s %10s %10s %8s\n' "capacity, lookups by client" "$s_cap_repeat" "$e_cap" "$(ratio "$s_cap_repeat" "$e_cap")"
printf '%-40s %10s\n' "fill rate into empty tables" "$s_fill"
printf '%-40s %10s\n' "evictions counted by the server" "$evicted"
echo "(target: >= 0.7 x the echo)"
echo
echo "== memory"
awk -v a="$rss0" -v b="$rss1" -v n="$NATS" -v f="$FULL" 'BEGIN {
	printf "RSS %d KiB -> %d KiB after filling %d tables of %d: %.2f MiB per full table (target <= 3.0 MiB)\n",
	    a, b, n, f, (b - a) / n / 1024 }'
echo "status file's per-channel memory figure: $mem_status octets ($(awk -v m="$mem_status" 'BEGIN { printf "%.2f", m / 1048576 }') MiB)"
# The same with 4 connections per client (16127 clients x 4 ports a table).
S4=$T/state4
ip netns exec "$NS" taskset -c "$SRV_CPU" "$SRV" -p 6464 -l 127.0.0.1 -s "$S4" -L "$T/log4" \
    -t $FULL -m 2048 2>"$T/server4.err" &
PID=$!
wait_ready "$S4/status" || { echo "bench: server did not start"; cat "$T/server4.err"; exit 1; }
rss0=$(rss_kib $PID)
sim -N "$NATS" -c $((FULL / 4)) -k 4 --udp -w 512 -T 2s -q >/dev/null
rss1=$(rss_kib $PID)
kill $PID; wait $PID 2>/dev/null; PID=
awk -v a="$rss0" -v b="$rss1" -v n="$NATS" 'BEGIN {
	printf "4 connections per client: RSS %d KiB -> %d KiB: %.2f MiB per full table (target <= 2.5 MiB)\n",
	    a, b, (b - a) / n / 1024 }'

# ---- start-up with many full persisted tables ----
echo
echo "== start-up with $TABLES full persisted tables"
src=$(ls "$STATE"/channels/127.0.0.2-127.0.0.1.tbl 2>/dev/null)
[ -n "$src" ] || { echo "bench: no channel file to clone"; exit 1; }
S2=$T/state2
mkdir -p "$S2/channels"
cp -a "$STATE"/. "$S2"/
rm -f "$S2"/channels/*.tbl
cp "$src" "$S2/channels/"
"$CLONE" "$src" "$S2/channels" 127.1.0.1 $((TABLES - 1)) 127.0.0.1 || exit 1
sync
echo "state: $(ls "$S2/channels" | wc -l) channel files, $(du -sh "$S2/channels" | cut -f1)"
rm -f "$T/notify.out"
socat -u UNIX-RECV:"$T/notify" OPEN:"$T/notify.out",creat,append 2>/dev/null &
SOC=$!
sleep 0.2
head -n 2000 "$T/rec" | grep '^127\.0\.0\.2 ' >"$T/rec1"
t0=$(now_ns)
NOTIFY_SOCKET=$T/notify ip netns exec "$NS" taskset -c "$SRV_CPU" "$SRV" -p 6464 -l 127.0.0.1 -s "$S2" \
    -L "$T/log" -t $FULL -m 2048 2>"$T/server2.err" &
PID=$!
t_ready=
for i in $(seq 2000); do
	grep -q READY=1 "$T/notify.out" 2>/dev/null && { t_ready=$(now_ns); break; }
	sleep 0.005
done
out=$(sim -a 127.0.0.2 -c $FULL --udp --verify "$T/rec1" -T 20ms --probe-retries 500 -R 500 -q)
t_answer=$(now_ns)
kill $SOC 2>/dev/null
kill -USR1 $PID; sleep 0.5
loaded=$(awk '$1 == "channels_loaded" { print $2 }' "$S2/status")
chans=$(awk '$1 == "channels" { print $2 }' "$S2/status")
rss_lazy=$(rss_kib $PID)
[ -n "$t_ready" ] && echo "READY=1 after $(( (t_ready - t0) / 1000000 )) ms" || echo "no READY=1 within 10 s"
echo "first lookup answered after $(( (t_answer - t0) / 1000000 )) ms ($(printf '%s\n' "$out" | grep -o 'answers_ok=[0-9]*'))"
echo "channels $chans, loaded at that point: $loaded (lazy loading), RSS $rss_lazy KiB"
# Touch every other table: one new NAT64 packet each (validation round trip,
# then the table loads and answers). Bounded by the sim's own limits.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
t1=$(now_ns)
out=$(sim -a 127.1.0.1 -N $((TABLES - 1)) -C 40001 -c 1 --udp -w 8 -T 400ms --probe-retries 30 -d 600s -q)
t2=$(now_ns)
kill -USR1 $PID; sleep 0.5
loaded=$(awk '$1 == "channels_loaded" { print $2 }' "$S2/status")
rss_all=$(rss_kib $PID)
echo "every table touched (a validation round trip + first packet each): $(( (t2 - t1) / 1000000 )) ms more;" \
    "channels loaded $loaded of $TABLES, RSS $rss_all KiB"
printf '%s\n' "$out" | grep -o 'answers_ok=[0-9]* bad=[0-9]* validations=[0-9]* timeouts=[0-9]*'
kill $PID; wait $PID 2>/dev/null; PID=
t1=$(now_ns)
ip netns exec "$NS" taskset -c "$SRV_CPU" "$SRV" -n -s "$S2" -t $FULL -m 2048 >"$T/check.out" 2>&1
rc=$?
t2=$(now_ns)
echo "nat64-handoffd -n over that state: $(( (t2 - t1) / 1000000 )) ms, exit $rc"
echo "(target: <= 1 s)"
