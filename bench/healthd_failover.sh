#!/usr/bin/env bash
# bench/healthd_failover.sh — nat64-healthd figures (not part of `make check`):
#
#  1. Failover time: the rig of tests/net/healthd_common.inc (real BIND 9
#     recursive + authoritative, 4 Debian tayga NAT64s, update-dns64). For
#     each of RUNS runs a selected NAT64 is killed (tayga process ended) and
#     dig polls the resolver every 50 ms until the AAAA answer no longer
#     carries its prefix; the NAT64 is then restarted and the bench waits
#     for it to be up again. Median/min/max against fall x interval.
#  2. CPU of the daemon watching 100 prefixes at a 1 s interval, CPU_SECS
#     seconds each, two cases, COMMAND = true (no BIND in the loop):
#       healthy: 100 /96 prefixes on a local (AnyIP) route in the daemon's
#         namespace: tcp:192.0.2.2:80 answered by the kernel with a RST
#         (counts as the path working) and icmp echo answered by the kernel;
#       dead: 100 prefixes routed to a neighbour that drops everything:
#         every probe runs both attempts and times out (the costly case).
#     Reported: utime+stime of the daemon from /proc/PID/stat, as % of one
#     core and per probe.
#
# Usage: sudo bench/healthd_failover.sh   (BUILD=build-healthd RUNS=7 INTERVAL_MS=1000 FALL=3 CPU_SECS=60)
set -u
RUNS=${RUNS:-7}
INTERVAL_MS=${INTERVAL_MS:-1000}
FALL=${FALL:-3}
RISE=${RISE:-2}
CPU_SECS=${CPU_SECS:-60}
. "$(dirname "$0")/../tests/net/healthd_common.inc"

median() { sort -n | awk '{a[NR]=$1} END {printf "median %d ms, min %d ms, max %d ms (n=%d)", a[int((NR+1)/2)], a[1], a[NR], NR}'; }
has_prefix() { aaaa | grep -q "2001:db8:64:$1::"; }
lacks_prefix() { ! has_prefix "$1" && [ -n "$(aaaa)" ]; }
selected_list() { awk '$1 == "prefix" && $6 == 1 {print $2}' "$T/status" | sed 's/2001:db8:64:\([0-9]\)::\/96/\1/'; }

echo "== failover: $RUNS runs, interval ${INTERVAL_MS} ms, fall $FALL, rise $RISE, 4 NAT64s"
rig_up 4
start_healthd -i ${INTERVAL_MS}ms -t $((INTERVAL_MS * 4 / 5))ms -r $RISE -F $FALL --hold-down 1s \
    -p tcp:192.0.2.2:80 -p dns:192.0.2.53:53:example.test
wait_for 30 aaaa_is "1 2 3" || fail "start: '$(aaaa)'"
: >"$T/times"
for r in $(seq "$RUNS"); do
	victim=$(selected_list | head -$(( (r - 1) % 3 + 1 )) | tail -1)
	t0=$(ms_now)
	tayga_stop "$victim"
	until lacks_prefix "$victim"; do
		[ $(( $(ms_now) - t0 )) -gt 30000 ] && fail "run $r: prefix $victim never left"
		sleep 0.05
	done
	took=$(( $(ms_now) - t0 ))
	echo "$took" >>"$T/times"
	echo "run $r: NAT64 $victim killed -> answer changed after $took ms -> $(aaaa | wc -w) AAAA"
	tayga_start "$victim"
	wait_for 30 status_is "$victim" state up || fail "run $r: $victim not up again"
	sleep 1
done
echo "failover: $(median <"$T/times"); fall x interval = $((FALL * INTERVAL_MS)) ms"
kill "$HD_PID"; wait "$HD_PID" 2>/dev/null; HD_PID=

# ------------------------------------------------------------ CPU, 100 prefixes
cpu_run() {	# label prefixfile probes...
	local label=$1 pf=$2 pid t0 t1 c0 c1 hz np
	shift 2
	np=$(( $# / 2 ))	# -p SPEC pairs
	hz=$(getconf CLK_TCK)
	ip netns exec "$NS_C" "$HD" -f "$T/empty.conf" -s "$T/cpu.status" --selection-file none --verify none \
	    -i 1s -t 800ms -r 2 -F 3 "$@" "$pf" -- true \
	    >"$T/cpu.log" 2>&1 &
	pid=$!
	sleep 5	# start-up rounds
	c0=$(awk '{print $14 + $15}' /proc/$pid/stat); t0=$(ms_now)
	sleep "$CPU_SECS"
	c1=$(awk '{print $14 + $15}' /proc/$pid/stat); t1=$(ms_now)
	kill $pid; wait $pid 2>/dev/null
	awk -v c=$((c1 - c0)) -v hz="$hz" -v ms=$((t1 - t0)) -v np=$np -v label="$label" -v up="$(grep -c 'state up' "$T/cpu.status")" \
	    'BEGIN { cpu = c / hz; probes = 100 * np * ms / 1000;
		printf "cpu %s: %.2f s CPU in %.1f s = %.2f %% of one core; %d probes/s; %.1f us CPU per probe; %d/100 up\n",
		    label, cpu, ms / 1000, 100 * cpu * 1000 / ms, probes * 1000 / ms, cpu * 1e6 / probes, up }'
}
echo "== CPU: 100 prefixes, 1 s interval, ${CPU_SECS} s each"
# healthy: AnyIP local route, the kernel answers TCP (RST) and ICMPv6 echo
nsx "$NS_C" ip -6 route add local 2001:db8:6400::/40 dev lo
: >"$T/pf100"
for i in $(seq 0 99); do printf '2001:db8:64%02x:%x::/96\n' $((i / 256)) $((i % 256 + 1)) >>"$T/pf100"; done
cpu_run "healthy (tcp+icmp, 2 probes/prefix)" "$T/pf100" -p tcp:192.0.2.2:80 -p icmp:192.0.2.2
# dead: routed to a neighbour (namespace S over the management link) that
# drops them: every probe times out after 2 attempts
nsx "$NS_C" ip -6 addr add 2001:db8:cc::1/64 dev cm nodad
nsx "$NS_C" ip -6 neigh add 2001:db8:cc::2 lladdr 02:00:00:00:00:02 dev cm nud permanent
nsx "$NS_C" ip -6 route add 2001:db8:6500::/40 via 2001:db8:cc::2
sed 's/^2001:db8:64/2001:db8:65/' "$T/pf100" >"$T/pf100dead"
cpu_run "dead (tcp+icmp timing out)" "$T/pf100dead" -p tcp:192.0.2.2:80 -p icmp:192.0.2.2
