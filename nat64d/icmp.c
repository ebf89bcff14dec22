/* icmp.c — ICMP errors: the gateway's own (Time Exceeded, Fragmentation
 * Needed, Address Unreachable), rate-limited, and the translation of
 * ICMP errors between the two sides including the packet they quote
 * (RFC 7915 §4.2-4.3, §5.2-5.3; RFC 6146 §3.5 for the inner mapping).
 */
#include "nd_path.h"

#include <string.h>

#include "addr.h"
#include "buf.h"
#include "cksum.h"
#include "nd_handoff.h"
#include "tbucket.h"

#define ND_ICMP6_MAX	1280	/* RFC 4443 §2.4 (c): fit the minimum MTU */
#define ND_ICMP4_MAX	576	/* RFC 1812 §4.3.2.3 */

/* icmp-error-rate per second, as a burst of as many (0: none). */
static bool
icmp_allow(struct nd_gw *gw, const struct clk_now *now)
{
	double rate = gw->cfg.icmp_rate;

	if (gw->cfg.icmp_rate == 0)
		return false;
	if (!tb_take(&gw->icmp_tb, rate, rate, now->mono_ms)) {
		gw->c.icmp_rate_limited++;
		return false;
	}
	return true;
}

/* Never answer an ICMP error with one (RFC 4443 §2.4 (e), RFC 1122). */
static bool
icmp_quotable6(const uint8_t *orig, size_t len)
{
	struct nd_p6 p;

	switch (nd_parse6((uint8_t *)orig, len, true, &p)) {
	case ND_P_OK:
		break;
	case ND_P_EXTHDR:		/* e.g. a live routing header: not an error */
		return true;
	default:
		return false;
	}
	if (p.proto == ND_PROTO_ICMP6 && p.l4off < p.len && nd_icmp6_is_error(orig[p.l4off]))
		return false;
	return true;
}

void
nd_icmp_err6(struct nd_gw *gw, uint8_t type, uint8_t code, uint32_t param,
    const uint8_t *orig, size_t orig_len, const struct clk_now *now)
{
	uint8_t *o = gw->scratch;
	size_t q = orig_len, plen;

	if (orig_len < ND_IP6_HLEN || !icmp_quotable6(orig, orig_len))
		return;
	if (!icmp_allow(gw, now))
		return;
	if (q > ND_ICMP6_MAX - ND_IP6_HLEN - 8)
		q = ND_ICMP6_MAX - ND_IP6_HLEN - 8;
	plen = 8 + q;
	nd_build6(o, 0, 0, (uint16_t)plen, ND_PROTO_ICMP6, 64, gw->own6, orig + 8);
	o[40] = type;
	o[41] = code;
	be16_store(o + 42, 0);
	be32_store(o + 44, param);
	memcpy(o + 48, orig, q);
	be16_store(o + 42, cksum_finish(cksum_add(cksum_pseudo6(o + 8, o + 24, ND_PROTO_ICMP6,
	    (uint32_t)plen), o + 40, plen)));
	nd_out_send(gw, NULL, o, ND_IP6_HLEN + plen, NULL, 0, true);
}

/* An ICMPv4 error header, checksum zero: Fragmentation Needed carries
 * the MTU in its low 16 bits (RFC 1191), the others param as it is. */
static void
icmp_head4(uint8_t *h, uint8_t type, uint8_t code, uint32_t param)
{
	h[0] = type;
	h[1] = code;
	be16_store(h + 2, 0);
	if (type == 3 && code == 4) {
		be16_store(h + 4, 0);
		be16_store(h + 6, (uint16_t)param);
	} else
		be32_store(h + 4, param);
}

void
nd_icmp_err4(struct nd_gw *gw, uint8_t type, uint8_t code, uint32_t param,
    const uint8_t *orig, size_t orig_len, const struct clk_now *now)
{
	uint8_t *o = gw->scratch;
	size_t q = orig_len, ihl;

	if (orig_len < ND_IP4_HLEN)
		return;
	ihl = (size_t)(orig[0] & 0xf) * 4;
	if (orig[9] == ND_PROTO_ICMP && orig_len > ihl && nd_icmp4_is_error(orig[ihl]))
		return;
	if (!icmp_allow(gw, now))
		return;
	if (q > ND_ICMP4_MAX - ND_IP4_HLEN - 8)
		q = ND_ICMP4_MAX - ND_IP4_HLEN - 8;
	nd_build4(o, 0xc0, (uint16_t)(ND_IP4_HLEN + 8 + q), gw->ipid++, false, false, 0, 64,
	    ND_PROTO_ICMP, gw->own4, be32_load(orig + 12));
	icmp_head4(o + 20, type, code, param);
	memcpy(o + 28, orig, q);
	be16_store(o + 22, cksum_finish(cksum_add(0, o + 20, 8 + q)));
	nd_out_send(gw, NULL, o, ND_IP4_HLEN + 8 + q, NULL, 0, false);
}

