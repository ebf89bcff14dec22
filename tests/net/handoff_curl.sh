#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoff_curl.sh — must-show 1: curl from client6 through nat64d (handoff
# yes) to server4; nat64-handoffd's audit log names the client's real IPv6
# address and port. The first connection is mapped by nat64d itself and
# announced (the server validates the NAT64 by the port-9 bounce:
# Initialized, then adopts the entry: Created); the second one goes over
# the control channel and the server picks the port (Created). Each
# Created port is the port server4's TCP server saw the connection from.
. "$(dirname "$0")/handoff_common.inc"

ho_topology
servers_start S
ho_start S
nd_start

# -- first connection to a server nat64d knows nothing about
body=$(ho_curl 40001)
echo "    curl 1: $body"
check "curl 1 through the gateway ([client]:40001)" grep -q '^hello /p40001 from 192.0.2.2' <<<"$body"
seen1=$(sed -n 's/.* you are 198\.51\.100\.1:\([0-9]*\)$/\1/p' <<<"$body")
check "audit: Initialized $POOL" wait_for 15 grep -q " Initialized $POOL\$" "$AUDIT"
check "audit: Created $POOL:<port> [$CLIENT]:40001" wait_for 15 has_created "$AUDIT" 40001
p1=$(audit_port "$AUDIT" 40001)
check "the adopted entry's port ($p1) is the port server4 saw ($seen1)" test -n "$p1" -a "$p1" = "$seen1"

# -- second connection: the server knows nat64d now; it picks the port
body=$(ho_curl 40002)
echo "    curl 2: $body"
check "curl 2 through the gateway ([client]:40002)" grep -q '^hello /p40002 from 192.0.2.2' <<<"$body"
seen2=$(sed -n 's/.* you are 198\.51\.100\.1:\([0-9]*\)$/\1/p' <<<"$body")
check "audit: Created $POOL:<port> [$CLIENT]:40002" wait_for 5 has_created "$AUDIT" 40002
p2=$(audit_port "$AUDIT" 40002)
check "the server's port ($p2) is the port server4 saw ($seen2)" test -n "$p2" -a "$p2" = "$seen2"
echo "    audit log:"; sed 's/^/      /' "$AUDIT"
AUDIT_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} (Initialized [0-9.]+|(Created|Deleted) [0-9.]+:[0-9]+ \[[0-9a-f:]+\]:[0-9]+)$'
check "every audit line has the server's format" eval '! grep -Evq "$AUDIT_RE" "$AUDIT"'
check "exactly one Initialized line" test "$(grep -c ' Initialized ' "$AUDIT")" = 1

nd_status
grep -E '^handoff' "$ND_STATUS" | grep -v ' 0$' | sed 's/^/    nat64d: /'
check "nat64d: handoff_server $S4 supported" eval 'nd_server $S4 | grep -q " supported"'
check "nat64d: handoff_announced >= 1 ($(nd_st handoff_announced))" test "$(nd_st handoff_announced)" -ge 1
check "nat64d: handoff_bounced >= 1 ($(nd_st handoff_bounced))" test "$(nd_st handoff_bounced)" -ge 1
check "nat64d: handoff_fwd6 >= 1 ($(nd_st handoff_fwd6))" test "$(nd_st handoff_fwd6)" -ge 1
ho_status S
check "server: validated >= 1, adopted >= 1, created >= 1" \
	test "$(ho_st S validated)" -ge 1 -a "$(ho_st S entries_adopted)" -ge 1 -a "$(ho_st S entries_created)" -ge 1
check "server: channel $POOL holds both entries ($(ho_chan S entries))" test "$(ho_chan S entries)" -ge 2
ho_finish
