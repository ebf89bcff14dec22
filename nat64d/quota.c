/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* quota.c — per-client quotas: the record table, admission, charging and
 * the summary lines; see nd_quota.h. */
#include "nd_quota.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "xalloc.h"

static const char *const q_level_name[ND_QL_N] = { "client", "subnet", "site" };
static const char *const q_opt_name[ND_QR_N] = {
	"bib-per-", "sessions-per-", "session-rate-per-", "sessions-per-"
};
static const char *const q_opt_unit[ND_QR_N] = { "", "", "/s", " of IPv4 peers" };

/* The limits as the admission loop compares them (0: none). */
static void
q_derive(struct nd_quota *q)
{
	int i;

	for (i = 0; i < ND_QL_N; i++) {
		q->bib_max[i] = q->l.bib[i] ? q->l.bib[i] : UINT32_MAX;
		q->sess_max[i] = q->l.sess[i] ? q->l.sess[i] : UINT32_MAX;
		q->burst[i] = (double)q->l.rate[i] * ND_QUOTA_BURST_S;
	}
}

void
nd_quota_init(struct nd_quota *q, const struct nd_quota_limits *l)
{
	memset(q, 0, sizeof(*q));
	q->l = *l;
	q->l.len[ND_QL_CLIENT] = 128;
	q_derive(q);
	/* A bucket per 4 records: chains of 4 when full. The bucket array is
	 * paid at once (its pages touched at random as records come), the
	 * records as used: a bucket per record was 512 MiB with the largest
	 * max-bib however few the clients. */
	htab_init(&q->t, l->max_records / 4 ? l->max_records / 4 : 1);
}

void
nd_quota_set_limits(struct nd_quota *q, const struct nd_quota_limits *l)
{
	int len[ND_QL_N];
	uint32_t max = q->l.max_records;

	memcpy(len, q->l.len, sizeof(len));
	q->l = *l;
	memcpy(q->l.len, len, sizeof(len));
	q->l.max_records = max;
	q_derive(q);
}

void
nd_quota_free(struct nd_quota *q)
{
	struct htab_node *n, *next = NULL;
	size_t cur = 0;

	while ((n = htab_each(&q->t, &cur, &next)) != NULL)
		free(htab_entry(n, struct nd_qrec, hn));
	htab_free(&q->t);
	q->last = NULL;
}

size_t
nd_quota_records(const struct nd_quota *q)
{
	return q->t.count;
}

/* The idle list holds the records nothing is charged to, oldest first. */
static void
q_update(struct nd_quota *q, struct nd_qrec *r, const struct clk_now *now)
{
	bool used = r->n_bib > 0 || r->refs > 0;

	if (used && r->idle) {
		if (r->iprev)
			r->iprev->inext = r->inext;
		else
			q->idle_head = r->inext;
		if (r->inext)
			r->inext->iprev = r->iprev;
		else
			q->idle_tail = r->iprev;
		r->iprev = r->inext = NULL;
		r->idle = false;
	} else if (!used && !r->idle) {
		r->idle = true;
		r->idle_since = now ? now->mono_ms : 0;
		r->inext = NULL;
		r->iprev = q->idle_tail;
		if (q->idle_tail)
			q->idle_tail->inext = r;
		else
			q->idle_head = r;
		q->idle_tail = r;
	}
}

/* Take r off the report list; its pending refusals go to the "more" line. */
static void
q_unreport(struct nd_quota *q, struct nd_qrec *r)
{
	struct nd_qrec **pp;
	int i;

	for (pp = &q->report; *pp; pp = &(*pp)->rnext)
		if (*pp == r) {
			*pp = r->rnext;
			break;
		}
	r->rnext = NULL;
	r->reported = false;
	q->more_recs++;
	for (i = 0; i < ND_QR_N; i++) {
		q->more_refused += r->pend[i];
		r->pend[i] = 0;
	}
}

