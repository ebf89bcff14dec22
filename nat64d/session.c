/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* session.c — RFC 6146 sessions: one per (BIB entry, IPv4 peer), the TCP
 * state machine of §3.5.2 and the timers of §4, kept as one LRU-ordered
 * expiry list per timeout class so expiry is O(expired). */
#include "nd_state.h"

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "log.h"
#include "nd_quota.h"
#include "xalloc.h"

static uint32_t
nd_hs(const struct nd_state *st, const struct nd_bib *b, uint32_t raddr, uint16_t rport)
{
	uint8_t k[sizeof(b) + 6];

	memcpy(k, &b, sizeof(b));
	memcpy(k + sizeof(b), &raddr, 4);
	memcpy(k + sizeof(b) + 4, &rport, 2);
	return nd_state_hash(st, k, sizeof(k)) & st->smask;
}

struct nd_session *
nd_session_find(const struct nd_state *st, const struct nd_bib *b, uint32_t raddr, uint16_t rport)
{
	struct nd_session *s;

	for (s = st->hs[nd_hs(st, b, raddr, rport)]; s; s = s->hnext)
		if (s->bib == b && s->raddr == raddr && s->rport == rport)
			return s;
	return NULL;
}

static void
nd_list_unlink(struct nd_session *s)
{
	s->lprev->lnext = s->lnext;
	s->lnext->lprev = s->lprev;
	s->lprev = s->lnext = s;
}

static void
nd_list_append(struct nd_state *st, struct nd_session *s, int tc, const struct clk_now *now)
{
	struct nd_session *head = &st->lists[tc];

	s->tclass = (uint8_t)tc;
	s->expires_ms = now->mono_ms + st->p.timeout_ms[tc];
	s->lprev = head->lprev;
	s->lnext = head;
	head->lprev->lnext = s;
	head->lprev = s;
}

static void
nd_set_class(struct nd_state *st, struct nd_session *s, int tc, const struct clk_now *now)
{
	nd_list_unlink(s);
	nd_list_append(st, s, tc, now);
}

/* -vv: one line per session created or expired. */
static void
nd_session_log(const struct nd_session *s, const char *what)
{
	char t[2 * ADDR_STRLEN + 16], r[ADDR_STRLEN];

	if (log_getverbose() < 2)
		return;
	log_debug2("session %s peer %s:%u %s", nd_bib_fmt(s->bib, t, sizeof(t)),
	    addr_fmt4(s->raddr, r, sizeof(r)), s->rport, what);
}

