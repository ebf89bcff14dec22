#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64d: what the command line says keeps winning over the file after a
# SIGHUP. Started with -v (the file says verbose 0 and names a status
# file, so counters reach the log only at verbosity 1 or more): SIGUSR1
# logs the counters before and after a reload. A reload whose file breaks
# a rule between settings, or that a start would refuse (an unknown
# user), is refused with the file:line of the setting and the running
# configuration is kept.
set -u
cd "$(dirname "$0")/../.."
BIN=$PWD/${BUILD:-build}/nat64d
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespace, TUN)"; exit 77; }
[ -e /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
[ -x "$BIN" ] || { echo "FAIL: $BIN not built"; exit 1; }

NS=nk-rc-$$-$RANDOM
T=$(mktemp -d /tmp/nk-rc.XXXXXX)
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
# wait_count N PATTERN: until the log holds N lines matching PATTERN
wait_count() {
	local i
	for i in $(seq 100); do
		[ "$(grep -c -- "$2" "$T/nat64d.err")" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

ip netns add "$NS" || fail "cannot create namespace $NS"
conf() {
	cat >"$T/nat64d.conf" <<CONF
tun-device nk64rc
prefix 64:ff9b::/96
pool4 198.51.100.0/30
status-file $T/status
verbose 0
control-socket none
$1
CONF
}
conf ""
ip netns exec "$NS" "$BIN" -d -v -f "$T/nat64d.conf" 2>"$T/nat64d.err" &
PID=$!
wait_count 1 'translating on nk64rc' || fail "nat64d did not start"
kill -USR1 $PID
wait_count 1 'status: ' || fail "-v: no counters in the log at SIGUSR1"
n=$(grep -c 'status: ' "$T/nat64d.err")

kill -HUP $PID
wait_count 1 'configuration reloaded' || fail "no reload"
kill -USR1 $PID
wait_count $((n + 1)) 'status: ' || fail "-v lost at SIGHUP: no counters in the log after the reload"
[ -s "$T/status" ] || fail "no status file"

# a rule between settings broken by the new file: refused, file:line named
conf "ipv4-addr 198.51.100.1"
kill -HUP $PID
wait_count 1 'reload failed' || fail "a file breaking a rule was not refused"
grep -q "reload failed, keeping the running configuration: $T/nat64d.conf:7: ipv4-addr: must not be a pool4 address" \
    "$T/nat64d.err" || fail "refusal message: $(grep 'reload failed' "$T/nat64d.err")"
kill -0 $PID || fail "nat64d died at the refused reload"
n=$(grep -c 'status: ' "$T/nat64d.err")
kill -USR1 $PID
wait_count $((n + 1)) 'status: ' || fail "-v lost at a refused reload"

# a file the next start would refuse (an unknown user) is refused too,
# not applied with a "restart to change user" warning
conf "user nosuchuser-nk"
kill -HUP $PID
wait_count 2 'reload failed' || fail "a file a start refuses was not refused: $(tail -n 3 "$T/nat64d.err")"
grep -q "reload failed, keeping the running configuration: $T/nat64d.conf:7: user: unknown user 'nosuchuser-nk'" \
    "$T/nat64d.err" || fail "refusal message: $(grep 'reload failed' "$T/nat64d.err" | tail -n 1)"
grep -q 'restart to change user' "$T/nat64d.err" && fail "the bad user was taken for a later restart"
[ "$(grep -c 'configuration reloaded' "$T/nat64d.err")" = 1 ] || fail "a refused reload was applied"
kill -0 $PID || fail "nat64d died at the refused reload"
kill -TERM $PID
wait $PID || fail "exit status $?"
PID=
echo PASS
