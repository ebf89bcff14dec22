#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64-healthd + update-dns64 + real BIND 9 + 4 tayga NAT64s (healthd_common.inc):
#  1. at start, dig shows AAAA synthesized from exactly the first three prefixes
#     (file order), the status and Prometheus files agree;
#  2. kill NAT64 1: its prefix leaves BIND's answers and prefix 4 joins; the
#     time is printed against fall x interval + 1 s (not asserted: shared CI);
#  3. reverse DNS for the drained prefix keeps answering (clients { none; });
#  4. NAT64 1 back: up again after rise (status), not selected (sticky set);
#     then kill NAT64 2: prefix 1 is taken again.
. "$(dirname "$0")/healthd_common.inc"

INTERVAL_MS=500 FALL=3 RISE=2
rig_up 4
start_healthd -i ${INTERVAL_MS}ms -t 400ms -r $RISE -F $FALL --hold-down 1s \
    -p tcp:192.0.2.2:80 -p dns:192.0.2.53:53:example.test -p icmp:192.0.2.2 --quorum 0

# 1. the first three, from BIND itself
wait_for 20 aaaa_is "1 2 3" || fail "dig never showed prefixes 1 2 3; got '$(aaaa)'"
echo "start: dig AAAA v4.example.test -> $(aaaa)"
healthd_alive
wait_for 5 status_is 4 state up || fail "prefix 4 not up"
for i in 1 2 3 4; do
	[ "$(status_field $i selected)" = $([ $i = 4 ] && echo 0 || echo 1) ] ||
	    fail "status: prefix $i selected flag"
done
grep -q '^nat64_healthd_prefix_selected{prefix="2001:db8:64:1::/96"} 1$' "$T/healthd.prom" || fail "prom file"
grep -q '^nat64_healthd_selected_prefixes 3$' "$T/healthd.prom" || fail "prom: selected count"
"$HD" --status -s "$T/status" | grep -q '^prefix 2001:db8:64:4::/96 state up selected 0 ' ||
    fail "--status output"
wait_for 5 apply_is runs 1 || fail "expected exactly one apply at start, got $(apply_field runs)"
nsx "$NS_C" ping -6 -c1 -W1 2001:db8:64:4::c000:202 >/dev/null || fail "path through NAT64 4"

# 2. kill NAT64 1
t0=$(ms_now)
tayga_stop 1
wait_for 20 aaaa_is "2 3 4" || fail "prefix 1 did not leave / 4 did not join: '$(aaaa)'"
took=$(( $(ms_now) - t0 ))
bound=$(( FALL * INTERVAL_MS + 1000 ))
echo "failover: NAT64 1 killed -> dig answer changed in ${took} ms (fall x interval + 1 s = ${bound} ms)"
[ "$took" -le "$bound" ] || echo "NOTE: slower than fall x interval + 1 s on this run (not asserted)"
grep -q 'prefix 2001:db8:64:1::/96 is down' "$T/healthd.log" || fail "no 'is down' log line"
[ "$(aaaa)" = "$(want_aaaa "2 3 4")" ] || fail "answer set changed again"

# 3. reverse DNS of a connection made through the drained prefix
grep -q 'dns64 2001:db8:64:1::/96 {' "$T/res/dns64.conf" || fail "drained block missing"
ptr=$(nsx "$NS_C" dig @::1 +short -x 2001:db8:64:1::c000:201 | tail -1)
[ "$ptr" = "v4.example.test." ] || fail "reverse of a drained prefix: '$ptr'"
echo "reverse DNS via drained prefix 1: $ptr"

# 4. back: up after rise, but the full healthy set is kept
tayga_start 1
wait_for 20 status_is 1 state up || fail "prefix 1 not up again"
echo "NAT64 1 back: up again after rise ($RISE rounds + hold-down), selected=$(status_field 1 selected)"
[ "$(status_field 1 selected)" = 0 ] || fail "a healthy full set was changed"
[ "$(aaaa)" = "$(want_aaaa "2 3 4")" ] || fail "answers changed when 1 came back"
tayga_stop 2
wait_for 20 aaaa_is "1 3 4" || fail "prefix 1 not taken back when 2 failed: '$(aaaa)'"
echo "NAT64 2 killed: dig -> $(aaaa)"
healthd_alive
runs=$(apply_field runs); fails=$(apply_field failures)
echo "applies: $runs runs, $fails failures"
[ "$fails" = 0 ] || fail "apply failures"
nsx "$NS_C" named-checkconf "$T/res/named.conf" || fail "resolver config invalid"
kill -TERM "$HD_PID"; wait "$HD_PID"; rc=$?; HD_PID=
[ $rc = 0 ] || fail "nat64-healthd exit status $rc on SIGTERM"
echo PASS
