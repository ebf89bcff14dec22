/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* control.c — nat64d's control socket commands; see nd_control.h. */
#include "nd_control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "ctl_wire.h"
#include "xalloc.h"

#include "nd_gw.h"
#include "nd_handoff.h"
#include "nd_state.h"

#define ND_CTL_STATUS_MAX	(256 * 1024)

struct nd_ctl {
	struct ctls *sock;		/* NULL: detached */
	struct nd_gw *gw;
	struct ctls_counters c;
};

/* What bib, sessions and lookup select. */
struct nd_filter {
	uint8_t proto;			/* 0: any */
	bool has6, has4;
	uint8_t a6[16];
	uint32_t a4;
	uint16_t port;			/* 0: any; a port or an ICMP identifier */
	unsigned limit;			/* 0: every row */
};

static ctl_cmd_fn nd_ctl_bib, nd_ctl_sessions, nd_ctl_servers, nd_ctl_stats, nd_ctl_lookup,
    nd_ctl_help;

static const struct ctl_command nd_ctl_commands[] = {
	{ "bib", 0, 0, "proto addr port limit", nd_ctl_bib,
	  "bib [proto=tcp|udp|icmp] [addr=IPV6|IPV4] [port=N] [limit=N]   the BIB entries" },
	{ "sessions", 0, 0, "proto addr port limit", nd_ctl_sessions,
	  "sessions [proto=tcp|udp|icmp] [addr=IPV6|IPV4] [port=N] [limit=N]   the sessions" },
	{ "servers", 0, 0, "", nd_ctl_servers,
	  "servers   the handoff servers and their state" },
	{ "stats", 0, 0, "", nd_ctl_stats, "stats   the counters (what the status file shows)" },
	{ "lookup", 1, 1, "proto", nd_ctl_lookup,
	  "lookup POOL4:PORT [proto=tcp|udp|icmp]   which IPv6 client holds that address and port now" },
	{ "help", 0, 0, "", nd_ctl_help, "help   this list" },
};

#define ND_NCOMMANDS (sizeof(nd_ctl_commands) / sizeof(nd_ctl_commands[0]))

static void
nd_ctl_help(void *arg, const struct ctl_req *r, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	(void)arg, (void)r, (void)cur, (void)now;
	ctl_help(nd_ctl_commands, ND_NCOMMANDS, o);
}

/* ---- filters */

static const char *
nd_proto_name(uint8_t p)
{
	return p == 6 ? "tcp" : p == 17 ? "udp" : p == 1 ? "icmp" : "?";
}

static int
nd_ctl_filter(const struct ctl_req *r, struct nd_filter *f, struct ctl_out *o)
{
	const char *v;
	unsigned port;

	memset(f, 0, sizeof(*f));
	if ((v = ctl_opt(r, "proto")) != NULL) {
		f->proto = strcmp(v, "tcp") == 0 ? 6 : strcmp(v, "udp") == 0 ? 17 :
		    strcmp(v, "icmp") == 0 ? 1 : 0;
		if (f->proto == 0) {
			ctl_put_error(o, "proto '%s': tcp, udp or icmp", v);
			return -1;
		}
	}
	if ((v = ctl_opt(r, "addr")) != NULL) {
		if (addr_parse6(v, f->a6) == 0)
			f->has6 = true;
		else if (addr_parse4(v, &f->a4) == 0)
			f->has4 = true;
		else {
			ctl_put_error(o, "addr '%s' is not an IPv6 or IPv4 address", v);
			return -1;
		}
	}
	if (ctl_opt_uint(r, "port", 0, 65535, &port, o) == -1 ||
	    ctl_opt_uint(r, "limit", 0, 0xffffffffu, &f->limit, o) == -1)
		return -1;
	f->port = (uint16_t)port;
	return 0;
}

/* The filter of a stepped answer, from its request line. */
static int
nd_ctl_refilter(const struct ctl_cursor *cur, struct nd_filter *f, struct ctl_out *o)
{
	struct ctl_req r;
	char err[160];

	if (ctl_parse_request(cur->line, cur->len, &r, err, sizeof(err)) == -1)
		return -1;
	return nd_ctl_filter(&r, f, o);
}

