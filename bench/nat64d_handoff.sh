#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# bench/nat64d_handoff.sh — what NAT64 handoff costs nat64d per new
# connection, measured against plain nat64d in the same run:
#
#   [client6] c6 == x6 [gateway: nat64d on TUN "hb64"] x4 == d1 [link] d2 == s4 [server4]
#   2001:db8:1::2   2001:db8:1::1          203.0.113.1  .2  192.0.2.1     192.0.2.2
#
# nat64d: prefix 64:ff9b::/96, pool4 198.51.100.1/32, ipv4-addr 198.51.100.200.
# server4 runs bench/tcp-crr in server mode (TCP 8080), bench/udp-echo
# (UDP 7777) and, in the handoff mode, nat64-handoffd (UDP 6464). The "link"
# namespace is a plain router; in the delayed phase every packet it forwards
# goes through bench/delay-line (a TUN + policy routing: this kernel has no
# netem), DELAY_US each way, so the gateway<->server4 RTT grows by 2 x DELAY_US.
#
# Modes (each on a freshly started nat64d, so caches and sessions are empty):
#   plain    handoff no
#   handoff  handoff yes, nat64-handoffd running, server4 already known to
#            support the protocol (checked in nat64d's status file before
#            measuring): every new connection is a cache miss answered over
#            the control channel (the server allocates the mapped port)
#   legacy   handoff yes, nothing on 6464 (port unreachable), fresh state:
#            the server stays "unknown" (nat64d marks only a server that
#            once answered "down"), so plain NAT64 plus announcements of
#            new entries, rate-limited to handoff-announce-rate (100/s)
#
# 1. Connection establishment rate (in the spirit of RFC 9693, but
#    measured with full TCP exchanges rather than a frame-loss search):
#    bench/tcp-crr rate, CONC connections in flight for DUR s, each:
#    connect, BYTES octets each way, close with RST (SO_LINGER 0: no
#    TIME_WAIT on either end). Every (mode, run) uses SRCS fresh client
#    addresses, round robin, and tcp-crr binds each address's ports 1024,
#    1025, ... in turn (the kernel's own choice repeats a port after a few
#    thousand connections and would hit nat64d's cache), so no (address,
#    port) repeats within a run (port_wraps=0) and every connection is new
#    to nat64d's cache and to the server's table (misses/conn = 1.00
#    checks it). The client namespace's ip_local_port_range (which covers
#    IPv6 too) is widened to 1024-65535 all the same. nat64-handoffd
#    keeps 64508 entries per channel and evicts the least recently used:
#    past ~64k handoff connections every new one is also an eviction
#    (counted, "evicted"). Plain nat64d with one pool4 address has 64512
#    ports and, by RFC 6146, keeps a TCP session 4 min after a RST, i.e.
#    ~270 new connections/s sustained; at these rates that exhausts the
#    pool in seconds, so every mode runs with tcp-transitory-timeout
#    TRANS_TO (1s) and bib_full/ports_exhausted are printed. Handoff
#    connections need no BIB entry or session (the server's port).
#    Medians of RUNS runs; conns/s, ratios to plain, CPU of nat64d and
#    nat64-handoffd (utime+stime from /proc/PID/stat) in % of one core and
#    core-µs per connection, cache misses (handoff_fwd6) per connection.
# 2. First-packet latency: bench/tcp-crr lat, LAT_N sequential connections
#    from a fresh client address per mode: connect() time (= SYN -> SYN-ACK
#    at the client), median and p90. Gateway<->server4 RTT from the gateway
#    namespace: ping (kernel) and a UDP round trip to udp-echo (userspace,
#    like the control channel's far end). extra = handoff - plain connect
#    median, reported as a ratio to those RTTs (1.0 = "one round trip and
#    nothing more"). Once at native speed, once with DELAY_US (0 skips).
#
# Usage: sudo BUILD=build-bench bench/nat64d_handoff.sh   (after make BUILD=... bench)
# Knobs: BUILD [build] RUNS [3] DUR [5] CONC [32] BYTES [16] SRCS [8] TRANS_TO [1s]
#        MODES ["plain handoff legacy"]
#        LAT_N [200] LAT_GAP_MS [1] PING_N [100] DELAY_US [1000] CPUS [unset: no pinning;
#        e.g. "0 1" pins nat64d to the first, nat64-handoffd to the second]
#        OUTDIR [unset: logs in a temporary directory removed at exit; set to keep them]
# Needs root, ip/ss/nstat (iproute2), ping, awk, timeout, column, taskset if CPUS. Not part of `make check`; ~70 s with defaults on 2 vCPUs.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
DUR=${DUR:-5}
CONC=${CONC:-32}
BYTES=${BYTES:-16}
SRCS=${SRCS:-8}
TRANS_TO=${TRANS_TO:-1s}
MODES=${MODES:-plain handoff legacy}
LAT_N=${LAT_N:-200}
LAT_GAP_MS=${LAT_GAP_MS:-1}
PING_N=${PING_N:-100}
DELAY_US=${DELAY_US:-1000}
CPUS=${CPUS:-}
[ -z "$CPUS" ] || command -v taskset >/dev/null || { echo "CPUS needs taskset (util-linux)" >&2; exit 1; }
ND=$PWD/$BUILD/nat64d
HOD=$PWD/$BUILD/nat64-handoffd
CRR=$PWD/$BUILD/bench/tcp-crr
ECHO=$PWD/$BUILD/bench/udp-echo
DLY=$PWD/$BUILD/bench/delay-line

[ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }
for b in "$ND" "$HOD" "$CRR" "$ECHO" "$DLY"; do
	[ -x "$b" ] || { echo "missing $b: make BUILD=$BUILD && make BUILD=$BUILD bench" >&2; exit 1; }
done
for b in ip ss nstat ping awk timeout column; do
	command -v "$b" >/dev/null || { echo "missing $b" >&2; exit 1; }
done

TAG=nk-hb-$$
NS_C=$TAG-c NS_X=$TAG-x NS_D=$TAG-d NS_S=$TAG-s
WORK=$(mktemp -d /tmp/nk-hb.XXXXXX)
T6=64:ff9b::192.0.2.2
SRV4=192.0.2.2
PIDS=()
NSES=()
ND_PID='' HOD_PID='' DLY_PID=''
TCK=$(getconf CLK_TCK)

cleanup() {
	set +e
	for p in $ND_PID $HOD_PID $DLY_PID "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	sleep 0.3
	for ns in "${NSES[@]:-}"; do
		[ -n "$ns" ] || continue
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "${OUTDIR:-}" ]; then
		mkdir -p "$OUTDIR" && cp -r "$WORK" "$OUTDIR/nat64d-handoff-$(date +%Y%m%d-%H%M%S)"
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
log() { echo "[$(date +%T)] $*" >&2; }
die() { log "FATAL: $*"; exit 1; }
pin() { # pin INDEX: taskset prefix for CPUS' INDEXth entry (nothing if unset)
	local c
	[ -n "$CPUS" ] || return 0
	c=$(echo "$CPUS" | awk -v i="$1" '{ print $i }')
	[ -n "$c" ] && echo "taskset -c $c"
}
ticks() { [ -n "$1" ] && [ -r "/proc/$1/stat" ] && awk '{ print $14 + $15 }' "/proc/$1/stat" || echo 0; }
now_s() { date +%s.%N; }
kv() { # kv KEY LINE: value of KEY=... in LINE
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n1
}
kvn() { local v; v=$(kv "$1" "$2"); echo "${v:-0}"; }
syn_retrans() { # the client's SYN retransmissions so far (a lost SYN or SYN-ACK costs 1 s)
	nsx "$NS_C" nstat -as TcpExtTCPSynRetrans 2>/dev/null | awk '$1 == "TcpExtTCPSynRetrans" { v = $2 } END { print v + 0 }'
}
ho_drops() { # ho_drops FILE: nat64d handoff drops and expired holds (should stay 0)
	awk '$1 ~ /^handoff_drop_/ || $1 == "handoff_hold_expired" || $1 == "handoff_fwd_limited" { s += $2 }
	    END { print s + 0 }' "$1" 2>/dev/null || echo 0
}
stat_of() { # stat_of FILE KEY: "KEY value" line of a status file (0 if absent)
	awk -v k="$2" '$1 == k { print $2; f = 1; exit } END { if (!f) print 0 }' "$1" 2>/dev/null || echo 0
}

