#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoff_logflood.sh — -vv under a flood: 20000 UDP flows (one datagram
# each, from 20000 source ports) through nat64d to server4, each an entry
# at nat64-handoffd, and 20000 to server4b (no handoff server), each a BIB
# entry and a session of nat64d's own: each a level-2 line. The debug lines written stay within the rate limits of
# lib/log.h (the bursts plus the rates times the seconds the daemons ran,
# however fast or slow this machine is), the rest is counted in
# "N debug lines suppressed" lines, and written + suppressed covers every
# BIB entry nat64d and every entry nat64-handoffd created (the limit, not a
# lost event, kept the log small).
. "$(dirname "$0")/handoff_common.inc"

NFLOWS=20000
lim() { awk -v k="$1" '$1 == "#define" && $2 == k { print $3 }' lib/log.h; }
R1=$(lim LOG_DEBUG_RATE) B1=$(lim LOG_DEBUG_BURST) R2=$(lim LOG_DEBUG2_RATE) B2=$(lim LOG_DEBUG2_BURST)
[ -n "$R1" ] && [ -n "$B1" ] && [ -n "$R2" ] && [ -n "$B2" ] || die "rate limits not found in lib/log.h"
# the quotas off: the flood is one client, and it is the log that is measured
ND_CONF_EXTRA="verbose 2
bib-per-client 0
bib-per-subnet 0
bib-per-site 0
sessions-per-client 0
sessions-per-subnet 0
sessions-per-site 0
session-rate-per-client 0
session-rate-per-subnet 0
session-rate-per-site 0"

ho_topology
servers_start S
mkdir -p "$W/ho-s"
: >"$W/ho-s/err"
: >"$ND_LOG"
t0=$(date +%s%N)
JOURNAL_STREAM=$(stat -c %d:%i "$W/ho-s/err") ho_start S -vv
JOURNAL_STREAM=$(stat -c %d:%i "$ND_LOG") nd_start
body=$(ho_curl 40001)
check "curl through the gateway (the server is known)" grep -q "^hello /p40001 from $S4" <<<"$body"

nsx "$NS_C" "$PY" - "$CLIENT" "$T6" "$T6B" "$NFLOWS" <<'PYEOF'
import socket, sys
src, dst, dstb, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
for p in range(20000, 20000 + n):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind((src, p))
    s.sendto(b"flood", (dst, 9999))
    s.sendto(b"flood", (dstb, 9999))
    s.close()
PYEOF
sleep 1
nd_status
ho_status S
bib=$(nd_st bib_created) hoc=$(ho_st S entries_created)
check "nat64d: a suppressed-lines summary" wait_for 5 grep -q '^<6>[0-9]* debug lines suppressed' "$ND_LOG"
check "nat64-handoffd: a suppressed-lines summary" wait_for 5 grep -q '^<6>[0-9]* debug lines suppressed' "$W/ho-s/err"
t1=$(date +%s%N)
secs=$(( (t1 - t0) / 1000000000 + 2 ))
bound=$(( B1 + B2 + (R1 + R2) * secs ))
# a flood that, unlimited, would have written more than twice the bound
check "the flood reached nat64d: bib_created $bib > 2 x $bound" test "$bib" -gt $((2 * bound))
check "the flood reached nat64-handoffd: entries_created $hoc > 2 x $bound" test "$hoc" -gt $((2 * bound))
for d in nat64d nat64-handoffd; do
	f=$ND_LOG; [ $d = nat64-handoffd ] && f=$W/ho-s/err
	n7=$(grep -c '^<7>' "$f")
	nall=$(wc -l <"$f")
	sup=$(sed -n 's/^<6>\([0-9]*\) debug lines suppressed.*/\1/p' "$f" | awk '{ s += $1 } END { print s + 0 }')
	sed -n 's/^<7>\([a-z]*\).* \([a-z]*\)$/\1 ... \2/p' "$f" | sort | uniq -c | sed "s/^/    $d: /"
	echo "    $d: $n7 debug lines written, $sup suppressed, $nall lines in all, bound $bound ($secs s)"
	check "$d: debug lines written ($n7) within the rate limits ($bound)" test "$n7" -le "$bound"
	check "$d: at most $((bound + 100)) lines in all ($nall)" test "$nall" -le $((bound + 100))
	want=$bib; [ $d = nat64-handoffd ] && want=$hoc
	check "$d: written + suppressed ($((n7 + sup))) covers the entries created ($want)" \
	    test $((n7 + sup)) -ge "$want"
done
check "nat64d -vv: BIB entries created are logged" grep -q '^<7>bib udp \[2001:db8:1::2\]:2[0-9]* 198.51.100.1:[0-9]* created' "$ND_LOG"
check "nat64d -vv: sessions created are logged" grep -q "^<7>session udp \[$CLIENT\]:2[0-9]* $POOL:[0-9]* peer 192.0.2.[23]:9999 created" "$ND_LOG"
check "nat64-handoffd -vv: entries created are logged" grep -q "^<7>channel $POOL: entry port [0-9]* for \[$CLIENT\]:2[0-9]* created" "$W/ho-s/err"
ho_finish
