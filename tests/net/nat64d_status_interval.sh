#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64d status-interval: with it the status file and the Prometheus
# textfile are written on their own, again and again, with no SIGUSR1;
# without it (the default 0) neither is written until SIGUSR1. A reload
# starts the writes.
set -u
cd "$(dirname "$0")/../.."
BIN=$PWD/${BUILD:-build}/nat64d
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespace, TUN)"; exit 77; }
[ -e /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
[ -x "$BIN" ] || { echo "FAIL: $BIN not built"; exit 1; }

NS=nk-si-$$-$RANDOM
T=$(mktemp -d /tmp/nk-si.XXXXXX)
PID=
cleanup() {
	local rc=$?
	[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	[ $rc -ne 0 ] && { echo "--- nat64d log"; tail -n 20 "$T/nat64d.err"; }
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*"; exit 1; }
# wait_for TENTHS CMD...: until CMD succeeds
wait_for() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
written() { [ -s "$T/status" ] && [ -s "$T/metrics.prom" ]; }
# replaced FILE INODE: FILE is another file now (each write renames a new one in)
replaced() { [ "$(stat -c %i "$1")" != "$2" ]; }

ip netns add "$NS" || fail "cannot create namespace $NS"
conf() {
	cat >"$T/nat64d.conf" <<CONF
tun-device nk64si
prefix 64:ff9b::/96
pool4 198.51.100.0/30
status-file $T/status
metrics-file $T/metrics.prom
control-socket none
$1
CONF
}
conf ""
ip netns exec "$NS" "$BIN" -d -f "$T/nat64d.conf" 2>"$T/nat64d.err" &
PID=$!
wait_for 50 grep -q 'translating on nk64si' "$T/nat64d.err" || fail "nat64d did not start"
sleep 1.5
written && fail "status-interval 0: the files were written without SIGUSR1"

conf "status-interval 1s"
kill -HUP $PID
wait_for 50 grep -q 'configuration reloaded' "$T/nat64d.err" || fail "no reload"
wait_for 50 written || fail "status-interval 1s: no status or metrics file after 5 s"
grep -q '^nat64d_build_info{' "$T/metrics.prom" || fail "the textfile has no build_info"
i1=$(stat -c %i "$T/status")
wait_for 50 replaced "$T/status" "$i1" ||
	fail "status-interval 1s: the status file was not written again"
m1=$(stat -c %i "$T/metrics.prom")
wait_for 50 replaced "$T/metrics.prom" "$m1" ||
	fail "status-interval 1s: the metrics file was not written again"
grep -q 'status: ' "$T/nat64d.err" && fail "the periodic writes copied the counters into the log"
echo "pass: status and metrics files written every status-interval, not before it is set"
