#!/usr/bin/env bash
# nat64-healthd under 10 % random loss each way on one NAT64 path (an
# ip6tables statistic rule in that NAT64's FORWARD chain: this kernel has
# no sch_netem; the rule drops 10 % of the packets in both directions),
# with short intervals: LOSS_SECS (default 75) seconds of 300 ms rounds,
# ~250 rounds per prefix. No flapping: that prefix rises once and is never
# taken down, the set is applied once, BIND's answers never change — while
# the probe counters show the loss was really there.
. "$(dirname "$0")/healthd_common.inc"

LOSS_SECS=${LOSS_SECS:-75}
command -v ip6tables >/dev/null || { echo "SKIP: ip6tables (iptables) not installed"; exit 77; }
rig_up 3
nsx "$TAG-x2" ip6tables -A FORWARD -m statistic --mode random --probability 0.1 -j DROP ||
    { echo "SKIP: ip6tables statistic match not available"; exit 77; }
start_healthd -i 300ms -t 250ms -r 2 -F 3 --hold-down 2s \
    -p tcp:192.0.2.2:80 -p dns:192.0.2.53:53:example.test
wait_for 20 aaaa_is "1 2 3" || fail "start: '$(aaaa)'"
echo "start: $(aaaa)"
end=$(( $(ms_now) + LOSS_SECS * 1000 ))
changes=0 last=$(aaaa)
while [ "$(ms_now)" -lt "$end" ]; do
	sleep 1
	cur=$(aaaa)
	if [ -n "$cur" ] && [ "$cur" != "$last" ]; then
		changes=$((changes + 1)); echo "answer changed: $cur"; last=$cur
	fi
	healthd_alive
done
# probes_total PREFIXNUM RESULT: summed over the targets
probes_total() {
	awk -v p="prefix=\"2001:db8:64:$1::/96\"" -v r="result=\"$2\"" \
	    '$1 ~ /^nat64_healthd_probes_total\{/ && index($1, p) && index($1, r) { s += $2 } END { print s + 0 }' \
	    "$T/healthd.prom"
}
fails=$(probes_total 2 fail)
oks=$(probes_total 2 ok)
fails1=$(probes_total 1 fail)
echo "dropped by the rule: $(nsx "$TAG-x2" ip6tables -L FORWARD -n -v -x | awk '/DROP/ {print $1}') packets"
echo "lossy path: $oks probes ok, $fails failed (after the second attempt); clean path: $fails1 failed"
echo "prefix 2: transitions $(status_field 2 transitions), rounds $(status_field 2 rounds), ratio $(status_field 2 ratio); applies $(apply_field runs)"
[ "${fails:-0}" -gt 0 ] || fail "no probe failures: was the loss in effect?"
[ "$(status_field 2 transitions)" = 1 ] || fail "prefix 2 flapped: $(status_field 2 transitions) transitions"
[ "$(status_field 2 selected)" = 1 ] || fail "prefix 2 deselected"
[ "$(apply_field runs)" = 1 ] || fail "selection changed: $(apply_field runs) applies"
[ $changes = 0 ] || fail "BIND's answers changed $changes times"
echo PASS
