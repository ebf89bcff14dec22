#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoff_lru.sh — must-show 5: nat64-handoffd with a 16-entry table under
# connection pressure (40 short connections from different client ports)
# while a long session stays active (a line every 0.5 s): the least
# recently used entries are evicted (Deleted + Created of the same port),
# never the active session's port, and the session keeps working.
. "$(dirname "$0")/handoff_common.inc"

N=40
ho_topology
servers_start S
ho_start S -t 16
nd_start

check "warm-up curl" eval 'ho_curl 40001 | grep -q "^hello /p40001"'
check "server4 adopted it (Created ... :40001)" wait_for 15 has_created "$AUDIT" 40001
check "session [client]:40300 -> server4:7007 connected" sess_open a 40300
check "session echoes k0" sess_send a k0
check "audit: Created for [client]:40300" wait_for 10 has_created "$AUDIT" 40300
P=$(audit_port "$AUDIT" 40300)
read -r id peer < <(srv_conn_of k0)
check "server4's socket peer is $POOL:$P" test "$peer" = "$POOL:$P"

# keep the session active while the pressure runs
( i=1; while :; do echo "k$i" >"$W/sess-a.in"; i=$((i + 1)); sleep 0.5; done ) &
KEEP=$!
PIDS+=("$KEEP")
okc=0
for i in $(seq $N); do
	ho_curl $((41000 + i)) | grep -q "^hello /p$((41000 + i)) " && okc=$((okc + 1))
done
kill "$KEEP"; wait "$KEEP" 2>/dev/null
check "$okc of $N short connections worked" test "$okc" = $N
kept=$(grep -c '^got k[0-9]*$' "$W/sess-a.out")
check "the session kept echoing during the pressure ($kept lines)" test "$kept" -ge 2

dels=$(grep -c ' Deleted ' "$AUDIT")
# an eviction: a Deleted line followed by a Created line of the same port
pairs=$(awk '$3 == "Deleted" { split($4, a, ":"); d = a[2]; next }
	$3 == "Created" && d != "" { split($4, a, ":"); if (a[2] == d) n++ } { d = "" }
	END { print n + 0 }' "$AUDIT")
echo "    first eviction:"; grep -m1 -A1 ' Deleted ' "$AUDIT" | sed 's/^/      /'
check "entries were evicted: $dels Deleted lines for $((N + 2)) entries in 16 slots" test "$dels" -ge $((N + 2 - 16))
check "each eviction reused the port at once ($pairs Deleted+Created pairs)" test "$pairs" = "$dels"
# nothing but the session is used again after its creation here, so the
# least recently used order is the creation order, the session excepted
cports() { awk -v e="$1" '$3 == e { sub(/.*\]:/, "", $5); print $5 }' "$AUDIT" | grep -vx 40300 | paste -sd' '; }
deleted=$(cports Deleted)
check "evicted in least-recently-used order: the oldest entries, skipping the live session" \
	test "$deleted" = "$(cports Created | cut -d' ' -f1-"$dels")"
check "the active session's port $P was never deleted" eval '! grep -q " Deleted $POOL:$P " "$AUDIT"'
check "the session still echoes k-end" sess_send a k-end
check "k-end arrived on the same server socket (#$id from $peer)" test "$(srv_conn_of k-end)" = "$id $peer"
check "ss -tn: the session's peer $POOL:$P is established" eval 'est_peers 7007 | grep -qx "$POOL:$P"'
ho_status S
echo "    server: $(grep "^channel $POOL" "$HO_STATE_S/status")"
check "server: table full at 16 ($(ho_chan S entries))" test "$(ho_chan S entries)" = 16
check "server: evicted $(ho_chan S evicted), none live ($(ho_chan S evicted_live))" \
	test "$(ho_chan S evicted)" -ge $((N + 2 - 16)) -a "$(ho_chan S evicted_live)" = 0
ho_finish
