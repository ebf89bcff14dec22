#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# A clean restart (SIGTERM) keeps the tables and the authenticated tokens:
# no new validation, same ports, lookups answer the same clients; the status
# file is written at exit; a NAT64 that "reboots" (new process, same key and
# control port) finds its entries. Without -L the audit lines go to stdout.
. "$(dirname "$0")/handoffd_common.inc"

start_server -L "$LOGDIR" -t 1000
AUDIT=$LOGDIR/nat64-handoff.log
out=$(sim -a 127.0.0.2 -N 3 -C 40002 -c 50 -k 2 --record "$T/rec" -e entries=300 -e 'validations>=3')
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "first run"
stop_server
grep -q '^channel 127.0.0.2 ' "$STATE/status" || fail "status at exit lacks the channels"
[ "$(awk '$1 == "channel" { s += $5 } END { print s }' "$STATE/status")" = 300 ] ||
    fail "status at exit does not count 300 entries"

# Restart with audit lines on standard output this time.
start_server -t 1000
out=$(sim -a 127.0.0.2 -N 3 -C 40002 -c 50 -k 2 --verify "$T/rec" --lookups --repeat \
    -e validations=0 -e port9=0 -e lookups_ok=300 -e 'answers_ok>=600')
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "entries or tokens lost over a clean restart"
# New clients after the restart: Created lines on stdout, none re-logged.
out=$(sim -a 127.0.0.2 -C 40002 -c 2 --client-base 500 -e entries=2 -e validations=0) || fail "new clients: $out"
stop_server
echo "stdout audit:"; cat "$T/server.out"
[ "$(grep -c ' Created ' "$T/server.out")" = 2 ] || fail "want exactly the 2 new Created lines on stdout"
grep -q ' Initialized ' "$T/server.out" && fail "Initialized logged again for a known channel"
check_audit_format "$T/server.out"
check_audit_format "$AUDIT"
echo "PASS"
