#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# Limits and the rest of §9/§10 at the wire: the maximum number of control
# channels (the extra NAT64 gets nothing, counted, no audit line); token
# rotation (type 5) switches keys without a new validation and keeps the
# previous token; mapped port hints (type 8) are honoured when the port is
# free and allowed, never for 3544, the handoff port or the control port.
. "$(dirname "$0")/handoffd_common.inc"

start_server -L "$LOGDIR" -t 64 -m 2
AUDIT=$LOGDIR/nat64-handoff.log

out=$(sim -a 127.0.0.2 -N 2 -C 40002 -c 3 -e entries=6) || fail "two channels: $out"
echo "$out"
out=$(sim -a 127.0.0.4 -C 40004 -c 3 --probe-retries 4 -R 1 -T 200ms -e answers_ok=0 -e 'timeouts>=1' -e port9=0 \
    -e entries=0)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "a third NAT64 was served with --max-channels 2"
fresh_status
echo "channels=$(st channels) drop_max_channels=$(st drop_max_channels)"
[ "$(st channels)" = 2 ] || fail "channels = $(st channels), want 2"
[ "$(st drop_max_channels)" != MISSING ] && [ "$(st drop_max_channels)" -ge 1 ] ||
    fail "refused channel not counted in drop_max_channels"
grep -q ' 127\.0\.0\.4' "$AUDIT" && fail "audit line for the refused NAT64"

# Token rotation: key 2 announced with key 1's token as rotation.
out=$(sim -a 127.0.0.2 -C 40002 --seed 2 --rotate-from 1 -c 3 --client-base 10 -e entries=3 \
    -e validations=0 -e port9=0)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "token rotation needed a validation or was refused"
out=$(sim -a 127.0.0.2 -C 40002 --seed 2 -c 3 --client-base 20 -e entries=3 -e validations=0)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "the rotated-to token is not the current one"
out=$(sim -a 127.0.0.2 -C 40002 --seed 1 -c 3 --client-base 30 -e entries=3 -e validations=0)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "the previous token is no longer accepted after a rotation"
out=$(sim -a 127.0.0.2 -C 40002 --seed 3 -c 1 --client-base 40 -e entries=1 -e 'validations>=1')
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "an unknown token (no rotation) was accepted without validation"
fresh_status
[ "$(st token_rotated)" -ge 1 ] || fail "token_rotated not counted"

# Hints: free ports honoured; 3544, the handoff port, the control port never.
out=$(sim -a 127.0.0.3 -C 40003 -c 5 --client-base 100 --hint 30000 -e entries=5 -e hints_honored=5)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "free, allowed hinted ports were not honoured"
for h in 3544 $HPORT 40003; do
	out=$(sim -a 127.0.0.3 -C 40003 -c 1 --client-base "$h" --hint "$h" -e entries=1 -e hints_honored=0)
	rc=$?
	echo "$out"
	[ $rc -eq 0 ] || fail "hint $h honoured (or the answer broke the port rules)"
done
check_audit_format "$AUDIT"
alive || fail "server died"
echo "PASS"