static bool
nd_bib_match(const struct nd_filter *f, const struct nd_bib *b)
{
	return (!f->proto || b->proto == f->proto) &&
	    (!f->has6 || memcmp(b->v6, f->a6, 16) == 0) &&
	    (!f->has4 || b->v4 == f->a4) &&
	    (!f->port || b->port6 == f->port || b->port4 == f->port);
}

/* ---- rows */

#define ND_BIB_COLS "proto:s ipv6:s port6:n ipv4:s port4:n owner:s server:s sessions:n age:n expires:n"

static void
nd_fmt_secs(char *buf, size_t len, uint64_t later_ms, uint64_t earlier_ms)
{
	snprintf(buf, len, "%llu", later_ms > earlier_ms ?
	    (unsigned long long)((later_ms - earlier_ms) / 1000) : 0ull);
}

static void
nd_put_bib(struct ctl_out *o, const struct nd_bib *b, const struct clk_now *now)
{
	char v6[ADDR_STRLEN], v4[ADDR_STRLEN], p6[8], p4[8], ns[12], age[24] = "", exp[24] = "";
	const char *vals[10] = { nd_proto_name(b->proto), v6, p6, v4, p4,
	    b->owner == ND_OWN_LOCAL ? "dynamic" : "static", "", ns, age, exp };
	const struct nd_session *s;
	uint64_t last = 0;

	addr_fmt6(b->v6, v6, sizeof(v6));
	addr_fmt4(b->v4, v4, sizeof(v4));
	snprintf(p6, sizeof(p6), "%u", b->port6);
	snprintf(p4, sizeof(p4), "%u", b->port4);
	snprintf(ns, sizeof(ns), "%u", b->n_sessions);
	if (b->created_ms)
		nd_fmt_secs(age, sizeof(age), now->mono_ms, b->created_ms);
	for (s = nd_bib_session_next(b, NULL); s; s = nd_bib_session_next(b, s))
		if (s->expires_ms > last)
			last = s->expires_ms;
	if (last)
		nd_fmt_secs(exp, sizeof(exp), last, now->mono_ms);
	ctl_put_row(o, vals, 10);
}

#define ND_SESS_COLS "proto:s ipv6:s port6:n ipv4:s port4:n remote4:s remote_port:n remote6:s " \
	"state:s expires:n"

static void
nd_put_session(struct ctl_out *o, const struct nd_gw *gw, const struct nd_session *s,
    const struct clk_now *now)
{
	const struct nd_bib *b = s->bib;
	char v6[ADDR_STRLEN], v4[ADDR_STRLEN], r4[ADDR_STRLEN], r6[ADDR_STRLEN];
	char p6[8], p4[8], rp[8], exp[24];
	const char *vals[10] = { nd_proto_name(b->proto), v6, p6, v4, p4, r4, rp, r6,
	    b->proto == 6 ? nd_tcp_state_name(s->tcp_state) : "", exp };
	uint8_t a6[16];
	int pfx = s->pfx < gw->cfg.n_prefix ? s->pfx : 0;

	addr_fmt6(b->v6, v6, sizeof(v6));
	addr_fmt4(b->v4, v4, sizeof(v4));
	addr_fmt4(s->raddr, r4, sizeof(r4));
	addr_rfc6052_embed(gw->cfg.prefix[pfx].addr, gw->cfg.prefix[pfx].len, s->raddr, a6);
	addr_fmt6(a6, r6, sizeof(r6));
	snprintf(p6, sizeof(p6), "%u", b->port6);
	snprintf(p4, sizeof(p4), "%u", b->port4);
	snprintf(rp, sizeof(rp), "%u", s->rport);
	nd_fmt_secs(exp, sizeof(exp), s->expires_ms, now->mono_ms);
	ctl_put_row(o, vals, 10);
}

