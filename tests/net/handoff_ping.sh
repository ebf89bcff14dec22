#!/usr/bin/env bash
# handoff_ping.sh — must-show 8: ping6 to server4 (64:ff9b::192.0.2.2)
# through nat64d is answered through the control channel: nat64d forwards
# the echo requests to nat64-handoffd (handoff_fwd6), which answers them
# itself (echo_replies); server4's kernel never sees an ICMP echo. For
# contrast, server4b (no nat64-handoffd) is pinged by plain translation.
. "$(dirname "$0")/handoff_common.inc"

icmp_in_echos() {	# ns -> the kernel's Icmp InEchos
	nsx "$1" awk '/^Icmp:/ { if (!h) { for (i = 2; i <= NF; i++) if ($i == "InEchos") c = i; h = 1; next } print $c }' /proc/net/snmp
}

ho_topology
servers_start S
ho_start S
nd_start

# a connection first, so that nat64d knows server4 speaks handoff
body=$(ho_curl 40001)
check "curl through the gateway" grep -q '^hello /p40001' <<<"$body"
check "server4 validated the gateway (Initialized)" wait_for 15 grep -q " Initialized $POOL\$" "$AUDIT"
nd_status
check "nat64d: handoff_server $S4 supported" wait_for 10 eval 'nd_status; nd_server $S4 | grep -q " supported"'
# echo requests sent over the control channel: handoff_fwd6 (every IPv6
# packet forwarded) or a dedicated echo counter
fwd6() { awk '$1 == "handoff_fwd6" || $1 == "handoff_fwd_echo6" { s += $2 } END { print s + 0 }' "$ND_STATUS"; }
fwd6_0=$(fwd6)
ho_status S
echo_0=$(ho_st S echo_replies)
kern_0=$(icmp_in_echos "$NS_S")

out=$(nsx "$NS_C" ping -6 -n -c 3 -i 0.3 -W 3 "$T6" 2>&1)
echo "$out" | sed 's/^/    /'
check "ping6 $T6: 3 of 3 answered" grep -q ' 3 received' <<<"$out"
nd_status
ho_status S
fwd6_1=$(fwd6) echo_1=$(ho_st S echo_replies) kern_1=$(icmp_in_echos "$NS_S")
check "nat64d sent them over the control channel (handoff_fwd6/fwd_echo6 $fwd6_0 -> $fwd6_1)" \
	test "$fwd6_1" -ge $((fwd6_0 + 3))
check "nat64-handoffd answered them (echo_replies $echo_0 -> $echo_1)" test "$echo_1" -ge $((echo_0 + 3))
check "server4's kernel got no echo request (InEchos $kern_0 -> $kern_1)" test "$kern_1" = "$kern_0"

# contrast: plain translation to a server without nat64-handoffd
kb_0=$(icmp_in_echos "$NS_B")
out=$(nsx "$NS_C" ping -6 -n -c 2 -i 0.3 -W 3 "$T6B" 2>&1)
check "ping6 $T6B (no handoff server) answered by server4b's kernel" \
	eval 'grep -q " 2 received" <<<"$out" && [ "$(icmp_in_echos "$NS_B")" -ge $((kb_0 + 2)) ]'
ho_finish
