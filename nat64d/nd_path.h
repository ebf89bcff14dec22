/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_path.h — the inside of nat64d's packet path (private to nat64d).
 *
 * One packet is one struct nd_pkt, filled step by step:
 *
 *   gw.c     nd_gw_input: the driver. Runs the packet, then every packet
 *            that it sent back in (the again queue), depth first.
 *   in6.c    IPv6 -> IPv4: parse, classify, state, rewrite L4, emit.
 *   in4.c    IPv4 -> IPv6: the same steps the other way.
 *   icmp.c   ICMP errors: the gateway's own, and translated ones with
 *            their quoted packet.
 *   path.c   what both directions share: the drop, address checks, the
 *            port/checksum rewrite, fragments, the again queue.
 *   out.c    the bottom: writes to the packet device (UDP trains too).
 *
 * Calls go down this list only (handoff's hooks, nd_handoff.h, sit between
 * the directions and out.c); nothing below calls back up, no callback
 * points up. A packet that must go through the path again is put on
 * gw->again with the ND_FROM_* bits saying why; gw.c runs it next.
 */
#ifndef ND_PATH_H
#define ND_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/virtio_net.h>

#include "clock.h"
#include "nd_frag.h"
#include "nd_gso.h"
#include "nd_gw.h"
#include "nd_state.h"
#include "nd_xlat.h"

/* How a packet came back in (inherited by what it sends back in). */
#define ND_FROM_HAIRPIN	0x1	/* translated to one of our pool addresses */
#define ND_FROM_FRAG	0x2	/* a held fragment, released by its first */
#define ND_FROM_HANDOFF	0x4	/* returned by a handoff server, or held for one */
#define ND_FROM_NOVH	0x100	/* (queue only) it had no virtio_net_hdr */

struct nd_bib;
struct nd_session;
struct nd_hoent;

/* One packet going through the path: what each step found out. */
struct nd_pkt {
	uint8_t *p;			/* the packet; L4 is rewritten in place */
	size_t len;			/* its length (the IP length once parsed) */
	struct virtio_net_hdr *vh;	/* offload metadata, or NULL */
	unsigned from;			/* ND_FROM_* */
	const struct clk_now *now;
	const struct nd_gw *gw;		/* whose counters nd_drop() names at -vv */
	union {
		struct nd_p6 in6;	/* in6.c */
		struct nd_p4 in4;	/* in4.c */
	};
	uint8_t *l4;
	size_t l4len;
	uint8_t proto;			/* L4 protocol on the way out */
	bool partial;			/* checksum left to offload: pseudo-header only */
	uint16_t sport, dport;		/* as received; ICMP: the identifier */
	int pfx;			/* index of the prefix */
	uint32_t src4, dst4;		/* the IPv4 side's addresses */
	uint8_t src6[16], dst6[16];	/* the IPv6 side's (in4.c) */
	uint16_t port;			/* the translated port or identifier */
	struct nd_bib *b;
	struct nd_session *s;
	bool announce;			/* handoff: tell the server of b */
	uint8_t fk[ND_FRAG_KEYMAX];	/* fragment key */
	size_t fklen;
};

/* Result of a step: go on, or the packet is finished (sent, taken or dropped). */
enum nd_step { ND_GO = 0, ND_DONE = 1 };

/* ------------------------------------------------------------ path.c */

/* Every drop: counts it, and ends the packet. */
enum nd_step nd_drop(struct nd_pkt *p, uint64_t *counter);
/* Index of the prefix holding a (and the embedded IPv4), or -1. */
int nd_path_prefix_of(const struct nd_gw *gw, const uint8_t a[16], uint32_t *v4);

/* Unsolicited IPv4 SYNs (gw->synhold): the key of one, and forgetting it
 * when the IPv6 side's SYN for the same session goes out. */
uint64_t nd_path_syn_key(const struct nd_gw *gw, uint32_t v4, uint16_t port4, uint32_t raddr,
    uint16_t rport);
void nd_path_syn_forget(struct nd_gw *gw, const struct nd_bib *b, uint32_t raddr, uint16_t rport);
/* What of a held SYN is kept: what a Port Unreachable quotes (RFC 1812
 * §4.3.2.3: the error at most 576 octets). */
#define ND_SYN_KEEP	(576 - 20 - 8)

/* A unicast IPv4 address we may translate: not 0/8, 127/8, multicast,
 * reserved or broadcast (RFC 6052 §3.1, RFC 7915). */
static inline bool
nd_path_v4_ok(uint32_t a)
{
	return (a >> 24) != 0 && (a >> 24) != 127 && a < 0xe0000000u;
}

/* An IPv6 source we may translate: not the unspecified address ::, the
 * loopback ::1 or multicast (ff00::/8). RFC 7915 §5.1: "if the translator
 * gets an illegal source address (e.g., ::1, etc.), the translator SHOULD
 * silently drop the packet". */
static inline bool
nd_path_v6src_ok(const uint8_t a[16])
{
	static const uint8_t zero[15];

	if (a[0] == 0xff)
		return false;
	return memcmp(a, zero, 15) != 0 || a[15] > 1;
}

