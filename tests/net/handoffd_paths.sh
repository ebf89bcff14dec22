#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# Safe paths and loud starts. nat64-handoffd refuses / (however spelt) and
# directories other programs share as its state or log directory, before
# touching anything, even with -u; it hands to the user only a directory it
# created (never recursively, never what was there); on a state directory
# it cannot write (a read-only filesystem) it exits non-zero with a clear
# error instead of sending READY=1. nat64d with handoff refuses a missing,
# read-only or shared state-dir the same way.
. "$(dirname "$0")/handoffd_common.inc"

start_fails() {	# start_fails WHAT PATTERN ARGS...: exit non-zero, PATTERN in the error, no READY
	local what=$1 pat=$2 out rc
	shift 2
	rm -f "$T/notify.out"
	out=$(NOTIFY_SOCKET=$T/notify timeout -k 2 20 ip netns exec "$NS" "$@" 2>&1)
	rc=$?
	echo "$what: exit $rc: $out"
	[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "$what: started (or hung), exit $rc"
	echo "$out" | grep -Eq "$pat" || fail "$what: no clear error"
}
owner() { stat -c %U "$1"; }

for d in / // /./ /var/.. /usr /usr/ /etc /var /var/lib /var/log /home /tmp; do
	start_fails "state-dir $d" 'directory other programs share' "$SRV" -p $HPORT -l $SERVER -s "$d" -u nobody
done
start_fails "log-dir /var/log" 'directory other programs share' \
    "$SRV" -p $HPORT -l $SERVER -s "$T/s1" -L /var/log -u nobody
[ "$(owner /)" = root ] && [ "$(owner /etc)" = root ] && [ "$(owner /var/log)" = root ] || fail "a system directory changed owner"
[ ! -e "$T/s1" ] || fail "state-dir created although the log-dir was refused"

# A directory it creates is handed to the user; what was there is not.
chmod 0755 "$T"
mkdir -p "$T/pre/keep"
touch "$T/pre/keep/file"
start_fails "existing root-owned state-dir" 'not usable by uid' \
    "$SRV" -p $HPORT -l $SERVER -s "$T/pre" -u nobody
[ "$(owner "$T/pre")" = root ] && [ "$(owner "$T/pre/keep/file")" = root ] || fail "chowned what it did not create"
STATE=$T/made/state
start_server -L "$T/made/log" -u nobody
echo "created: state $(owner "$STATE"), log $(owner "$T/made/log"), parent $(owner "$T/made")"
[ "$(owner "$STATE")" = nobody ] && [ "$(owner "$T/made/log")" = nobody ] || fail "created directories not handed to the user"
[ "$(owner "$T/made")" = root ] || fail "an intermediate directory was handed over"
out=$(sim -a 127.0.0.2 -C 40002 -c 2 -e entries=2) || fail "server as nobody: $out"
stop_server

# Read-only state directory: refused at start.
mkdir -p "$T/ro"
mount -t tmpfs -o ro,size=1m nk-ro "$T/ro" || { echo "SKIP: cannot mount a tmpfs"; exit 77; }
trap 'rc=$?; umount -l "$T/ro" 2>/dev/null; (exit $rc); cleanup' EXIT
start_fails "read-only state-dir" "state-dir $T/ro: not usable by uid 0: Read-only file system" \
    "$SRV" -p $HPORT -l $SERVER -s "$T/ro" -L "$LOGDIR"
[ ! -s "$T/notify.out" ] || fail "READY=1 sent with a read-only state-dir"

# nat64d with handoff: missing, read-only, shared state-dir.
ND=$PWD/$BUILD/nat64d
if [ -x "$ND" ] && [ -e /dev/net/tun ]; then
	for sd in "$T/missing" "$T/ro" /var/lib; do
		printf 'tun-device nk64p\nprefix 64:ff9b::/96\npool4 198.51.100.0/30\nhandoff yes\nstate-dir %s\ncontrol-socket none\n' \
		    "$sd" >"$T/nd.conf"
		start_fails "nat64d state-dir $sd" "state-dir|$sd" "$ND" -d -f "$T/nd.conf"
	done
else
	echo "nat64d cases skipped: no nat64d or /dev/net/tun"
fi
echo "PASS"
