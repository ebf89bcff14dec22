"""pkt.py — packet builders for the conformance case generator (gen.py).

Every packet is a list of layers, outermost first. build() serializes it,
computing lengths and checksums from scratch (RFC 1071 over the RFC 768 /
RFC 8200 pseudo-headers), and returns the bytes with one annotation per
header field group, so the case files show what each line of hex is.
Nothing here knows how a translator works: expected packets are written
out layer by layer in gen.py from the RFC rules.
"""
import ipaddress
import struct


def csum(data, s=0):
    if len(data) % 2:
        data = data + b"\0"
    for i in range(0, len(data), 2):
        s += data[i] << 8 | data[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def a6(s):
    return ipaddress.IPv6Address(s).packed


def a4(s):
    return ipaddress.IPv4Address(s).packed


def t6(b):
    return str(ipaddress.IPv6Address(bytes(b)))


def t4(b):
    return str(ipaddress.IPv4Address(bytes(b)))


def pseudo6(src, dst, nh, n):
    return a6(src) + a6(dst) + struct.pack("!IxxxB", n, nh)


def pseudo4(src, dst, proto, n):
    return a4(src) + a4(dst) + struct.pack("!xBH", proto, n)


PROTO_NAMES = {0: "Hop-by-Hop", 6: "TCP", 17: "UDP", 43: "Routing", 44: "Fragment",
               58: "ICMPv6", 60: "Destination Options", 1: "ICMP", 59: "No Next Header"}


def pname(p):
    return "%d (%s)" % (p, PROTO_NAMES[p]) if p in PROTO_NAMES else str(p)


class Layer:
    proto = None
    pre = ""

    def ser(self, payload, ip, total_l4):
        raise NotImplementedError


class IP6(Layer):
    def __init__(self, src, dst, hlim=64, tc=0, flow=0, nh=None, plen=None):
        self.src, self.dst, self.hlim, self.tc, self.flow = src, dst, hlim, tc, flow
        self.nh, self.plen = nh, plen

    def header(self, nh, plen):
        w = 6 << 28 | self.tc << 20 | self.flow
        h = struct.pack("!IHBB", w, plen, nh, self.hlim) + a6(self.src) + a6(self.dst)
        ann = [(0, 8, "%sIPv6: version 6, traffic class 0x%02x, flow label 0x%05x, payload length %d, "
                "next header %s, hop limit %d" % (self.pre, self.tc, self.flow, plen, pname(nh), self.hlim)),
               (8, 16, "%sIPv6 source %s" % (self.pre, self.src)),
               (24, 16, "%sIPv6 destination %s" % (self.pre, self.dst))]
        return h, ann


class Ext6(Layer):
    """Hop-by-Hop (0), Destination Options (60) or Routing (43) header."""

    def __init__(self, kind, data=None, segleft=0, rtype=4):
        self.proto = kind
        self.segleft, self.rtype = segleft, rtype
        if data is None:
            data = bytes(6) if kind != 43 else bytes([rtype, segleft]) + bytes(4)
        self.data = data

    def ser(self, payload, nh):
        n = 2 + len(self.data)
        assert n % 8 == 0
        h = bytes([nh, n // 8 - 1]) + self.data
        what = {0: "Hop-by-Hop Options", 60: "Destination Options", 43: "Routing"}[self.proto]
        extra = ""
        if self.proto == 43:
            extra = ", routing type %d, segments left %d" % (self.data[0], self.data[1])
        return h, [(0, n, "%s%s header: next header %s, length %d%s" % (self.pre, what, pname(nh), n // 8 - 1, extra))]


class Frag6(Layer):
    proto = 44

    def __init__(self, off=0, m=False, ident=0):
        self.off, self.m, self.ident = off, m, ident

    def ser(self, payload, nh):
        assert self.off % 8 == 0
        h = struct.pack("!BBHI", nh, 0, self.off | (1 if self.m else 0), self.ident)
        return h, [(0, 8, "%sFragment header: next header %s, offset %d (octets), M %d, identification 0x%08x"
                    % (self.pre, pname(nh), self.off, 1 if self.m else 0, self.ident))]


class IP4(Layer):
    def __init__(self, src, dst, ttl=64, tos=0, ident=0, df=False, mf=False, off=0,
                 proto=None, options=b"", total=None, ck=None):
        self.src, self.dst, self.ttl, self.tos, self.ident = src, dst, ttl, tos, ident
        self.df, self.mf, self.off, self.proto_v = df, mf, off, proto
        self.options, self.total, self.ck = options, total, ck

    def header(self, proto, total):
        ihl = 5 + len(self.options) // 4
        assert len(self.options) % 4 == 0
        fl = (0x4000 if self.df else 0) | (0x2000 if self.mf else 0) | self.off // 8
        h = struct.pack("!BBHHHBBH", 0x40 | ihl, self.tos, total, self.ident, fl, self.ttl, proto, 0)
        h += a4(self.src) + a4(self.dst) + self.options
        ck = csum(h) if self.ck is None else self.ck
        h = h[:10] + struct.pack("!H", ck) + h[12:]
        ann = [(0, 12, "%sIPv4: version 4, IHL %d, TOS 0x%02x, total length %d, identification 0x%04x, "
                "DF %d, MF %d, offset %d, TTL %d, protocol %s, checksum 0x%04x"
                % (self.pre, ihl, self.tos, total, self.ident, self.df, self.mf, self.off, self.ttl,
                   pname(proto), ck)),
               (12, 4, "%sIPv4 source %s" % (self.pre, self.src)),
               (16, 4, "%sIPv4 destination %s" % (self.pre, self.dst))]
        if self.options:
            ann.append((20, len(self.options), "%sIPv4 options" % self.pre))
        return h, ann


class UDP(Layer):
    proto = 17

    def __init__(self, sport, dport, data=b"", ck=None, length=None):
        self.sport, self.dport, self.data, self.ck, self.length = sport, dport, data, ck, length

    def ser(self, pseudo):
        n = 8 + len(self.data)
        length = n if self.length is None else self.length
        u = struct.pack("!HHHH", self.sport, self.dport, length, 0) + self.data
        if self.ck is None:
            ck = csum(pseudo(17, n) + u)
            ck = ck or 0xFFFF
        else:
            ck = self.ck
        u = u[:6] + struct.pack("!H", ck) + u[8:]
        ann = [(0, 8, "%sUDP: source port %d, destination port %d, length %d, checksum 0x%04x"
                % (self.pre, self.sport, self.dport, length, ck))]
        if self.data:
            ann.append((8, len(self.data), "%sUDP payload" % self.pre))
        return u, ann


TCPF = {"F": 1, "S": 2, "R": 4, "P": 8, "A": 16, "U": 32}


class TCP(Layer):
    proto = 6

    def __init__(self, sport, dport, flags="S", seq=1, ack=0, win=65535, data=b"", ck=None, options=b""):
        self.sport, self.dport, self.seq, self.ack, self.win = sport, dport, seq, ack, win
        self.flags = sum(TCPF[c] for c in flags)
        self.fs, self.data, self.ck, self.options = flags, data, ck, options
        assert len(options) % 4 == 0

    def ser(self, pseudo):
        hl = 20 + len(self.options)
        t = struct.pack("!HHIIBBHHH", self.sport, self.dport, self.seq, self.ack, (hl // 4) << 4, self.flags,
                        self.win, 0, 0) + self.options + self.data
        ck = csum(pseudo(6, len(t)) + t) if self.ck is None else self.ck
        t = t[:16] + struct.pack("!H", ck) + t[18:]
        ann = [(0, 20, "%sTCP: source port %d, destination port %d, seq %d, ack %d, flags %s, window %d, "
                "checksum 0x%04x" % (self.pre, self.sport, self.dport, self.seq, self.ack, self.fs,
                                     self.win, ck))]
        if self.options:
            ann.append((20, len(self.options), "%sTCP options" % self.pre))
        if self.data:
            ann.append((hl, len(self.data), "%sTCP payload" % self.pre))
        return t, ann


class ICMP(Layer):
    """ICMPv4 (v6=False) or ICMPv6 message: 4 octets after the checksum
    (rest), then either data or a quoted packet (inner, a list of layers,
    truncated to `quote` octets, padded to `pad` octets) and an RFC 4884
    extension structure (ext, bytes)."""

    def __init__(self, v6, type_, code=0, rest=b"\0\0\0\0", data=b"", inner=None, quote=None,
                 pad=None, ext=b"", ck=None):
        self.v6, self.type, self.code, self.rest = v6, type_, code, rest
        self.data, self.inner, self.quote, self.pad, self.ext, self.ck = data, inner, quote, pad, ext, ck
        self.proto = 58 if v6 else 1

    def ser(self, pseudo):
        body, ann = b"", []
        if self.inner is not None:
            body, iann = build(self.inner, pre=self.pre + "inner ")
            if self.quote is not None:
                body = body[:self.quote]
                iann = [(o, min(n, self.quote - o), c) for (o, n, c) in iann if o < self.quote]
            ann += [(8 + o, n, c) for (o, n, c) in iann]
        elif self.data:
            ann.append((8, len(self.data), "%s%s data" % (self.pre, "ICMPv6" if self.v6 else "ICMP")))
            body = self.data
        if self.pad is not None and len(body) < self.pad:
            ann.append((8 + len(body), self.pad - len(body), "%sRFC 4884 zero padding of the original datagram"
                        % self.pre))
            body += bytes(self.pad - len(body))
        if self.ext:
            ann.append((8 + len(body), len(self.ext), "%sRFC 4884 extension structure" % self.pre))
            body += self.ext
        m = bytes([self.type, self.code, 0, 0]) + self.rest + body
        if self.ck is not None:
            ck = self.ck
        else:
            ck = csum((pseudo(58, len(m)) if self.v6 else b"") + m)
        m = m[:2] + struct.pack("!H", ck) + m[4:]
        ann.insert(0, (0, 8, "%s%s: type %d, code %d, checksum 0x%04x, rest %s"
                       % (self.pre, "ICMPv6" if self.v6 else "ICMP", self.type, self.code, ck,
                          self.rest.hex())))
        return m, ann


class Raw(Layer):
    def __init__(self, data, what="data", proto=None):
        self.data, self.what, self.proto = data, what, proto

    def ser(self, pseudo):
        return self.data, [(0, len(self.data), self.pre + self.what)] if self.data else []


def ext4884(objects):
    """RFC 4884 §7: extension header (version 2) + objects, with checksum."""
    body = b"".join(objects)
    h = bytes([0x20, 0, 0, 0]) + body
    ck = csum(h)
    return h[:2] + struct.pack("!H", ck) + h[4:]


def ext_object(class_num, ctype, payload):
    return struct.pack("!HBB", 4 + len(payload), class_num, ctype) + payload


def build(layers, pre=""):
    """Serialize layers (outermost first); returns (bytes, annotations)."""
    for l in layers:
        l.pre = pre
    ips = [i for i, l in enumerate(layers) if isinstance(l, (IP4, IP6))]
    assert ips and ips[0] == 0
    out, ann = b"", []
    for i in range(len(layers) - 1, -1, -1):
        l = layers[i]
        nxt = layers[i + 1] if i + 1 < len(layers) else None
        if isinstance(l, IP6):
            nh = l.nh if l.nh is not None else (nxt.proto if nxt is not None else 59)
            plen = l.plen if l.plen is not None else len(out)
            h, a = l.header(nh, plen)
        elif isinstance(l, IP4):
            proto = l.proto_v if l.proto_v is not None else nxt.proto
            total = l.total if l.total is not None else 20 + len(l.options) + len(out)
            h, a = l.header(proto, total)
        elif isinstance(l, (Ext6, Frag6)):
            nh = nxt.proto if nxt is not None else 59
            h, a = l.ser(out, nh)
        else:
            ip = layers[max(j for j in ips if j < i)]
            if isinstance(ip, IP6):
                def pseudo(nh, n, ip=ip):
                    return pseudo6(ip.src, ip.dst, nh, n)
            else:
                def pseudo(nh, n, ip=ip):
                    return pseudo4(ip.src, ip.dst, nh, n)
            assert not out, "transport layers are innermost"
            h, a = l.ser(pseudo)
            ann = [(o, n, c) for (o, n, c) in a]
            out = h
            continue
        ann = a + [(o + len(h), n, c) for (o, n, c) in ann]
        out = h + out
    return out, ann


def l4bytes(layer, ip):
    """A transport layer serialized alone with ip's pseudo-header (for fragments)."""
    b, _ = build([ip, layer])
    return b[20 + len(ip.options):] if isinstance(ip, IP4) else b[40:]


def hexdump(data, ann, indent="  "):
    """Annotated hex: one group of lines per annotation, 16 octets a line."""
    lines, pos = [], 0
    ann = sorted(ann, key=lambda a: a[0])
    for (o, n, c) in ann:
        if o > pos:
            ann_gap = data[pos:o]
            for i in range(0, len(ann_gap), 16):
                lines.append(indent + " ".join("%02x" % x for x in ann_gap[i:i + 16]))
        if o < pos:
            continue
        chunk = data[o:o + n]
        for i in range(0, len(chunk), 16):
            h = " ".join("%02x" % x for x in chunk[i:i + 16])
            lines.append(indent + (("%-48s # %s" % (h, c)) if i == 0 else h))
        pos = o + n
    if pos < len(data):
        rest = data[pos:]
        for i in range(0, len(rest), 16):
            lines.append(indent + " ".join("%02x" % x for x in rest[i:i + 16]))
    return lines
