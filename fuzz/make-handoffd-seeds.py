#!/usr/bin/env python3
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
"""Regenerate the seed corpora of fuzz_server, fuzz_journal and fuzz_tokens
(fuzz/corpus/{server,journal,tokens}/). Written by hand from the draft's
layouts; run from the top of the tree. The seeds are committed."""
import os, struct, zlib

IDENT = (b"[[ This is the NAT64 handoff protocol. The client is using IPv6. "
         b"To know their real IP address you need to use this protocol or support IPv6. ]]")
assert len(IDENT) == 144

def msg(t, data):
    assert len(data) % 2 == 0
    return bytes([0x30 | t, len(data) // 2]) + data

def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

SRV4 = bytes([192, 0, 2, 1]); NAT4 = bytes([192, 0, 2, 7])
PFX = bytes.fromhex("0064ff9b0000000000000000")
CLI = bytes.fromhex("20010db8000000000000000000000017")
DST6 = PFX + SRV4

def ip6(src, dst, nh, payload):
    return struct.pack("!IHBB", 0x60000000, len(payload), nh, 64) + src + dst + payload

def tcp6_syn(sport, dport):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 0x50, 0x02, 65535, 0, 0)
    ph = CLI + DST6 + struct.pack("!IxxxB", len(hdr), 6)
    c = csum(ph + hdr)
    return ip6(CLI, DST6, 6, hdr[:16] + struct.pack("!H", c) + hdr[18:])

def ip4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload

def udp4(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return ip4(src, dst, 17, u)

def entry(port, cport):
    return msg(7, struct.pack("!H", port) + PFX + CLI + struct.pack("!H", cport))

TOK = msg(4, b"TOKN")
AUTH = msg(6, b"auth-16-octets!!")
server = {
    "syn6": TOK + AUTH + tcp6_syn(53186, 80),
    "syn6_hint": TOK + AUTH + msg(8, struct.pack("!H", 3719)) + tcp6_syn(53186, 80),
    "echo6": TOK + AUTH + ip6(CLI, DST6, 58, bytes([128, 0, 0, 0, 0x12, 0x34, 0, 1]) + b"ping"),
    "tcp4_lookup": TOK + ip4(SRV4, NAT4, 6, struct.pack("!HHIIBBHHH", 80, 3719, 9, 2, 0x50, 0x12, 65535, 0, 0)),
    "udp4_lookup": TOK + udp4(SRV4, NAT4, 53, 3719, b"answer"),
    "gre4": TOK + ip4(SRV4, NAT4, 47, b"\0\0\x08\0"),
    "entry": msg(1, IDENT) + TOK + AUTH + entry(3719, 53186),
    "multi": msg(1, IDENT) + TOK + AUTH + entry(4000, 1) + entry(4001, 2) + msg(6, b"another-auth-16!") + entry(4002, 3),
    "rotation": TOK + msg(5, b"OLDT") + AUTH + tcp6_syn(1, 80),
    "bounce": TOK + udp4(SRV4, NAT4, 6464, 9, msg(6, b"") + ip6(CLI, bytes(16), 59, bytes(16))),
    "noop_unknown": TOK + msg(2, b"") + msg(9, b"xx") + AUTH + tcp6_syn(2, 443),
}

def jr_header(nat64=0xc0000207, local=0xc0000201):
    h = b"NK64HOJ1" + struct.pack("!III", 1, nat64, local) + bytes(8)
    return h + struct.pack("!I", zlib.crc32(h))

def jr_create(port, cport, last, auth=b"auth-16-octets!!"):
    r = bytes([1, len(auth) // 2]) + struct.pack("!HHI", port, cport, last) + PFX + CLI + auth
    return r + struct.pack("!I", zlib.crc32(r))

def jr_delete(port):
    r = bytes([2, 0]) + struct.pack("!H", port)
    return r + struct.pack("!I", zlib.crc32(r))

journal = {
    # first octet odd: a valid header is prepended by the target
    "records": b"\x01" + jr_create(3719, 53186, 1552903588) + jr_create(12191, 53716, 1552903627) + jr_delete(3719),
    "long_auth": b"\x01" + jr_create(5000, 1, 1, bytes(510)),
    "torn": b"\x01" + jr_create(3719, 53186, 1) + jr_create(4000, 2, 2)[:-3],
    "whole_file": b"\x00" + jr_header() + jr_create(3719, 53186, 1),
    "bad_header": b"\x00" + b"NK64HOJ1" + bytes(24),
    # damage before good records: recovery resyncs after it
    "bad_middle": b"\x01" + jr_create(3719, 53186, 1) + jr_create(4000, 2, 2)[:-1] + b"\xa5"
                  + jr_create(4001, 3, 3) + jr_delete(3719),
    "garbage_middle": b"\x01" + jr_create(3719, 53186, 1) + b"\x01\x08garbage!" + jr_create(4000, 2, 2)
                      + jr_create(4001, 3, 3),
}

tokens = {
    "good": ("nat64-handoffd-tokens 1\nkey " + "ab" * 32 + " " + "cd" * 32 + "\n"
             "token 192.0.2.1 192.0.2.7 40000 1700000000 544f4b4e -\n"
             "token 192.0.2.1 192.0.2.9 1 5 - 00ff\nend\n").encode(),
    "empty_store": ("nat64-handoffd-tokens 1\nkey " + "00" * 32 + " " + "11" * 32 + "\nend\n").encode(),
    "truncated": b"nat64-handoffd-tokens 1\ntoken 192.0.2.1 192.0.2.7 4",
}

for name, seeds in (("server", server), ("journal", journal), ("tokens", tokens)):
    d = os.path.join("fuzz", "corpus", name)
    os.makedirs(d, exist_ok=True)
    for k, v in seeds.items():
        if name == "server":
            v = b"\x01" + v     # first octet: sender is the validated NAT64
        with open(os.path.join(d, k), "wb") as f:
            f.write(v)
