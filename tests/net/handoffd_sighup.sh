#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# logrotate-style rotation: mv the audit log away, SIGHUP, and the next lines
# land in a new file at the old path while the moved file keeps the old ones.
# Then a reload whose file breaks a rule a start checks (an unknown
# control-group, a listen address that is not this host's) is refused
# with the file:line of the setting, and the running configuration (here
# its log-dir) is kept; a good one applies.
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

stop_server
printf 'log-dir %s\n' "$LOGDIR" >"$T/srv.conf"
start_server -f "$T/srv.conf" -t 256 -c "$T/ctl"
mkdir -p "$T/log2"
printf 'log-dir %s\ncontrol-group nosuchgroup-nk\n' "$T/log2" >"$T/srv.conf"
: >"$T/server.err"
kill -HUP "$SRV_PID"
for i in $(seq 100); do grep -q 'reload' "$T/server.err" && break; sleep 0.05; done
grep -qF "reload: $T/srv.conf:2: control-group: unknown group 'nosuchgroup-nk'; keeping the running configuration" \
    "$T/server.err" || fail "bad reload not refused clearly: $(cat "$T/server.err")"
grep -q 'configuration reloaded' "$T/server.err" && fail "a refused reload was applied"
out=$(sim -a 127.0.0.2 -C 40002 -c 2 --client-base 200 -e entries=2 -e validations=0) ||
    fail "after the refused reload: $out"
[ -e "$T/log2/nat64-handoff.log" ] && fail "the refused file's log-dir was used"
grep -q '\[2001:db8:0:2::c8\]:20000$' "$AUDIT" || fail "client 200 not in the running log-dir's file"
printf 'log-dir %s\n' "$T/log2" >"$T/srv.conf"
kill -HUP "$SRV_PID"
for i in $(seq 100); do grep -q 'configuration reloaded' "$T/server.err" && break; sleep 0.05; done
grep -q 'configuration reloaded' "$T/server.err" || fail "good reload not applied: $(cat "$T/server.err")"
out=$(sim -a 127.0.0.2 -C 40002 -c 1 --client-base 300 -e entries=1 -e validations=0) ||
    fail "after the good reload: $out"
grep -q ' Created ' "$T/log2/nat64-handoff.log" || fail "the new log-dir is not used after a good reload"
alive || fail "server died on SIGHUP"

# a listen address that is not this host's (the next start could not bind
# it) is refused like -n refuses it, with the setting's file:line
stop_server
printf 'listen %s\n' "$SERVER" >"$T/srv.conf"
LISTEN= start_server -f "$T/srv.conf" -t 256
printf 'listen 203.0.113.77\n' >"$T/srv.conf"
: >"$T/server.err"
kill -HUP "$SRV_PID"
for i in $(seq 100); do grep -q 'reload' "$T/server.err" && break; sleep 0.05; done
grep -qF "reload: $T/srv.conf:1: listen: 203.0.113.77: cannot bind to it" "$T/server.err" ||
    fail "a listen address not on this host was not refused: $(cat "$T/server.err")"
grep -q 'configuration reloaded\|restart to change' "$T/server.err" && fail "the refused file was applied"
alive || fail "server died on SIGHUP"
echo "PASS"
