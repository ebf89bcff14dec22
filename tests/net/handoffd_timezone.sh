#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# Audit time stamps: UTC by default whatever the server's TZ; local time
# with --localtime. The server runs with TZ=Asia/Tokyo (UTC+9, no DST); each
# stamp is read back in the zone it should be in and must lie within an hour
# of now (a 9-hour error cannot hide in that).
. "$(dirname "$0")/handoffd_common.inc"
[ -f /usr/share/zoneinfo/Asia/Tokyo ] || { echo "SKIP: tzdata (Asia/Tokyo) not installed"; exit 77; }
AUDIT=$LOGDIR/nat64-handoff.log

stamp_ok() {	# stamp_ok "YYYY-MM-DD HH:MM:SS" ZONE
	local e now
	e=$(TZ=$2 date -d "$1" +%s) || fail "cannot parse stamp '$1'"
	now=$(date +%s)
	[ $((e - now)) -lt 3600 ] && [ $((now - e)) -lt 3600 ]
}

export TZ=Asia/Tokyo
start_server -L "$LOGDIR" -t 64
sim -a 127.0.0.2 -C 40002 -c 1 -e entries=1 >/dev/null || fail "sim run (UTC)"
stop_server
last=$(tail -n 1 "$AUDIT" | cut -c1-19)
echo "default stamp: $last"
stamp_ok "$last" UTC || fail "default stamps are not UTC (server TZ=Asia/Tokyo): $last"

start_server -L "$LOGDIR" -t 64 --localtime
sim -a 127.0.0.2 -C 40002 -c 1 --client-base 10 -e entries=1 -e validations=0 >/dev/null || fail "sim run (localtime)"
stop_server
unset TZ
last=$(tail -n 1 "$AUDIT" | cut -c1-19)
echo "--localtime stamp: $last"
stamp_ok "$last" Asia/Tokyo || fail "--localtime stamps are not in the server's zone (Asia/Tokyo): $last"
check_audit_format "$AUDIT"
echo "PASS"
