#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# The server on all local addresses: answers (and the port-9 validation
# packet) leave from the address each request reached, and each (NAT64,
# server address) pair is its own control channel with its own table and
# its own validated token (the token is a MAC of the server address).
. "$(dirname "$0")/handoffd_common.inc"

LISTEN= start_server -L "$LOGDIR" -t 64
AUDIT=$LOGDIR/nat64-handoff.log
for s in 127.0.0.1 127.0.0.5; do
	out=$(ip netns exec "$NS" "$SIM" -s $s -p $HPORT -a 127.0.0.2 -C 40002 -c 5 -k 2 --lookups \
	    --record "$T/rec-$s" -e entries=10 -e lookups_ok=10 -e 'validations>=1' -e unvalidated_answers=0)
	rc=$?
	echo "$out"
	[ $rc -eq 0 ] || fail "NAT64 talking to server address $s (answers must come from $s)"
done
fresh_status
grep '^channel ' "$STATE/status"
for s in 127.0.0.1 127.0.0.5; do
	grep -Eq "^channel 127\.0\.0\.2 $s entries 10 " "$STATE/status" || fail "no 10-entry channel (127.0.0.2, $s)"
	out=$(ip netns exec "$NS" "$SIM" -s $s -p $HPORT -a 127.0.0.2 -C 40002 -c 5 -k 2 --verify "$T/rec-$s" \
	    --lookups --repeat -e lookups_ok=10 -e validations=0)
	rc=$?
	echo "$out"
	[ $rc -eq 0 ] || fail "channel (127.0.0.2, $s) does not keep its own entries"
done
[ "$(grep -c ' Created 127.0.0.2:' "$AUDIT")" = 20 ] || fail "want 20 Created lines (10 per channel)"
check_audit_format "$AUDIT"
alive || fail "server died"
echo "PASS"
