#!/usr/bin/env bash
# The served-set check (ipv4only.arpa AAAA, RFC 8880) with real BIND 9 and 3
# tayga NAT64s (healthd_common.inc), selecting 2 of 3, retries of a failed
# apply 30 s apart, so only the check can bring BIND back in line:
#  A. BIND stopped, NAT64 1 (selected) dies: the apply fails, the include
#     keeps the old set; BIND started again serves it (the dead prefix);
#     after the next check the served set is the selection again;
#  B. a hand edit of dns64.conf and rndc reconfig: back after the next check;
#  C. answers that cannot be compared (the clients ACL excludes the
#     daemon's own queries): said once, then no more re-applies.
# The times are printed, not asserted.
. "$(dirname "$0")/healthd_common.inc"

rig_up 3
start_healthd -M 2 --backoff 30s --backoff-max 30s -p tcp:192.0.2.2:80 -p icmp:192.0.2.2
wait_for 30 aaaa_is "1 2" || fail "start: '$(aaaa)'"
wait_for 10 eval 'grep -q "^verify dns64_served_matches 1 " "$T/status"' || fail "the check never matched"
echo "start: $(aaaa)"

# A
res_stop
tayga_stop 1
wait_for 20 eval 'grep -q "apply failed" "$T/healthd.log"' || fail "no failed apply with BIND down"
[ "$(status_field 3 selected)" = 1 ] || fail "3 not selected"
grep -q '^dns64 2001:db8:64:1::/96 {' "$T/res/dns64.conf" || fail "include not the old set"
res_start
t0=$(ms_now)
[ "$(aaaa)" = "$(want_aaaa "1 2")" ] && echo "BIND restarted: serves the old set (dead prefix 1): $(aaaa)"
wait_for 30 aaaa_is "2 3" || fail "A: never back to the selection: '$(aaaa)'"
echo "A: served set back to the selection (2 3) $(( $(ms_now) - t0 )) ms after BIND was started"
grep -q 'serves another DNS64 set than the selection' "$T/healthd.log" || fail "A: not the check's doing"
wait_for 10 eval 'grep -q "^verify dns64_served_matches 1 " "$T/status"' || fail "A: status"
grep -q '^nat64_healthd_dns64_served_matches 1$' "$T/healthd.prom" || fail "A: metric"

# B
runs0=$(apply_field runs)
printf 'dns64 2001:db8:64:1::/96 { clients { any; }; };\n' >"$T/res/dns64.conf"
nsx "$NS_C" "${RNDC[@]}" reconfig >/dev/null || fail "rndc reconfig"
t0=$(ms_now)
[ "$(aaaa)" = "$(want_aaaa 1)" ] || fail "B: the hand edit is not served: '$(aaaa)'"
wait_for 30 aaaa_is "2 3" || fail "B: never back to the selection: '$(aaaa)'"
echo "B: hand edit undone $(( $(ms_now) - t0 )) ms after it was served"
[ "$(apply_field runs)" -gt "$runs0" ] || fail "B: no re-apply"
healthd_alive
kill "$HD_PID"; wait "$HD_PID"; HD_PID=

# C: the daemon's queries come from ::1, which the ACL excludes
UD_ARGS=(-c '!::1; !127.0.0.1; any')
: >"$T/healthd.log"
start_healthd -M 2 --backoff 30s --selection-file none -p tcp:192.0.2.2:80 -p icmp:192.0.2.2
wait_for 40 eval 'grep -q "it cannot be compared" "$T/healthd.log"' ||
    fail "C: no 'cannot be compared': $(tail -5 "$T/healthd.log")"
runs=$(apply_field runs)
sleep 8
[ "$(apply_field runs)" = "$runs" ] || fail "C: re-applies go on after giving up"
[ "$(grep -c 'cannot be compared' "$T/healthd.log")" = 1 ] || fail "C: said more than once"
grep -q '^verify dns64_served_matches -1 .* gave_up 1$' "$T/status" || fail "C: status: $(grep verify "$T/status")"
echo "C: $(grep -m1 'cannot be compared' "$T/healthd.log" | sed 's/^nat64-healthd: //' | cut -c1-150)..."
echo "C: $runs applies, none more in 8 s"
echo PASS
