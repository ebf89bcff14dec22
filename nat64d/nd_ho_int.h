/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_ho_int.h — the inside of nat64d's NAT64 handoff (private to the
 * handoff files; the interface is nd_handoff.h).
 *
 * One concern per file, each calling only the ones listed after it:
 *   handoff.c   lifecycle, timers (nd_ho_tick), status
 *   hoclass.c   §8: packets subject to NAT (nd_ho_in6, nd_ho_in4), announcements
 *   hoctl.c     server -> NAT64: control packets (§6 patterns), ICMP about ours
 *   horesend.c  the §7 resend queue
 *   hofwd.c     NAT64 -> server: pending questions, sending, forwarding, probes
 *   hosrv.c     the per-server table, its rate limits, the state file writes
 * (hocache.c, hostate.c, hold.c, out.c and the state module below them.)
 * Packets that go through the gateway again (returned, released) are put
 * on the gateway's again queue (nd_path.h), never fed in from here.
 */
#ifndef ND_HO_INT_H
#define ND_HO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "nd_gw.h"
#include "nd_handoff.h"
#include "nd_path.h"
#include "tbucket.h"

#define HO_FWD_MAX	1400	/* larger packets: a header-only stub is forwarded */
#define HO_PEND		4096	/* outstanding questions to servers */
#define HO_PEND_PROBE	8
#define HO_HOLD_PKTS	4096
#define HO_HOLD_BYTES	(16u * 1024 * 1024)
#define HO_HOLD_PER_KEY	64	/* one flow cannot fill the queue for everyone */
#define HO_OUT		(HO_FWD_MAX + 512)
#define HO_RESEND_MAX	65536	/* entries waiting to be resent (§7), all servers */
#define HO_RESEND_BURST	16	/* §7 packets sent at once on a transition */
#define HO_RESEND_TICK	128	/* ... and per 100 ms afterwards */
#define HO_NOSYN_RATE	200.0	/* non-SYN TCP forwarded for unconfirmed servers, /s */
#define HO_SILENT_QUESTIONS 3	/* unanswered questions that make a server down */
#define HO_ICMP_FWD_MAX	576	/* ICMPv4 errors forwarded: cut to RFC 1812's 576 octets */

struct ho_pend {
	uint64_t key;
	uint64_t until_ms;		/* the question is open (packets are held) */
	uint64_t stub_until_ms;		/* a header-only copy may still come back */
	uint32_t held;			/* packets held under this question */
};

#define HO_STUB_MEMORY_MS	60000

/* An entry waiting to be sent in the §7 format. */
struct ho_rs {
	uint32_t server, pool4;
	uint16_t port4, port6;
	uint8_t pfx;
	uint8_t client[16];
};

struct nd_ho {
	struct nd_hokeys keys;
	struct nd_hocache cache;
	struct nd_hosrv srv[ND_HO_MAX_SERVERS];
	struct htab srvs;		/* srv[] in use, by address */
	int n_srv;
	struct nd_hold *hold;
	struct ho_pend pend[HO_PEND];
	uint8_t hkey[16];
	struct nd_ho_counters c;
	char state_path[300];
	bool dirty;
	uint64_t save_ms;
	struct tbucket nosyn;		/* non-SYN TCP forwarded for unconfirmed servers */
	struct ho_rs *rs;		/* ring of HO_RESEND_MAX */
	uint32_t rs_head, rs_n;
	struct tbucket announce;	/* all announcements, all servers */
	struct tbucket icmp;		/* ICMPv4 errors forwarded or held, all servers */
	uint8_t payload[HO_OUT];
	uint8_t out[HO_OUT + 64];
	uint8_t stub[256];
};

/* ------------------------------------------------------------ hosrv.c */

struct nd_hosrv *ho_srv_find(struct nd_ho *ho, uint32_t a);
/* Find or add (the table full: the least recently seen, unconfirmed first, goes). */
struct nd_hosrv *ho_srv_add(struct nd_ho *ho, uint32_t a, const struct clk_now *now);
/* Known to speak the protocol and not down. */
bool ho_srv_confirmed(const struct nd_hosrv *s);
/* The rate for a server that has not (or no longer) shown support:
 * announcements, bounces, forwards. */
bool ho_srv_take(struct nd_gw *gw, struct nd_hosrv *s, const struct clk_now *now);
void ho_srv_mark_down(struct nd_gw *gw, struct nd_hosrv *s, const struct clk_now *now);
/* Write the state file (keys, servers known to support the protocol). */
void ho_save(struct nd_gw *gw, const struct clk_now *now);

/* ------------------------------------------------------------ hofwd.c */

uint64_t ho_key6(const struct nd_ho *ho, uint32_t server, const uint8_t client[16], uint16_t port6);
uint64_t ho_key4(const struct nd_ho *ho, uint32_t server, uint32_t pool4, uint16_t port4);
/* Close the question; true if a header-only copy was sent for it. */
bool ho_pend_take(struct nd_ho *ho, uint64_t key, const struct clk_now *now);
void ho_put_token(struct nd_ho *ho, struct buf_wr *w, uint32_t server);
void ho_put_auth(struct nd_ho *ho, struct buf_wr *w, uint32_t server, const uint8_t client[16]);
/* The payload in w as a control packet from pool4 to s. */
void ho_send(struct nd_gw *gw, struct nd_hosrv *s, uint32_t pool4, const struct buf_wr *w,
    const struct clk_now *now);
void ho_probe(struct nd_gw *gw, struct nd_hosrv *s, uint32_t pool4, const struct clk_now *now);
/* Forward a TCP/UDP packet (or hold it behind an open question of its flow). */
void ho_forward(struct nd_gw *gw, struct nd_hosrv *s, uint32_t pool4, uint64_t key, struct nd_pkt *pk,
    bool v6);

/* Forward an ICMPv4 error about a packet of ours to s (or hold it behind
 * an open question of its port); cut to HO_ICMP_FWD_MAX. */
void ho_forward_icmp(struct nd_gw *gw, struct nd_hosrv *s, uint32_t pool4, uint64_t key,
    struct nd_pkt *pk);

/* ------------------------------------------------------------ horesend.c */

/* Queue every entry cached from s and every own entry used with it (§7). */
void ho_resend(struct nd_gw *gw, struct nd_hosrv *s, const struct clk_now *now);
/* Send at most max_pkts §7 packets from the queue. */
void ho_rs_drain(struct nd_gw *gw, int max_pkts, const struct clk_now *now);

#endif
