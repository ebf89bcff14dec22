#!/bin/sh
# scripts/demo-sim.sh — the simulator demo (scripts/demo.sh runs the real
# system with nat64d): nat64-handoffd on a
# private loopback with a temporary state and log directory, handoff-sim
# playing three NAT64s with a few IPv6 clients each, then the audit log
# (Initialized / Created, and Deleted + Created from evictions: the demo
# uses 16-entry tables) and the server's status. Needs no arguments; run it
# after `make` (as root on Debian 12; as another user it tries an
# unprivileged user+network namespace). Everything is removed at the end.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SRV=$PWD/$BUILD/nat64-handoffd
SIM=$PWD/$BUILD/handoff-sim

if [ "${1:-}" != "--inner" ]; then
	for b in "$SRV" "$SIM"; do
		[ -x "$b" ] || { echo "demo: $b not built; run make first" >&2; exit 1; }
	done
	# A network namespace of our own: its loopback is private, so the
	# handoff port and the NAT64s' UDP port 9 collide with nothing.
	if [ "$(id -u)" = 0 ]; then
		exec unshare -n "$0" --inner
	fi
	exec unshare -rn "$0" --inner
fi

ip link set lo up
T=$(mktemp -d /tmp/nat64kit-demo.XXXXXX)
SRV_PID=
cleanup() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

say() { printf '\n==> %s\n' "$*"; }

say "nat64-handoffd on 127.0.0.1:6464 (tables of 16 entries), state $T/state, audit log $T/log"
"$SRV" -p 6464 -l 127.0.0.1 -s "$T/state" -L "$T/log" -t 16 &
SRV_PID=$!
i=0
while [ ! -f "$T/state/status" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done

say "handoff-sim: 3 NAT64s (127.0.0.2-4), 4 clients x 2 connections each: validation by the
    port-9 bounce, TCP SYN/UDP packets, IPv4 lookups by port, repeats, ICMPv6 echo"
"$SIM" -s 127.0.0.1 -p 6464 -a 127.0.0.2 -N 3 -C 40000 -c 4 -k 2 --lookups --repeat --echo 2 --phases

say "12 more clients behind 127.0.0.2: its 16-entry table is full, the least recently used go"
"$SIM" -s 127.0.0.1 -p 6464 -a 127.0.0.2 -C 40000 -c 12 --client-base 100

say "audit log $T/log/nat64-handoff.log (UTC; one event per line, the original server's format)"
cat "$T/log/nat64-handoff.log"

say "status (nat64-handoffd --status)"
kill -USR1 "$SRV_PID"
sleep 0.3
"$SRV" --status -s "$T/state" | awk 'NF != 2 || $2 != "0"'
echo "(counters that are 0 not shown)"

kill "$SRV_PID"
wait "$SRV_PID" 2>/dev/null || true
SRV_PID=
say "done: server stopped, $T removed"
