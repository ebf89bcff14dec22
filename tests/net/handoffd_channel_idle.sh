#!/usr/bin/env bash
# max-channels counts active channels only: two NAT64s fill the limit, a
# third is refused (counted, logged once, no audit line); once the two
# have been idle for --channel-idle their tables are unloaded (kept on
# disk) and the third is accepted; when it is idle in turn, the first two
# come back and find every entry they had (lookups by port and by client
# against the record), without a new validation. With --memory-limit,
# a table that would not fit is refused the same way.
. "$(dirname "$0")/handoffd_common.inc"

start_server -L "$LOGDIR" -t 64 -m 2 --channel-idle 2s -v
AUDIT=$LOGDIR/nat64-handoff.log

# wait_idle N: until the server has unloaded N channels for idleness
wait_idle() {
	local i
	for i in $(seq 60); do
		fresh_status
		[ "$(st channels_unloaded_idle)" -ge "$1" ] && return 0
		sleep 0.5
	done
	fail "channels_unloaded_idle = $(st channels_unloaded_idle) after 30 s, want $1"
}

out=$(sim -a 127.0.0.2 -N 2 -C 40002 -c 10 -k 2 --record "$T/rec" -e entries=40 -e 'validations>=2') ||
    fail "two NAT64s: $out"
echo "$out"
out=$(sim -a 127.0.0.4 -C 40004 -c 3 --probe-retries 4 -R 1 -T 200ms -e answers_ok=0 -e 'timeouts>=1' -e port9=0 \
    -e entries=0)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "a third NAT64 was served while two channels were active (--max-channels 2)"
fresh_status
echo "active=$(st channels_active) refused=$(st channels_refused) drop_max_channels=$(st drop_max_channels)"
[ "$(st channels_active)" = 2 ] || fail "channels_active = $(st channels_active), want 2"
[ "$(st channels_refused)" -ge 1 ] || fail "refusal not counted in channels_refused"
[ "$(grep -c 'channel 127.0.0.4 refused: max-channels 2' "$T/server.err")" = 1 ] ||
    fail "the refusals were not logged exactly once (rate limit): $(grep refused "$T/server.err")"
grep -q ' 127\.0\.0\.4' "$AUDIT" && fail "audit line for the refused NAT64"

wait_idle 2
grep -q 'channel 127.0.0.2 idle for [0-9]* s: unloaded, 20 entries kept on disk' "$T/server.err" ||
    fail "no log line for the idle unload: $(grep idle "$T/server.err")"
[ "$(st channels_active)" = 0 ] || fail "channels_active = $(st channels_active) after idling, want 0"
[ "$(st channels_loaded)" = 0 ] || fail "channels_loaded = $(st channels_loaded) after idling, want 0"
ls "$STATE/channels/127.0.0.2-127.0.0.1.tbl" "$STATE/channels/127.0.0.3-127.0.0.1.tbl" >/dev/null ||
    fail "an idle channel's journal is gone"

out=$(sim -a 127.0.0.4 -C 40004 -c 3 -e entries=3) || fail "the third NAT64 after the idle time: $out"
echo "$out"
grep -q 'Initialized 127\.0\.0\.4' "$AUDIT" || fail "no Initialized line for the third NAT64"

wait_idle 3
out=$(sim -a 127.0.0.2 -N 2 -C 40002 -c 10 -k 2 --verify "$T/rec" --lookups --repeat \
    -e validations=0 -e lookups_ok=40 -e entries=40 -e bad=0) ||
    fail "the first two NAT64s did not get their tables back: $out"
echo "$out"
fresh_status
[ "$(st channels_active)" = 2 ] || fail "channels_active = $(st channels_active), want 2"
[ "$(grep -c ' Created ' "$AUDIT")" = 43 ] || fail "entries were created again: $(grep -c ' Created ' "$AUDIT") Created lines, want 43"
check_audit_format "$AUDIT"
alive || fail "server died"
stop_server

# --memory-limit: 4 MiB hold one full-size (64508) table, counted at its
# full size; the second NAT64 is refused, counted and logged as such.
STATE=$T/state2
start_server -L "$LOGDIR" --memory-limit 4M
out=$(sim -a 127.0.0.5 -C 40005 -c 3 -e entries=3) || fail "first NAT64 under the memory limit: $out"
out=$(sim -a 127.0.0.6 -C 40006 -c 3 --probe-retries 4 -R 1 -T 200ms -e answers_ok=0 -e 'timeouts>=1' \
    -e port9=0 -e entries=0) || fail "a second table was admitted beyond --memory-limit 4: $out"
fresh_status
[ "$(st channels_refused_memory)" -ge 1 ] || fail "memory refusal not counted"
grep -q 'channel 127.0.0.6 refused: memory-limit 4 MiB reached by 1 active channels' "$T/server.err" ||
    fail "memory refusal not logged: $(grep refused "$T/server.err")"
echo "PASS"
