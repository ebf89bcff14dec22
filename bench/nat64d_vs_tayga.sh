#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# bench/nat64d_vs_tayga.sh — nat64d against Debian's tayga, same topology,
# same run:
#
#   [client6] c6 ==veth== x6 [gateway: translator on TUN "nat64"] x4 ==veth== s4 [server4]
#   2001:db8:1::2     2001:db8:1::1          192.0.2.1            192.0.2.2
#
# Both translators use the network-specific prefix 2001:db8:64::/96 (tayga
# 0.9.2 refuses documentation IPv4 behind 64:ff9b::/96). For each of RUNS
# rounds, tayga then nat64d are started on a fresh TUN and measured:
#   ping     ICMPv6 echo RTT through the translator (PING_COUNT, PING_INTERVAL)
#   tcp      iperf3 TCP client6 -> server4, DUR s
#   tcp_rev  iperf3 TCP -R (server4 -> client6), DUR s
#   udp      iperf3 UDP, UDP_LEN-octet payloads, -b 0, DUR s: packets/s received
#   cpu      translator utime+stime during each iperf3 test: % of one core,
#            and core-seconds per Gbit carried (CPU per Gbit)
# Prints a table per run, medians and the nat64d/tayga ratios. Not part of
# `make check` (root, ~RUNS x 2 x (3 x DUR + ping) s).
#
# Usage: sudo bench/nat64d_vs_tayga.sh     (BUILD=build-nat64d RUNS=3 DUR=5 ...)
# Knobs: BUILD [build] RUNS [3] DUR [5] UDP_LEN [64] PING_COUNT [20]
#        PING_INTERVAL [0.05] ND_OFFLOAD [yes] TAYGA_BIN [/usr/sbin/tayga]
#        OUTDIR [./bench-results] XLATS ["tayga nat64d"]
#        GRO [no]: ethtool -K gro on rx-udp-gro-forwarding on, gateway veths
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ND_BIN=$PWD/$BUILD/nat64d
TAYGA_BIN=${TAYGA_BIN:-/usr/sbin/tayga}
RUNS=${RUNS:-3}
DUR=${DUR:-5}
UDP_LEN=${UDP_LEN:-64}
PING_COUNT=${PING_COUNT:-20}
PING_INTERVAL=${PING_INTERVAL:-0.05}
ND_OFFLOAD=${ND_OFFLOAD:-yes}
GRO=${GRO:-no}
OUTDIR=${OUTDIR:-./bench-results}

[ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }
for b in ip iperf3 ping python3 "$TAYGA_BIN" "$ND_BIN"; do
	command -v "$b" >/dev/null || { echo "missing $b" >&2; exit 1; }
done

PREF=2001:db8:64::
T6=${PREF}192.0.2.2
TAG=nk-ndb-$$
NS_C=$TAG-c NS_X=$TAG-x NS_S=$TAG-s
WORK=$(mktemp -d /tmp/nk-ndb.XXXXXX)
RES=$OUTDIR/nat64d-vs-tayga-$(date +%Y%m%d-%H%M%S)
mkdir -p "$RES"
PIDS=()
NSES=()
XPID=

