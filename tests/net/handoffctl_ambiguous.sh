#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoffctl_ambiguous.sh — a server with two addresses (192.0.2.2 and
# 192.0.2.4 on server4), so one NAT64 address has two channels. With the
# text audit format the log cannot tell which server address an entry
# belongs to: whois says so, names both addresses and lists the
# candidates (exit 5). With audit-format json every event carries its
# server address: whois answers exactly, and --server selects.
. "$(dirname "$0")/handoff_common.inc"
. "$(dirname "$0")/handoffctl_common.inc"
S4C=192.0.2.4 T6C=${PREF}192.0.2.4

ho_topology
nsx "$NS_S" ip addr add $S4C/24 dev br0
ng_start $S4:80 $S4C:80
ho_start S -c "$HC_SOCK"
nd_start

req 41001 >/dev/null || bad "curl to $S4"
req 41002 "$T6C" >/dev/null || bad "curl to $S4C"
wait_for 5 has_created "$AUDIT" 41002
check "two channels for $POOL" test "$(hc channels | awk -v n=$POOL '$1 == n' | wc -l)" = 2
p=$(audit_port "$AUDIT" 41001) t=$(ng_time 41001)
out=$(hc whois "$POOL:$p" --at "@$t"); rc=$?
echo "$out" | sed 's/^/    /'
check "text log, two server addresses: whois exits 5 (ambiguous) ($rc)" test $rc = 5
check "whois says the log does not record the server address" grep -q "does not record the server address" <<<"$out"
check "whois names both server addresses" grep -q "$S4 $S4C\|$S4C $S4" <<<"$out"
check "whois lists the candidate [$CLIENT]:41001" eval 'awk -v c=$CLIENT "\$1 == c && \$2 == 41001" <<<"$out" | grep -q .'
check "whois --json: result ambiguous, servers listed" \
	eval 'hc --json whois "$POOL:$p" --at "@$t" | grep -q "\"result\":\"ambiguous\".*\"servers\":\[\"192.0.2.[24]\",\"192.0.2.[24]\"\]"'

hc -s "$W/none" whois "$POOL:$p" --at "@$t" >/dev/null; rc=$?
check "state directory unreadable: the server addresses come from the control socket (exit $rc)" test $rc = 5
out=$(hc -s "$W/none" -c "$W/none.sock" whois "$POOL:$p" --at "@$t"); rc=$?
check "neither: the answer says the server addresses are not known (exit $rc)" \
	eval '[ $rc = 0 ] && grep -q "server addresses of $POOL are not known" <<<"$out"'

# the same server with the JSON audit format
kill -TERM "${HO_PID[S]}"; wait "${HO_PID[S]}" 2>/dev/null; HO_PID[S]=
ho_start S -c "$HC_SOCK" --audit-format json
req 41003 >/dev/null || bad "curl to $S4"
req 41004 "$T6C" >/dev/null || bad "curl to $S4C"
jport() {	# jport CPORT: nat64_port of the JSON created event of that client port
	sed -n "s/.*\"event\":\"created\".*\"nat64_port\":\([0-9]*\),\"client\":\"$CLIENT\",\"client_port\":$1,.*/\1/p" "$AUDIT" | tail -n 1
}
wait_for 5 eval '[ -n "$(jport 41004)" ]'
tail -n 2 "$AUDIT" | sed 's/^/    /'
JSON_RE='^\{"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}\+00:00","event":"(initialized","nat64":"[0-9.]+","server":"[0-9.]+"|(created|deleted)","nat64":"[0-9.]+","nat64_port":[0-9]+,"client":"[0-9a-f:]+","client_port":[0-9]+,"prefix":"[0-9a-f:]+/96","server":"[0-9.]+","(how":"(mapped|adopted)|reason":"(evicted|replaced|moved|forgotten))")\}$'
check "every new audit line is a JSON object with the documented fields" \
	eval '[ "$(grep -c "^{" "$AUDIT")" -ge 2 ] && ! grep "^{" "$AUDIT" | grep -Evq "$JSON_RE"'
check "the created events name their server addresses" \
	eval 'grep -q "\"client_port\":41003,.*\"server\":\"$S4\"" "$AUDIT" && grep -q "\"client_port\":41004,.*\"server\":\"$S4C\"" "$AUDIT"'
p3=$(jport 41003) t3=$(ng_time 41003)
out=$(hc whois "$POOL:$p3" --at "@$t3"); rc=$?
echo "$out" | sed 's/^/    /'
check "JSON log: whois answers (exit 0) ($rc)" test $rc = 0
check "JSON log: whois names [$CLIENT]:41003 on $S4" \
	eval 'awk -v c=$CLIENT -v s=$S4 "\$1 == c && \$2 == 41003 && \$4 == s" <<<"$out" | grep -q .'
out=$(hc whois "$POOL:$p3" --at "@$t3" --server $S4); rc=$?
check "whois --server $S4: found ($rc)" test $rc = 0
if grep -q "\"nat64_port\":$p3,.*\"server\":\"$S4C\"" "$AUDIT"; then
	echo "    (the other channel used port $p3 too: --server $S4C not checked)"
else
	hc whois "$POOL:$p3" --at "@$t3" --server $S4C >/dev/null; rc=$?
	check "whois --server $S4C: no entry there (exit 1) ($rc)" test $rc = 1
fi
ho_finish
