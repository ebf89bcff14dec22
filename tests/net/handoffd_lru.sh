#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# "Least recently used" means used: an entry touched again by an IPv6 packet
# from its client, or by an IPv4 packet to its port, moves behind the others
# and is not the next one evicted. 16-entry table, one NAT64.
. "$(dirname "$0")/handoffd_common.inc"

start_server -L "$LOGDIR" -t 16
AUDIT=$LOGDIR/nat64-handoff.log
N=127.0.0.2
out=$(sim -a $N -C 40002 -c 16 --udp --record "$T/rec" -e entries=16) || fail "fill: $out"
grep ' 2001:db8:0:2:: 20000$' "$T/rec" >"$T/c0"
grep ' 2001:db8:0:2::1 20000$' "$T/rec" >"$T/c1"
grep ' 2001:db8:0:2::2 20000$' "$T/rec" >"$T/c2"
P2=$(awk '{print $2}' "$T/c2")

# Touch client 0 with an IPv6 packet, client 1 with an IPv4 packet to its port.
out=$(sim -a $N -C 40002 -c 1 --udp --verify "$T/c0" --repeat --no-probe -e answers_ok=1) || fail "touch 0: $out"
out=$(sim -a $N -C 40002 -c 2 --udp --verify "$T/c1" --lookups --no-probe -e lookups_ok=1) || fail "touch 1: $out"
# One more client: the LRU is now client 2.
out=$(sim -a $N -C 40002 -c 1 --client-base 100 --udp --record "$T/new" -e entries=1) || fail "new client: $out"
tail -n 2 "$AUDIT"
tail -n 2 "$AUDIT" | head -n 1 | grep -q " Deleted $N:[0-9]* \[2001:db8:0:2::\]:20000\$" &&
    fail "client 0 evicted although an IPv6 packet just used its entry"
tail -n 2 "$AUDIT" | head -n 1 | grep -q " Deleted $N:[0-9]* \[2001:db8:0:2::1\]:20000\$" &&
    fail "client 1 evicted although an IPv4 packet just used its entry (lookups do not refresh LRU)"
tail -n 2 "$AUDIT" | head -n 1 | grep -Eq " Deleted $N:$P2 \[2001:db8:0:2::2\]:20000\$" ||
    fail "expected client 2 (the least recently used) to be evicted"
check_audit_format "$AUDIT"
alive || fail "server died"
echo "PASS"