# ---------------------------------------------------------------- topology
# No DAD: while a veth's link-local address is tentative the gateway cannot
# send neighbour solicitations for the packets it forwards, and the first
# burst of SYN-ACKs would be lost (a 1 s SYN retransmission each).
for ns in "$NS_C" "$NS_X" "$NS_D" "$NS_S"; do
	ip netns add "$ns"
	NSES+=("$ns")
	nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	nsx "$ns" ip link set lo up
done
ip link add c6 netns "$NS_C" type veth peer name x6 netns "$NS_X"
ip link add x4 netns "$NS_X" type veth peer name d1 netns "$NS_D"
ip link add d2 netns "$NS_D" type veth peer name s4 netns "$NS_S"
nsx "$NS_C" sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
nsx "$NS_C" ip -6 addr add 2001:db8:1::2/64 dev c6 nodad
nsx "$NS_C" ip link set c6 up
nsx "$NS_C" ip -6 route add default via 2001:db8:1::1 dev c6
nsx "$NS_X" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
nsx "$NS_X" ip -6 addr add 2001:db8:1::1/64 dev x6 nodad
nsx "$NS_X" ip addr add 203.0.113.1/24 dev x4
nsx "$NS_X" ip link set x6 up
nsx "$NS_X" ip link set x4 up
nsx "$NS_X" ip route add 192.0.2.0/24 via 203.0.113.2 dev x4
nsx "$NS_D" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
nsx "$NS_D" ip addr add 203.0.113.2/24 dev d1
nsx "$NS_D" ip addr add 192.0.2.1/24 dev d2
nsx "$NS_D" ip link set d1 up
nsx "$NS_D" ip link set d2 up
nsx "$NS_D" ip route add 198.51.100.0/24 via 203.0.113.1 dev d1
nsx "$NS_S" ip addr add $SRV4/24 dev s4
nsx "$NS_S" ip link set s4 up
nsx "$NS_S" ip route add 198.51.100.0/24 via 192.0.2.1 dev s4
nsx "$NS_S" ip route add 203.0.113.0/24 via 192.0.2.1 dev s4
nsx "$NS_S" sysctl -qw net.ipv4.tcp_max_syn_backlog=8192 net.core.somaxconn=8192

# Client source addresses: fresh ones for every measurement.
SRC_N=0
new_src() { # new_src [N]: SRC = N new addresses, comma-separated
	local a
	SRC=
	for _ in $(seq "${1:-1}"); do
		SRC_N=$((SRC_N + 1))
		a=2001:db8:1::c:$(printf '%x' $SRC_N)
		nsx "$NS_C" ip -6 addr add "$a/128" dev c6 nodad
		SRC=${SRC:+$SRC,}$a
	done
}

for _ in $(seq 50); do
	[ -z "$(nsx "$NS_C" ip -6 addr show tentative)$(nsx "$NS_X" ip -6 addr show tentative)" ] && break
	sleep 0.1
done
nsx "$NS_S" "$CRR" server -l $SRV4 -p 8080 -b "$BYTES" >"$WORK/crr-server.log" 2>&1 &
PIDS+=("$!")
nsx "$NS_S" "$ECHO" -l $SRV4 -p 7777 >"$WORK/udp-echo.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 50); do grep -q READY "$WORK/crr-server.log" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$WORK/crr-server.log" || die "tcp-crr server did not start"