/* Free an idle record (the caller took it off nothing else). */
static void
q_drop(struct nd_quota *q, struct nd_qrec *r, const struct clk_now *now)
{
	struct nd_qrec *up = r->up;

	r->refs = 1;		/* off the idle list */
	q_update(q, r, now);
	if (r->reported)
		q_unreport(q, r);
	htab_remove(&q->t, &r->hn);
	if (q->last == r)
		q->last = NULL;
	free(r);
	if (up) {
		up->refs--;
		q_update(q, up, now);
	}
}

static void
q_mask(const uint8_t v6[16], int len, uint8_t out[16])
{
	int i;

	for (i = 0; i < 16; i++, len -= 8)
		out[i] = len >= 8 ? v6[i] : len <= 0 ? 0 : (uint8_t)(v6[i] & (0xff00 >> len));
}

/* The record of v6 at level lvl, if there is one; key and *h for q_get. */
static struct nd_qrec *
q_find(const struct nd_quota *q, const uint8_t v6[16], int lvl, uint8_t key[17], uint64_t *h)
{
	struct htab_node *n;
	struct nd_qrec *r;

	key[0] = (uint8_t)lvl;
	q_mask(v6, q->l.len[lvl], key + 1);
	*h = htab_hash(&q->t, key, 17);
	for (n = htab_first(&q->t, *h); n; n = htab_next(n, *h)) {
		r = htab_entry(n, struct nd_qrec, hn);
		if (r->level == lvl && !memcmp(r->addr, key + 1, 16))
			return r;
	}
	return NULL;
}

static struct nd_qrec *
q_get(struct nd_quota *q, const uint8_t v6[16], int lvl, const struct clk_now *now)
{
	uint8_t key[17];
	struct nd_qrec *r, *up = NULL;
	uint64_t h;

	if ((r = q_find(q, v6, lvl, key, &h)) != NULL)
		return r;
	if (lvl + 1 < ND_QL_N) {
		if ((up = q_get(q, v6, lvl + 1, now)) == NULL)
			return NULL;
		up->refs++;	/* pinned: never the one recycled below */
		q_update(q, up, now);
	}
	if (q->t.count >= q->l.max_records) {
		if (q->idle_head == NULL) {
			if (up) {
				up->refs--;
				q_update(q, up, now);
			}
			return NULL;
		}
		q_drop(q, q->idle_head, now);
		q->c.recycled++;
	}
	r = xcalloc(1, sizeof(*r));
	r->level = (uint8_t)lvl;
	memcpy(r->addr, key + 1, 16);
	r->up = up;
	tb_init(&r->tb, 1e12, now ? now->mono_ms : 0);	/* full at first use */
	htab_insert(&q->t, &r->hn, h);
	q_update(q, r, now);
	return r;
}

struct nd_qrec *
nd_quota_client(struct nd_quota *q, const uint8_t v6[16], const struct clk_now *now)
{
	struct nd_qrec *r = q->last;
	uint64_t a[2], b[2];

	if (r) {		/* a burst from one client: no hashing */
		memcpy(a, r->addr, 16);
		memcpy(b, v6, 16);
		if (a[0] == b[0] && a[1] == b[1])
			return r;
	}
	if ((r = q_get(q, v6, ND_QL_CLIENT, now)) != NULL)
		q->last = r;
	return r;
}

/* Count a refusal, for the counters and r's next summary line. */
static void
q_refuse(struct nd_quota *q, struct nd_qrec *r, int why, const struct clk_now *now)
{
	q->c.refused[why][r->level]++;
	if (!q->report && !q->pend_table && now->mono_ms >= q->next_report)
		q->next_report = now->mono_ms + ND_QUOTA_REPORT_MS;
	if (!r->reported) {
		r->reported = true;
		r->pend_since = now->mono_ms;
		r->rnext = q->report;
		q->report = r;
	}
	r->pend[why]++;
}

