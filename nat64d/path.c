/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* path.c — what the two directions of the packet path share: the drop,
 * address checks, the port/checksum and echo header rewrites, fragment
 * keys and the fragment hold, and the again queue; see nd_path.h. */
#include "nd_path.h"

#include <endian.h>
#include <sodium.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "cksum.h"
#include "log.h"
#include "nd_handoff.h"
#include "nd_gso.h"
#include "nd_hold.h"
#include "nd_state.h"

/* The counter's name, for -vv: the drop reason. */
static const char *
nd_counter_name(const struct nd_gw *gw, const uint64_t *counter)
{
#define ND_X(n) if (counter == &gw->c.n) return #n;
	ND_COUNTERS(ND_X)
#undef ND_X
#define ND_X(n) if (gw->ho_c && counter == &gw->ho_c->n) return "handoff_" #n;
	ND_HO_COUNTERS(ND_X)
#undef ND_X
	return "other";
}

enum nd_step
nd_drop(struct nd_pkt *p, uint64_t *counter)
{
	(*counter)++;
	if (log_getverbose() >= 2)
		log_debug2("packet dropped: %s", nd_counter_name(p->gw, counter));
	return ND_DONE;
}

int
nd_path_prefix_of(const struct nd_gw *gw, const uint8_t a[16], uint32_t *v4)
{
	int i;

	for (i = 0; i < gw->cfg.n_prefix; i++) {
		const struct nd_prefix *p = &gw->cfg.prefix[i];

		if (memcmp(a, p->addr, (size_t)p->len / 8) == 0) {
			if (p->len != 96 && a[8] != 0)
				continue;	/* RFC 6052 u octet */
			*v4 = addr_rfc6052_extract(a, p->len);
			return i;
		}
	}
	return -1;
}

enum nd_step
nd_path_resolve(struct nd_gw *gw, struct nd_pkt *p)
{
	if (!nd_gso_resolve(p->vh, p->p, p->len))
		return nd_drop(p, &gw->c.drop_gso);
	gw->c.csum_resolved++;
	p->partial = false;
	return ND_GO;
}

void
nd_path_ports(uint8_t *l4, size_t l4len, uint8_t proto, size_t port_off, uint16_t port,
    uint32_t addr_old, uint32_t addr_new, unsigned flags)
{
	size_t ckoff = proto == ND_PROTO_TCP ? 16 : 6;
	bool partial = (flags & ND_RW_PARTIAL) != 0;
	uint16_t ck;

	/* A partial checksum (offload) covers the pseudo-header only: the
	 * port is summed later, by whoever completes it. */
	if (!partial) {
		addr_old = cksum_add(addr_old, l4 + port_off, 2);
		addr_new += port;
	}
	be16_store(l4 + port_off, port);
	if (l4len < ckoff + 2)
		return;			/* a quoted header cut short */
	ck = be16_load(l4 + ckoff);
	if ((flags & ND_RW_KEEPZERO) && proto == ND_PROTO_UDP && ck == 0)
		return;
	ck = nd_ck_adjust(ck, addr_old, addr_new, partial);
	if ((flags & ND_RW_NONZERO) && proto == ND_PROTO_UDP && ck == 0)
		ck = 0xffff;
	be16_store(l4 + ckoff, ck);
}

void
nd_path_echo(uint8_t *l4, uint8_t type, int code, uint16_t id, uint32_t ps_old, uint32_t ps_new)
{
	uint16_t ck = be16_load(l4 + 2);
	uint32_t so = cksum_add(cksum_add(ps_old, l4, 2), l4 + 4, 2);

	l4[0] = type;
	if (code >= 0)
		l4[1] = (uint8_t)code;
	be16_store(l4 + 4, id);
	be16_store(l4 + 2, nd_ck_adjust(ck, so, cksum_add(cksum_add(ps_new, l4, 2), l4 + 4, 2),
	    false));
}

/* Key of the fragment table: protocol, addresses, identification. */
void
nd_path_fkey6(struct nd_pkt *p)
{
	p->fk[0] = 6;
	p->fk[1] = p->in6.proto;
	memcpy(p->fk + 2, p->in6.p + 8, 32);
	be32_store(p->fk + 34, p->in6.fragid);
	p->fklen = 38;
}

void
nd_path_fkey4(struct nd_pkt *p)
{
	p->fk[0] = 4;
	p->fk[1] = p->in4.proto;
	be32_store(p->fk + 2, p->in4.src);
	be32_store(p->fk + 6, p->in4.dst);
	be16_store(p->fk + 10, p->in4.id);
	p->fklen = 12;
}

/* Fragments that arrive before their first fragment wait (bounded, 2 s)
 * in a hold queue keyed by a hash of their fragment key, and go onto the
 * again queue once the first fragment went through. */
static uint64_t
path_fhkey(const struct nd_gw *gw, const struct nd_pkt *p)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t k;

	crypto_shorthash(h, p->fk, p->fklen, gw->st.hkey);
	memcpy(&k, h, sizeof(k));
	return k;
}

void
nd_path_fhold(struct nd_gw *gw, struct nd_pkt *p)
{
	/* A fragment is held once, never twice. */
	if ((p->from & ND_FROM_FRAG) ||
	    nd_hold_put(gw->fhold, path_fhkey(gw, p), p->p, p->len, p->vh, p->now) == -1) {
		nd_drop(p, &gw->c.drop_frag_unknown);
		return;
	}
	gw->c.frag_held++;
}

void
nd_path_frelease(struct nd_gw *gw, struct nd_pkt *p)
{
	if (nd_hold_count(gw->fhold))
		gw->c.frag_released += nd_hold_move(gw->fhold, path_fhkey(gw, p), gw->again_new,
		    p->from | ND_FROM_FRAG);
}

/* Held SYNs (RFC 6146 §3.5.2.2) are keyed by the hash of both IPv4
 * transport addresses: ours (pool address, port) and the peer's. */
uint64_t
nd_path_syn_key(const struct nd_gw *gw, uint32_t v4, uint16_t port4, uint32_t raddr,
    uint16_t rport)
{
	uint8_t k[12];

	memcpy(k, &v4, 4);
	memcpy(k + 4, &raddr, 4);
	memcpy(k + 8, &port4, 2);
	memcpy(k + 10, &rport, 2);
	return nd_state_hash64(&gw->st, k, sizeof(k));
}

/* An IPv6 SYN opened the session a held IPv4 SYN was waiting for: RFC
 * 5382 REQ-4 (which RFC 6146 §3.5.2.2 follows): "If during this interval
 * the NAT receives and translates an outbound SYN for the connection the
 * NAT MUST silently drop the original unsolicited inbound SYN packet." */
void
nd_path_syn_forget(struct nd_gw *gw, const struct nd_bib *b, uint32_t raddr, uint16_t rport)
{
	if (nd_hold_count(gw->synhold))
		gw->c.syn_held_opened += nd_hold_release(gw->synhold,
		    nd_path_syn_key(gw, b->v4, b->port4, raddr, rport), NULL, NULL, NULL);
}

int
nd_path_again(struct nd_gw *gw, const uint8_t *pkt, size_t len,
    const struct virtio_net_hdr *vh, unsigned from, const struct clk_now *now)
{
	return nd_hold_put(gw->again_new, from | (vh ? 0 : ND_FROM_NOVH), pkt, len, vh, now);
}