# ---------------------------------------------------------------- daemons
start_nd() { # start_nd MODE
	local mode=$1 ho=no
	[ "$mode" = plain ] || ho=yes
	mkdir -p "$WORK/state-$mode"
	cat >"$WORK/nd-$mode.conf" <<EOF
tun-device hb64
control-socket none
prefix 64:ff9b::/96
pool4 198.51.100.1/32
ipv4-addr 198.51.100.200
handoff $ho
tcp-transitory-timeout $TRANS_TO
state-dir $WORK/state-$mode
status-file $WORK/status-$mode
EOF
	# shellcheck disable=SC2046
	ip netns exec "$NS_X" $(pin 1) "$ND" -d -f "$WORK/nd-$mode.conf" >>"$WORK/nd-$mode.log" 2>&1 &
	ND_PID=$!
	for _ in $(seq 50); do nsx "$NS_X" ip link show hb64 >/dev/null 2>&1 && break; sleep 0.1; done
	nsx "$NS_X" ip link show hb64 >/dev/null 2>&1 || die "nat64d ($mode) did not create its TUN: $(tail -3 "$WORK/nd-$mode.log")"
	nsx "$NS_X" ip link set hb64 up
	nsx "$NS_X" ip -6 route add 64:ff9b::/96 dev hb64
	nsx "$NS_X" ip route add 198.51.100.1/32 dev hb64
	nsx "$NS_X" ip route add 198.51.100.200/32 dev hb64
	kill -0 "$ND_PID" 2>/dev/null || die "nat64d ($mode) died: $(tail -3 "$WORK/nd-$mode.log")"
}
stop_pid() { # stop_pid PID: TERM, bounded wait, then KILL
	local p=$1
	[ -n "$p" ] || return 0
	kill "$p" 2>/dev/null || return 0
	for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}
stop_nd() {
	stop_pid "$ND_PID"
	ND_PID=
	nsx "$NS_X" ip link del hb64 2>/dev/null || true
}
nd_status() { # nd_status MODE: fresh status file (SIGUSR1), bounded wait
	local f=$WORK/status-$1
	rm -f "$f"
	kill -USR1 "$ND_PID" 2>/dev/null || return 1
	for _ in $(seq 40); do [ -s "$f" ] && return 0; sleep 0.05; done
	return 1
}
start_hod() {
	mkdir -p "$WORK/hstate" "$WORK/hlog"
	# shellcheck disable=SC2046
	ip netns exec "$NS_S" $(pin 2) "$HOD" -s "$WORK/hstate" -L "$WORK/hlog" >>"$WORK/hod.out" 2>>"$WORK/hod.err" &
	HOD_PID=$!
	for _ in $(seq 50); do
		nsx "$NS_S" ss -Hlun 2>/dev/null | grep -q ':6464 ' && break
		sleep 0.1
	done
	kill -0 "$HOD_PID" 2>/dev/null || die "nat64-handoffd died: $(tail -3 "$WORK/hod.err")"
}
stop_hod() {
	stop_pid "$HOD_PID"
	HOD_PID=
}
hod_counter() { # hod_counter NAME: sum of NAME over the server's status file (after USR1)
	[ -n "$HOD_PID" ] || { echo 0; return; }
	rm -f "$WORK/hstate/status"
	kill -USR1 "$HOD_PID" 2>/dev/null
	for _ in $(seq 40); do [ -s "$WORK/hstate/status" ] && break; sleep 0.05; done
	awk -v k="$1" '$1 == k { s += $2 } $1 == "channel" { for (i = 2; i < NF; i++) if ($i == k) s += $(i + 1) }
	    END { print s + 0 }' "$WORK/hstate/status" 2>/dev/null || echo 0
}

