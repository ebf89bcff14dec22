#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# logrotate-style rotation: mv the audit log away, SIGHUP, and the next lines
# land in a new file at the old path while the moved file keeps the old ones.
. "$(dirname "$0")/handoffd_common.inc"

start_server -L "$LOGDIR" -t 256
AUDIT=$LOGDIR/nat64-handoff.log
out=$(sim -a 127.0.0.2 -C 40002 -c 5 -e entries=5) || fail "first run: $out"
[ "$(grep -c ' Created ' "$AUDIT")" = 5 ] || fail "want 5 Created lines before rotation"
mv "$AUDIT" "$AUDIT.1"
kill -HUP "$SRV_PID"
for i in $(seq 100); do [ -e "$AUDIT" ] && break; sleep 0.05; done
[ -e "$AUDIT" ] || fail "no new audit file after SIGHUP"
out=$(sim -a 127.0.0.2 -C 40002 -c 3 --client-base 100 -e entries=3 -e validations=0) ||
    fail "second run: $out"
echo "old file:"; cat "$AUDIT.1"
echo "new file:"; cat "$AUDIT"
[ "$(grep -c ' Created ' "$AUDIT.1")" = 5 ] || fail "rotated file changed after SIGHUP"
[ "$(grep -c ' Created ' "$AUDIT")" = 3 ] || fail "new lines did not go to the reopened file"
grep -q '\[2001:db8:0:2::64\]:20000$' "$AUDIT" || fail "client 100 not in the new file"
check_audit_format "$AUDIT.1"
check_audit_format "$AUDIT"
alive || fail "server died on SIGHUP"
echo "PASS"