/* The record of v6's lowest level that has one (NULL: none), its level in
 * *lvl: a level without a record holds nothing and has a full bucket. */
static struct nd_qrec *
q_lowest(const struct nd_quota *q, const uint8_t v6[16], int *lvl)
{
	struct nd_qrec *r = q->last;
	uint8_t key[17];
	uint64_t a[2], b[2], h;

	*lvl = 0;
	if (r) {
		memcpy(a, r->addr, 16);
		memcpy(b, v6, 16);
		if (a[0] == b[0] && a[1] == b[1])
			return r;
	}
	for (; *lvl < ND_QL_N; (*lvl)++)
		if ((r = q_find(q, v6, *lvl, key, &h)) != NULL)
			return r;
	return NULL;
}

bool
nd_quota_admit(struct nd_quota *q, const uint8_t v6[16], bool new_bib,
    const struct clk_now *now, int *why)
{
	const struct nd_quota_limits *l = &q->l;
	struct nd_qrec *r, *x;
	int lvl;

	/* The limits first, over the records there are: a refused packet makes
	 * none, so a flood from ever new addresses cannot fill the table. */
	for (x = q_lowest(q, v6, &lvl); x; x = x->up, lvl++) {
		if (new_bib && x->n_bib >= q->bib_max[lvl])
			*why = ND_QR_BIB;
		else if (x->n_sess - x->n_sess4 >= q->sess_max[lvl])
			*why = ND_QR_SESS;
		else if (l->rate[lvl] && !tb_ready(&x->tb, l->rate[lvl], q->burst[lvl], now->mono_ms))
			*why = ND_QR_RATE;
		else
			continue;
		q_refuse(q, x, *why, now);
		return false;
	}
	if ((r = nd_quota_client(q, v6, now)) == NULL) {
		q->c.refused_table++;
		if (!q->report && !q->pend_table && now->mono_ms >= q->next_report)
			q->next_report = now->mono_ms + ND_QUOTA_REPORT_MS;
		if (!q->pend_table++)
			q->pend_table_since = now->mono_ms;
		*why = ND_QR_N;
		return false;
	}
	for (x = r, lvl = 0; x; x = x->up, lvl++)
		if (l->rate[lvl] && tb_ready(&x->tb, l->rate[lvl], q->burst[lvl], now->mono_ms))
			tb_spend(&x->tb);
	return true;
}

bool
nd_quota_admit_in4(struct nd_quota *q, struct nd_qrec *r, const struct clk_now *now)
{
	struct nd_qrec *x;
	int lvl;

	for (x = r, lvl = 0; x; x = x->up, lvl++)
		if (x->n_sess4 >= q->sess_max[lvl]) {
			q_refuse(q, x, ND_QR_PEER, now);
			return false;
		}
	return true;
}

void
nd_quota_used(struct nd_quota *q, struct nd_qrec *r, const struct clk_now *now)
{
	q_update(q, r, now);
}

void
nd_quota_expire(struct nd_quota *q, const struct clk_now *now)
{
	struct nd_qrec *r;

	while ((r = q->idle_head) != NULL && !r->reported &&
	    r->idle_since + ND_QUOTA_IDLE_MS <= now->mono_ms) {
		q_drop(q, r, now);
		q->c.freed++;
	}
}

/* "client 2001:db8::5" or "subnet 2001:db8:1::/64". */
static void
q_name(const struct nd_quota *q, const struct nd_qrec *r, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	addr_fmt6(r->addr, a, sizeof(a));
	if (r->level == ND_QL_CLIENT)
		snprintf(buf, len, "client %s", a);
	else
		snprintf(buf, len, "%s %s/%d", q_level_name[r->level], a, q->l.len[r->level]);
}

