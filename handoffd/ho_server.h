/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ho_server.h — what nat64-handoffd does with one control packet (draft §9,
 * §10; docs/PROTOCOL.md). Pure logic over the channel registry and the
 * validation state: no sockets, no clock reads. The caller (main.c)
 * receives datagrams, calls srv_handle() for each, flushes journals
 * (chan_flush) and only then sends what srv_handle() produced.
 */
#ifndef NK_SERVER_H
#define NK_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ho_ban.h"
#include "ho_channel.h"
#include "clock.h"
#include "handoff_wire.h"
#include "tbucket.h"
#include "ho_validate.h"

#define SRV_TX_MAX	65507	/* largest UDP payload over IPv4 */
/* ICMPv6 errors answering banned clients, per second and as a burst
 * (RFC 4443 §2.4 (f); nat64d's icmp-error-rate default). */
#define SRV_BAN_ICMP_RATE	1000

/* Counters, exported in the status file as "<name> <value>". */
#define SRV_COUNTERS(X) \
	X(rx_packets) X(tx_packets) X(rx_trailing_ignored) \
	X(validation_sent) X(validated) X(token_rotated) X(bad_bounce) X(bounce_repeat) \
	X(drop_attenuated) X(drop_max_channels) X(drop_state_unavailable) X(drop_wrong_destination) \
	X(drop_unsupported_ipv6) X(drop_unsupported_ipv4) X(drop_fragment) \
	X(drop_bad_ip) X(drop_no_port) X(drop_too_big) X(drop_entry) \
	X(entries_created) X(entries_found) X(entries_adopted) \
	X(lookup_hit) X(lookup_miss) X(echo_replies) X(icmp_errors_sent) X(tx_errors) \
	X(icmp_errors_matched) X(drop_icmp_quote) X(drop_icmp_no_entry) \
	X(drop_rx_unusable) X(drop_storage_paused) X(answers_withheld) \
	X(banned_prohibited) X(banned_rate_limited) X(drop_banned_entry)

enum srv_counter {
#define SRV_ENUM(n) SRV_C_##n,
	SRV_COUNTERS(SRV_ENUM)
#undef SRV_ENUM
	SRV_C__COUNT
};

/* One datagram to send: from local:handoff-port to dst:dport. */
struct srv_tx {
	uint32_t local;
	uint32_t dst;
	uint16_t dport;
	size_t len;
	uint8_t *buf;		/* SRV_TX_MAX octets, owned by the caller */
	bool unconfirmed;	/* carries an entry not yet written (srv_commit) */
};

struct srv_ctx {
	struct chan_reg *reg;
	struct val_state *vs;
	struct ban_table *bans;			/* NULL: no bans */
	struct tbucket ban_tb;			/* SRV_BAN_ICMP_RATE */
	uint16_t port;				/* our handoff port */
	uint64_t c[SRV_C__COUNT];
	uint64_t wire_drop[HW_E__COUNT];	/* drops by hw_err */
};

/* Handle a control packet from src:sport that reached local. Returns 1
 * if *tx was filled with something to send, else 0. */
int srv_handle(struct srv_ctx *s, uint32_t local, uint32_t src, uint16_t sport,
    const uint8_t *payload, size_t len, const struct clk_now *now, struct srv_tx *tx);

/* After a batch of srv_handle() calls: write its audit lines and journal
 * records (chan_commit). If that failed, the answers that carry an entry
 * not yet written are removed from tx (counted in answers_withheld).
 * Returns how many of tx to send. */
int srv_commit(struct srv_ctx *s, struct srv_tx *tx, int ntx, const struct clk_now *now);

const char *srv_counter_name(enum srv_counter c);
/* Short name of a wire error for counters ("trunc", "format", ...). */
const char *srv_wire_error_name(enum hw_err e);

#endif
