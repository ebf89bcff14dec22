#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoff_legacy.sh — must-show 6: server4b has no nat64-handoffd (UDP 6464
# closed). curl to it works as plain NAT64, and a capture on server4b shows
# nat64d's identifier + entry packets to 192.0.2.3:6464 naming the client's
# address and port. Then nat64-handoffd is started on server4b: new
# connections go through handoff (Initialized, Created) and nat64d lists
# server4b as supported.
. "$(dirname "$0")/handoff_common.inc"
command -v tshark >/dev/null || { echo "SKIP: tshark not installed"; exit 77; }

IDENT='[[ This is the NAT64 handoff protocol. The client is using IPv6. To know their real IP address you need to use this protocol or support IPv6. ]]'
IDENT_HEX=3148$(printf '%s' "$IDENT" | od -An -tx1 -v | tr -d ' \n')
# entry message for [client]:PORT under 64:ff9b::/96, any mapped port
entry_re() { printf '3710[0-9a-f]{4}0064ff9b000000000000000020010db8000100000000000000000002%04x' "$1"; }

ho_topology
servers_start S
servers_start B
ho_start S
nd_start

# capture what reaches server4b's UDP port 6464
ip netns exec "$NS_B" tshark -n -l -i s4b -f 'udp dst port 6464' -w "$W/cap.pcapng" -P \
	>"$W/tshark.out" 2>"$W/tshark.err" &
TSHARK=$!
PIDS+=("$TSHARK")
# live once a packet sent from server4 shows up
capture_live() {
	nsx "$NS_S" bash -c 'echo sync >/dev/udp/192.0.2.3/6464' 2>/dev/null
	wait_for 1 eval 'awk -v a=$S4 "\$3 == a" "$W/tshark.out" 2>/dev/null | grep -q .'
}
wait_for 30 capture_live || die "tshark does not capture: $(cat "$W/tshark.err")"
ncap() { awk -v a=$POOL '$3 == a' "$W/tshark.out" | wc -l; }

body=$(ho_curl 42001 "$T6B")
echo "    curl: $body"
check "curl to server4b works as plain NAT64" grep -q '^hello /p42001 from 192.0.2.3' <<<"$body"
check "the capture on server4b sees a packet to port 6464" wait_for 15 eval '[ "$(ncap)" -ge 1 ]'
# nat64d keeps trying (rate-limited): more connections, more packets
port=42002
for i in $(seq 10); do
	[ "$(ncap)" -ge 2 ] && break
	ho_curl $port "$T6B" >/dev/null; port=$((port + 1))
	wait_for 2 eval '[ "$(ncap)" -ge 2 ]' && break
done
check "nat64d keeps sending to the closed port ($(ncap) packets captured)" test "$(ncap)" -ge 2
nd_status
echo "    nat64d: $(nd_server "$S4B")"
check "nat64d: handoff_server $S4B is not 'supported'" \
	eval 'nd_server $S4B | grep -Eq " (unknown|down) "'
kill -TERM "$TSHARK"; wait "$TSHARK" 2>/dev/null
sed 's/^/    /' "$W/tshark.out" | head -n 5

# raw check: identifier and the client's entry in the UDP payload
tshark -n -r "$W/cap.pcapng" -T fields -e ip.src -e udp.srcport -e ip.dst -e udp.dstport -e udp.payload \
	>"$W/cap.txt" 2>"$W/cap.err"
check "captured: from $POOL:6464 to $S4B:6464" \
	grep -Pq "^$POOL\t6464\t$S4B\t6464\t" "$W/cap.txt"
echo "    $(grep -c "^$POOL" "$W/cap.txt") packets from $POOL"
check "payload: the protocol identifier (type 1, 144 octets)" grep -q "$IDENT_HEX" "$W/cap.txt"
check "payload: an entry (type 7) for [$CLIENT]:42001 under $PREF/96" \
	grep -Eq "$(entry_re 42001)" "$W/cap.txt"
# decoded with the project's dissector
if [ -f "$HO_LUA" ]; then
	tshark -n -r "$W/cap.pcapng" -X lua_script:"$HO_LUA" -Y "nat64handoff && ip.src == $POOL" -T fields \
		-e nat64handoff.ident -e nat64handoff.entry.client -e nat64handoff.entry.client_port \
		>"$W/dis.txt" 2>"$W/dis.err"
	head -n 2 "$W/dis.txt" | cut -c1-60,145- | sed 's/^/    dissector: /'
	check "dissector: identifier decoded" grep -qF "$IDENT" "$W/dis.txt"
	check "dissector: entry client $CLIENT port 42001" \
		grep -Eq "$CLIENT.*[^0-9]42001([^0-9]|$)" "$W/dis.txt"
else
	echo "    note: $HO_LUA missing; only the raw payload was checked"
fi

# ---- now server4b speaks handoff
fwd6_0=$(nd_st handoff_fwd6)
ho_start B
port=42100
for i in $(seq 20); do
	ho_curl $port "$T6B" >/dev/null; port=$((port + 1))
	grep -q " Initialized $POOL\$" "$AUDIT_B" 2>/dev/null && break
	sleep 0.5
done
check "server4b: Initialized $POOL" grep -q " Initialized $POOL\$" "$AUDIT_B"
check "nat64d: handoff_server $S4B supported" wait_for 10 eval 'nd_status; nd_server $S4B | grep -q " supported"'
body=$(ho_curl 42200 "$T6B")
check "curl to server4b through handoff" grep -q '^hello /p42200 from 192.0.2.3' <<<"$body"
seen=$(sed -n 's/.* you are 198\.51\.100\.1:\([0-9]*\)$/\1/p' <<<"$body")
check "server4b: Created $POOL:$seen [$CLIENT]:42200" wait_for 5 eval '[ "$(audit_port "$AUDIT_B" 42200)" = "$seen" ]'
nd_status
echo "    nat64d: $(nd_server "$S4B")"
check "nat64d: handoff_fwd6 grew ($fwd6_0 -> $(nd_st handoff_fwd6))" test "$(nd_st handoff_fwd6)" -gt "$fwd6_0"
echo "    server4b audit log:"; sed 's/^/      /' "$AUDIT_B"
ho_finish
