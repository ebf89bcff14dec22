/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_quota.h — per-client quotas (RFC 6888 REQ-4): what one IPv6 client,
 * one subnet (default /64) and one site (default /56) may hold in BIB
 * entries and sessions, and how fast they may open new sessions.
 *
 * One record per client address, per subnet and per site seen, in one
 * table (lib/htab) bounded by `quota-clients`; a client's record points
 * to its subnet's, which points to its site's. A record is in use while
 * BIB entries are charged to it or records below it point to it; an
 * unused record is kept ND_QUOTA_IDLE_MS (its rate bucket stays
 * meaningful) and then freed. When the table is full, the record unused
 * for longest is recycled; when every record is in use, the new client
 * is refused (ND_QR_N). Records in use are at most three per BIB
 * entry, so a table of three times max-bib never refuses.
 *
 * bib.c and session.c charge and release what they create and delete
 * (nd_quota_bib, nd_quota_sess); the packet path asks first
 * (nd_quota_admit). Refusals are counted per reason and level, and kept
 * per record for the summary lines (nd_quota_report), at most one per
 * record every ND_QUOTA_REPORT_MS. Time is the caller's `now`; nothing
 * here logs.
 */
#ifndef ND_QUOTA_H
#define ND_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "htab.h"
#include "tbucket.h"

/* The levels: a client address, its subnet, its site. */
enum { ND_QL_CLIENT, ND_QL_SUBNET, ND_QL_SITE, ND_QL_N };
/* Why a new entry was refused (ND_QR_PEER: a session an IPv4 peer opens). */
enum nd_quota_reason { ND_QR_BIB, ND_QR_SESS, ND_QR_RATE, ND_QR_PEER, ND_QR_N };

#define ND_QUOTA_IDLE_MS	10000	/* an unused record is kept this long */
#define ND_QUOTA_REPORT_MS	10000	/* summary period */
#define ND_QUOTA_REPORT_LINES	8	/* per period; the rest in one line */
#define ND_QUOTA_BURST_S	5	/* a rate's bucket holds 5 s of it */

struct nd_quota_limits {
	uint32_t bib[ND_QL_N], sess[ND_QL_N];	/* 0: no limit */
	uint32_t rate[ND_QL_N];			/* new sessions per second; 0: none */
	int len[ND_QL_N];			/* prefix lengths: 128, subnet, site */
	uint32_t max_records;			/* quota-clients */
};

struct nd_qrec {
	struct htab_node hn;
	struct nd_qrec *up;		/* the subnet's, the site's, or NULL */
	struct nd_qrec *iprev, *inext;	/* idle list (NULL when in use) */
	struct nd_qrec *rnext;		/* report list */
	uint8_t addr[16];		/* masked to the level's length */
	uint8_t level;
	bool idle, reported;
	uint32_t refs;			/* records pointing here */
	uint32_t n_bib, n_sess;
	uint32_t n_sess4;		/* of n_sess, opened from the IPv4 side */
	uint32_t pend[ND_QR_N];		/* refusals not yet reported */
	uint64_t idle_since, pend_since;
	struct tbucket tb;
};

struct nd_quota_counters {
	uint64_t refused[ND_QR_N][ND_QL_N];
	uint64_t refused_table;		/* no record could be had */
	uint64_t recycled, freed;
};

struct nd_quota {
	struct nd_quota_limits l;
	uint32_t bib_max[ND_QL_N], sess_max[ND_QL_N];	/* UINT32_MAX: none */
	double burst[ND_QL_N];
	struct htab t;
	struct nd_qrec *last;		/* the last client looked up */
	struct nd_qrec *idle_head, *idle_tail;
	struct nd_qrec *report;		/* records with refusals pending */
	uint64_t pend_table, pend_table_since;
	uint64_t next_report;
	unsigned lines;			/* summary lines this period */
	uint64_t more_recs, more_refused;	/* beyond the lines */
	struct nd_quota_counters c;
};

void nd_quota_init(struct nd_quota *q, const struct nd_quota_limits *l);
/* New limits (reload); prefix lengths and the table size stay. */
void nd_quota_set_limits(struct nd_quota *q, const struct nd_quota_limits *l);
void nd_quota_free(struct nd_quota *q);

/* May client v6 open a new session (with a new BIB entry if new_bib)?
 * Takes a token of each rate on success; on refusal counts it and
 * returns false with *why (ND_QR_N: the record table is full). Records
 * are made only for a session admitted: a level without one holds
 * nothing and passes. */
bool nd_quota_admit(struct nd_quota *q, const uint8_t v6[16], bool new_bib,
    const struct clk_now *now, int *why);
/* A session from the IPv4 side onto r's entry: the session limits only,
 * counted over the sessions IPv4 peers opened, so that peers can neither
 * fill the table through a client's mappings nor take the client's own
 * quota (nd_quota_admit counts the sessions the client opened). */
bool nd_quota_admit_in4(struct nd_quota *q, struct nd_qrec *r, const struct clk_now *now);

/* The client record a new BIB entry is charged to (NULL: table full). */
struct nd_qrec *nd_quota_client(struct nd_quota *q, const uint8_t v6[16],
    const struct clk_now *now);
/* A record's use changed (its first BIB entry, or its last one gone). */
void nd_quota_used(struct nd_quota *q, struct nd_qrec *r, const struct clk_now *now);

/* Charge (+1) or release (-1) a BIB entry or a session (from4: one an IPv4
 * peer opened); now may be NULL. */
static inline void
nd_quota_bib(struct nd_quota *q, struct nd_qrec *r, int delta, const struct clk_now *now)
{
	for (; r; r = r->up) {
		if (delta < 0 && r->n_bib == 0)
			continue;
		r->n_bib += (uint32_t)delta;
		if (r->n_bib <= 1)
			nd_quota_used(q, r, now);
	}
}

static inline void
nd_quota_sess(struct nd_qrec *r, int delta, bool from4)
{
	for (; r; r = r->up) {
		if (delta > 0 || r->n_sess > 0)
			r->n_sess += (uint32_t)delta;
		if (from4 && (delta > 0 || r->n_sess4 > 0))
			r->n_sess4 += (uint32_t)delta;
	}
}

/* Free records idle for ND_QUOTA_IDLE_MS (reported ones). */
void nd_quota_expire(struct nd_quota *q, const struct clk_now *now);
/* The next summary line into buf (without newline): its length, or 0 when
 * nothing is due. Call until 0 once a second. */
size_t nd_quota_report(struct nd_quota *q, const struct clk_now *now, char *buf, size_t len);
size_t nd_quota_status(const struct nd_quota *q, char *buf, size_t len);
size_t nd_quota_records(const struct nd_quota *q);

#endif