static bool
nd_session_match(const struct nd_filter *f, const struct nd_gw *gw, const struct nd_session *s)
{
	const struct nd_bib *b = s->bib;
	uint8_t r6[16];
	int pfx = s->pfx < gw->cfg.n_prefix ? s->pfx : 0;

	if (f->proto && b->proto != f->proto)
		return false;
	if (f->has6 && memcmp(b->v6, f->a6, 16) != 0) {
		addr_rfc6052_embed(gw->cfg.prefix[pfx].addr, gw->cfg.prefix[pfx].len, s->raddr, r6);
		if (memcmp(r6, f->a6, 16) != 0)
			return false;
	}
	if (f->has4 && b->v4 != f->a4 && s->raddr != f->a4)
		return false;
	return !f->port || b->port6 == f->port || b->port4 == f->port || s->rport == f->port;
}

/* ---- bib, sessions: in steps over the BIB's hash buckets */

/* One step; sessions or BIB entries. */
static bool
nd_ctl_walk(struct nd_ctl *c, struct ctl_cursor *cur, struct ctl_out *o,
    const struct clk_now *now, bool sessions)
{
	const struct nd_state *st = &c->gw->st;
	uint64_t nb = nd_bib_buckets(st), end = cur->pos + ND_CTL_STEP_BUCKETS;
	const struct nd_session *s;
	const struct nd_bib *b;
	struct nd_filter f;

	if (nd_ctl_refilter(cur, &f, o) == -1) {
		ctl_put_end(o, cur->rows);
		return true;
	}
	for (; cur->pos < nb && cur->pos < end && o->len < CTLS_OUT_LOW; cur->pos++)
		for (b = nd_bib_bucket(st, (uint32_t)cur->pos); b; b = b->next6) {
			if (!sessions) {
				if (!nd_bib_match(&f, b))
					continue;
				if (f.limit && cur->rows == f.limit)
					goto limit;
				nd_put_bib(o, b, now);
				cur->rows++;
				continue;
			}
			for (s = nd_bib_session_next(b, NULL); s; s = nd_bib_session_next(b, s)) {
				if (!nd_session_match(&f, c->gw, s))
					continue;
				if (f.limit && cur->rows == f.limit)
					goto limit;
				nd_put_session(o, c->gw, s, now);
				cur->rows++;
			}
		}
	if (cur->pos < nb)
		return false;
	ctl_put_end(o, cur->rows);
	return true;
limit:
	ctl_put_note(o, "stopped at limit=%u rows", f.limit);
	ctl_put_end(o, cur->rows);
	return true;
}

static bool
nd_ctl_bib_step(void *arg, struct ctl_cursor *cur, struct ctl_out *o, const struct clk_now *now)
{
	return nd_ctl_walk(arg, cur, o, now, false);
}

static bool
nd_ctl_sessions_step(void *arg, struct ctl_cursor *cur, struct ctl_out *o,
    const struct clk_now *now)
{
	return nd_ctl_walk(arg, cur, o, now, true);
}

static void
nd_ctl_bib(void *arg, const struct ctl_req *r, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	struct nd_filter f;

	(void)arg, (void)now;
	if (nd_ctl_filter(r, &f, o) == -1)
		return;
	ctl_put_cols(o, ND_BIB_COLS);
	cur->more = nd_ctl_bib_step;
}

static void
nd_ctl_sessions(void *arg, const struct ctl_req *r, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	struct nd_filter f;

	(void)arg, (void)now;
	if (nd_ctl_filter(r, &f, o) == -1)
		return;
	ctl_put_cols(o, ND_SESS_COLS);
	cur->more = nd_ctl_sessions_step;
}

/* ---- lookup */

