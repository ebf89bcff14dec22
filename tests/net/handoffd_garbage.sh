#!/usr/bin/env bash
# Malformed, truncated, oversized, duplicate-type and unknown-format control
# packets from a validated NAT64, and well-framed ones breaking the server's
# rules (IPv6 to another server, IPv6 protocol 47, adopted entries on port
# 9, 3544 or the handoff port), are dropped (no answer, no entry, no audit line), each counted in
# the status file's drop_* counters, and the server survives them and a
# burst of randomly mutated requests: it answers correctly afterwards.
. "$(dirname "$0")/handoffd_common.inc"

start_server -L "$LOGDIR" -t 256
AUDIT=$LOGDIR/nat64-handoff.log
NATS=2
KINDS=20	# handoff-sim's malformed kinds (sim/sim.h enum sim_garbage)

out=$(sim -a 127.0.0.2 -N $NATS -C 40002 -c 4 -e entries=8)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "validating the NAT64s"
fresh_status
cp "$STATE/status" "$T/status.before"
pid=$(st pid)

# Every kind, from every NAT64: no answer to any (a timeout each).
out=$(sim -a 127.0.0.2 -N $NATS -C 40002 -c 4 --no-probe --no-new --garbage -T 300ms \
    -e garbage_dropped=$((NATS * KINDS)) -e echo_ok=$NATS -e validations=0)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "malformed packets were answered, or the server stopped answering"
grep -q '2001:db8:1:' "$AUDIT" && fail "an entry from a refused packet was logged"
[ "$(grep -c ' Created ' "$AUDIT")" = 8 ] || fail "malformed packets created entries"
fresh_status
sum_drops() { awk '$1 ~ /^drop_/ && $1 != "drop_attenuated" { s += $2 } END { print s + 0 }' "$1"; }
before=$(sum_drops "$T/status.before")
after=$(sum_drops "$STATE/status")
echo "drop_* counters: before $before, after $after"
grep '^drop_' "$STATE/status" | grep -v ' 0$'
[ $((after - before)) -eq $((NATS * KINDS)) ] ||
    fail "expected $((NATS * KINDS)) more drops counted, got $((after - before))"
for k in drop_empty drop_truncated drop_unknown_format drop_duplicate_type \
    drop_bad_identifier drop_bad_length drop_bad_multi drop_no_token drop_ipv6_without_auth \
    drop_entry_incomplete drop_wrong_destination drop_unsupported_ipv6 drop_entry; do
	v=$(st $k)
	[ "$v" != MISSING ] || fail "status has no $k counter"
	[ "$v" -ge $NATS ] || fail "$k = $v, want >= $NATS (one per NAT64)"
done
[ "$(st pid)" = "$pid" ] || fail "the server restarted"

# Mutated requests (bit flips, truncation): whatever the server answers, it
# must stay up and keep answering correctly.
out=$(sim -a 127.0.0.2 -N $NATS -C 40002 -c 4 --no-probe --no-new --fuzz 3000 -w 256 \
    -e echo_ok=$NATS -e 'timeouts=0')
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "server misbehaved after mutated requests"
alive || fail "server died"
check_audit_format "$AUDIT"
echo "PASS"