/* The source of an ICMPv4 error we translate: also 0/8 and 127/8, which
 * broken routers use. RFC 7915 §4.1: "If the translator gets an illegal
 * source address (e.g., 0.0.0.0, 127.0.0.1, etc.), the translator SHOULD
 * silently drop the packet" and "when translating ICMPv4 Error Messages
 * into ICMPv6, the "illegal" source address will be translated for the
 * purpose of trouble shooting." Multicast and reserved sources stay
 * dropped: no router sends from them. */
static inline bool
nd_path_v4_errsrc_ok(uint32_t a)
{
	return a < 0xe0000000u;
}

/* The TCP flags the state machine knows (ND_TCPF_*). */
static inline uint8_t
nd_path_tcp_flags(const uint8_t *tcp)
{
	return (uint8_t)((tcp[13] & 0x01 ? ND_TCPF_FIN : 0) | (tcp[13] & 0x02 ? ND_TCPF_SYN : 0) |
	    (tcp[13] & 0x04 ? ND_TCPF_RST : 0));
}

/* May a translated UDP datagram with this metadata join a train (not
 * offloaded; a partial checksum only where UDP keeps it)? */
static inline bool
nd_path_batchable(const struct virtio_net_hdr *vh)
{
	return !nd_gso_is_gso(vh) && (!nd_gso_partial(vh) || vh->csum_offset == 6);
}
/* Resolve a partial checksum the translation cannot carry (counted). */
enum nd_step nd_path_resolve(struct nd_gw *gw, struct nd_pkt *p);

/* The port/checksum rewrite of a TCP or UDP header (RFC 1624): the
 * pseudo-header addresses summed to addr_old and now sum to addr_new, the
 * port at port_off (0 source, 2 destination) becomes port. */
#define ND_RW_PARTIAL	0x1	/* partial checksum: ports are not in it */
#define ND_RW_NONZERO	0x2	/* a UDP result of 0 is sent as 0xffff */
#define ND_RW_KEEPZERO	0x4	/* a zero UDP checksum (none, IPv4) stays zero */
void nd_path_ports(uint8_t *l4, size_t l4len, uint8_t proto, size_t port_off, uint16_t port,
    uint32_t addr_old, uint32_t addr_new, unsigned flags);
/* The echo header rewrite (type, code unless code < 0, identifier); the
 * checksum is adjusted with the ICMPv6 pseudo-header sum of the side that
 * has one (ps_old on 6->4, ps_new on 4->6, the other 0). */
void nd_path_echo(uint8_t *l4, uint8_t type, int code, uint16_t id, uint32_t ps_old,
    uint32_t ps_new);

/* Fragments: the key of a datagram, a fragment held until its first
 * fragment went through, and their release onto the again queue. */
void nd_path_fkey6(struct nd_pkt *p);
void nd_path_fkey4(struct nd_pkt *p);
void nd_path_fhold(struct nd_gw *gw, struct nd_pkt *p);
void nd_path_frelease(struct nd_gw *gw, struct nd_pkt *p);

/* Put a packet on the again queue (copied); -1 if it is full. */
int nd_path_again(struct nd_gw *gw, const uint8_t *pkt, size_t len,
    const struct virtio_net_hdr *vh, unsigned from, const struct clk_now *now);

/* ------------------------------------------------------------ in6.c, in4.c */

void nd_in6(struct nd_gw *gw, struct nd_pkt *p);
void nd_in4(struct nd_gw *gw, struct nd_pkt *p);

/* ------------------------------------------------------------ icmp.c */

void nd_icmp_err6(struct nd_gw *gw, uint8_t type, uint8_t code, uint32_t param,
    const uint8_t *orig, size_t orig_len, const struct clk_now *now);
void nd_icmp_err4(struct nd_gw *gw, uint8_t type, uint8_t code, uint32_t param,
    const uint8_t *orig, size_t orig_len, const struct clk_now *now);
/* May a refusal over a quota be answered (a tenth of icmp-error-rate)? */
bool nd_icmp_quota_allow(struct nd_gw *gw, const struct clk_now *now);
/* Translate an ICMP error with the packet it quotes (outer header parsed). */
void nd_icmp_xlat4to6(struct nd_gw *gw, struct nd_pkt *p);
void nd_icmp_xlat6to4(struct nd_gw *gw, struct nd_pkt *p);

/* ------------------------------------------------------------ out.c */

void nd_out_init(struct nd_gw *gw);
void nd_out_free(struct nd_gw *gw);
/* Write one packet, in order (a pending UDP train goes first). */
void nd_out_send(struct nd_gw *gw, struct virtio_net_hdr *vh, const uint8_t *hdr, size_t hl,
    const uint8_t *body, size_t bl, bool v6);
/* A translated UDP datagram: joins the train of its flow when it can. */
void nd_out_udp(struct nd_gw *gw, struct virtio_net_hdr *vh, const uint8_t *hdr, size_t hl,
    const uint8_t *udp, size_t ul, bool v6);
/* Write the pending train (end of a read burst). */
void nd_out_flush(struct nd_gw *gw);

#endif
