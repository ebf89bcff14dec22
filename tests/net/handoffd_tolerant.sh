#!/usr/bin/env bash
# A tolerant peer at the wire (a NAT64 played by a script over real UDP,
# not by handoff-sim): after validating (the bounce is answered with
# [token][IPv4 UDP handoff port -> NAT64:9]), a 40-octet IPv4 ACK with 6
# octets of Ethernet padding behind it is answered as without them
# (counted rx_trailing_ignored), and an ICMPv4 Fragmentation Needed from a
# router, quoting a packet from the NAT64's mapped port, is answered with
# [auth, entry, the ICMP packet] (§10; counted icmp_errors_matched).
. "$(dirname "$0")/handoffd_common.inc"
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }

start_server -L "$LOGDIR" -t 64
AUDIT=$LOGDIR/nat64-handoff.log

nsx python3 - "$SERVER" "$HPORT" <<'PY' || fail "the scripted NAT64 saw a wrong answer"
import socket, struct, sys
server, port = sys.argv[1], int(sys.argv[2])
nat64, ctl = "127.0.0.2", 40010
token = bytes(range(100, 116))
auth = bytes(range(200, 216))

def msg(t, data):
    return bytes([0x30 | t, len(data) // 2]) + data

def ip4(src, dst, proto, l4):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h + l4

def parse(p):
    """[(type, data)] for handoff messages, then ('ip', packet)"""
    out, off = [], 0
    while off < len(p):
        if p[off] >> 4 in (4, 6):
            out.append(("ip", p[off:]))
            break
        t, n = p[off] & 15, p[off + 1] * 2
        out.append((t, p[off + 2:off + 2 + n]))
        off += 2 + n
    return out

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((nat64, ctl))
s.settimeout(3)
s9 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s9.bind((nat64, 9))
s9.settimeout(3)
client = socket.inet_pton(socket.AF_INET6, "2001:db8::1")
dst6 = socket.inet_pton(socket.AF_INET6, "64:ff9b::7f00:1")
syn = struct.pack("!HHIIBBHHH", 20000, 80, 1, 0, 0x50, 0x02, 65535, 0, 0)
ip6 = struct.pack("!IHBB", 0x60000000, len(syn), 6, 64) + client + dst6 + syn
ask = msg(4, token) + msg(6, auth) + ip6

# 1. validation: the packet to port 9, bounced back whole, answered
s.sendto(ask, (server, port))
v, _ = s9.recvfrom(2000)
s.sendto(msg(4, token) + ip4(server, nat64, 17, struct.pack("!HHHH", port, 9, 8 + len(v), 0) + v),
         (server, port))
a = parse(s.recv(2000))
assert a[0] == (4, token) and a[1][0] == "ip", a
assert struct.unpack("!HH", a[1][1][20:24]) == (port, 9), "confirmation is not handoff port -> 9"
print("ok: bounce answered with [token][IPv4 UDP %d -> 9]" % port)

# 2. the client's SYN: [auth][entry][the IPv6 packet]
s.sendto(ask, (server, port))
a = parse(s.recv(2000))
entry = [d for t, d in a if t == 7][0]
mport = struct.unpack("!H", entry[:2])[0]
print("ok: entry on mapped port %d" % mport)

# 3. a 40-octet IPv4 ACK from the server host, padded with 6 octets
ack = ip4(server, nat64, 6, struct.pack("!HHIIBBHHH", 80, mport, 9, 2, 0x50, 0x10, 65535, 0, 0))
assert len(ack) == 40
s.sendto(msg(4, token) + ack + bytes(6), (server, port))
a = parse(s.recv(2000))
assert [d for t, d in a if t == 7][0][:2] == entry[:2], a
assert a[-1] == ("ip", ack), "the answer does not carry exactly the 40-octet packet"
print("ok: padded ACK answered with the entry and the packet without the padding")

# 4. Fragmentation Needed (3/4, next-hop MTU 1280) from a router on the path,
#    quoting a packet NAT64:mport -> server:80 (IP header + 8 octets)
quoted = ip4(nat64, server, 6, struct.pack("!HHI", mport, 80, 1))
icmp = struct.pack("!BBHHH", 3, 4, 0, 0, 1280) + quoted
err = ip4("198.51.100.254", nat64, 1, icmp)
s.sendto(msg(4, token) + err, (server, port))
a = parse(s.recv(2000))
assert [d for t, d in a if t == 6][0] == auth, a
assert [d for t, d in a if t == 7][0][:2] == entry[:2], a
assert a[-1] == ("ip", err), "the answer does not carry the ICMP error"
print("ok: Fragmentation Needed answered with [auth, entry %d, the error]" % mport)
PY
fresh_status
echo "rx_trailing_ignored=$(st rx_trailing_ignored) icmp_errors_matched=$(st icmp_errors_matched)"
[ "$(st rx_trailing_ignored)" = 1 ] || fail "rx_trailing_ignored = $(st rx_trailing_ignored), want 1"
[ "$(st icmp_errors_matched)" = 1 ] || fail "icmp_errors_matched = $(st icmp_errors_matched), want 1"
[ "$(grep -c ' Created 127\.0\.0\.2:' "$AUDIT")" = 1 ] || fail "want exactly one Created line"
alive || fail "server died"
echo "PASS"
