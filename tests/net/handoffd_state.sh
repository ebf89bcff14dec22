#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# Damaged state is never fatal: a channel file with a bad header is set
# aside (the channel starts empty) and a torn tail (a crash mid-append) is
# cut off, keeping every record before it; the other channels' entries and
# the tokens survive. Then the same server runs unprivileged (-u nobody):
# it binds, drops privileges and keeps serving from the same state.
. "$(dirname "$0")/handoffd_common.inc"

start_server -L "$LOGDIR" -t 500
AUDIT=$LOGDIR/nat64-handoff.log
out=$(sim -a 127.0.0.2 -N 3 -C 40002 -c 40 --record "$T/rec" -e entries=120) || fail "fill: $out"
stop_server
ls -l "$STATE/channels"
f3=$STATE/channels/127.0.0.3-127.0.0.1.tbl
f4=$STATE/channels/127.0.0.4-127.0.0.1.tbl
[ -f "$f3" ] && [ -f "$f4" ] || fail "channel files not where handoffd/ho_journal.h says"
printf 'GARBAGE!' | dd of="$f3" bs=1 seek=0 conv=notrunc 2>/dev/null	# bad header
head -c 23 /dev/urandom >>"$f4"						# torn tail

start_server -L "$LOGDIR" -t 500
alive || fail "server did not survive damaged state"
ls -l "$STATE/channels"
# 127.0.0.2 untouched, 127.0.0.4 truncated to its good records: both complete.
grep -E '^127\.0\.0\.[24] ' "$T/rec" >"$T/rec24"
for n in 127.0.0.2 127.0.0.4; do
	out=$(sim -a $n -C 40002 -c 40 --verify "$T/rec24" --lookups --repeat -e lookups_ok=40 -e validations=0)
	rc=$?
	echo "$out"
	[ $rc -eq 0 ] || fail "entries of undamaged records lost ($n)"
done
# 127.0.0.3 starts empty but keeps its token: new entries without validation.
out=$(sim -a 127.0.0.3 -C 40002 -c 5 --client-base 1000 -e entries=5 -e validations=0)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "the NAT64 whose table was set aside is not served"
# Channels load lazily (on first use), so the bad file is set aside by now.
ls -l "$STATE/channels"
ls "$STATE/channels" | grep -q '^127\.0\.0\.3-127\.0\.0\.1\.tbl.*corrupt' ||
    fail "the bad channel file was not set aside (*.corrupt-*)"
grep -i corrupt "$T/server.err" || fail "setting the bad file aside was not logged"
fresh_status
grep '^channel ' "$STATE/status"
[ "$(chan_entries 127.0.0.3)" = 5 ] || fail "set-aside channel should hold only the 5 new entries"
stop_server

# Unprivileged: bind as root, then run as nobody on the same state (and log)
# directory. The server never hands over what it did not create: on
# root's directories it refuses to start, loudly; once the operator gave
# them to nobody it runs. The parent must be traversable.
chmod 0755 "$T"
out=$(ip netns exec "$NS" "$SRV" -p $HPORT -l $SERVER -s "$STATE" -L "$LOGDIR" -t 500 -u nobody 2>&1)
rc=$?
echo "on root's state: exit $rc: $out"
[ $rc -ne 0 ] || fail "started as nobody on a state directory it cannot write"
echo "$out" | grep -q "state-dir $STATE: not usable by uid" || fail "no clear error for an unusable state-dir"
[ "$(stat -c %U "$STATE/channels")" = root ] || fail "the server chowned a directory it did not create"
chown -R nobody "$STATE" "$LOGDIR"
start_server -L "$LOGDIR" -t 500 -u nobody
user=$(ps -o user= -p "$SRV_PID" | tr -d ' ')
echo "server runs as: $user"
[ "$user" = nobody ] || fail "did not drop privileges to nobody (runs as $user)"
out=$(sim -a 127.0.0.2 -C 40002 -c 40 --verify "$T/rec24" --lookups -e lookups_ok=40 -e validations=0)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "unprivileged server lost entries"
out=$(sim -a 127.0.0.2 -C 40002 -c 5 --client-base 2000 -e entries=5) || fail "unprivileged server cannot create entries: $out"
mv "$AUDIT" "$AUDIT.1"
kill -HUP "$SRV_PID"
sleep 0.3
out=$(sim -a 127.0.0.2 -C 40002 -c 1 --client-base 3000 -e entries=1) || fail "after HUP as nobody: $out"
[ -s "$AUDIT" ] || fail "unprivileged server could not reopen its audit log"
fresh_status
check_audit_format "$AUDIT"
check_audit_format "$AUDIT.1"
alive || fail "server died"
echo "PASS"
