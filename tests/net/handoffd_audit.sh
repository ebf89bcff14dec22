#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# Every audit line, over a mixed run (several NAT64s, evictions in a small
# table, adopted single and §7 entries, entries that take over ports, echo,
# misses, ICMP errors, --localtime), matches the original nat64handoff server's format; Deleted and
# Created of a reused port come in that order; conflicting adopted entries
# win (the newest claim) and their lookups answer the adopting client; an
# adopted entry giving a known client another port moves it.
. "$(dirname "$0")/handoffd_common.inc"

start_server -L "$LOGDIR" -t 16 --localtime
AUDIT=$LOGDIR/nat64-handoff.log
out=$(sim -a 127.0.0.2 -N 3 -C 40002 -c 6 -k 2 --lookups --repeat --misses 4 --icmp4 2 --echo 3 \
    -e entries=36 -e lookups_ok=36 -e returned=12 -e icmp_errors=6 -e echo_ok=9)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "mixed run"
# 16-entry tables and 12 connections per NAT64: nothing evicted yet.
[ "$(grep -c ' Deleted ' "$AUDIT")" = 0 ] || fail "Deleted before the table was full"

# Adopted entries on the ports of this run's connections: newest wins.
out=$(sim -a 127.0.0.5 -C 40005 -c 4 -k 2 --adopt 2 --adopt-multi 2 --adopt-conflict \
    -e entries=8 -e adopted=4 -e lookups_ok=4)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "adopted entries did not take over the ports"
for c in '2001:db8:1:5::' '2001:db8:1:5::1'; do
	for cp in 20000 20001; do
		line=$(grep -n " Created 127.0.0.5:[0-9]* \[$c\]:$cp\$" "$AUDIT" | tail -n 1)
		[ -n "$line" ] || fail "no Created for adopted [$c]:$cp"
		ln=${line%%:*}
		port=$(printf '%s\n' "$line" | sed -n 's/.* Created 127\.0\.0\.5:\([0-9]*\) .*/\1/p')
		prev=$(sed -n "$((ln - 1))p" "$AUDIT")
		printf '%s\n' "$prev" | grep -Eq " Deleted 127\.0\.0\.5:$port \[2001:db8:0:5::1?\]:2000[01]\$" ||
		    fail "adopted [$c]:$cp on port $port not preceded by the old owner's Deleted: $prev"
	done
done

# Adopted entries giving this run's clients new ports: the client moves
# (Deleted on its old port, then Created on the new one), lookups follow.
out=$(sim -a 127.0.0.6 -C 40006 -c 3 -k 2 --adopt 2 --adopt-multi 2 --adopt-move --record "$T/rec6" \
    -e entries=6 -e adopted=4 -e lookups_ok=4)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "adopted entries did not move the clients"
moved=$(awk '/ Deleted 127\.0\.0\.6:/ { split($4, a, ":"); old = a[2]; c = $5; next }
    c != "" { split($4, b, ":"); if ($3 == "Created" && $5 == c && b[2] != old) n++; c = "" }
    END { print n + 0 }' "$AUDIT")
[ "$moved" = 4 ] || fail "want 4 Deleted+Created moves of the same client to a new port, got $moved"

# Eviction in the 16-entry tables: 30 more clients on one NAT64.
out=$(sim -a 127.0.0.2 -C 40002 -c 30 --client-base 100 -e entries=30 -e validations=0)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "clients beyond the table size"
del=$(grep -c ' Deleted 127.0.0.2:' "$AUDIT")
[ "$del" -ge 26 ] || fail "expected >= 26 evictions on 127.0.0.2, got $del"
# Each Deleted is followed by the Created that caused it: the same
# NAT64:port (eviction, port taken over) or the same client (moved).
awk '/ Deleted / { want = $4; cl = $5; next }
     want != "" { if ($3 != "Created" || ($4 != want && $5 != cl)) { print "after Deleted " want " " cl ": " $0; bad = 1 } want = "" }
     END { exit bad }' "$AUDIT" || fail "a Deleted not followed by the Created that caused it"
fresh_status
grep '^channel ' "$STATE/status"
for n in 127.0.0.2 127.0.0.3 127.0.0.4; do
	[ "$(chan_entries $n)" -le 16 ] || fail "channel $n over its 16 entries"
done
check_audit_format "$AUDIT"
alive || fail "server died"
echo "PASS"