static void
nd_ctl_lookup(void *arg, const struct ctl_req *r, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	static const uint8_t protos[] = { 6, 17, 1 };
	struct nd_ctl *c = arg;
	struct nd_gw *gw = c->gw;
	unsigned long rows = 0;
	struct nd_filter f;
	uint32_t a4;
	uint16_t port;
	size_t i;
	int k;

	(void)cur;
	if (ctl_parse_v4port(r->pos[0], &a4, &port) == -1) {
		ctl_put_error(o, "'%s' is not POOL4:PORT", r->pos[0]);
		return;
	}
	if (nd_ctl_filter(r, &f, o) == -1)
		return;
	ctl_put_cols(o, ND_BIB_COLS);
	for (i = 0; i < sizeof(protos); i++) {
		const struct nd_bib *b;

		if (f.proto && f.proto != protos[i])
			continue;
		if ((b = nd_bib_find4(&gw->st, protos[i], a4, port)) != NULL) {
			nd_put_bib(o, b, now);
			rows++;
		}
	}
	/* Entries a handoff server allocated (TCP and UDP alike, §4). */
	for (k = 0; gw->ho && f.proto != 1 && k < ND_HO_MAX_SERVERS; k++) {
		const struct nd_hosrv *s = nd_ho_server_slot(gw, k);
		const struct nd_hoent *e;
		char v6[ADDR_STRLEN], v4[ADDR_STRLEN], sv[ADDR_STRLEN], p6[8], p4[8], exp[24];
		const char *vals[10] = { "tcp+udp", v6, p6, v4, p4, "handoff", sv, "", "", exp };

		if (s == NULL || (e = nd_hoc_find4(nd_ho_cache(gw), s->addr, a4, port)) == NULL)
			continue;
		addr_fmt6(e->client, v6, sizeof(v6));
		addr_fmt4(e->pool4, v4, sizeof(v4));
		addr_fmt4(e->server, sv, sizeof(sv));
		snprintf(p6, sizeof(p6), "%u", e->port6);
		snprintf(p4, sizeof(p4), "%u", e->port4);
		nd_fmt_secs(exp, sizeof(exp), e->used_ms + gw->cfg.ho_cache_ms, now->mono_ms);
		ctl_put_row(o, vals, 10);
		rows++;
	}
	if (rows == 0 && !nd_state_is_pool4(&gw->st, a4))
		ctl_put_note(o, "%s is not a pool4 address", r->pos[0]);
	ctl_put_end(o, rows);
}

/* ---- servers */

static void
nd_ctl_servers(void *arg, const struct ctl_req *r, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	struct nd_ctl *c = arg;
	unsigned long rows = 0;
	uint32_t *cached;
	int i;

	(void)r, (void)cur;
	ctl_put_cols(o, "server:s state:s cached:n rx:n tx:n announced:n forwarded:n downs:n "
	    "unanswered:n last_seen:n");
	if (c->gw->ho == NULL) {
		ctl_put_note(o, "handoff is off (handoff no)");
		ctl_put_end(o, 0);
		return;
	}
	cached = xcalloc(ND_HO_MAX_SERVERS, sizeof(*cached));
	nd_ho_cached_per_server(c->gw, cached);
	for (i = 0; i < ND_HO_MAX_SERVERS; i++) {
		const struct nd_hosrv *s = nd_ho_server_slot(c->gw, i);
		char a[ADDR_STRLEN], n[7][24], seen[24] = "";
		const char *v[10];
		int k;

		if (s == NULL)
			continue;
		addr_fmt4(s->addr, a, sizeof(a));
		snprintf(n[0], 24, "%u", cached[i]);
		snprintf(n[1], 24, "%llu", (unsigned long long)s->rx);
		snprintf(n[2], 24, "%llu", (unsigned long long)s->tx);
		snprintf(n[3], 24, "%llu", (unsigned long long)s->announced);
		snprintf(n[4], 24, "%llu", (unsigned long long)s->fwd);
		snprintf(n[5], 24, "%llu", (unsigned long long)s->downs);
		snprintf(n[6], 24, "%u", s->unanswered);
		if (s->last_ms)
			nd_fmt_secs(seen, sizeof(seen), now->mono_ms, s->last_ms);
		v[0] = a;
		v[1] = (s->flags & ND_HS_DOWN) ? "down" : (s->flags & ND_HS_SUPPORT) ? "supported" :
		    "unknown";
		for (k = 0; k < 7; k++)
			v[2 + k] = n[k];
		v[9] = seen;
		ctl_put_row(o, v, 10);
		rows++;
	}
	free(cached);
	ctl_put_end(o, rows);
}

