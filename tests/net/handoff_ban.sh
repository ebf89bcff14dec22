#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoff_ban.sh — two IPv6 clients behind one nat64d (handoff yes) reach a
# real nginx on server4. One of them fails to log in six times; nginx's
# access log, enriched by nat64-handoffctl annotate, is matched by the
# shipped fail2ban filter (fail2ban-regex), and a real fail2ban-server with
# the shipped jail and action bans that client in nat64-handoffd. Its new
# connections then fail at once with an ICMPv6 administratively
# prohibited (seen by tshark in its namespace, and as curl's "Permission
# denied"), while the other client behind the same NAT64 address keeps
# working; the ban survives a kill -9 and restart of nat64-handoffd; the
# jail's unban (fail2ban-client unbanip) restores the client.
. "$(dirname "$0")/handoff_common.inc"
. "$(dirname "$0")/handoffctl_common.inc"
for t in tshark fail2ban-regex fail2ban-server fail2ban-client; do
	command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
EX=$PWD/docs/examples/fail2ban
NS_C2=$TAG-c2
CLIENT2=2001:db8:2::2

ho_topology
# The second client, on a link of its own to the gateway.
ip netns add "$NS_C2" || die "cannot create namespace $NS_C2"
NSES+=("$NS_C2")
nsx "$NS_C2" ip link set lo up
ip link add c6 netns "$NS_C2" type veth peer name x6b netns "$NS_X"
nsx "$NS_C2" ip -6 addr add $CLIENT2/64 dev c6 nodad
nsx "$NS_C2" ip link set c6 up
nsx "$NS_C2" ip -6 route add default via 2001:db8:2::1 dev c6
nsx "$NS_X" ip -6 addr add 2001:db8:2::1/64 dev x6b nodad
nsx "$NS_X" ip link set x6b up

ng_start $S4:80
ho_start S -c "$HC_SOCK"
nd_start

req2() { nsx "$NS_C2" curl -sS -g --max-time 15 --local-port "$1" "http://[$T6]/p$1"; }
login() { nsx "$1" curl -s -o /dev/null -w '%{http_code}' -g --max-time 15 --local-port "$2" "http://[$T6]/login"; }
# refused NS LPORT: the connection fails at once with EACCES (the ICMPv6
# error), not by a timeout
refused() {
	nsx "$1" curl -v -sS -g --max-time 15 --local-port "$2" "http://[$T6]/p$2" >"$W/refused.out" 2>&1 && return 1
	grep -q 'Permission denied' "$W/refused.out"
}

check "client 1 ($CLIENT) reaches nginx" eval 'req 40001 | grep -q "^hello $POOL:"'
check "client 2 ($CLIENT2) reaches nginx through the same NAT64 address" eval 'req2 41001 | grep -q "^hello $POOL:"'

# ---- the abuse, the enriched log, the filter
for p in $(seq 40010 40015); do [ "$(login "$NS_C" $p)" = 401 ] || bad "login from client 1 port $p"; done
[ "$(login "$NS_C2" 41010)" = 401 ] || bad "login from client 2"
wait_for 10 has_created "$AUDIT" 40015
ok "six failed logins from client 1, one from client 2"
wait_for 5 eval '[ "$(grep -c "/login" "$NG/access-iso.log")" = 7 ]'
hc annotate <"$NG/access-iso.log" >"$W/enriched.log" 2>"$W/annotate.err"
sed 's/^/    /' "$W/enriched.log" | grep login | head -3
check "the enriched log names client 1 for each of its failed logins" \
	test "$(grep -c "\"GET /login HTTP/1.1\" 401 .* real_client=\[$CLIENT\]:4001[0-5]\$" "$W/enriched.log")" = 6
out=$(cd "$W" && fail2ban-regex "$W/enriched.log" "$EX/filter.d/nat64-handoff.conf" 2>&1)
echo "$out" | grep -E '^(Lines|Failregex)' | sed 's/^/    /'
check "fail2ban-regex: the shipped filter matches the 7 failed logins and nothing else" \
	eval 'echo "$out" | grep -q "^Lines: 9 lines, 0 ignored, 7 matched, 2 missed"'
out=$(cd "$W" && fail2ban-regex --print-all-matched "$W/enriched.log" "$EX/filter.d/nat64-handoff.conf" 2>&1)
check "fail2ban-regex: no match of a line without its real client" \
	eval '! echo "$out" | grep -A20 "Matched line" | grep -q "real_client=[^[]"'