/* RFC 1191 plateau below a packet size, when a router sent MTU 0. */
static uint32_t
icmp_plateau(uint32_t size)
{
	static const uint32_t pl[] = { 65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68 };
	size_t i;

	for (i = 0; i < sizeof(pl) / sizeof(pl[0]); i++)
		if (pl[i] < size)
			return pl[i];
	return 68;
}

/* IPv4 error about a packet we sent out (inner: pool address -> peer). */
void
nd_icmp_xlat4to6(struct nd_gw *gw, struct nd_pkt *p)
{
	const struct nd_p4 *o4 = &p->in4;
	const struct clk_now *now = p->now;
	const uint8_t *icmp = o4->p + o4->ihl;
	size_t ilen = o4->len - o4->ihl, q, plen, l4q;
	struct nd_p4 in;
	struct nd_bib *b, hb;
	struct nd_session *s;
	uint8_t t6, c6, *o = gw->scratch, *ip, *l4, nh;
	uint8_t isrc6[16], idst6[16], osrc6[16];
	uint16_t port;
	uint32_t param = 0;
	int pfx = 0;

	if (ilen < 8 + ND_IP4_HLEN || o4->ttl <= 1) {
		nd_drop(p, &gw->c.drop_malformed4);
		return;
	}
	if (cksum_finish(cksum_add(0, icmp, ilen)) != 0) {
		nd_drop(p, &gw->c.drop_malformed4);
		return;
	}
	if (gw->ho) {
		struct nd_p4 ci;

		/* Draft §8: an error about one of our control packets. */
		if (nd_parse4((uint8_t *)icmp + 8, ilen - 8, true, &ci) == ND_P_OK &&
		    nd_ho_icmp_control(gw, o4->src, icmp[0], icmp[1], &ci, now))
			return;
	}
	if (!nd_icmp4to6_map(icmp[0], icmp[1], &t6, &c6)) {
		nd_drop(p, &gw->c.drop_icmp_type);
		return;
	}
	if (nd_parse4((uint8_t *)icmp + 8, ilen - 8, true, &in) != ND_P_OK ||
	    !nd_state_is_pool4(&gw->st, in.src)) {
		nd_drop(p, &gw->c.drop_icmp_err_nomatch);
		return;
	}
	l4q = in.len - in.ihl;
	if (!nd_p4_first(&in) || l4q < 8 ||
	    (in.proto != ND_PROTO_TCP && in.proto != ND_PROTO_UDP && in.proto != ND_PROTO_ICMP)) {
		nd_drop(p, &gw->c.drop_icmp_err_nomatch);
		return;
	}
	l4 = in.p + in.ihl;
	port = in.proto == ND_PROTO_ICMP ? be16_load(l4 + 4) : be16_load(l4);
	if (!(b = nd_bib_find4(&gw->st, in.proto, in.src, port))) {
		struct nd_hoent *he = gw->ho && in.proto != ND_PROTO_ICMP ?
		    nd_hoc_find4(nd_ho_cache(gw), in.dst, in.src, port) : NULL;

		if (!he) {
			nd_drop(p, &gw->c.drop_icmp_err_nomatch);
			return;
		}
		/* About a packet translated with a server's cached entry. */
		memset(&hb, 0, sizeof(hb));
		memcpy(hb.v6, he->client, 16);
		hb.port6 = he->port6;
		b = &hb;
		pfx = he->pfx < gw->cfg.n_prefix ? he->pfx : 0;
		gw->c.icmp_err_via_cache++;
	} else if ((s = nd_session_find(&gw->st, b, in.dst,
	    in.proto == ND_PROTO_ICMP ? 0 : be16_load(l4 + 2))))
		pfx = s->pfx < gw->cfg.n_prefix ? s->pfx : 0;
	if (!nd_path_v4_ok(o4->src) || !nd_path_v4_ok(in.dst)) {
		nd_drop(p, &gw->c.drop_bad_addr);
		return;
	}
	if (t6 == 2) {		/* Packet Too Big: MTU + 20, clamped (RFC 7915 §4.2) */
		uint32_t mtu = be16_load(icmp + 6);

		if (mtu == 0)
			mtu = icmp_plateau((uint32_t)in.declared);
		mtu += ND_IP6_HLEN - ND_IP4_HLEN;
		if (mtu > gw->cfg.mtu6)
			mtu = gw->cfg.mtu6;
		if (mtu < 1280)
			mtu = 1280;
		param = mtu;
	} else if (t6 == 4 && c6 == 0) {
		int p6 = nd_ptr4to6(icmp[4]);

		if (p6 < 0) {
			nd_drop(p, &gw->c.drop_icmp_type);
			return;
		}
		param = (uint32_t)p6;
	} else if (t6 == 4 && c6 == 1)
		param = 6;	/* Next Header */

	/* Inner packet, IPv6, as it left the IPv6 side. */
	memcpy(isrc6, b->v6, 16);
	addr_rfc6052_embed(gw->cfg.prefix[pfx].addr, gw->cfg.prefix[pfx].len, in.dst, idst6);
	addr_rfc6052_embed(gw->cfg.prefix[pfx].addr, gw->cfg.prefix[pfx].len, o4->src, osrc6);
	q = l4q;
	if (q > ND_ICMP6_MAX - 2 * ND_IP6_HLEN - 8)
		q = ND_ICMP6_MAX - 2 * ND_IP6_HLEN - 8;
	plen = 8 + ND_IP6_HLEN + q;
	ip = o + ND_IP6_HLEN + 8;
	nh = in.proto == ND_PROTO_ICMP ? ND_PROTO_ICMP6 : in.proto;
	nd_build6(ip, in.tos, 0, (uint16_t)(in.declared - in.ihl), nh, in.ttl, isrc6, idst6);
	memcpy(ip + ND_IP6_HLEN, l4, q);
	l4 = ip + ND_IP6_HLEN;
	/* The quoted header as it was: our pool port back to the client's. */
	if (in.proto == ND_PROTO_ICMP)
		nd_path_echo(l4, l4[0] == 8 ? 128 : l4[0] == 0 ? 129 : l4[0], -1, b->port6, 0,
		    cksum_pseudo6(isrc6, idst6, ND_PROTO_ICMP6, (uint32_t)(in.declared - in.ihl)));
	else
		nd_path_ports(l4, q, in.proto, 0, b->port6, nd_sum4(in.src) + nd_sum4(in.dst),
		    cksum_add(cksum_add(0, isrc6, 16), idst6, 16), ND_RW_KEEPZERO);
	nd_build6(o, o4->tos, 0, (uint16_t)plen, ND_PROTO_ICMP6, (uint8_t)(o4->ttl - 1), osrc6, b->v6);
	o[40] = t6;
	o[41] = c6;
	be16_store(o + 42, 0);
	be32_store(o + 44, param);
	be16_store(o + 42, cksum_finish(cksum_add(cksum_pseudo6(osrc6, b->v6, ND_PROTO_ICMP6,
	    (uint32_t)plen), o + 40, plen)));
	gw->c.icmp_err_xlat4to6++;
	nd_out_send(gw, NULL, o, ND_IP6_HLEN + plen, NULL, 0, true);
}