cleanup() {
	set +e
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	sleep 0.3
	for ns in "${NSES[@]:-}"; do
		[ -n "$ns" ] || continue
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
log() { echo "[$(date +%T)] $*" | tee -a "$RES/log.txt" >&2; }

for ns in "$NS_C" "$NS_X" "$NS_S"; do ip netns add "$ns"; NSES+=("$ns"); nsx "$ns" ip link set lo up; done
ip link add c6 netns "$NS_C" type veth peer name x6 netns "$NS_X"
ip link add x4 netns "$NS_X" type veth peer name s4 netns "$NS_S"
nsx "$NS_C" ip -6 addr add 2001:db8:1::2/64 dev c6 nodad
nsx "$NS_C" ip link set c6 up
nsx "$NS_C" ip -6 route add default via 2001:db8:1::1 dev c6
nsx "$NS_X" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
nsx "$NS_X" ip -6 addr add 2001:db8:1::1/64 dev x6 nodad
nsx "$NS_X" ip addr add 192.0.2.1/24 dev x4
nsx "$NS_X" ip link set x6 up
nsx "$NS_X" ip link set x4 up
nsx "$NS_S" ip addr add 192.0.2.2/24 dev s4
nsx "$NS_S" ip link set s4 up
nsx "$NS_S" ip route add 198.51.100.0/24 via 192.0.2.1 dev s4
# GRO on the gateway's ingress veths (UDP GRO forwarding included), as a
# gateway would run; the same for both translators. nat64d takes the
# aggregated packets whole (TSO/USO offload), tayga gets them segmented.
if [ "$GRO" = yes ]; then
	command -v ethtool >/dev/null || { echo "GRO=yes needs ethtool" >&2; exit 1; }
	nsx "$NS_X" ethtool -K x6 gro on rx-udp-gro-forwarding on >/dev/null
	nsx "$NS_X" ethtool -K x4 gro on rx-udp-gro-forwarding on >/dev/null
fi

cat >"$WORK/tayga.conf" <<EOF
tun-device nat64
ipv4-addr 198.51.100.1
ipv6-addr 2001:db8:ffff::1
prefix ${PREF}/96
dynamic-pool 198.51.100.0/24
EOF
cat >"$WORK/nat64d.conf" <<EOF
tun-device nat64
control-socket none
prefix ${PREF}/96
pool4 198.51.100.2
ipv4-addr 198.51.100.254
offload $ND_OFFLOAD
EOF

start_xlat() {
	case "$1" in
	tayga)
		nsx "$NS_X" "$TAYGA_BIN" -c "$WORK/tayga.conf" --mktun >>"$RES/tayga.log" 2>&1
		nsx "$NS_X" ip link set nat64 up
		nsx "$NS_X" ip -6 route add 2001:db8:ffff::1/128 dev nat64
		ip netns exec "$NS_X" "$TAYGA_BIN" -c "$WORK/tayga.conf" -d >>"$RES/tayga.log" 2>&1 &
		XPID=$!
		;;
	nat64d)
		ip netns exec "$NS_X" "$ND_BIN" -d -f "$WORK/nat64d.conf" >>"$RES/nat64d.log" 2>&1 &
		XPID=$!
		for _ in $(seq 50); do nsx "$NS_X" ip link show nat64 >/dev/null 2>&1 && break; sleep 0.1; done
		nsx "$NS_X" ip link set nat64 up
		;;
	esac
	PIDS+=("$XPID")
	nsx "$NS_X" ip route add 198.51.100.0/24 dev nat64
	nsx "$NS_X" ip -6 route add ${PREF}/96 dev nat64
	sleep 1
	kill -0 "$XPID" || { echo "$1 died" >&2; exit 1; }
	nsx "$NS_C" ping -6 -c 3 -i 0.2 -W 2 "$T6" >/dev/null 2>&1 || { log "$1: warm-up ping failed"; exit 1; }
}

stop_xlat() {
	kill "$XPID" 2>/dev/null || true
	wait "$XPID" 2>/dev/null || true
	nsx "$NS_X" ip link del nat64 2>/dev/null || true
}

xlat_ticks() { awk '{print $14+$15}' "/proc/$XPID/stat"; }
CLK_TCK=$(getconf CLK_TCK)
with_cpu() {  # cmd... -> translator CPU % of one core
	local t0 t1 a b
	t0=$(xlat_ticks); a=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || true
	t1=$(xlat_ticks); b=$(date +%s.%N)
	python3 -c "import sys; t0,t1,a,b,hz=map(float,sys.argv[1:]); print(f'{100*(t1-t0)/hz/(b-a):.1f}')" \
		"$t0" "$t1" "$a" "$b" "$CLK_TCK"
}
parse_tcp() {
	python3 - "$1" <<'EOF'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    print(f"{d['end']['sum_received']['bits_per_second'] / 1e6:.1f}")
except Exception:
    print("NA")
EOF
}
parse_udp() {
	python3 - "$1" <<'EOF'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    s = d["end"]["sum"]
    print(f"{(s['packets'] - s.get('lost_packets', 0)) / s['seconds']:.0f}")
except Exception:
    print("NA")
EOF
}
parse_ping() { awk -F'= ' '/rtt/{split($2, a, "/"); print a[2]}' "$1" | grep . || echo NA; }

