#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# scripts/demo.sh — the whole system on built-in defaults, in three network
# namespaces made (and removed) here:
#
#   [client6] 2001:db8:1::2 ==veth== [gateway] nat64d on a TUN ==veth== [server4] 192.0.2.2
#                                    64:ff9b::/96, pool 198.51.100.1     nat64-handoffd + HTTP
#
# nat64d speaks NAT64 handoff (handoff yes); server4 runs nat64-handoffd
# and a tiny HTTP server. The client makes a few HTTP requests and pings
# the server; then the demo prints nat64-handoffd's audit log (the client's
# real IPv6 address and port for every connection), asks nat64-handoffctl
# who is behind the first connection's NAT64 port (control socket and audit
# log), and the handoff lines of nat64d's status. Needs root (namespaces, TUN); run it after `make`.
# Without root it runs scripts/demo-sim.sh (simulated NAT64s) instead.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ND=$PWD/$BUILD/nat64d
NDCTL=$PWD/$BUILD/nat64ctl
HO=$PWD/$BUILD/nat64-handoffd
CTL=$PWD/$BUILD/nat64-handoffctl

if [ "$(id -u)" != 0 ]; then
	echo "demo: not root, so no namespaces or TUN: running the simulator demo (scripts/demo-sim.sh)."
	echo "demo: for the real system (nat64d + nat64-handoffd + curl + ping6): sudo $0"
	exec ./scripts/demo-sim.sh
fi
for b in "$ND" "$HO"; do
	[ -x "$b" ] || { echo "demo: $b not built; run make first" >&2; exit 1; }
done
for t in ip curl ping python3 ss; do
	command -v "$t" >/dev/null || { echo "demo: $t missing; run ./scripts/deps.sh" >&2; exit 1; }
done
[ -e /dev/net/tun ] || { echo "demo: no /dev/net/tun" >&2; exit 1; }