# Bring a freshly started nat64d to the state the mode measures: the path
# works and, for handoff, the server is "supported" in the status file.
warm() { # warm MODE
	local mode=$1 st
	new_src
	for _ in $(seq 40); do
		timeout 10 ip netns exec "$NS_C" "$CRR" lat -c $T6 -p 8080 -B "$SRC" -n 3 -b "$BYTES" -T 1000 \
			>"$WORK/warm.out" 2>&1 || true
		nd_status "$mode" || die "nat64d ($mode) wrote no status file"
		st=$(awk '$1 == "handoff_server" && $2 == "'$SRV4'" { print $3 }' "$WORK/status-$mode")
		case "$mode" in
		plain)   [ "$(kv ok "$(cat "$WORK/warm.out")")" = 3 ] && return 0 ;;
		handoff) [ "$st" = supported ] && [ "$(kv ok "$(cat "$WORK/warm.out")")" = 3 ] && return 0 ;;
		legacy)  [ -n "$st" ] && [ "$st" != supported ] && [ "$(kv ok "$(cat "$WORK/warm.out")")" = 3 ] && return 0 ;;
		esac
		sleep 0.2
	done
	die "warm-up of $mode failed (server state '${st:-none}'): $(cat "$WORK/warm.out")"
}

# ---------------------------------------------------------------- measurements
RATE_TSV=$WORK/rate.tsv
printf 'mode\trun\tconns\trate\tto\terr\tconn_med_us\tnd_cpu\thod_cpu\tnd_us_conn\thod_us_conn\tmiss_per_conn\tevicted\tstate\n' >"$RATE_TSV"

rate_run() { # rate_run MODE RUN
	local mode=$1 r=$2 out c0 c1 h0 h1 t0 t1 f0 f1 ev0 ev1 sr0 sr1 conns rate st cpu hcpu ndus hodus miss
	start_nd "$mode"
	warm "$mode"
	new_src "$SRCS"
	nd_status "$mode"
	f0=$(stat_of "$WORK/status-$mode" handoff_fwd6)
	ev0=$(hod_counter evicted)
	sr0=$(syn_retrans)
	c0=$(ticks "$ND_PID"); h0=$(ticks "$HOD_PID"); t0=$(now_s)
	out=$(timeout $((DUR + 20)) ip netns exec "$NS_C" "$CRR" rate -c $T6 -p 8080 -B "$SRC" -n "$CONC" \
		-t "$DUR" -b "$BYTES" 2>&1) || true
	c1=$(ticks "$ND_PID"); h1=$(ticks "$HOD_PID"); t1=$(now_s)
	sr1=$(syn_retrans)
	nd_status "$mode" || die "nat64d ($mode) wrote no status file after the rate run (died?): $(tail -3 "$WORK/nd-$mode.log")"
	cp "$WORK/status-$mode" "$WORK/status-$mode-rate-$r"
	f1=$(stat_of "$WORK/status-$mode" handoff_fwd6)
	ev1=$(hod_counter evicted)
	[ -n "$HOD_PID" ] && cp "$WORK/hstate/status" "$WORK/hod-status-rate-$r" 2>/dev/null
	st=$(awk '$1 == "handoff_server" && $2 == "'$SRV4'" { print $3 }' "$WORK/status-$mode")
	conns=$(kv conns "$out"); rate=$(kv rate "$out")
	[ -n "$conns" ] || { log "rate $mode run $r: tcp-crr failed: $out"; conns=0; rate=0; }
	read -r cpu hcpu ndus hodus miss < <(awk -v c="$((c1 - c0))" -v h="$((h1 - h0))" -v a="$t0" -v b="$t1" \
		-v hz="$TCK" -v n="$conns" -v f="$((f1 - f0))" 'BEGIN {
		d = b - a; printf "%.1f %.1f %.1f %.1f %.2f\n", 100 * c / hz / d, 100 * h / hz / d,
		    n ? 1e6 * c / hz / n : 0, n ? 1e6 * h / hz / n : 0, n ? f / n : 0 }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$r" "$conns" "$rate" \
		"$(kv timeouts "$out")" "$(( $(kvn errors "$out") + $(kvn refused "$out") + $(kvn reset "$out") ))" \
		"$(kv conn_med_us "$out")" "$cpu" "$hcpu" "$ndus" "$hodus" "$miss" "$((ev1 - ev0))" "${st:--}" >>"$RATE_TSV"
	echo "RESULT rate mode=$mode run=$r conns=$conns rate=$rate timeouts=$(kv timeouts "$out") errors=$(kv errors "$out") port_wraps=$(kv port_wraps "$out") refused=$(kv refused "$out") reset=$(kv reset "$out") conn_med_us=$(kv conn_med_us "$out") conn_p90_us=$(kv conn_p90_us "$out") nat64d_cpu_pct=$cpu handoffd_cpu_pct=$hcpu nat64d_us_per_conn=$ndus handoffd_us_per_conn=$hodus misses_per_conn=$miss server_evictions=$((ev1 - ev0)) client_syn_retrans=$((sr1 - sr0)) server_state=${st:--} bib_full=$(stat_of "$WORK/status-$mode" bib_full) ports_exhausted=$(stat_of "$WORK/status-$mode" ports_exhausted) sessions=$(stat_of "$WORK/status-$mode" sessions) nd_handoff_drops=$(ho_drops "$WORK/status-$mode") nd_held=$(stat_of "$WORK/status-$mode" handoff_held)"
	stop_nd
}