/* What snprintf(buf, len, ...) put in buf (len > 0). */
static size_t
q_fmt(size_t len, int n)
{
	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

static uint64_t
q_secs(uint64_t since, const struct clk_now *now)
{
	return (now->mono_ms - since + 500) / 1000;
}

static size_t
q_line(const struct nd_quota *q, const struct nd_qrec *r, const struct clk_now *now, char *buf,
    size_t len)
{
	char who[ADDR_STRLEN + 16], why[256];
	size_t w = 0;
	uint64_t total = 0;
	int i;

	q_name(q, r, who, sizeof(who));
	why[0] = '\0';
	for (i = 0; i < ND_QR_N; i++) {
		uint32_t lim = i == ND_QR_BIB ? q->l.bib[r->level] : i == ND_QR_RATE ?
		    q->l.rate[r->level] : q->l.sess[r->level];

		if (!r->pend[i])
			continue;
		total += r->pend[i];
		w += q_fmt(sizeof(why) - w, snprintf(why + w, sizeof(why) - w,
		    "%s%s%s %u%s: %u", w ? ", " : "", q_opt_name[i], q_level_name[r->level], lim,
		    q_opt_unit[i], r->pend[i]));
	}
	return q_fmt(len, snprintf(buf, len,
	    "quota: %s refused %llu new session%s in the last %llu s (%s)", who,
	    (unsigned long long)total, total == 1 ? "" : "s",
	    (unsigned long long)q_secs(r->pend_since, now), why));
}

size_t
nd_quota_report(struct nd_quota *q, const struct clk_now *now, char *buf, size_t len)
{
	struct nd_qrec *r;
	size_t n;
	int i;

	if (now->mono_ms < q->next_report)
		return 0;
	while ((r = q->report) != NULL) {
		if (q->lines >= ND_QUOTA_REPORT_LINES) {
			q_unreport(q, r);
			continue;
		}
		q->report = r->rnext;
		r->rnext = NULL;
		r->reported = false;
		q->lines++;
		n = q_line(q, r, now, buf, len);
		for (i = 0; i < ND_QR_N; i++)
			r->pend[i] = 0;
		return n;
	}
	if (q->more_recs) {
		n = q_fmt(len, snprintf(buf, len,
		    "quota: %llu more clients and prefixes refused %llu new sessions in the last %u s",
		    (unsigned long long)q->more_recs, (unsigned long long)q->more_refused,
		    ND_QUOTA_REPORT_MS / 1000));
		q->more_recs = q->more_refused = 0;
		return n;
	}
	if (q->pend_table) {
		n = q_fmt(len, snprintf(buf, len,
		    "quota: client table full (quota-clients %u): refused %llu new sessions in the last %llu s",
		    q->l.max_records, (unsigned long long)q->pend_table,
		    (unsigned long long)q_secs(q->pend_table_since, now)));
		q->pend_table = 0;
		return n;
	}
	q->lines = 0;
	q->next_report = now->mono_ms + ND_QUOTA_REPORT_MS;
	return 0;
}

size_t
nd_quota_status(const struct nd_quota *q, char *buf, size_t len)
{
	static const char *const reason[ND_QR_N] = {
		"bib", "sessions", "session_rate", "peer_sessions"
	};
	size_t n = 0;
	int i, j;

	if (len == 0)
		return 0;
	n += q_fmt(len - n, snprintf(buf + n, len - n, "quota_records %zu\n", q->t.count));
	for (i = 0; i < ND_QR_N; i++)
		for (j = 0; j < ND_QL_N; j++)
			n += q_fmt(len - n, snprintf(buf + n, len - n,
			    "quota_refused_%s_per_%s %llu\n", reason[i], q_level_name[j],
			    (unsigned long long)q->c.refused[i][j]));
	n += q_fmt(len - n, snprintf(buf + n, len - n,
	    "quota_refused_table_full %llu\nquota_recycled %llu\nquota_freed %llu\n",
	    (unsigned long long)q->c.refused_table, (unsigned long long)q->c.recycled,
	    (unsigned long long)q->c.freed));
	return n;
}
