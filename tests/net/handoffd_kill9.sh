#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# kill -9 during a burst of new entries, restart: every entry the server had
# answered before the kill (handoff-sim records each answer as it arrives)
# is still there: an IPv4 lookup of its port returns the same client, an
# IPv6 packet from the same client gets the same port. The restarted server
# knows the NAT64s' tokens (no new validation) and its audit log is intact.
. "$(dirname "$0")/handoffd_common.inc"

start_server -L "$LOGDIR" -t 20000
AUDIT=$LOGDIR/nat64-handoff.log
NATS=4 CLIENTS=3000 CONNS=2	# 24000 connections over 4 NAT64s, 6000 each (tables of 20000)

# Validate the NAT64s first; tokens reach the disk on the server's 1 s timer
# (handoffd: "Tokens are persisted by the 1 s timer only"), entries at once.
out=$(sim -a 127.0.0.2 -N $NATS -C 40002 -c 1 --client-base 900000 -e entries=$NATS) || fail "validation: $out"
sleep 1.5

# The burst: rate-limited so the kill lands in the middle of it.
ip netns exec "$NS" "$SIM" -s $SERVER -p $HPORT \
    -a 127.0.0.2 -N $NATS -C 40002 -c $CLIENTS -k $CONNS -w 128 -r 4000 -T 300ms -R 1 \
    --record "$T/rec" -e 'timeouts>=0' -e 'bad=0' -e validations=0 >"$T/sim1.out" 2>&1 &
SIM_PID=$!
for i in $(seq 300); do
	[ "$( { wc -l <"$T/rec"; } 2>/dev/null || echo 0)" -ge 4000 ] && break
	sleep 0.05
done
n_before=$(wc -l <"$T/rec")
kill9_server
echo "killed the server with $n_before answers recorded"
# Nothing answers any more: stop the sim (SIGTERM: summary, record flushed).
sleep 0.3
kill -TERM $SIM_PID
wait $SIM_PID
rc=$?
cat "$T/sim1.out"
[ $rc -eq 0 ] || fail "the sim saw bad answers before the kill"
n=$(wc -l <"$T/rec")
[ "$n" -ge 1000 ] || fail "too few entries before the kill ($n): test is blind"
[ "$n" -lt $((NATS * CLIENTS * CONNS)) ] || fail "the burst finished before the kill: test is blind"
echo "answered before the kill: $n entries"
cp "$AUDIT" "$T/audit.before"

start_server -L "$LOGDIR" -t 20000
out=$(sim -a 127.0.0.2 -N $NATS -C 40002 -c $CLIENTS -k $CONNS -w 128 --verify "$T/rec" \
    --lookups --repeat -e validations=0 -e lookups_ok="$n" -e "answers_ok>=$((2 * n))")
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "entries answered before kill -9 are missing or changed after restart"

# The audit log survived too: one Created per recorded entry before the kill.
created=$(grep -c ' Created ' "$T/audit.before")
[ "$created" -ge "$n" ] || fail "audit log has $created Created lines for $n answered entries"
while read -r nat port client cport; do
	grep -q " Created $nat:$port \[$client\]:$cport\$" "$T/audit.before" ||
	    fail "answered entry $nat:$port [$client]:$cport has no Created line"
done < <(shuf -n 200 --random-source=<(yes) "$T/rec")
check_audit_format "$AUDIT"
fresh_status
echo "status after restart: channels=$(st channels) journal_errors=$(st journal_errors)"
[ "$(st channels)" = $NATS ] || fail "expected $NATS channels after restart"
alive || fail "server died"
echo "PASS"
