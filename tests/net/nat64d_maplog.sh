#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64d's mapping log follows log rotation at every SIGHUP: UDP from new
# client ports (one BIB entry each, one Created line each) in batches, with
# a logrotate-style `mv` and a SIGHUP between batches, three times. Every
# line is in the file that was current when its batch ran: none lost, none
# written to a rotated file after the SIGHUP that followed the move.
set -u
cd "$(dirname "$0")/../.."
BIN=$PWD/${BUILD:-build}/nat64d
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespace, TUN)"; exit 77; }
[ -e /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
[ -x "$BIN" ] || { echo "FAIL: $BIN not built"; exit 1; }

NS=nk-ml-$$
T=$(mktemp -d /tmp/nk-ml.XXXXXX)
PID=
cleanup() {
	local rc=$?
	[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	[ $rc -ne 0 ] && { echo "--- nat64d log"; tail -n 20 "$T/nat64d.err"; }
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*"; exit 1; }
nsx() { ip netns exec "$NS" "$@"; }

ip netns add "$NS" || fail "cannot create namespace $NS"
nsx ip link set lo up
nsx ip -6 addr add 2001:db8:1::2/128 dev lo nodad
MAP=$T/mapping.log
cat >"$T/nat64d.conf" <<CONF
tun-device nk64ml
control-socket none
prefix 64:ff9b::/96
pool4 198.51.100.0/30
mapping-log $MAP
CONF
ip netns exec "$NS" "$BIN" -d -f "$T/nat64d.conf" 2>"$T/nat64d.err" &
PID=$!
for i in $(seq 100); do nsx ip link show nk64ml >/dev/null 2>&1 && break; sleep 0.05; done
nsx ip link set nk64ml up || fail "no TUN device"
nsx ip -6 route add 64:ff9b::/96 dev nk64ml
nsx ip route add 198.51.100.0/30 dev nk64ml

# batch FIRST COUNT: UDP from 2001:db8:1::2 ports FIRST.. to 192.0.2.9:9
# through the NAT64; waits until COUNT more Created lines are in FILE.
batch() {
	nsx python3 - "$1" "$2" <<'PY'
import socket, sys
first, n = int(sys.argv[1]), int(sys.argv[2])
for p in range(first, first + n):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind(("2001:db8:1::2", p))
    s.sendto(b"x", ("64:ff9b::c000:209", 9))
    s.close()
PY
}
count() { if [ -f "$1" ]; then awk '/ Created udp / { n++ } END { print n + 0 }' "$1"; else echo 0; fi; }
wait_count() {	# FILE N
	local i
	for i in $(seq 100); do [ "$(count "$1")" -ge "$2" ] && return 0; sleep 0.05; done
	return 1
}

N=50
batch 30000 $N
wait_count "$MAP" $N || fail "batch 1: $(count "$MAP") of $N lines"
for r in 1 2 3; do
	mv "$MAP" "$MAP.$r"
	kill -HUP $PID
	for i in $(seq 100); do [ -f "$MAP" ] && break; sleep 0.05; done
	[ -f "$MAP" ] || fail "SIGHUP $r: mapping log not reopened"
	batch $((30000 + r * 1000)) $N
	wait_count "$MAP" $N || fail "after SIGHUP $r: $(count "$MAP") of $N lines in the new file"
	sleep 0.2
	echo "after SIGHUP $r: new file $(count "$MAP") lines, rotated file $(count "$MAP.$r")"
	[ "$(count "$MAP.$r")" = $N ] || fail "SIGHUP $r: rotated file has $(count "$MAP.$r") lines, want $N"
	[ "$(count "$MAP")" = $N ] || fail "SIGHUP $r: new file has $(count "$MAP") lines, want $N"
done
total=$(cat "$MAP" "$MAP".* | grep -c " Created udp ")
echo "lines in all files: $total of $((4 * N))"
[ "$total" = $((4 * N)) ] || fail "lines lost or duplicated"
grep -q "mapping log:" "$T/nat64d.err" && fail "reopen errors: $(grep 'mapping log:' "$T/nat64d.err")"
kill -TERM $PID
wait $PID
rc=$?
PID=
[ $rc -eq 0 ] || fail "nat64d exit $rc after SIGTERM"
echo "PASS"
