#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoff_restart.sh — must-shows 2 and 4: a long TCP session (client6 ->
# server4:7007, line echo) survives
#   (2) kill -9 of nat64d and a restart with an empty cache: the next
#       packet goes over the control channel, the server returns the same
#       entry, data flows on the same server socket and port;
#   (4) kill -9 and restart of nat64-handoffd, with nat64d's cache expired
#       first (handoff-cache-timeout 2s) so the lookup must reach the
#       restarted server: data pushed by server4 (IPv4 side first) and by
#       the client still flow on the same socket and port.
. "$(dirname "$0")/handoff_common.inc"

ND_CACHE_TIMEOUT=2s
ho_topology
servers_start S
ho_start S
nd_start

check "warm-up curl" eval 'ho_curl 40001 | grep -q "^hello /p40001"'
check "server4 adopted it (Created ... :40001)" wait_for 15 has_created "$AUDIT" 40001
check "session [client]:40100 -> server4:7007 connected" sess_open a 40100
check "session echoes a1" sess_send a a1
check "audit: Created for [client]:40100" wait_for 10 has_created "$AUDIT" 40100
P=$(audit_port "$AUDIT" 40100)
read -r id peer < <(srv_conn_of a1)
echo "    session: server connection #$id from $peer, audit port $P"
check "server4's socket peer is $POOL:$P" test "$peer" = "$POOL:$P"
check "ss -tn: one established connection on 7007, peer $POOL:$P" test "$(est_peers 7007)" = "$POOL:$P"
INO=$(est_ino 7007)
echo "    server4 socket $INO"

# ---- (2) kill -9 nat64d, restart: empty cache
nd_kill9
ok "nat64d killed with SIGKILL"
nd_start
nd_status
check "restarted nat64d: empty cache (handoff_cache_entries $(nd_st handoff_cache_entries))" \
	test "$(nd_st handoff_cache_entries)" = 0
fwd6_0=$(nd_st handoff_fwd6)
check "after the restart the session echoes a2" sess_send a a2
check "a2 arrived on the same server socket (#$id from $peer)" test "$(srv_conn_of a2)" = "$id $peer"
check "ss -tn: still one established connection, peer $POOL:$P" test "$(est_peers 7007)" = "$POOL:$P"
check "ss -e: the same socket ($INO)" test "$(est_ino 7007)" = "$INO"
nd_status
check "it went over the control channel (handoff_fwd6 $fwd6_0 -> $(nd_st handoff_fwd6)): the restarted nat64d knew $S4 speaks handoff" \
	test "$(nd_st handoff_fwd6)" -gt "$fwd6_0"
check "nat64d: $(nd_server "$S4")" eval 'nd_server $S4 | grep -q " supported"'
check "the server returned the entry, nat64d cached it (handoff_cache_entries $(nd_st handoff_cache_entries))" \
	test "$(nd_st handoff_cache_entries)" -ge 1
check "no new Created for [client]:40100" test "$(grep -c "\[$CLIENT\]:40100\$" "$AUDIT")" = 1

# ---- (4) kill -9 nat64-handoffd, restart; nat64d's cache expired first
check "nat64d's cache expires (handoff-cache-timeout 2s)" wait_for 20 nd_cache_empty
sleep 1.2	# nat64-handoffd writes its token file on a 1 s timer
ho_kill9 S
ok "nat64-handoffd killed with SIGKILL"
ho_start S
nd_status
fwd4_0=$(nd_st handoff_fwd4)
check "server4 pushes p1 first: the session receives it" srv_push a p1
nd_status
ho_status S
check "the IPv4 packet went over the control channel (handoff_fwd4 $fwd4_0 -> $(nd_st handoff_fwd4))" \
	test "$(nd_st handoff_fwd4)" -gt "$fwd4_0"
check "the restarted server found the entry (lookup_hit $(ho_st S lookup_hit))" test "$(ho_st S lookup_hit)" -ge 1
check "restarted server: channel $POOL has both entries back ($(ho_chan S entries))" test "$(ho_chan S entries)" = 2
check "p1 left on the same server socket" grep -q "^push $id $POOL:$P p1\$" "$W/srv-S.log"
check "then the session echoes a3" sess_send a a3
check "a3 arrived on the same server socket (#$id from $peer)" test "$(srv_conn_of a3)" = "$id $peer"
check "ss -tn: still one established connection, peer $POOL:$P" test "$(est_peers 7007)" = "$POOL:$P"
check "ss -e: the same socket ($INO)" test "$(est_ino 7007)" = "$INO"
check "audit: still one Created and no Deleted for [client]:40100" \
	eval '[ "$(grep -c "\[$CLIENT\]:40100\$" "$AUDIT")" = 1 ] && ! grep -q " Deleted .*\[$CLIENT\]:40100\$" "$AUDIT"'
check "audit: still one Initialized (the token survived the restart)" test "$(grep -c ' Initialized ' "$AUDIT")" = 1
echo "    audit log:"; sed 's/^/      /' "$AUDIT"
ho_finish
