#!/usr/bin/env python3
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
"""Seed corpora for fuzz_xlat6to4 / fuzz_xlat4to6 (nat64d).

Each seed is: one flag byte (bit 0: a 10-octet virtio_net_hdr follows,
bit 1: the harness fixes checksums) then the packet. The harness maps
2001:db8:1::2 port/id 40000 <-> 198.51.100.1:2000 for UDP, TCP and ICMP,
with the peer 192.0.2.2 (2001:db8:64::c000:202)."""
import os
import socket
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
C6 = socket.inet_pton(socket.AF_INET6, "2001:db8:1::2")
S6 = socket.inet_pton(socket.AF_INET6, "2001:db8:64::c000:202")
S6B = socket.inet_pton(socket.AF_INET6, "2001:db8:100:c0:0:202::")
R6 = socket.inet_pton(socket.AF_INET6, "2001:db8:1::1")
POOL = socket.inet_aton("198.51.100.1")
POOL2 = socket.inet_aton("198.51.100.2")
S4 = socket.inet_aton("192.0.2.2")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip6(src, dst, nh, pl, hlim=64):
    return struct.pack("!IHBB", 0x60000000, len(pl), nh, hlim) + src + dst + pl


def ip4(src, dst, proto, pl, ttl=64, df=True, mf=False, off=0, ident=0x4242):
    fl = (0x4000 if df else 0) | (0x2000 if mf else 0) | (off // 8)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(pl), ident, fl, ttl, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + pl


def l4ck6(src, dst, nh, l4, off):
    ph = src + dst + struct.pack("!IxxxB", len(l4), nh)
    c = csum(ph + l4)
    return l4[:off] + struct.pack("!H", c) + l4[off + 2:]


def l4ck4(src, dst, proto, l4, off):
    ph = src + dst + struct.pack("!xBH", proto, len(l4))
    c = csum(ph + l4)
    return l4[:off] + struct.pack("!H", c) + l4[off + 2:]


def udp(sp, dp, data):
    return struct.pack("!HHHH", sp, dp, 8 + len(data), 0) + data


def tcp(sp, dp, flags, data=b""):
    return struct.pack("!HHIIBBHHH", sp, dp, 1, 0, 0x50, flags, 65535, 0, 0) + data


def icmp(t, c, rest, data):
    return struct.pack("!BBH", t, c, 0) + rest + data


def icmp4(t, c, rest, data):
    m = icmp(t, c, rest, data)
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def icmp6(src, dst, t, c, rest, data):
    return l4ck6(src, dst, 58, icmp(t, c, rest, data), 2)


def vnet(flags, gso, hdr_len, gso_size, start, off):
    return struct.pack("<BBHHHH", flags, gso, hdr_len, gso_size, start, off)


six = {}
u6 = l4ck6(C6, S6, 17, udp(40000, 53, b"hello"), 6)
six["udp"] = b"\0" + ip6(C6, S6, 17, u6)
six["udp_other_prefix"] = b"\0" + ip6(C6, S6B, 17, l4ck6(C6, S6B, 17, udp(40001, 53, b"x"), 6))
six["tcp_syn"] = b"\0" + ip6(C6, S6, 6, l4ck6(C6, S6, 6, tcp(40000, 80, 2), 16))
six["tcp_data"] = b"\0" + ip6(C6, S6, 6, l4ck6(C6, S6, 6, tcp(40000, 80, 0x18, b"x" * 100), 16))
six["echo"] = b"\0" + ip6(C6, S6, 58, icmp6(C6, S6, 128, 0, struct.pack("!HH", 40000, 1), b"ping"))
six["hlim1"] = b"\0" + ip6(C6, S6, 17, u6, hlim=1)
frag = struct.pack("!BBHI", 17, 0, 1, 0xdeadbeef) + u6
six["frag_first"] = b"\0" + ip6(C6, S6, 44, frag)
six["frag_later"] = b"\0" + ip6(C6, S6, 44, struct.pack("!BBHI", 17, 0, 16, 0xdeadbeef) + b"z" * 16)
six["hbh"] = b"\0" + ip6(C6, S6, 0, bytes([17, 0, 1, 4, 0, 0, 0, 0]) + u6)
inner4to6 = ip6(S6, C6, 17, l4ck6(S6, C6, 17, udp(53, 40000, b"reply"), 6))
six["ptb"] = b"\2" + ip6(R6, S6, 58, icmp6(R6, S6, 2, 0, struct.pack("!I", 1400), inner4to6))
six["unreach"] = b"\2" + ip6(C6, S6, 58, icmp6(C6, S6, 1, 4, b"\0" * 4, inner4to6))
six["paramprob"] = b"\2" + ip6(C6, S6, 58, icmp6(C6, S6, 4, 0, struct.pack("!I", 7), inner4to6))
six["timex"] = b"\2" + ip6(R6, S6, 58, icmp6(R6, S6, 3, 0, b"\0" * 4, inner4to6))
hairpin = socket.inet_pton(socket.AF_INET6, "2001:db8:64::c633:6401")
six["hairpin"] = b"\0" + ip6(C6, hairpin, 17, l4ck6(C6, hairpin, 17, udp(40005, 2000, b"hp"), 6))
big = tcp(40000, 80, 0x10, b"y" * 3000)
six["tso"] = vnet(1, 4, 60, 1440, 40, 16) + ip6(C6, S6, 6, big)
six["tso"] = b"\1" + six["tso"]
six["udp_partial"] = b"\1" + vnet(1, 0, 0, 0, 40, 6) + ip6(C6, S6, 17, udp(40000, 53, b"partial"))

four = {}
u4 = l4ck4(S4, POOL, 17, udp(53, 2000, b"reply"), 6)
four["udp"] = b"\0" + ip4(S4, POOL, 17, u4)
four["udp_zero"] = b"\0" + ip4(S4, POOL, 17, udp(53, 2000, b"zero"))
four["tcp_synack"] = b"\0" + ip4(S4, POOL, 6, l4ck4(S4, POOL, 6, tcp(80, 2000, 0x12), 16))
four["echo_reply"] = b"\0" + ip4(S4, POOL, 1, icmp4(0, 0, struct.pack("!HH", 2000, 1), b"pong"))
four["ttl1"] = b"\0" + ip4(S4, POOL, 17, u4, ttl=1)
four["big_df"] = b"\0" + ip4(S4, POOL, 17, l4ck4(S4, POOL, 17, udp(53, 2000, b"d" * 1400), 6))
four["big_nodf"] = b"\0" + ip4(S4, POOL, 17, l4ck4(S4, POOL, 17, udp(53, 2000, b"d" * 1400), 6), df=False)
four["frag_first"] = b"\0" + ip4(S4, POOL, 17, u4[:16], df=False, mf=True)
four["frag_later"] = b"\0" + ip4(S4, POOL, 17, b"q" * 16, df=False, off=16)
inner6to4 = ip4(POOL, S4, 17, l4ck4(POOL, S4, 17, udp(2000, 53, b"query"), 6))[:28]
four["fragneeded"] = b"\0" + ip4(socket.inet_aton("192.0.2.1"), POOL, 1,
                                 icmp4(3, 4, struct.pack("!HH", 0, 1400), inner6to4))
four["portunreach"] = b"\0" + ip4(S4, POOL, 1, icmp4(3, 3, b"\0" * 4, inner6to4))
four["timex"] = b"\0" + ip4(socket.inet_aton("192.0.2.1"), POOL, 1, icmp4(11, 0, b"\0" * 4, inner6to4))
four["paramprob"] = b"\0" + ip4(S4, POOL, 1, icmp4(12, 0, bytes([9, 0, 0, 0]), inner6to4))
four["not_pool"] = b"\0" + ip4(S4, POOL2, 17, u4)
four["options"] = b"\2" + bytes([0x46]) + ip4(S4, POOL, 17, u4)[1:20] + b"\1\1\1\0" + u4
four["tso"] = b"\1" + vnet(1, 1, 40, 1440, 20, 16) + ip4(S4, POOL, 6, tcp(80, 2000, 0x10, b"w" * 3000))

# NAT64 handoff (the harness: token key 32 x 0x11, authenticator key 32 x
# 0x22, 192.0.2.2 known to support handoff, cached entry 198.51.100.1:3000
# <-> [2001:db8:1::2]:41000). MACs as nat64d/hostate.c: keyed BLAKE2b-128.
import hashlib
TOKK, AUTHK = b"\x11" * 32, b"\x22" * 32
PFX12 = socket.inet_pton(socket.AF_INET6, "2001:db8:64::")[:12]


def mac(key, msg):
    return hashlib.blake2b(msg, digest_size=16, key=key).digest()


def msg(t, data):
    return bytes([0x30 | t, len(data) // 2]) + data


TOK = msg(4, mac(TOKK, b"tok" + S4))
AUTH = msg(6, mac(AUTHK, b"auth" + S4 + C6))
IDENT = msg(1, b"[[ This is the NAT64 handoff protocol. The client is using IPv6. "
            b"To know their real IP address you need to use this protocol or support IPv6. ]]")


def entry(mport, cport):
    return msg(7, struct.pack("!H", mport) + PFX12 + C6 + struct.pack("!H", cport))


def ctl(payload):
    return b"\0" + ip4(S4, POOL, 17, udp(6464, 6464, payload))


u6req = ip6(C6, S6, 17, l4ck6(C6, S6, 17, udp(41001, 53, b"query"), 6))
u4ret = ip4(S4, POOL, 17, l4ck4(S4, POOL, 17, udp(53, 3001, b"reply"), 6))
four["ho_entry_ipv6"] = ctl(AUTH + entry(3001, 41001) + u6req)
four["ho_entry_ipv4"] = ctl(AUTH + entry(3001, 41001) + u4ret)
four["ho_entry_only"] = ctl(entry(3002, 41002) + AUTH)
four["ho_returned"] = ctl(TOK + u4ret)
four["ho_probe_answer"] = ctl(TOK + ip4(S4, POOL, 17, udp(9, 9, b""), df=False))
four["ho_echo_reply"] = ctl(AUTH + ip6(S6, C6, 58, icmp6(S6, C6, 129, 0, struct.pack("!HH", 7, 1), b"ping")))
four["ho_after_xlat4"] = ctl(TOK + ip4(POOL, S4, 1, icmp4(3, 2, b"\0" * 4, u4ret[:28])))
four["ho_bad_auth"] = ctl(msg(6, b"\0" * 16) + entry(3003, 41003))
four["ho_validation"] = b"\0" + ip4(S4, POOL, 17, udp(6464, 9, msg(6, b"") + ip6(C6, bytes(16), 59, b"m" * 16)))
four["ho_cached_reply"] = b"\0" + ip4(S4, POOL, 17, l4ck4(S4, POOL, 17, udp(80, 3000, b"data"), 6))
ctlpkt = ip4(POOL, S4, 17, udp(6464, 6464, TOK + IDENT))
four["ho_ctl_unreach"] = b"\0" + ip4(S4, POOL, 1, icmp4(3, 3, b"\0" * 4, ctlpkt))
# ICMPv4 errors over the channel (draft §8, §10): a Fragmentation Needed
# about a port nothing holds (forwarded to 192.0.2.2), the server's answer
# with the entry and the error, the answer to a validation bounce.
RTR = socket.inet_aton("203.0.113.7")
q5000 = ip4(POOL, S4, 17, l4ck4(POOL, S4, 17, udp(5000, 53, b"z" * 1400), 6))[:548]
four["ho_fragneeded_uncached"] = b"\0" + ip4(RTR, POOL, 1, icmp4(3, 4, struct.pack("!HH", 0, 1280), q5000))
q3004 = ip4(POOL, S4, 17, l4ck4(POOL, S4, 17, udp(3004, 53, b"z" * 1400), 6))[:548]
four["ho_entry_icmp"] = ctl(AUTH + entry(3004, 41004) +
                            ip4(RTR, POOL, 1, icmp4(3, 4, struct.pack("!HH", 0, 1280), q3004), df=False))
four["ho_bounce_answer"] = ctl(TOK + ip4(S4, POOL, 17, udp(6464, 9, b""), df=False))
six["ho_cached"] = b"\0" + ip6(C6, S6, 17, l4ck6(C6, S6, 17, udp(41000, 80, b"data"), 6))
six["ho_new_flow"] = b"\0" + ip6(C6, S6, 6, l4ck6(C6, S6, 6, tcp(41005, 80, 0x02), 16))
six["ho_ack"] = b"\0" + ip6(C6, S6, 6, l4ck6(C6, S6, 6, tcp(41006, 80, 0x10, b"x"), 16))
six["ho_echo"] = b"\0" + ip6(C6, S6, 58, icmp6(C6, S6, 128, 0, struct.pack("!HH", 7, 1), b"ping"))

# RFC 4884 multi-part ICMP errors: the original datagram padded to 128
# octets, its length in the header (ICMPv4: 32-bit words in octet 5;
# ICMPv6: 64-bit words in octet 4), then an extension structure (version 2,
# checksum) with one object (RFC 4950 MPLS label stack: class 1, c-type 1).
def ext4884(payload=b"\x00\x01\x01\x40"):
    obj = struct.pack("!HBB", 4 + len(payload), 1, 1) + payload
    hdr = struct.pack("!BBH", 0x20, 0, 0)
    return hdr[:2] + struct.pack("!H", csum(hdr + obj)) + obj


pad4 = inner6to4 + b"\0" * (128 - len(inner6to4))
four["rfc4884_unreach"] = b"\0" + ip4(S4, POOL, 1, icmp4(3, 1, struct.pack("!BBH", 0, 32, 0), pad4 + ext4884()))
four["rfc4884_timex"] = b"\0" + ip4(socket.inet_aton("192.0.2.1"), POOL, 1,
                                    icmp4(11, 0, struct.pack("!BBH", 0, 32, 0), pad4 + ext4884()))
four["rfc4884_bad_length"] = b"\0" + ip4(S4, POOL, 1, icmp4(3, 1, struct.pack("!BBH", 0, 200, 0),
                                                              pad4 + ext4884()))
pad6 = inner4to6 + b"\0" * (128 - len(inner4to6))
six["rfc4884_unreach"] = b"\0" + ip6(C6, S6, 58, icmp6(C6, S6, 1, 4, struct.pack("!BBH", 16, 0, 0),
                                                       pad6 + ext4884()))
six["rfc4884_timex"] = b"\0" + ip6(R6, S6, 58, icmp6(R6, S6, 3, 0, struct.pack("!BBH", 16, 0, 0),
                                                     pad6 + ext4884()))
six["rfc4884_bad_length"] = b"\0" + ip6(C6, S6, 58, icmp6(C6, S6, 1, 4, struct.pack("!BBH", 200, 0, 0),
                                                          pad6 + ext4884()))

# The harness's static entries (nd_fuzz_common.h): [2001:db8:1::80] tcp 80
# <-> 198.51.100.1:8080, udp 53 <-> 198.51.100.2:5353, icmp id 7 <->
# 198.51.100.1:7007; a peer that is no handoff server, 203.0.113.9.
SRV6 = socket.inet_pton(socket.AF_INET6, "2001:db8:1::80")
P4 = socket.inet_aton("203.0.113.9")
P46 = socket.inet_pton(socket.AF_INET6, "2001:db8:64::cb00:7109")
four["static_tcp_syn"] = b"\0" + ip4(P4, POOL, 6, l4ck4(P4, POOL, 6, tcp(6000, 8080, 0x02), 16))
four["static_udp"] = b"\0" + ip4(P4, POOL2, 17, l4ck4(P4, POOL2, 17, udp(7000, 5353, b"query"), 6))
four["static_echo"] = b"\0" + ip4(P4, POOL, 1, icmp4(8, 0, struct.pack("!HH", 7007, 1), b"ping"))
# An unsolicited SYN (no BIB entry): held 6 s, then Port Unreachable; the
# first flag byte's clock bits (63 s) age it out on the next input.
four["held_syn"] = b"\0" + ip4(P4, POOL, 6, l4ck4(P4, POOL, 6, tcp(6001, 2050, 0x02), 16))
four["held_syn_age"] = bytes([63 << 2]) + ip4(P4, POOL, 6, l4ck4(P4, POOL, 6, tcp(6002, 2051, 0x02), 16))
# Address-dependent filtering (fuzz_xlat4to6): a host the mapping was never used with.
four["filtered_udp"] = b"\0" + ip4(P4, POOL, 17, l4ck4(P4, POOL, 17, udp(7777, 2000, b"x"), 6))
four["filtered_syn"] = b"\0" + ip4(P4, POOL, 6, l4ck4(P4, POOL, 6, tcp(7778, 2000, 0x02), 16))
six["static_synack"] = b"\0" + ip6(SRV6, P46, 6, l4ck6(SRV6, P46, 6, tcp(80, 6000, 0x12), 16))
six["static_udp_out"] = b"\0" + ip6(SRV6, P46, 17, l4ck6(SRV6, P46, 17, udp(53, 7000, b"answer"), 6))
hp = socket.inet_pton(socket.AF_INET6, "2001:db8:64::c633:6401")
six["static_hairpin"] = b"\0" + ip6(C6, hp, 6, l4ck6(C6, hp, 6, tcp(40000, 8080, 0x02), 16))
# The IPv6 half of a simultaneous open: a SYN to the held SYN's source.
six["syn_to_held"] = b"\0" + ip6(C6, P46, 6, l4ck6(C6, P46, 6, tcp(40010, 6001, 0x02), 16))

for name, seeds in (("xlat6to4", six), ("xlat4to6", four)):
    d = os.path.join(HERE, "corpus", name)
    os.makedirs(d, exist_ok=True)
    for k, v in seeds.items():
        with open(os.path.join(d, k), "wb") as f:
            f.write(v)
print("seeds written:", len(six), len(four))
