#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoffctl_whois.sh — curl through nat64d (handoff yes) to a real nginx
# on server4, whose nat64-handoffd keeps a 16-entry table and a control
# socket. nat64-handoffctl lookup names each curl client's address and
# port; after the server restarts and a 17th client evicts the oldest
# entry and takes its port, whois --at names the right client at both
# times, from the current audit log and again once it is rotated and
# gzipped; annotate appends the right client to every line of nginx's
# access logs (the documented $msec and $time_iso8601 formats).
. "$(dirname "$0")/handoff_common.inc"
. "$(dirname "$0")/handoffctl_common.inc"
command -v gzip >/dev/null || { echo "SKIP: gzip not installed"; exit 77; }

ho_topology
ng_start $S4:80
ho_start S -t 16 -c "$HC_SOCK"
nd_start

body=$(req 40001)
check "curl 40001 through the gateway to nginx ($body)" grep -q '^hello 198\.51\.100\.1:' <<<"$body"
wait_for 5 has_created "$AUDIT" 40001
p1=$(audit_port "$AUDIT" 40001)
check "nginx saw the NAT64 port of the audit log ($p1)" test "$body" = "hello $POOL:$p1"
out=$(hc lookup "$POOL:$p1")
echo "$out" | sed 's/^/    /'
check "lookup $POOL:$p1 names [$CLIENT]:40001" \
	eval 'echo "$out" | awk -v c=$CLIENT "\$3 == c && \$4 == 40001 && \$6 == \"$S4\"" | grep -q .'
check "lookup --json: client and client_port" \
	eval 'hc --json lookup "$POOL:$p1" | grep -q "\"client\":\"$CLIENT\",\"client_port\":40001"'
stamp=$(grep " Created $POOL:$p1 \[$CLIENT\]:40001\$" "$AUDIT" | cut -c1-26 | tr ' ' T)Z
check "lookup: created is the audit log's Created stamp ($stamp)" \
	eval '[ "$(echo "$out" | awk "NR == 2 { print \$8 }")" = "$stamp" ]'
hc lookup "$POOL:1"; rc=$?
check "lookup of a port without an entry exits 1 ($rc)" test $rc = 1

for p in $(seq 40002 40016); do req $p >/dev/null || bad "curl $p"; done
wait_for 5 has_created "$AUDIT" 40016
check "the table is full: channels says 16 entries" \
	eval 'hc channels | awk -v n=$POOL "\$1 == n && \$4 == 16" | grep -q .'
check "show $POOL lists 16 entries" test "$(hc show $POOL | tail -n +2 | wc -l)" = 16
check "show $POOL in pages of 5 lists the same 16" test "$(hc show $POOL --limit 5 | md5sum)" = "$(hc show $POOL | md5sum)"
check "lookup-client $CLIENT lists 16 entries" test "$(hc lookup-client $CLIENT | tail -n +2 | wc -l)" = 16

# a restart between the two holders of the port: the log says nothing
# about it, the entry simply lives on
kill -TERM "${HO_PID[S]}"; wait "${HO_PID[S]}" 2>/dev/null; HO_PID[S]=
ho_start S -t 16 -c "$HC_SOCK"
body=$(req_slow 40017)
wait_for 5 has_created "$AUDIT" 40017
p17=$(audit_port "$AUDIT" 40017)
old=$(sed -n "s/.* Deleted $POOL:$p17 \[$CLIENT\]:\([0-9]*\)\$/\1/p" "$AUDIT" | tail -n 1)
echo "    40017 got $POOL:$p17, evicted from [$CLIENT]:$old"
check "the 17th client took an evicted entry's port" test -n "$old"
check "nginx saw 40017 on that port ($body)" test "$body" = "hello $POOL:$p17"
check "lookup now names 40017" eval 'hc lookup "$POOL:$p17" | awk "\$4 == 40017" | grep -q .'

t_old=$(ng_time "$old") t_new=$(ng_time 40017)
echo "    requests at $t_old ($old) and $t_new (40017)"
whois_port() {	# whois_port TIME: the client port whois names
	hc whois "$POOL:$p17" --at "@$1" | awk -v c=$CLIENT '$1 == c { print $2 }'
}
check "whois at the first request's time: $old ($(whois_port "$t_old"))" test "$(whois_port "$t_old")" = "$old"
check "whois at the 17th request's time: 40017 ($(whois_port "$t_new"))" test "$(whois_port "$t_new")" = 40017
hc whois "$POOL:$p17" --at "@$t_old" | sed 's/^/    /'
check "whois --json: found, client_port $old" \
	eval 'hc --json whois "$POOL:$p17" --at "@$t_old" | grep -q "\"result\":\"found\".*\"client_port\":$old,"'
