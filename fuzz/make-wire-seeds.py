#!/usr/bin/env python3
"""Regenerate the seed corpora of fuzz_handoff_wire and fuzz_conf
(fuzz/corpus/handoff_wire/, fuzz/corpus/conf/). Every control packet is
assembled by hand from the layouts of draft-dupont-6man-nat64handoff-00
§4-§7, independently of lib/handoff_wire.c. Run from the top of the tree;
the seeds are committed."""
import os
import struct

IDENT = (b"[[ This is the NAT64 handoff protocol. The client is using IPv6. "
         b"To know their real IP address you need to use this protocol or support IPv6. ]]")
assert len(IDENT) == 144


def msg(t, data):
    """Format 3: nibble 3, nibble type, length in 16-bit units, data."""
    assert len(data) % 2 == 0 and len(data) <= 510
    return bytes([0x30 | t, len(data) // 2]) + data


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


SRV4 = bytes([192, 0, 2, 1])
NAT4 = bytes([192, 0, 2, 7])
PFX = bytes.fromhex("0064ff9b0000000000000000")
CLI = bytes.fromhex("20010db8000000000000000000000017")
CLI2 = bytes.fromhex("20010db8000000000000000000000055")
DST6 = PFX + SRV4


def ip6(src, dst, nh, payload):
    return struct.pack("!IHBB", 0x60000000, len(payload), nh, 64) + src + dst + payload


def udp6(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = csum(src + dst + struct.pack("!IxxxB", len(u), 17) + u) or 0xffff
    return ip6(src, dst, 17, u[:6] + struct.pack("!H", c) + u[8:])


def ip4(src, dst, proto, payload, ihl=5):
    opts = b"\x01" * (ihl * 4 - 20)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload), 0, 0, 64, proto, 0,
                    src, dst) + opts
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def udp4(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return ip4(src, dst, 17, u)


def entry(port, cport, client=CLI, prefix=PFX):
    return msg(7, struct.pack("!H", port) + prefix + client + struct.pack("!H", cport))


TOK = msg(4, b"token-0123456789")
AUTH = msg(6, bytes(range(0xa0, 0xb0)))
AUTH2 = msg(6, b"auth")
ID = msg(1, IDENT)
MAC = bytes(range(16))

wire = {
    # NAT64 -> server
    "ident_only": ID,
    "tok_ip4": TOK + udp4(SRV4, NAT4, 53, 3719, b"answer"),
    "tok_auth_hint_ip6": TOK + AUTH + msg(8, struct.pack("!H", 4000)) + udp6(CLI, DST6, 53186, 53, b"hi"),
    "entry_full": ID + TOK + AUTH + entry(3719, 53186),
    "entry_then_auth": entry(3719, 53186) + TOK + AUTH + ID,
    "multi_2groups": ID + TOK + AUTH + entry(4000, 1) + entry(4001, 2) + AUTH2 + entry(4002, 3, CLI2),
    "rotation": TOK + msg(5, b"OLDTOKEN") + AUTH + udp6(CLI, DST6, 1, 80, b""),
    "bounce": TOK + udp4(SRV4, NAT4, 6464, 9, msg(6, b"") + ip6(CLI, bytes(16), 59, MAC)),
    "token_510": msg(4, bytes([0x5a]) * 510) + udp4(SRV4, NAT4, 1, 2, b""),
    "token_0": msg(4, b"") + ip4(SRV4, NAT4, 47, b"\0\0\x08\0", ihl=6),
    # server -> NAT64
    "validation": AUTH + ip6(CLI, bytes(16), 59, MAC),
    "srv_entry_ip6": AUTH + entry(3719, 53186) + udp6(CLI, DST6, 53186, 53, b"hi"),
    "srv_echo_reply": AUTH + ip6(DST6, CLI, 58, bytes([129, 0, 0, 0, 0x12, 0x34, 0, 1])),
    # ignored and broken
    "noop_unknown": TOK + msg(2, b"") + msg(3, b"") + msg(9, b"xx") + msg(0, b"") + msg(15, b"zz") + AUTH,
    "bad_format5": TOK + bytes([0x50, 0x00]),
    "bad_dup_token": TOK + TOK,
    "bad_multi_order": ID + TOK + entry(1, 1) + AUTH + entry(2, 2),
    "bad_trunc": TOK[:-1],
    "bad_jumbo": TOK + AUTH + ip6(CLI, DST6, 0, b"")[:4] + b"\0\0\0\x40" + CLI + DST6,
    "bad_ip_trailing": TOK + udp4(SRV4, NAT4, 1, 2, b"") + b"\0",
    "bad_ihl4": TOK + bytes([0x44]) + udp4(SRV4, NAT4, 1, 2, b"")[1:],
}
# 1232-octet multi: ident 146 + token 18 + auth(46) 48 + 30 entries 1020
m = ID + TOK + msg(6, b"\x46" * 46) + b"".join(entry(5000 + i, i + 1) for i in range(30))
assert len(m) == 1232
wire["multi_1232"] = m

conf = {
    "all": b"# comment\nport 6464\nflag yes\ninterval 30s\nname handoff server one\n",
    "blank_comments": b"\n\n   # only comments\n\t\n port 1 # trailing comment\n",
    "units": b"interval 250ms\ninterval 5m\ninterval 2h\ninterval 1d\n",
    "bools": b"flag on\nflag off\nflag true\nflag false\nflag 1\nflag 0\n",
    "crlf": b"port 53\r\nflag no\r\n",
    "no_newline": b"name last-line",
    "bad_key": b"nosuchkey 1\n",
    "bad_range": b"port 65536\n",
    "bad_unit": b"interval 5y\n",
    "bad_nul": b"port 1\0\n",
    "bad_missing_value": b"port\n",
    "long_line": b"name " + b"x" * 1100 + b"\n",
    "types": b"margin 5ms\nbytes 64k\nv4 192.0.2.1\nv6 2001:db8::1\npfx 2001:db8:100::/40\n"
             b"path /var/lib/x/\nuser nobody\ncolour azure\nitem 1\nitem 2\nno-flag yes\n",
    "bad_list": b"item 1\nitem 2\nitem 3\nitem 4\nitem 5\n",
    "none_group": b"sock none\nsock /run/x/\ngroup staff\n",
}


def write(d, seeds):
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


write("fuzz/corpus/handoff_wire", wire)
write("fuzz/corpus/conf", conf)
print("%d handoff_wire seeds, %d conf seeds" % (len(wire), len(conf)))
