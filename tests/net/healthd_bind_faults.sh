#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64-healthd against a BIND that refuses or is stopped (healthd_common.inc):
#  A. BIND rejects the new include (a prefix also configured in named.conf:
#     "already exists"): update-dns64 puts the previous file back, the daemon
#     keeps running and retries with backoff, BIND keeps serving the old set;
#     once named.conf is fixed, a retry gets the set in.
#  B. BIND stopped while the set must change: retries fail ("connection
#     refused"), the include on disk stays the last applied, valid,
#     non-empty set; BIND started again serves it, and a retry applies the
#     new set.
#  C. The prefix file becomes invalid: file:line error in the log, the old
#     prefixes are kept.
. "$(dirname "$0")/healthd_common.inc"

check_include() {	# the include is never empty and always valid
	grep -q '^dns64 .* {' "$T/res/dns64.conf" || fail "dns64.conf empty: $(cat "$T/res/dns64.conf")"
	printf 'options {\n\tinclude "%s";\n};\n' "$T/res/dns64.conf" >"$T/wrap.conf"
	named-checkconf "$T/wrap.conf" || fail "dns64.conf does not pass named-checkconf"
}
fails_at_least() { [ "$(apply_field failures)" -ge "$1" ] 2>/dev/null; }

# A: prefix 3 is also in named.conf itself
RES_EXTRA_OPTIONS='dns64 2001:db8:64:3::/96 { clients { none; }; };'
rig_up 3
[ "$(aaaa)" = "$(want_aaaa 1)" ] || fail "resolver not serving the initial include"
start_healthd -i 300ms -t 250ms -r 2 -F 3 --backoff 200ms --backoff-max 1s \
    -p tcp:192.0.2.2:80 -p dns:192.0.2.53:53:example.test
wait_for 20 fails_at_least 3 || fail "no apply failures seen"
healthd_alive
grep -q 'already exists' "$T/healthd.log" || fail "BIND's reason not in the log"
grep -q 'restored the previous file' "$T/healthd.log" || fail "previous file not restored"
check_include
[ "$(cat "$T/res/dns64.conf")" = 'dns64 2001:db8:64:1::/96 { clients { any; }; };' ] ||
    fail "include changed although BIND refused it"
[ "$(aaaa)" = "$(want_aaaa 1)" ] || fail "BIND not serving the old set while refusing: '$(aaaa)'"
echo "A: BIND refused $(apply_field failures) times; still serving: $(aaaa)"
"$HD" --status -s "$T/status" | grep -q '^apply failing ' || fail "status does not say failing"
sed -i '/dns64 2001:db8:64:3::\/96 { clients { none; }; };/d' "$T/res/named.conf"
wait_for 10 aaaa_is "1 2 3" || fail "set not applied after named.conf was fixed: '$(aaaa)'"
echo "A: after the fix: $(aaaa)"
check_include

# B: BIND stopped, then the set has to change
res_stop
f0=$(apply_field failures)
tayga_stop 2
wait_for 20 fails_at_least $((f0 + 2)) || fail "no retries while BIND is down"
healthd_alive
grep -q 'connect failed\|connection refused' "$T/healthd.log" || fail "rndc's reason not in the log"
check_include
grep -q '^dns64 2001:db8:64:2::/96 {' "$T/res/dns64.conf" ||
    fail "include is not the last applied set"
echo "B: BIND down, $(( $(apply_field failures) - f0 )) failed retries, include kept valid"
res_start
wait_for 10 aaaa_is "1 3" || fail "new set not applied after BIND came back: '$(aaaa)'"
echo "B: BIND back: $(aaaa)"
check_include
wait_for 5 eval '"$HD" --status -s "$T/status" | grep -q "^apply ok "' || fail "status does not say ok"

# C: a bad prefix file
printf '2001:db8:64:1::/96\n2001:db8:64:2:ff00::/96\n' >"$T/prefixes"
wait_for 5 grep -q "prefixes:2: 2001:db8:64:2:ff00::/96: bits 64 to 71 must be zero" "$T/healthd.log" ||
    fail "no file:line error for the bad prefix file"
healthd_alive
[ "$(grep -c '^prefix ' "$T/status")" = 3 ] || fail "old prefixes not kept"
echo "C: $(grep -m1 'keeping the previous prefixes' "$T/healthd.log")"
# and a good one again, shrinking the list: prefix 3 leaves
printf '2001:db8:64:1::/96\n2001:db8:64:2::/96\n' >"$T/prefixes"
wait_for 10 aaaa_is "1 2" || fail "after shrinking: '$(aaaa)'"	# 2 is down: fills min
echo "C: two prefixes left (2 is down, kept to fill min 2): $(aaaa)"
[ "$(grep -c '^prefix ' "$T/status")" = 2 ] || fail "reload not taken"
check_include
echo PASS
