#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# Many NAT64s at once: handoff-sim playing 64 NAT64s (more than its first
# allocation of per-socket send queues, so the queue list grows while
# datagrams are queued) against one server. Every NAT64 validates, gets
# its entries and looks them up; under `make SAN=1 check` the simulator
# runs with ASan, which reports any access to a queue that moved.
. "$(dirname "$0")/handoffd_common.inc"

NATS=64 CLIENTS=8
start_server -L "$LOGDIR" -t 1024 -m 128
out=$(sim -a 127.0.0.2 -N $NATS -C 40002 -c $CLIENTS -k 2 --lookups --repeat -w 256 \
    -e entries=$((NATS * CLIENTS * 2)) -e validations=$NATS 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "handoff-sim -N $NATS: exit $rc"
printf '%s\n' "$out" | grep -q 'ERROR: AddressSanitizer' && fail "sanitizer report from handoff-sim"
fresh_status
echo "channels=$(st channels)"
[ "$(st channels)" = $NATS ] || fail "channels = $(st channels), want $NATS"
n=$(grep -c ' Created ' "$LOGDIR/nat64-handoff.log")
[ "$n" = $((NATS * CLIENTS * 2)) ] || fail "$n Created lines, want $((NATS * CLIENTS * 2))"
alive || fail "server died"
echo "PASS"