TAG=nk-demo-$$
NS_C=$TAG-client6 NS_X=$TAG-gateway NS_S=$TAG-server4
T=$(mktemp -d /tmp/nat64kit-demo.XXXXXX)
NSES=()
PIDS=()
cleanup() {
	set +e
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	sleep 0.2
	for ns in "${NSES[@]:-}"; do
		[ -n "$ns" ] || continue
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	done
	wait 2>/dev/null
	for ns in "${NSES[@]:-}"; do [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n==> %s\n' "$*"; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
wait_for() {	# wait_for SECS CMD...: poll every 0.1 s
	local i n=$(($1 * 10)); shift
	for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.1; done
	return 1
}

say "namespaces $NS_C, $NS_X, $NS_S"
for ns in "$NS_C" "$NS_X" "$NS_S"; do ip netns add "$ns"; NSES+=("$ns"); nsx "$ns" ip link set lo up; done
ip link add c6 netns "$NS_C" type veth peer name x6 netns "$NS_X"
ip link add x4 netns "$NS_X" type veth peer name s4 netns "$NS_S"
nsx "$NS_C" ip -6 addr add 2001:db8:1::2/64 dev c6 nodad
nsx "$NS_C" ip link set c6 up
nsx "$NS_C" ip -6 route add default via 2001:db8:1::1
nsx "$NS_X" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
nsx "$NS_X" ip -6 addr add 2001:db8:1::1/64 dev x6 nodad
nsx "$NS_X" ip addr add 192.0.2.1/24 dev x4
nsx "$NS_X" ip link set x6 up
nsx "$NS_X" ip link set x4 up
nsx "$NS_S" ip addr add 192.0.2.2/24 dev s4
nsx "$NS_S" ip link set s4 up
nsx "$NS_S" ip route add 198.51.100.0/24 via 192.0.2.1

say "server4: nat64-handoffd (UDP 6464, state $T/ho-state, audit log $T/ho-log) and an HTTP server on port 80"
ip netns exec "$NS_S" "$HO" -s "$T/ho-state" -L "$T/ho-log" -c "$T/control" 2>"$T/ho.err" &
HO_PID=$!
PIDS+=("$HO_PID")
mkdir "$T/www"
echo "Hello from server4 (IPv4 only), through NAT64 handoff." >"$T/www/index.html"
ip netns exec "$NS_S" python3 -m http.server 80 --bind 192.0.2.2 -d "$T/www" >"$T/http.log" 2>&1 &
PIDS+=("$!")

say "gateway: nat64d with handoff on (defaults otherwise; state $T/nd-state)"
mkdir "$T/nd-state"
cat >"$T/nat64d.conf" <<EOF
tun-device nkdemo$$
control-socket $T/nd-control
prefix 64:ff9b::/96
pool4 198.51.100.1/32
ipv4-addr 198.51.100.200
handoff yes
state-dir $T/nd-state
status-file $T/nd.status
EOF
sed 's/^/    /' "$T/nat64d.conf"
ip netns exec "$NS_X" "$ND" -d -f "$T/nat64d.conf" 2>"$T/nd.err" &
ND_PID=$!
PIDS+=("$ND_PID")
wait_for 10 nsx "$NS_X" ip link show "nkdemo$$" >/dev/null 2>&1 ||
	{ cat "$T/nd.err"; echo "demo: nat64d did not start" >&2; exit 1; }
nsx "$NS_X" ip link set "nkdemo$$" up
nsx "$NS_X" ip -6 route add 64:ff9b::/96 dev "nkdemo$$"
nsx "$NS_X" ip route add 198.51.100.1/32 dev "nkdemo$$"
nsx "$NS_X" ip route add 198.51.100.200/32 dev "nkdemo$$"
wait_for 10 eval 'nsx "$NS_S" ss -Hltn "sport = :80" | grep -q :80' || { echo "demo: HTTP server did not start" >&2; exit 1; }
wait_for 10 eval 'nsx "$NS_S" ss -Hlun "sport = :6464" | grep -q :6464' ||
	{ cat "$T/ho.err"; echo "demo: nat64-handoffd did not start" >&2; exit 1; }

say "client6: curl http://[64:ff9b::192.0.2.2]/ three times (client ports 40001-40003)"
for p in 40001 40002 40003; do
	out=$(nsx "$NS_C" curl -sS -g --max-time 10 --local-port $p "http://[64:ff9b::192.0.2.2]/" 2>&1) || true
	echo "    [2001:db8:1::2]:$p -> $out"
done

say "client6: ping6 64:ff9b::192.0.2.2 (answered by nat64-handoffd over the control channel)"
nsx "$NS_C" ping -6 -n -c 3 -i 0.3 -W 2 64:ff9b::192.0.2.2 | sed -n 's/^/    /; /bytes from\|received/p' || true

AUDIT=$T/ho-log/nat64-handoff.log
wait_for 5 grep -q ']:40003$' "$AUDIT" || true
say "server4's view: nat64-handoffd's audit log (the clients' real IPv6 addresses)"
sed 's/^/    /' "$AUDIT" 2>/dev/null || echo "    (empty)"
echo "    (Initialized: nat64d passed the token check; Created: NAT64 address:port <-> [client]:port)"
say "server4: nat64-handoffd --status (after SIGUSR1), a few lines"
rm -f "$T/ho-state/status"
kill -USR1 "$HO_PID"
wait_for 5 test -s "$T/ho-state/status" || true
"$HO" --status -s "$T/ho-state" | grep -E '^(validated|entries_created|entries_adopted|echo_replies|channel) ' |
	sed 's/^/    /' || true
say "server4's HTTP log sees only the NAT64 address"
sed 's/^/    /' "$T/http.log"
if [ -x "$CTL" ]; then
	p1=$(sed -n 's/.* Created 198\.51\.100\.1:\([0-9]*\) \[2001:db8:1::2\]:40001$/\1/p' "$AUDIT" | tail -n 1)
	say "server4: who is behind 198.51.100.1:${p1:-?}? nat64-handoffctl lookup (control socket) and whois (audit log)"
	"$CTL" -c "$T/control" -L "$T/ho-log" -s "$T/ho-state" lookup "198.51.100.1:$p1" | sed 's/^/    /' || true
	"$CTL" -c "$T/control" -L "$T/ho-log" -s "$T/ho-state" whois "198.51.100.1:$p1" \
	    --at "@$(date +%s)" | sed 's/^/    /' || true
fi

if [ -x "$NDCTL" ] && [ -n "${p1:-}" ]; then
	say "gateway: the same port from nat64d's side: nat64ctl lookup and servers (its control socket)"
	"$NDCTL" -c "$T/nd-control" lookup "198.51.100.1:$p1" | sed 's/^/    /' || true
	"$NDCTL" -c "$T/nd-control" servers | sed 's/^/    /' || true
fi

say "gateway: nat64d's handoff status (SIGUSR1 -> $T/nd.status; counters that are 0 not shown)"
rm -f "$T/nd.status"
kill -USR1 "$ND_PID"
wait_for 5 test -s "$T/nd.status" || true
grep '^handoff' "$T/nd.status" | grep -v ' 0$' | sed 's/^/    /' || true

say "done: removing the namespaces and $T"
