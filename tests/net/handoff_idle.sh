#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoff_idle.sh — must-show 3: a TCP session idle for longer than the
# gateway's cache lifetime (handoff-cache-timeout 2s, idle >= 5 s) still
# works afterwards: nat64d's cache entry expires, the next packet goes over
# the control channel and the server's entry brings it back; the same
# server socket and port carry the data.
. "$(dirname "$0")/handoff_common.inc"

ND_CACHE_TIMEOUT=2s
ho_topology
servers_start S
ho_start S
nd_start

# the warm-up makes server4 known, so the session's entry is the server's
check "warm-up curl" eval 'ho_curl 40001 | grep -q "^hello /p40001"'
check "server4 adopted it (Created ... :40001)" wait_for 15 has_created "$AUDIT" 40001
check "session [client]:40200 -> server4:7007 connected" sess_open a 40200
check "session echoes i1" sess_send a i1
check "audit: Created for [client]:40200" wait_for 10 has_created "$AUDIT" 40200
P=$(audit_port "$AUDIT" 40200)
read -r id peer < <(srv_conn_of i1)
check "server4's socket peer is $POOL:$P" test "$peer" = "$POOL:$P"
nd_status
check "the session's entry is in nat64d's cache (handoff_cache_entries $(nd_st handoff_cache_entries))" \
	test "$(nd_st handoff_cache_entries)" -ge 1

echo "    idle for 5 s (cache lifetime 2 s)"
sleep 5
check "nat64d's cache has expired" wait_for 15 nd_cache_empty
fwd6_0=$(nd_st handoff_fwd6)
check "after the idle time the session echoes i2" sess_send a i2
check "i2 arrived on the same server socket (#$id from $peer)" test "$(srv_conn_of i2)" = "$id $peer"
check "ss -tn: one established connection on 7007, peer $POOL:$P" test "$(est_peers 7007)" = "$POOL:$P"
nd_status
check "the lookup went to the server (handoff_fwd6 $fwd6_0 -> $(nd_st handoff_fwd6))" \
	test "$(nd_st handoff_fwd6)" -gt "$fwd6_0"
check "no new Created for [client]:40200" test "$(grep -c "\[$CLIENT\]:40200\$" "$AUDIT")" = 1
ho_finish
