/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_gw.h — the gateway: nat64d's packet path from the packet device back to
 * it, tying together RFC 6146 state (nd_state.h), RFC 7915 translation
 * (nd_xlat.h, icmp.c), fragments (nd_frag.h) and offload metadata (nd_gso.h).
 * How the path is built inside: nd_path.h.
 *
 * nd_gw_input() takes one packet read from the device (with its
 * virtio_net_hdr if the device has one), classifies it, consults and
 * updates the state, and writes zero or more packets back: the
 * translation, an ICMP error of the gateway's own, or fragments; then the
 * packets it sent back in (hairpinned, released, returned by a handoff
 * server), before it returns.
 * The input buffer is modified in place (L4 ports and checksums) and the
 * new IP header is written beside it, so a 64 KB super-packet is never
 * copied.
 *
 * Every drop is counted in struct nd_counters (nd_gw_status prints them).
 */
#ifndef ND_GW_H
#define ND_GW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>

#include "clock.h"
#include "nd_config.h"
#include "nd_frag.h"
#include "nd_pktdev.h"
#include "nd_quota.h"
#include "nd_state.h"
#include "nd_xlat.h"
#include "tbucket.h"

#define ND_COUNTERS(X)							\
	X(rx6) X(rx4) X(tx4) X(tx6)					\
	X(gso_rx) X(csum_resolved)					\
	X(drop_malformed6) X(drop_malformed4) X(drop_exthdr)		\
	X(drop_not_prefix) X(drop_not_pool) X(drop_bad_addr)		\
	X(drop_proto) X(drop_icmp_type) X(drop_no_bib)			\
	X(drop_no_session) X(drop_state_full) X(drop_quota) X(drop_frag_unknown)	\
	X(drop_frag_icmp) X(drop_udp0_frag) X(drop_udp0_v6) X(drop_udp0_v4)	\
	X(drop_too_big) X(drop_icmp_err_nomatch) X(drop_hairpin_loop)	\
	X(drop_gso) X(drop_tx) X(drop_source_route)						\
	X(icmp_err_xlat4to6) X(icmp_err_xlat6to4) X(icmp_err_via_cache)			\
	X(gen_time_exceeded6) X(gen_time_exceeded4)			\
	X(gen_frag_needed4) X(gen_unreach6) X(gen_too_big6) X(icmp_rate_limited)	\
	X(frag_out6) X(frags_xlat) X(hairpin)				\
	X(frag_held) X(frag_released) X(frag_expired)				\
	X(udp_coalesced) X(udp_trains) X(udp_coalesce_failed)		\
	X(drop_filtered) X(drop_unsolicited_syn) X(syn_held) X(syn_held_full)	\
	X(syn_held_again) X(syn_held_opened) X(syn_held_expired) X(gen_port_unreach4)

struct nd_counters {
#define ND_X(n) uint64_t n;
	ND_COUNTERS(ND_X)
#undef ND_X
};


#define ND_SCRATCH	(65536 + 256)

struct nd_train;
struct nd_hold;
struct nd_ho;
struct nd_ho_counters;

#define ND_FRAG_HOLD_PKTS	256
#define ND_FRAG_HOLD_BYTES	(1024 * 1024)

struct nd_gw {
	struct nd_config cfg;
	bool coalesce;			/* out.c: UDP trains as GSO (vnet devices) */
	struct nd_train *train;
	struct nd_state st;
	struct nd_quota quota;		/* per-client limits, charged by st */
	struct nd_frags frags;
	struct nd_dev *dev;
	struct nd_counters c;
	uint8_t own6[16];
	uint32_t own4;
	uint16_t ipid;
	struct tbucket icmp_tb;		/* icmp-error-rate */
	struct tbucket icmp_quota_tb;	/* a tenth of it for quota refusals */
	struct nd_hold *fhold;		/* fragments waiting for their first */
	struct nd_hold *synhold;	/* unsolicited IPv4 SYNs (RFC 6146 §3.5.2.2) */
	/* Packets to go through the path again (nd_path.h): again_new
	 * collects what the packet being processed sends back in, and is
	 * put in front of again when it is done. */
	struct nd_hold *again, *again_new;
	struct nd_ho *ho;		/* handoff.c, with `handoff yes` (nd_ho_new) */
	const struct nd_ho_counters *ho_c;	/* its counters: nd_drop() names them at -vv */
	uint8_t hdr[128];		/* the new IP header of a translation */
	uint8_t scratch[ND_SCRATCH];	/* ICMP errors */
	uint8_t scratch2[ND_SCRATCH];	/* a hairpinned packet being built */
	uint8_t againbuf[ND_SCRATCH];	/* the packet taken from again */
};

/* gw is large (scratch buffers): allocate it. */
struct nd_gw *nd_gw_new(const struct nd_config *cfg, struct nd_dev *dev);
void nd_gw_free(struct nd_gw *gw);
/* Apply a reloaded configuration: timeouts, limits, MTUs, rates,
 * policies, static BIB entries. */
void nd_gw_reconfig(struct nd_gw *gw, const struct nd_config *cfg, const struct clk_now *now);
void nd_gw_input(struct nd_gw *gw, uint8_t *pkt, size_t len, struct virtio_net_hdr *vh,
    const struct clk_now *now);
/* Expire state (and write the quota summary lines); returns ms until the
 * next deadline (capped at 1000). */
int64_t nd_gw_expire(struct nd_gw *gw, const struct clk_now *now);
size_t nd_gw_status(const struct nd_gw *gw, char *buf, size_t len);

/* Write out anything batched (end of a read burst). */
void nd_gw_flush(struct nd_gw *gw);

#endif