struct nd_session *
nd_session_create(struct nd_state *st, struct nd_bib *b, uint32_t raddr, uint16_t rport,
    bool from4, const struct clk_now *now)
{
	struct nd_session *s;
	uint32_t h;
	int tc;

	if (st->n_sess >= st->p.max_sessions) {
		st->c.sess_full++;
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->bib = b;
	s->raddr = raddr;
	s->rport = rport;
	s->flags = from4 ? ND_SESS_FROM4 : 0;
	h = nd_hs(st, b, raddr, rport);
	s->hnext = st->hs[h];
	st->hs[h] = s;
	s->bnext = b->sessions;
	if (b->sessions)
		b->sessions->bprev = &s->bnext;
	s->bprev = &b->sessions;
	b->sessions = s;
	b->n_sessions++;
	tc = b->proto == 6 ? ND_TC_TCP_TRANS : b->proto == 17 ? ND_TC_UDP : ND_TC_ICMP;
	s->lprev = s->lnext = s;
	nd_list_append(st, s, tc, now);
	st->n_sess++;
	st->c.sess_created++;
	if (b->q)
		nd_quota_sess(b->q, 1, from4);
	/* The entry is committed with its first session: now it is logged. */
	if (!b->logged && b->owner == ND_OWN_LOCAL && st->on_bib) {
		b->logged = true;
		st->on_bib(st->on_bib_arg, b, true, now);
	}
	nd_session_log(s, "created");
	return s;
}

void
nd_session_delete(struct nd_state *st, struct nd_session *s, const struct clk_now *now)
{
	struct nd_session **pp = &st->hs[nd_hs(st, s->bib, s->raddr, s->rport)];
	struct nd_bib *b = s->bib;

	while (*pp && *pp != s)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = s->hnext;
	*s->bprev = s->bnext;
	if (s->bnext)
		s->bnext->bprev = s->bprev;
	b->n_sessions--;
	if (b->q)
		nd_quota_sess(b->q, -1, s->flags & ND_SESS_FROM4);
	nd_list_unlink(s);
	st->n_sess--;
	free(s);
	/* A local BIB entry lives as long as it has sessions (RFC 6146 §3.5.1). */
	if (now && b->n_sessions == 0 && b->owner == ND_OWN_LOCAL)
		nd_bib_delete(st, b, now);
}

void
nd_session_touch(struct nd_state *st, struct nd_session *s, const struct clk_now *now)
{
	nd_set_class(st, s, s->tclass, now);
}

/* RFC 6146 §3.5.2.2 (simplified: no probing of idle established sessions). */
void
nd_session_tcp(struct nd_state *st, struct nd_session *s, bool from6, uint8_t fl,
    const struct clk_now *now)
{
	int tc = s->tclass;

	switch (s->tcp_state) {
	case ND_TCP_CLOSED:
		if (fl & ND_TCPF_SYN) {
			s->tcp_state = from6 ? ND_TCP_V6_INIT : ND_TCP_V4_INIT;
			tc = from6 ? ND_TC_TCP_TRANS : ND_TC_TCP_SYN;
		}
		break;
	case ND_TCP_V6_INIT:
		if (!from6 && (fl & ND_TCPF_SYN)) {
			s->tcp_state = ND_TCP_ESTABLISHED;
			tc = ND_TC_TCP_EST;
		} else if (from6 && (fl & ND_TCPF_SYN))
			tc = ND_TC_TCP_TRANS;
		break;
	case ND_TCP_V4_INIT:
		if (from6 && (fl & ND_TCPF_SYN)) {
			s->tcp_state = ND_TCP_ESTABLISHED;
			tc = ND_TC_TCP_EST;
		}
		break;
	case ND_TCP_ESTABLISHED:
		if (fl & ND_TCPF_RST) {
			s->tcp_state = ND_TCP_TRANS;
			tc = ND_TC_TCP_TRANS;
		} else if (fl & ND_TCPF_FIN) {
			s->tcp_state = from6 ? ND_TCP_V6_FIN_RCV : ND_TCP_V4_FIN_RCV;
			tc = ND_TC_TCP_EST;
		} else
			tc = ND_TC_TCP_EST;
		break;
	case ND_TCP_V4_FIN_RCV:
	case ND_TCP_V6_FIN_RCV:
		if ((fl & ND_TCPF_FIN) && from6 == (s->tcp_state == ND_TCP_V4_FIN_RCV)) {
			s->tcp_state = ND_TCP_V4_FIN_V6_FIN_RCV;
			tc = ND_TC_TCP_TRANS;
		} else
			tc = ND_TC_TCP_EST;
		break;
	case ND_TCP_V4_FIN_V6_FIN_RCV:
		return;		/* the transitory timer runs out; no refresh */
	case ND_TCP_TRANS:
		if (!(fl & ND_TCPF_RST)) {
			s->tcp_state = ND_TCP_ESTABLISHED;
			tc = ND_TC_TCP_EST;
		}
		else
			return;
		break;
	}
	nd_set_class(st, s, tc, now);
}

unsigned
nd_state_expire(struct nd_state *st, const struct clk_now *now, uint64_t *next_ms)
{
	unsigned n = 0;
	uint64_t next = UINT64_MAX;
	int tc;

	for (tc = 0; tc < ND_TC_N; tc++) {
		struct nd_session *head = &st->lists[tc], *s;

		while ((s = head->lnext) != head && s->expires_ms <= now->mono_ms) {
			nd_session_log(s, "expired");
			nd_session_delete(st, s, now);
			st->c.sess_expired++;
			n++;
		}
		if (head->lnext != head && head->lnext->expires_ms < next)
			next = head->lnext->expires_ms;
	}
	if (next_ms)
		*next_ms = next;
	return n;
}

const struct nd_session *
nd_bib_session_with(const struct nd_bib *b, uint32_t raddr)
{
	const struct nd_session *s;

	for (s = b->sessions; s; s = s->bnext)
		if (s->raddr == raddr)
			return s;
	return NULL;
}

const struct nd_session *
nd_bib_session_next(const struct nd_bib *b, const struct nd_session *s)
{
	return s ? s->bnext : b->sessions;
}

bool
nd_bib_used_with(const struct nd_bib *b, uint32_t raddr)
{
	return nd_bib_session_with(b, raddr) != NULL;
}

unsigned
nd_bib_forget_peer(struct nd_state *st, struct nd_bib *b, uint32_t raddr,
    const struct clk_now *now)
{
	struct nd_session *s, *nx;
	unsigned n = 0;

	for (s = b->sessions; s; s = nx) {
		nx = s->bnext;
		if (s->raddr == raddr) {
			nd_session_delete(st, s, now);
			n++;
		}
	}
	return n;
}

const char *
nd_tcp_state_name(int s)
{
	static const char *names[] = { "CLOSED", "V6_INIT", "V4_INIT", "ESTABLISHED",
	    "V4_FIN_RCV", "V6_FIN_RCV", "V4_FIN_V6_FIN_RCV", "TRANS" };

	return s >= 0 && s < (int)(sizeof(names) / sizeof(names[0])) ? names[s] : "?";
}