/* IPv6 error about a packet we sent to the IPv6 side (inner: prefix+peer
 * -> client). */
void
nd_icmp_xlat6to4(struct nd_gw *gw, struct nd_pkt *p)
{
	const struct nd_p6 *o6 = &p->in6;
	const uint8_t *icmp = o6->p + o6->l4off;
	size_t ilen = o6->len - o6->l4off, q, l4q, tlen;
	struct nd_p6 in;
	struct nd_bib *b, hb;
	uint8_t t4, c4, *o = gw->scratch, *ip, *l4, proto4;
	uint32_t osrc4, odst4, isrc4, idst4, param = 0;
	uint16_t port;

	if (ilen < 8 + ND_IP6_HLEN || o6->p[7] <= 1) {
		nd_drop(p, &gw->c.drop_malformed6);
		return;
	}
	if (cksum_finish(cksum_add(cksum_pseudo6(o6->p + 8, o6->p + 24, ND_PROTO_ICMP6,
	    (uint32_t)ilen), icmp, ilen)) != 0) {
		nd_drop(p, &gw->c.drop_malformed6);
		return;
	}
	if (!nd_icmp6to4_map(icmp[0], icmp[1], &t4, &c4)) {
		nd_drop(p, &gw->c.drop_icmp_type);
		return;
	}
	if (nd_path_prefix_of(gw, o6->p + 24, &odst4) < 0) {
		nd_drop(p, &gw->c.drop_not_prefix);
		return;
	}
	if (nd_parse6((uint8_t *)icmp + 8, ilen - 8, true, &in) != ND_P_OK || !nd_p6_first(&in) ||
	    nd_path_prefix_of(gw, in.p + 8, &isrc4) < 0) {
		nd_drop(p, &gw->c.drop_icmp_err_nomatch);
		return;
	}
	if (in.l4off + 8 > in.len ||
	    (in.proto != ND_PROTO_TCP && in.proto != ND_PROTO_UDP && in.proto != ND_PROTO_ICMP6)) {
		nd_drop(p, &gw->c.drop_icmp_err_nomatch);
		return;
	}
	l4q = in.len - in.l4off;
	proto4 = in.proto == ND_PROTO_ICMP6 ? ND_PROTO_ICMP : in.proto;
	port = in.proto == ND_PROTO_ICMP6 ? be16_load(in.p + in.l4off + 4) : be16_load(in.p + in.l4off + 2);
	if (!(b = nd_bib_find6(&gw->st, proto4, in.p + 24, port))) {
		struct nd_hoent *he = gw->ho && proto4 != ND_PROTO_ICMP ?
		    nd_hoc_find6(nd_ho_cache(gw), isrc4, in.p + 24, port) : NULL;

		if (!he) {
			nd_drop(p, &gw->c.drop_icmp_err_nomatch);
			return;
		}
		memset(&hb, 0, sizeof(hb));
		hb.v4 = he->pool4;
		hb.port4 = he->port4;
		b = &hb;
		gw->c.icmp_err_via_cache++;
	}
	idst4 = b->v4;
	/* An error goes to the sender of the packet it quotes; one addressed
	 * elsewhere would make us send ICMPv4 to a third party. */
	if (isrc4 != odst4) {
		nd_drop(p, &gw->c.drop_icmp_err_nomatch);
		return;
	}
	if (nd_path_prefix_of(gw, o6->p + 8, &osrc4) < 0 || !nd_path_v4_ok(osrc4))
		osrc4 = gw->own4;	/* an IPv6 router: RFC 7915 §5.1 */
	if (t4 == 3 && c4 == 4) {
		uint32_t mtu = be32_load(icmp + 4);

		if (mtu < 1280)		/* below the IPv6 minimum: bogus, use it */
			mtu = 1280;
		mtu = mtu > 65535 + 20 ? 65535 : mtu - (ND_IP6_HLEN - ND_IP4_HLEN);
		if (mtu > gw->cfg.mtu4)
			mtu = gw->cfg.mtu4;
		param = mtu;
	} else if (t4 == 12) {
		int p4 = nd_ptr6to4(be32_load(icmp + 4));

		if (p4 < 0) {
			nd_drop(p, &gw->c.drop_icmp_type);
			return;
		}
		param = (uint32_t)p4 << 24;
	}
	q = l4q;
	if (q > ND_ICMP4_MAX - 2 * ND_IP4_HLEN - 8)
		q = ND_ICMP4_MAX - 2 * ND_IP4_HLEN - 8;
	ip = o + ND_IP4_HLEN + 8;
	tlen = in.declared - in.l4off + ND_IP4_HLEN;
	nd_build4(ip, (uint8_t)(be32_load(in.p) >> 20), (uint16_t)(tlen > 65535 ? 65535 : tlen),
	    in.frag ? (uint16_t)in.fragid : 0, !in.frag, in.mf, 0, in.p[7], proto4, isrc4, idst4);
	memcpy(ip + ND_IP4_HLEN, in.p + in.l4off, q);
	l4 = ip + ND_IP4_HLEN;
	/* The quoted header as it was: the client's port back to our pool port. */
	if (in.proto == ND_PROTO_ICMP6)
		nd_path_echo(l4, l4[0] == 128 ? 8 : l4[0] == 129 ? 0 : l4[0], -1, b->port4,
		    cksum_pseudo6(in.p + 8, in.p + 24, ND_PROTO_ICMP6, (uint32_t)(in.declared - in.l4off)),
		    0);
	else
		nd_path_ports(l4, q, in.proto, 2, b->port4,
		    cksum_add(cksum_add(0, in.p + 8, 16), in.p + 24, 16), nd_sum4(isrc4) + nd_sum4(idst4), 0);
	nd_build4(o, (uint8_t)(be32_load(o6->p) >> 20), (uint16_t)(2 * ND_IP4_HLEN + 8 + q),
	    gw->ipid++, false, false, 0, (uint8_t)(o6->p[7] - 1), ND_PROTO_ICMP, osrc4, isrc4);
	icmp_head4(o + 20, t4, c4, param);
	be16_store(o + 22, cksum_finish(cksum_add(0, o + 20, 8 + ND_IP4_HLEN + q)));
	gw->c.icmp_err_xlat6to4++;
	nd_out_send(gw, NULL, o, 2 * ND_IP4_HLEN + 8 + q, NULL, 0, false);
}