json_ok() { "$@" | "$PY" -c 'import json, sys; json.load(sys.stdin)'; }
check "--json of lookup, lookup-client, channels, stats, show, whois: valid JSON" eval '
	json_ok hc --json lookup "$POOL:$p17" && json_ok hc --json lookup-client $CLIENT/64 &&
	json_ok hc --json channels && json_ok hc --json stats && json_ok hc --json show $POOL &&
	json_ok hc --json whois "$POOL:$p17" --at "@$t_new" &&
	json_ok hc --json whois "$POOL:$p17" --at 2001-01-01T00:00:00Z'
check "stats --json is one object: entries_created >= 1 (since the restart)" \
	eval 'hc --json stats | "$PY" -c "import json, sys; sys.exit(json.load(sys.stdin)[\"entries_created\"] < 1)"'
hc whois "$POOL:$p17" --at "2001-01-01T00:00:00Z" >/dev/null; rc=$?
check "whois before any entry: exit 1 ($rc)" test $rc = 1
hc whois "$POOL:$p17" --at "2001-01-01T00:00:00Z" | grep -q "^after .* Created \[$CLIENT\]" &&
	ok "whois without an entry names the nearest event after" || bad "whois: no nearest event"

# annotate_ok LOG [second]: every line names the client of its /pPORT;
# with "second" (a log of one-second stamps) a line may instead say it
# is ambiguous between candidates that include that client, when the
# port changed hands within its second.
annotate_ok() {
	hc annotate <"$1" 2>"$W/annotate.err" | awk -v c="$CLIENT" -v sec="${2:-}" '
		{ n++; port = $5; sub(/^\/p/, "", port); want = "[" c "]:" port
		  if ($NF == "real_client=" want) next
		  if (sec != "" && $NF ~ /^real_client=ambiguous:/ && index($NF ",", want ",")) { amb++; next }
		  print "wrong: " $0; bad++ }
		END { if (amb) print "    (" amb " ambiguous within their second)"; exit !(n > 0 && !bad) }'
}
check "annotate: every line of nginx's \$msec log has its real client" annotate_ok "$NG/access.log"
check "annotate: every line of nginx's \$time_iso8601 log has its real client" annotate_ok "$NG/access-iso.log" second
hc annotate <"$NG/access.log" 2>/dev/null | tail -n 2 | sed 's/^/    /'
annotate_json_ok() {	# --json: one object per line, the same clients
	hc --json annotate <"$NG/access.log" 2>/dev/null | "$PY" -c '
import json, sys
n = 0
for l in sys.stdin:
    o = json.loads(l)
    port = o["line"].split()[4][2:]
    assert o["result"] == "found" and o["real_client"] == "[%s]:%s" % (sys.argv[1], port), l
    n += 1
assert n == int(sys.argv[2]), n
' "$CLIENT" "$(wc -l <"$NG/access.log")"
}
check "annotate --json: one object per line with the same real clients" annotate_json_ok

# rotation: the log moves to .1.gz, SIGHUP reopens, one more client evicts
mv "$AUDIT" "$AUDIT.1" && gzip "$AUDIT.1"
kill -HUP "${HO_PID[S]}"
wait_for 5 test -e "$AUDIT" || bad "no new audit log after SIGHUP"
req_slow 40018 >/dev/null
wait_for 5 has_created "$AUDIT" 40018
check "whois from the rotated gzipped log: $old at the first time" test "$(whois_port "$t_old")" = "$old"
check "whois from the rotated gzipped log: 40017 at the second time" test "$(whois_port "$t_new")" = 40017
check "annotate across the current and the gzipped log" annotate_ok "$NG/access.log"
mv "$AUDIT.1.gz" "$W/aside.gz"
check "without the gzipped log whois cannot name $old (it was read)" test "$(whois_port "$t_old")" != "$old"
mv "$W/aside.gz" "$AUDIT.1.gz"
ho_finish
