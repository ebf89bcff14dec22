#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# A table filled to its full 64508 entries (the default size), then one more
# client: the least recently used entry is logged "Deleted" and its port is
# reused at once in the "Created" line that follows. Then, with a live local
# TCP connection on the next LRU entry's port, the eviction skips that entry
# and takes the one after it (sock_diag preference).
. "$(dirname "$0")/handoffd_common.inc"
command -v socat >/dev/null || { echo "SKIP: socat not installed"; exit 77; }
command -v ss >/dev/null || { echo "SKIP: ss (iproute2) not installed"; exit 77; }

FULL=64508
start_server -L "$LOGDIR"
AUDIT=$LOGDIR/nat64-handoff.log
N=127.0.0.2

out=$(sim -a $N -C 40002 -c $FULL --udp -w 256 -T 2s --record "$T/rec1" -e entries=$FULL)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "filling the table"
fresh_status
grep "^channel $N " "$STATE/status"
[ "$(chan_entries $N)" = $FULL ] || fail "channel holds $(chan_entries $N) entries, want $FULL"
grep -q "^channel $N .* capacity $FULL " "$STATE/status" || fail "capacity is not $FULL by default"
[ "$(grep -c " Created $N:" "$AUDIT")" = $FULL ] || fail "want $FULL Created lines"
[ "$(grep -c ' Deleted ' "$AUDIT")" = 0 ] || fail "Deleted lines before the table was full"
# Every port distinct, none forbidden.
[ "$(awk '{print $2}' "$T/rec1" | sort -u | wc -l)" = $FULL ] || fail "mapped ports not distinct"
awk '$2 < 1024 || $2 == 3544 || $2 == 6464 || $2 == 40002 { bad = 1 } END { exit bad }' "$T/rec1" ||
    fail "a forbidden mapped port was handed out"

port_of() {	# port_of CLIENT: the port client (cport 20000) got in rec1
	awk -v c="$1" '$3 == c && $4 == 20000 { p = $2 } END { print p }' "$T/rec1"
}
P0=$(port_of 2001:db8:0:2::)
P1=$(port_of 2001:db8:0:2::1)
P2=$(port_of 2001:db8:0:2::2)
[ -n "$P0" ] && [ -n "$P1" ] && [ -n "$P2" ] || fail "first clients missing from the record"

# One more client: the LRU (client 0, answered first) goes, its port is reused.
out=$(sim -a $N -C 40002 -c 1 --client-base $FULL --udp --record "$T/rec2" -e entries=1 -e validations=0)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "the extra client was not answered"
got=$(awk '{print $2}' "$T/rec2")
tail -n 2 "$AUDIT"
[ "$got" = "$P0" ] || fail "new client got port $got, the LRU entry's port was $P0"
tail -n 2 "$AUDIT" | head -n 1 | grep -Eq " Deleted $N:$P0 \[2001:db8:0:2::\]:20000\$" ||
    fail "second-to-last line is not the LRU entry's Deleted"
tail -n 1 "$AUDIT" | grep -Eq " Created $N:$P0 \[2001:db8:0:2::fbfc\]:20000\$" ||
    fail "last line is not the Created reusing port $P0"
fresh_status
[ "$(chan_entries $N)" = $FULL ] || fail "table no longer full: $(chan_entries $N)"

# A live TCP connection between the server address and N:P1 (client 1, now LRU).
nsx socat -u TCP-LISTEN:8080,bind=$SERVER,reuseaddr OPEN:/dev/null 2>/dev/null &
LPID=$!
sleep 0.3
nsx socat -u EXEC:"sleep 120" TCP:$SERVER:8080,bind=$N:$P1 2>/dev/null &
CPID=$!
for i in $(seq 50); do
	nsx ss -Htn state established "( dport = :$P1 )" | grep -q . && break
	sleep 0.1
done
nsx ss -Htn state established "( dport = :$P1 )" | grep -q . || fail "could not set up the live TCP connection"
# The server caches its sock_diag answer per channel for CHAN_LIVE_TTL_MS
# (1 s, handoffd/ho_channel.h); the previous eviction filled that cache.
sleep 1.2
out=$(sim -a $N -C 40002 -c 1 --client-base $((FULL + 1)) --udp --record "$T/rec3" -e entries=1 -e validations=0)
rc=$?
kill $CPID $LPID 2>/dev/null
echo "$out"
[ $rc -eq 0 ] || fail "the second extra client was not answered"
got=$(awk '{print $2}' "$T/rec3")
tail -n 2 "$AUDIT"
[ "$got" != "$P1" ] || fail "evicted client 1 although port $P1 has a live TCP connection"
[ "$got" = "$P2" ] || fail "expected the next LRU entry's port $P2, got $got"
tail -n 2 "$AUDIT" | head -n 1 | grep -Eq " Deleted $N:$P2 \[2001:db8:0:2::2\]:20000\$" ||
    fail "second-to-last line is not client 2's Deleted"
tail -n 1 "$AUDIT" | grep -Eq " Created $N:$P2 \[2001:db8:0:2::fbfd\]:20000\$" ||
    fail "last line is not the Created reusing port $P2"

# Client 1 is still there and keeps its port.
printf '%s\n' "$(grep ' 2001:db8:0:2::1 20000$' "$T/rec1")" >"$T/rec4"
out=$(sim -a $N -C 40002 -c 2 --udp --verify "$T/rec4" --lookups --repeat -e lookups_ok=1 -e validations=0)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "client 1 (live TCP) lost its entry"

check_audit_format "$AUDIT"
alive || fail "server died"
echo "PASS"