# ---- fail2ban for real: the shipped jail and action in a private config
F=$W/f2b
mkdir -p "$F/filter.d" "$F/action.d" "$F/jail.d"
cp "$EX/filter.d/nat64-handoff.conf" "$F/filter.d/"
cp "$EX/action.d/nat64-handoff.conf" "$F/action.d/"
cp "$EX/jail.d/nat64-handoff.conf" "$F/jail.d/"
cat >"$F/fail2ban.conf" <<EOC
[Definition]
loglevel = INFO
logtarget = $F/fail2ban.log
socket = $F/fail2ban.sock
pidfile = $F/fail2ban.pid
dbfile = :memory:
EOC
printf '[DEFAULT]\n' >"$F/jail.conf"
cat >"$F/jail.d/nat64-handoff.local" <<EOC
[nat64-handoff]
logpath = $W/enriched.log
action = nat64-handoff[nat64_handoffctl="$CTL", ctl_options="-c $HC_SOCK"]
bantime = 600
EOC
fail2ban-client -c "$F" start >"$F/start.out" 2>&1 || die "fail2ban did not start: $(cat "$F/start.out"; tail -5 "$F/fail2ban.log")"
f2b_stop() { fail2ban-client -c "$F" stop >/dev/null 2>&1; }
PIDS+=("$(cat "$F/fail2ban.pid" 2>/dev/null)")
check "the jail bans client 1 through the action (nat64-handoffctl bans lists $CLIENT/128)" \
	wait_for 30 eval 'hc bans 2>/dev/null | grep -q "^$CLIENT/128 "'
hc bans | sed 's/^/    /'
check "fail2ban banned client 1 only" eval 'fail2ban-client -c "$F" status nat64-handoff | grep -q "Banned IP list:[[:space:]]*$CLIENT\$"'
check "audit: Banned $CLIENT/128 until ... reason fail2ban nat64-handoff" \
	grep -Eq " Banned $CLIENT/128 until [0-9T:-]+Z reason fail2ban nat64-handoff\$" "$AUDIT"
check "audit: client 1's entries Deleted" grep -q " Deleted $POOL:[0-9]* \[$CLIENT\]:40015\$" "$AUDIT"

# ---- the ban in force
# the first ICMPv6 destination unreachable (type 1) on client 1's link
nsx "$NS_C" tshark -q -n -i c6 -c 1 -f 'icmp6 and ip6[40] == 1' -w "$W/c1.pcap" >"$W/tshark.out" 2>&1 &
TS_PID=$!
PIDS+=("$TS_PID")
wait_for 10 grep -q "Capture started" "$W/tshark.out" || die "tshark did not start: $(cat "$W/tshark.out")"
check "client 1's new connection fails at once: curl says Permission denied (EACCES)" refused "$NS_C" 40020
# (tshark may say it started a moment before it captures: try again, on
# other ports, until it has its packet)
for p in 40022 40023 40024; do
	wait_for 2 eval '! kill -0 "$TS_PID" 2>/dev/null' && break
	refused "$NS_C" $p || bad "client 1 port $p not refused"
done
sed -n 's/^\* /    curl: /p' "$W/refused.out" | grep -i -m2 'fail\|denied'
check "client 2 still reaches nginx" eval 'req2 41020 | grep -q "^hello $POOL:"'
sleep 1
kill "$TS_PID"; wait "$TS_PID" 2>/dev/null;
icmp=$(tshark -n -r "$W/c1.pcap" -Y 'icmpv6.type == 1 && icmpv6.code == 1' -T fields -E occurrence=f -e ipv6.src -e ipv6.dst -e tcp.srcport 2>/dev/null)
T6N=$("$PY" -c 'import ipaddress, sys; print(ipaddress.ip_address(sys.argv[1]))' "$T6")
echo "    tshark in client 1's namespace: ${icmp:-nothing}" | head -3
check "tshark: ICMPv6 destination unreachable, administratively prohibited, from $T6 to $CLIENT quoting the refused port" \
	eval 'echo "$icmp" | grep -Eq "^$T6N	$CLIENT	4002[0234]\$"'
check "no entry for client 1's refused connections" eval '! grep -q "\[$CLIENT\]:4002[0-4]\$" "$AUDIT"'
ho_status S
check "nat64-handoffd counted it (banned_prohibited $(ho_st S banned_prohibited))" test "$(ho_st S banned_prohibited)" -ge 1

# ---- kill -9 and restart of nat64-handoffd
ho_kill9 S
ok "nat64-handoffd killed with SIGKILL"
ho_start S -c "$HC_SOCK"
check "after the restart: still banned" eval 'hc bans | grep -q "^$CLIENT/128 "'
check "after the restart: client 1 still refused" refused "$NS_C" 40021
check "after the restart: client 2 still reaches nginx" eval 'req2 41021 | grep -q "^hello $POOL:"'

# ---- unban through the jail
fail2ban-client -c "$F" set nat64-handoff unbanip "$CLIENT" >/dev/null || bad "fail2ban-client unbanip"
check "the jail's unban lifts the ban" wait_for 15 eval '! hc bans | grep -q "^$CLIENT/128 "'
check "audit: Unbanned $CLIENT/128 lifted" grep -q " Unbanned $CLIENT/128 lifted\$" "$AUDIT"
check "client 1 reaches nginx again" eval 'req 40030 | grep -q "^hello $POOL:"'
check "client 1's new connection has an entry again" wait_for 5 has_created "$AUDIT" 40030
check "fail2ban logged no action error" eval '! grep -qi "error" "$F/fail2ban.log"'
f2b_stop
grep -i "nat64-handoff" "$F/fail2ban.log" | grep -iE "ban|unban" | sed 's/^/    fail2ban: /' | head -4
ho_finish
