#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# A banned client's freed port goes to no one while the NAT64 may still
# hold a cached copy of its entry (ban-quarantine), across a kill -9 and
# restart of nat64-handoffd, even with a small full table under load whose
# every new client asks for that very port (hint); after the quarantine it
# is handed out again. Also: the ban's Banned line and the entry's Deleted
# line in the audit log, a banned client refused (no new Created line), a
# ban beyond max-bans refused with a clear error, bans listed as JSON.
. "$(dirname "$0")/handoffd_common.inc"
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
CTL=$PWD/$BUILD/nat64-handoffctl
SOCK=$T/ctl
AUDIT=$LOGDIR/nat64-handoff.log
N=127.0.0.2
P=40000		# the port the banned client holds, and every later hint
Q=30s		# ban-quarantine: longer than the load phase takes

hctl() { "$CTL" -c "$SOCK" -L "$LOGDIR" -s "$STATE" "$@"; }
start() { start_server -L "$LOGDIR" -c "$SOCK" --table-size 16 --ban-quarantine $Q --max-bans 3 "$@"; }
created_on() { grep -c " Created $N:$1 " "$AUDIT"; }

start
# One client (index 0: 2001:db8:0:2::), one connection, asking for port P.
out=$(sim -a $N -C 40002 -c 1 -k 1 --hint $P --tcp --record "$T/r1" -T 2s) || fail "first run: $out"
A=$(awk '{ print $3 }' "$T/r1")
[ "$(awk '{ print $2 }' "$T/r1")" = $P ] || fail "the hint was not honoured: $(cat "$T/r1")"
echo "ok   client $A holds $N:$P"

hctl ban "$A" --for 1h --reason "test abuse: 40 logins/min" >"$T/ban.out" || fail "ban: $(cat "$T/ban.out")"
cat "$T/ban.out"
grep -Eq "^[0-9-]+ [0-9:.]+ Banned $A/128 until [0-9T:-]+Z reason test abuse: 40 logins/min\$" "$AUDIT" ||
    fail "no Banned line: $(tail -3 "$AUDIT")"
grep -q " Deleted $N:$P \[$A\]:" "$AUDIT" || fail "no Deleted line for $A's entry"
echo "ok   Banned and Deleted lines"
[ "$(hctl --json bans | jq -r '.[0].prefix')" = "$A/128" ] || fail "bans --json: $(hctl --json bans)"
echo "ok   bans --json lists $A/128"
grep -q "^quarantine 127.0.0.1 $N $P " "$STATE/bans" || fail "port $P not quarantined on disk: $(cat "$STATE/bans")"
echo "ok   $STATE/bans holds the quarantine of $P"

# kill -9 and restart: the ban and the quarantine come back from the file.
kill9_server
start
hctl bans | grep -q "$A/128" || fail "ban lost across kill -9"
echo "ok   ban survives kill -9"

# The banned client is refused: no new entry.
before=$(grep -c " Created " "$AUDIT")
sim -a $N -C 40002 -c 1 -k 1 --tcp -T 1s -d 3s >/dev/null 2>&1
[ "$(grep -c " Created " "$AUDIT")" = "$before" ] || fail "a banned client got an entry"
fresh_status
[ "$(st banned_prohibited)" -ge 1 ] || fail "banned_prohibited $(st banned_prohibited)"
echo "ok   banned client refused (banned_prohibited $(st banned_prohibited))"

# Load: 64 other clients, table of 16 (full, evicting), each asking for P.
sim -a $N -C 40002 -c 64 --client-base 100 -k 1 --hint $P --tcp -T 1s -d 5s --record "$T/r2" >/dev/null 2>&1
grep -q "^quarantine 127.0.0.1 $N $P " "$STATE/bans" ||
    fail "inconclusive: the load took longer than the quarantine ($Q)"
fresh_status
[ "$(chan_entries $N)" = 16 ] || fail "the table is not full: $(chan_entries $N) entries"
[ "$(grep -c " Deleted " "$AUDIT")" -ge 40 ] || fail "no evictions under load"
[ "$(created_on $P)" = 1 ] || fail "port $P handed out during its quarantine: $(grep " Created $N:$P " "$AUDIT")"
echo "ok   64 clients on a full table of 16, $(wc -l <"$T/r2") answers: none got $P"

# Limits: max-bans 3.
hctl ban 2001:db8:99::/48 >/dev/null || fail "second ban"
LONG=$(printf 'a %.0s' $(seq 49))a%	# 100 characters, 49 of them blanks
hctl ban 2001:db8:98::/48 --reason "$LONG" >/dev/null || fail "third ban, with a reason of 100 characters"
grep -qF " Banned 2001:db8:98::/48 until never reason $LONG" "$AUDIT" || fail "the reason of 100 characters is not in the Banned line"
if hctl ban 2001:db8:97::/48 2>"$T/full.err"; then fail "a fourth ban beyond max-bans 3"; fi
grep -q "max-bans reached" "$T/full.err" || fail "unclear error: $(cat "$T/full.err")"
if hctl ban 2001:db8::/31 2>"$T/wide.err"; then fail "a /31 ban accepted"; fi
grep -q "/32 to /128" "$T/wide.err" || fail "unclear error: $(cat "$T/wide.err")"
echo "ok   max-bans and /32 enforced: $(cat "$T/full.err")"
hctl unban 2001:db8:99::/48 >/dev/null && hctl unban 2001:db8:98::/48 >/dev/null || fail "unban"
grep -q "Unbanned 2001:db8:99::/48 lifted" "$AUDIT" || fail "no Unbanned line"

# After the quarantine: the port is free for anyone again. Empty the table
# so that the hint is honoured (a full table reuses its victim's port).
hctl ban 2001:db8:0:2::/64 >/dev/null || fail "ban of the load"
hctl unban 2001:db8:0:2::/64 >/dev/null || fail "unban of the load"
wait_for() { local n=$(($1 * 10)) i; shift; for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.1; done; "$@"; }
wait_for 60 eval '! grep -q "^quarantine 127.0.0.1 $N $P " "$STATE/bans"' || fail "port $P never released"
sim -a $N -C 40002 -c 1 --client-base 500 -k 1 --hint $P --tcp -T 2s --record "$T/r3" >/dev/null 2>&1
[ "$(awk '{ print $2 }' "$T/r3")" = $P ] || fail "port $P not reused after the quarantine: $(cat "$T/r3")"
[ "$(created_on $P)" = 2 ] || fail "want a second Created on $P"
echo "ok   after the quarantine $P went to $(awk '{ print $3 }' "$T/r3")"
grep -Ev "$AUDIT_RE" "$AUDIT" | grep -Ev ' (Banned [0-9a-f:]+/[0-9]+ until [^ ]+( reason .*)?|Unbanned [0-9a-f:]+/[0-9]+ (expired|lifted))$' &&
    fail "malformed audit lines"
"$CTL" -L "$LOGDIR" -s "$STATE" whois $N:$P --at "@$(date +%s)" >/dev/null || fail "whois after ban lines"
echo "ok   whois reads the log with its ban lines"
stop_server
echo "handoffd_ban_quarantine: ok"