/* ---- stats: the status file's "name number" lines, then the socket's */

static void
nd_ctl_stat(struct ctl_out *o, const char *name, unsigned long long v, unsigned long *rows)
{
	char num[24];
	const char *vals[2] = { name, num };

	snprintf(num, sizeof(num), "%llu", v);
	ctl_put_row(o, vals, 2);
	(*rows)++;
}

static void
nd_ctl_stats(void *arg, const struct ctl_req *r, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	struct nd_ctl *c = arg;
	char *buf = xmalloc(ND_CTL_STATUS_MAX), *line, *nl;
	size_t n = nd_gw_status(c->gw, buf, ND_CTL_STATUS_MAX);
	unsigned long rows = 0;

	(void)r, (void)cur, (void)now;
	if (n >= ND_CTL_STATUS_MAX)
		n = ND_CTL_STATUS_MAX - 1;
	buf[n] = '\0';
	ctl_put_cols(o, "name:s value:n");
	for (line = buf; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		char *sp = strchr(line, ' '), *end;
		unsigned long long v;

		*nl = '\0';
		if (sp == NULL || sp == line || sp[1] < '0' || sp[1] > '9')
			continue;	/* not "name number" (a server's line) */
		v = strtoull(sp + 1, &end, 10);
		if (*end != '\0')
			continue;
		*sp = '\0';
		nd_ctl_stat(o, line, v, &rows);
	}
	free(buf);
	nd_ctl_stat(o, "control_clients", c->sock ? ctls_nconns(c->sock) : 0, &rows);
	nd_ctl_stat(o, "control_accepted", c->c.accepted, &rows);
	nd_ctl_stat(o, "control_refused_busy", c->c.refused_busy, &rows);
	nd_ctl_stat(o, "control_commands", c->c.commands, &rows);
	nd_ctl_stat(o, "control_errors", c->c.errors, &rows);
	nd_ctl_stat(o, "control_oversized", c->c.oversized, &rows);
	nd_ctl_stat(o, "control_timeouts", c->c.timeouts, &rows);
	nd_ctl_stat(o, "control_overflows", c->c.overflows, &rows);
	ctl_put_end(o, rows);
}

/* ---- dispatch, socket */

void
nd_ctl_dispatch(struct nd_ctl *c, const char *line, size_t len, struct ctl_out *o,
    struct ctl_cursor *cur, const struct clk_now *now)
{
	c->c.commands++;
	if (ctl_run(nd_ctl_commands, ND_NCOMMANDS, c, line, len, o, cur, now) == -1)
		c->c.errors++;
}

static void
nd_ctl_serve(void *arg, const char *line, size_t len, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	nd_ctl_dispatch(arg, line, len, o, cur, now);
}

struct nd_ctl *
nd_ctl_create_detached(struct nd_gw *gw)
{
	struct nd_ctl *c = xcalloc(1, sizeof(*c));

	c->gw = gw;
	return c;
}

struct nd_ctl *
nd_ctl_open(const struct nd_config *cfg, char *err, size_t errlen)
{
	struct ctls *sock = ctls_open(cfg->control_socket, cfg->control_mode, cfg->user,
	    cfg->control_group, err, errlen);
	struct nd_ctl *c;

	if (sock == NULL)
		return NULL;
	c = nd_ctl_create_detached(NULL);
	c->sock = sock;
	return c;
}

int
nd_ctl_attach(struct nd_ctl *c, struct ev_loop *loop, struct nd_gw *gw, const struct clk_now *now)
{
	c->gw = gw;
	return ctls_attach(c->sock, loop, nd_ctl_serve, c, ND_CTL_OUT_MAX, &c->c, now);
}

void
nd_ctl_close(struct nd_ctl *c)
{
	if (c == NULL)
		return;
	ctls_close(c->sock);
	free(c);
}

const struct ctls_counters *
nd_ctl_counters(const struct nd_ctl *c)
{
	return &c->c;
}
