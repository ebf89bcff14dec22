#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoff_forge.sh — must-show 7: a forger on server4's link sends control
# packets with the gateway's address (198.51.100.1) as source, from port
# 6464 and other ports, with made-up tokens: identifier + entries (one
# claiming the real client's connection, one for a fake client), IPv6 SYNs
# asking for a port, IPv4 lookups, token rotations, section-7 packets, a
# forged port-9 bounce and garbage. nat64-handoffd creates no entry and
# writes no audit line; its status counts every packet as dropped or sent
# to validation (whose packets go to the real gateway, which knows no such
# token). The real client still gets through afterwards.
. "$(dirname "$0")/handoff_common.inc"

ho_topology
servers_start S
ho_start S
nd_start

body=$(ho_curl 40001)
check "curl through the gateway" grep -q '^hello /p40001' <<<"$body"
check "server4 adopted it (Created ... :40001)" wait_for 15 has_created "$AUDIT" 40001
P1=$(audit_port "$AUDIT" 40001)
sleep 1.2	# let the token file and journal timers run once
cp "$AUDIT" "$W/audit.before"
ho_status S
declare -A B
for k in rx_packets validation_sent validated entries_created entries_adopted tokens; do B[$k]=$(ho_st S $k); done
ent0=$(ho_chan S entries)
check "server4 has a channel for $POOL with entries ($ent0)" test "$ent0" -ge 1 2>/dev/null
drops() { awk '$1 ~ /^drop_/ || $1 == "validation_sent" { s += $2 } END { print s + 0 }' "$HO_STATE_S/status"; }
refused0=$(drops)

cat >"$W/forge.py" <<'PYEOF'
# forge.py ROUNDS P1: control packets from 198.51.100.1 to 192.0.2.2:6464
import os, socket, struct, sys
rounds, p1 = int(sys.argv[1]), int(sys.argv[2])
IDENT = (b"[[ This is the NAT64 handoff protocol. The client is using IPv6. To know their "
         b"real IP address you need to use this protocol or support IPv6. ]]")
A6 = lambda a: socket.inet_pton(socket.AF_INET6, a)
A4 = socket.inet_aton
PRE = A6("64:ff9b::")[:12]
def msg(t, d): return bytes([0x30 | t, len(d) // 2]) + d
def tok(): return msg(4, os.urandom(16))
def auth(): return msg(6, os.urandom(16))
def entry(mport, client, cport): return msg(7, struct.pack("!H", mport) + PRE + A6(client) + struct.pack("!H", cport))
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def ip6_syn(src, sport, dst, dport):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 12345, 0, 5 << 4, 0x02, 65535, 0, 0)
    ph = A6(src) + A6(dst) + struct.pack("!IxxxB", len(tcp), 6)
    tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
    return struct.pack("!IHBB", 6 << 28, len(tcp), 6, 64) + A6(src) + A6(dst) + tcp
def ip4(src, dst, proto, l4):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0, A4(src), A4(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + l4
def tcp4(sport, dport):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 1, 5 << 4, 0x18, 65535, 0, 0) + b"data"
def udp4(sport, dport, pl):
    return struct.pack("!HHHH", sport, dport, 8 + len(pl), 0) + pl
fake = "2001:db8:bad::1"
client = "2001:db8:1::2"
v_inner = struct.pack("!IHBB", 6 << 28, 16, 59, 64) + A6(client) + A6("::") + os.urandom(16)
payloads = [
    msg(1, IDENT) + tok() + auth() + entry(30000, client, 40001),       # steal the real client's connection
    msg(1, IDENT) + tok() + auth() + entry(31000, fake, 5555),          # a fake client
    msg(1, IDENT) + tok() + auth() + entry(p1, fake, 5556),             # the real client's port
    tok() + auth() + ip6_syn(fake, 5557, "64:ff9b::c000:202", 8080),    # ask for a port
    tok() + auth() + msg(8, struct.pack("!H", p1)) + ip6_syn(client, 40001, "64:ff9b::c000:202", 8080),
    tok() + ip4("192.0.2.2", "198.51.100.1", 6, tcp4(8080, p1)),        # look up the real entry
    tok() + msg(5, os.urandom(16)) + auth() + msg(1, IDENT) + entry(32000, fake, 5558),  # rotation
    msg(1, IDENT) + tok() + auth() + entry(33000, fake, 1) + entry(33001, fake, 2) + auth() + entry(33002, fake, 3),
    tok() + ip4("192.0.2.2", "198.51.100.1", 17, udp4(6464, 9, msg(6, b"") + v_inner)),  # forged bounce
    msg(1, IDENT) + msg(4, b"") + msg(6, b"") + entry(34000, fake, 5559),  # empty token
    b"\x00" * 24,                                                        # reserved nibble 0
    msg(4, os.urandom(16))[:-3],                                         # truncated
]
n = 0
socks = {}
for sport in (6464, 40000, 9, 6465):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("198.51.100.1", sport))
    socks[sport] = s
for r in range(rounds):
    for sport, s in socks.items():
        for p in payloads:
            s.sendto(p, ("192.0.2.2", 6464))
            n += 1
print(n)
PYEOF
N=$(nsx "$NS_F" "$PY" "$W/forge.py" 2 "${P1:-0}") || die "forger failed"
echo "    forger sent $N packets from $POOL (ports 6464, 40000, 9, 6465)"
rx_at_least() { ho_status S; [ "$(ho_st S rx_packets)" -ge $((B[rx_packets] + N)) ]; }
check "server4 received them (rx_packets ${B[rx_packets]} -> +$N)" wait_for 10 rx_at_least
sleep 1	# validation packets -> the real gateway -> bounced back: let that settle
ho_status S
grep -E '^(rx_packets|validation_sent|validated|bad_bounce|bounce_repeat|drop_[a-z_]*|entries_[a-z]*|tokens) [1-9]' \
	"$HO_STATE_S/status" | paste -sd" " | fold -s -w 96 | sed 's/^/    server: /'
check "audit log unchanged (no new line)" cmp -s "$W/audit.before" "$AUDIT"
check "no new entries (channel entries $ent0 -> $(ho_chan S entries))" test "$(ho_chan S entries)" = "$ent0"
for k in validated entries_created entries_adopted tokens; do
	check "$k unchanged (${B[$k]} -> $(ho_st S $k))" test "$(ho_st S $k)" = "${B[$k]}"
done
refused=$(( $(drops) - refused0 ))
check "every forged packet was dropped or sent to validation ($refused >= $N)" test "$refused" -ge "$N"
check "the real client's entry is untouched ($P1)" test "$(audit_port "$AUDIT" 40001)" = "$P1"
check "nat64d still runs" kill -0 "$ND_PID"

# the audit log does record real connections
body=$(ho_curl 40002)
seen=$(sed -n 's/.* you are 198\.51\.100\.1:\([0-9]*\)$/\1/p' <<<"$body")
check "the real client still gets through (curl from :40002)" grep -q '^hello /p40002' <<<"$body"
check "and is logged: Created $POOL:$seen [$CLIENT]:40002" wait_for 5 eval '[ "$(audit_port "$AUDIT" 40002)" = "$seen" ]'
ho_finish