# pct_of FILE P: P-th percentile (nearest rank) of the numbers in FILE
pct_of() { sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END { if (!NR) { print "NA"; exit }
	i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; print v[i] }'; }

LAT_TSV=$WORK/lat.tsv
printf 'phase\tmode\tok\tconn_med_us\tconn_p90_us\tconn_min_us\txchg_med_us\n' >"$LAT_TSV"
RTT_TSV=$WORK/rtt.tsv
printf 'phase\tping_med_us\tping_p90_us\tudp_med_us\tudp_p90_us\n' >"$RTT_TSV"

rtt_probe() { # rtt_probe PHASE: gateway <-> server4 round trips
	local ph=$1 out
	nsx "$NS_X" ping -n -c "$PING_N" -i 0.01 -W 2 $SRV4 2>/dev/null |
		sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | awk '{ printf "%.0f\n", $1 * 1000 }' >"$WORK/ping-$ph.txt" || true
	out=$(timeout 30 ip netns exec "$NS_X" "$CRR" udp -c $SRV4 -p 7777 -n "$PING_N" -i 10 -T 1000 2>&1) || true
	printf '%s\t%s\t%s\t%s\t%s\n' "$ph" "$(pct_of "$WORK/ping-$ph.txt" 50)" "$(pct_of "$WORK/ping-$ph.txt" 90)" \
		"$(kv med_us "$out")" "$(kv p90_us "$out")" >>"$RTT_TSV"
	echo "RESULT rtt phase=$ph gw_server_ping_med_us=$(pct_of "$WORK/ping-$ph.txt" 50) ping_p90_us=$(pct_of "$WORK/ping-$ph.txt" 90) ping_n=$(wc -l <"$WORK/ping-$ph.txt") gw_server_udp_med_us=$(kv med_us "$out") udp_p90_us=$(kv p90_us "$out") udp_ok=$(kv ok "$out")"
}

lat_run() { # lat_run PHASE MODE
	local ph=$1 mode=$2 out
	[ "$mode" = handoff ] && start_hod
	start_nd "$mode"
	warm "$mode"
	new_src
	out=$(timeout 120 ip netns exec "$NS_C" "$CRR" lat -c $T6 -p 8080 -B "$SRC" -n "$LAT_N" -b "$BYTES" \
		-i "$LAT_GAP_MS" -T 3000 2>&1) || true
	nd_status "$mode" || die "nat64d ($mode) wrote no status file after the latency run (died?): $(tail -3 "$WORK/nd-$mode.log")"
	cp "$WORK/status-$mode" "$WORK/status-$mode-lat-$ph"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ph" "$mode" "$(kv ok "$out")" "$(kv conn_med_us "$out")" \
		"$(kv conn_p90_us "$out")" "$(kv conn_min_us "$out")" "$(kv xchg_med_us "$out")" >>"$LAT_TSV"
	echo "RESULT lat phase=$ph mode=$mode n=$(kv n "$out") ok=$(kv ok "$out") conn_min_us=$(kv conn_min_us "$out") conn_med_us=$(kv conn_med_us "$out") conn_p90_us=$(kv conn_p90_us "$out") conn_p99_us=$(kv conn_p99_us "$out") xchg_med_us=$(kv xchg_med_us "$out") misses=$(stat_of "$WORK/status-$mode" handoff_fwd6)"
	stop_nd
	[ "$mode" = handoff ] && stop_hod
	return 0
}

delay_on() {
	nsx "$NS_D" "$DLY" -i dly -d "$DELAY_US" >"$WORK/delay.out" 2>"$WORK/delay.err" &
	DLY_PID=$!
	for _ in $(seq 50); do grep -q READY "$WORK/delay.out" 2>/dev/null && break; sleep 0.1; done
	grep -q READY "$WORK/delay.out" || die "delay-line did not start: $(cat "$WORK/delay.err")"
	nsx "$NS_D" sysctl -qw net.ipv4.conf.dly.rp_filter=0
	nsx "$NS_D" ip link set dly up
	nsx "$NS_D" ip route add default dev dly table 100
	nsx "$NS_D" ip rule add iif d1 lookup 100 pref 100
	nsx "$NS_D" ip rule add iif d2 lookup 100 pref 101
}

{
	echo "date: $(date -Is)  kernel: $(uname -r)  cpus: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo ?)$(git diff --quiet HEAD -- nat64d handoffd lib 2>/dev/null || echo ' (+ uncommitted changes in nat64d/handoffd/lib)')"
	echo "binaries: $BUILD/nat64d $(date -r "$ND" +%FT%T) $BUILD/nat64-handoffd $(date -r "$HOD" +%FT%T)"
	echo "params: RUNS=$RUNS DUR=$DUR CONC=$CONC BYTES=$BYTES SRCS=$SRCS TRANS_TO=$TRANS_TO LAT_N=$LAT_N PING_N=$PING_N DELAY_US=$DELAY_US CPUS='${CPUS}' MODES='$MODES'"
} | tee "$WORK/env.txt"

# 1. rates
for r in $(seq 1 "$RUNS"); do
	for m in $MODES; do
		log "rate run $r/$RUNS: $m"
		[ "$m" = handoff ] && start_hod
		rate_run "$m" "$r"
		[ "$m" = handoff ] && stop_hod
	done
done

# 2. latency, native then delayed
PHASES=native
[ "$DELAY_US" -gt 0 ] && PHASES="native delayed"
for ph in $PHASES; do
	[ "$ph" = delayed ] && delay_on
	log "latency ($ph)"
	rtt_probe "$ph"
	for m in $MODES; do lat_run "$ph" "$m"; done
	rtt_probe "$ph-after"
done

# ---------------------------------------------------------------- summary
echo
echo "== connection rate, per run"
column -t -s $'\t' "$RATE_TSV"
echo
echo "== first-packet latency (connect() time, µs) and gateway<->server4 RTT"
column -t -s $'\t' "$LAT_TSV"
column -t -s $'\t' "$RTT_TSV"
echo
awk -F'\t' -v modes="$MODES" '
function med(a, n,   i, j, t) {	# median of a[1..n]
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return n ? (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2) : 0
}
FNR == 1 { next }
{ n[$1]++; k = n[$1]; R[$1, k] = $4; C[$1, k] = $8; H[$1, k] = $9; U[$1, k] = $10; V[$1, k] = $11; M[$1, k] = $12 }
END {
	nm = split(modes, ms, " ")
	printf "== connection rate, medians of %d runs\n", n["plain"] ? n["plain"] : n[ms[1]]
	printf "%-9s %10s %9s %11s %13s %11s %13s %11s\n", "mode", "conns/s", "/plain", "nat64d %", "nat64d us/c", "handoffd %", "handoffd us/c", "miss/conn"
	for (i = 1; i <= nm; i++) {
		m = ms[i]; if (!n[m]) continue
		for (k = 1; k <= n[m]; k++) { a[k] = R[m, k] } r[m] = med(a, n[m])
	}
	for (i = 1; i <= nm; i++) {
		m = ms[i]; if (!n[m]) continue
		for (k = 1; k <= n[m]; k++) { a[k] = C[m, k] } c = med(a, n[m])
		for (k = 1; k <= n[m]; k++) { a[k] = U[m, k] } u = med(a, n[m])
		for (k = 1; k <= n[m]; k++) { a[k] = H[m, k] } h = med(a, n[m])
		for (k = 1; k <= n[m]; k++) { a[k] = V[m, k] } v = med(a, n[m])
		for (k = 1; k <= n[m]; k++) { a[k] = M[m, k] } x = med(a, n[m])
		ratio = r["plain"] ? sprintf("%.2f", r[m] / r["plain"]) : "n/a"
		printf "%-9s %10.0f %9s %11.1f %13.1f %11.1f %13.1f %11.2f\n", m, r[m], ratio, c, u, h, v, x
		res = res sprintf("RESULT rate_median mode=%s conns_per_s=%.0f ratio_to_plain=%s nat64d_cpu_pct=%.1f nat64d_us_per_conn=%.1f handoffd_cpu_pct=%.1f handoffd_us_per_conn=%.1f misses_per_conn=%.2f\n", m, r[m], ratio, c, u, h, v, x)
	}
	printf "%s", res
}' "$RATE_TSV"
echo
awk -F'\t' '
FILENAME ~ /rtt/ && FNR > 1 { if ($1 !~ /-after$/) { P[$1] = $2; U[$1] = $4 } else { P2[$1] = $2; U2[$1] = $4 } }
FILENAME ~ /lat/ && FNR > 1 { L[$1, $2] = $4; L9[$1, $2] = $5; ph[$1] = 1 }
END {
	split("plain handoff legacy", M, " ")
	print "== extra first-packet latency of a handoff cache miss (medians)"
	printf "%-8s %9s %9s %9s %9s %10s %10s %12s %11s\n", "phase", "plain", "handoff", "legacy", "extra", "ping RTT", "UDP RTT", "extra/ping", "extra/UDP"
	np = split("native delayed", PH, " ")
	for (i = 1; i <= np; i++) {
		p = PH[i]; if (!(p in ph)) continue
		e = (L[p, "handoff"] != "" && L[p, "plain"] != "") ? L[p, "handoff"] - L[p, "plain"] : "n/a"
		pg = (P[p] + P2[p "-after"]) / 2; ud = (U[p] + U2[p "-after"]) / 2
		for (m in M) if (L[p, M[m]] == "") L[p, M[m]] = "-"
		printf "%-8s %9s %9s %9s %9s %10.0f %10.0f %12s %11s\n", p, L[p, "plain"], L[p, "handoff"], L[p, "legacy"], e, pg, ud,
		    pg && e != "n/a" ? sprintf("%.2f", e / pg) : "n/a", ud && e != "n/a" ? sprintf("%.2f", e / ud) : "n/a"
		res = res sprintf("RESULT extra phase=%s plain_conn_med_us=%s handoff_conn_med_us=%s legacy_conn_med_us=%s plain_p90_us=%s handoff_p90_us=%s extra_med_us=%s gw_server_ping_us=%.0f gw_server_udp_us=%.0f extra_over_ping=%s extra_over_udp=%s\n",
		    p, L[p, "plain"], L[p, "handoff"], L[p, "legacy"], L9[p, "plain"], L9[p, "handoff"], e, pg, ud,
		    pg && e != "n/a" ? sprintf("%.2f", e / pg) : "n/a", ud && e != "n/a" ? sprintf("%.2f", e / ud) : "n/a")
	}
	printf "%s", res
}' "$RTT_TSV" "$LAT_TSV"
