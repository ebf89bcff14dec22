#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoffctl_localtime.sh — the audit log's time zone comes from the
# server's configuration. nat64-handoffd runs with TZ=Asia/Tokyo (UTC+9)
# and localtime yes; nat64-handoffctl, given that configuration, reads the
# text stamps as Tokyo time and finds an entry at its UTC time; told the
# stamps are UTC (a configuration without localtime) it is nine hours off
# and finds none. The JSON format carries the +09:00 offset itself.
. "$(dirname "$0")/handoffd_common.inc"
[ -f /usr/share/zoneinfo/Asia/Tokyo ] || { echo "SKIP: tzdata (Asia/Tokyo) not installed"; exit 77; }
CTL=$PWD/$BUILD/nat64-handoffctl
AUDIT=$LOGDIR/nat64-handoff.log
PASSES=0 FAILS=0
ok() { echo "ok   $*"; PASSES=$((PASSES + 1)); }
bad() { echo "FAIL $*"; FAILS=$((FAILS + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
printf 'state-dir %s\nlog-dir %s\nlocaltime yes\n' "$STATE" "$LOGDIR" >"$T/local.conf"
printf 'state-dir %s\nlog-dir %s\n' "$STATE" "$LOGDIR" >"$T/utc.conf"

export TZ=Asia/Tokyo
start_server -L "$LOGDIR" -t 64 -f "$T/local.conf"
sim -c 4 -e entries=4 >/dev/null || fail "sim run"
stop_server
line=$(grep -m1 ' Created ' "$AUDIT")
echo "    $line"
stamp=${line:0:26}
port=$(sed -n 's/.* Created 127\.0\.0\.2:\([0-9]*\) .*/\1/p' <<<"$line")
cport=$(sed -n 's/.*\]:\([0-9]*\)$/\1/p' <<<"$line")
epoch=$(TZ=Asia/Tokyo date -d "$stamp" +%s.%6N)
utc=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%S.%6NZ)
echo "    $stamp in Tokyo is $utc"
out=$("$CTL" -f "$T/local.conf" whois "127.0.0.2:$port" --at "$utc"); rc=$?
echo "$out" | sed 's/^/    /'
check "localtime yes: whois at the UTC time finds the entry (exit $rc)" test $rc = 0
check "localtime yes: the times are shown with +09:00" grep -q "+09:00" <<<"$out"
check "localtime yes: the client port is $cport" eval 'awk "\$2 == $cport" <<<"$out" | grep -q .'
"$CTL" -f "$T/utc.conf" whois "127.0.0.2:$port" --at "$utc" >/dev/null; rc=$?
check "read as UTC the stamps are 9 h off: no entry at that time (exit $rc)" test $rc = 1

start_server -L "$LOGDIR" -t 64 -f "$T/local.conf" --audit-format json
sim -c 2 --client-base 10 -e entries=2 >/dev/null || fail "sim run (json)"
stop_server
jline=$(grep -m1 '"event":"created"' "$AUDIT")
echo "    $jline"
check "JSON stamps carry the zone offset" grep -q '"time":"[0-9-]*T[0-9:.]*+09:00"' <<<"$jline"
jport=$(sed -n 's/.*"nat64_port":\([0-9]*\),.*/\1/p' <<<"$jline")
jt=$(sed -n 's/.*"time":"\([^"]*\)".*/\1/p' <<<"$jline")
unset TZ
"$CTL" -f "$T/utc.conf" whois "127.0.0.2:$jport" --at "$jt" >/dev/null; rc=$?
check "a JSON line is found whatever the reader's configuration says (exit $rc)" test $rc = 0
echo "handoffctl_localtime: $PASSES passed, $FAILS failed"
[ $FAILS = 0 ]