ip netns exec "$NS_S" iperf3 -s -p 5201 >"$RES/iperf3s.log" 2>&1 &
PIDS+=("$!")
sleep 1
{
	echo "date: $(date -Is)  kernel: $(uname -r)  cpus: $(nproc)"
	echo "tayga: $(dpkg-query -W -f='${Version}' tayga 2>/dev/null || echo ?)  nat64d: $(git rev-parse --short HEAD 2>/dev/null) offload=$ND_OFFLOAD"
	echo "params: RUNS=$RUNS DUR=$DUR UDP_LEN=$UDP_LEN PING_COUNT=$PING_COUNT GRO=$GRO"
} | tee "$RES/env.txt"

printf 'xlat\trun\tping_ms\ttcp_Mbps\ttcp_cpu\ttcprev_Mbps\ttcprev_cpu\tudp_pps\tudp_cpu\n' >"$RES/results.tsv"
for r in $(seq 1 "$RUNS"); do
	for x in ${XLATS:-tayga nat64d}; do
		log "run $r/$RUNS: $x"
		start_xlat "$x"
		nsx "$NS_C" ping -6 -q -c "$PING_COUNT" -i "$PING_INTERVAL" "$T6" >"$RES/$x-$r-ping.txt" 2>&1 || true
		c1=$(with_cpu nsx "$NS_C" iperf3 -6 -c "$T6" -p 5201 -t "$DUR" -J --logfile "$RES/$x-$r-tcp.json")
		c2=$(with_cpu nsx "$NS_C" iperf3 -6 -c "$T6" -p 5201 -t "$DUR" -R -J --logfile "$RES/$x-$r-tcprev.json")
		c3=$(with_cpu nsx "$NS_C" iperf3 -6 -c "$T6" -p 5201 -t "$DUR" -u -l "$UDP_LEN" -b 0 -J \
			--logfile "$RES/$x-$r-udp.json")
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$x" "$r" "$(parse_ping "$RES/$x-$r-ping.txt")" \
			"$(parse_tcp "$RES/$x-$r-tcp.json")" "$c1" "$(parse_tcp "$RES/$x-$r-tcprev.json")" "$c2" \
			"$(parse_udp "$RES/$x-$r-udp.json")" "$c3" >>"$RES/results.tsv"
		stop_xlat
	done
done

column -t -s $'\t' "$RES/results.tsv" | tee "$RES/summary.txt"
python3 - "$RES/results.tsv" <<'EOF' | tee -a "$RES/summary.txt"
import csv, statistics as st, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
def med(x, k):
    v = [float(r[k]) for r in rows if r["xlat"] == x and r[k] not in ("NA", "")]
    return st.median(v) if v else float("nan")
def cpg(x, mb, cpu):   # core-seconds per Gbit carried
    m, c = med(x, mb), med(x, cpu)
    return (c / 100.0) / (m / 1000.0) if m > 0 else float("nan")
print()
print(f"{'median':<10}{'tayga':>14}{'nat64d':>14}{'nat64d/tayga':>16}")
for k, label in (("ping_ms", "ping ms"), ("tcp_Mbps", "TCP 6->4"), ("tcprev_Mbps", "TCP 4->6"),
                 ("udp_pps", "UDP pps")):
    t, n = med("tayga", k), med("nat64d", k)
    print(f"{label:<10}{t:>14.2f}{n:>14.2f}{(n / t if t else float('nan')):>15.2f}x")
for mb, cpu, label in (("tcp_Mbps", "tcp_cpu", "CPU/Gbit 6->4"), ("tcprev_Mbps", "tcprev_cpu", "CPU/Gbit 4->6")):
    t, n = cpg("tayga", mb, cpu), cpg("nat64d", mb, cpu)
    print(f"{label:<14}{t:>10.3f}{n:>14.3f}{(n / t if t else float('nan')):>15.2f}x  (core-s per Gbit)")
EOF
echo "results in $RES"
