/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* control.c — see ho_control.h. */
#include "ho_control.h"
#include "addr.h"
#include "ho_audit.h"
#include "ho_ban.h"
#include "ho_channel.h"
#include "conf.h"
#include "ctl_wire.h"
#include "ho_status.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ctl_server {
	struct ctls *sock;		/* NULL: detached (tests) */
	struct srv_ctx *srv;
	struct ctls_counters c;
};

/* ---- the commands */

static ctl_cmd_fn hctl_cmd_lookup, hctl_cmd_lookup_client, hctl_cmd_channels, hctl_cmd_stats,
    hctl_cmd_show, hctl_cmd_ban, hctl_cmd_unban, hctl_cmd_bans, hctl_cmd_help;

static const struct ctl_command hctl_commands[] = {
	{ "lookup", 1, 1, "server", hctl_cmd_lookup,
	  "lookup NAT64:PORT [server=ADDR]   the entry of that NAT64 address and port now" },
	{ "lookup-client", 1, 1, "limit", hctl_cmd_lookup_client,
	  "lookup-client IPV6[/LEN] [limit=N]   every entry of that client or prefix" },
	{ "channels", 0, 0, "", hctl_cmd_channels,
	  "channels   every control channel (NAT64 address, server address)" },
	{ "stats", 0, 0, "", hctl_cmd_stats,
	  "stats   the server's counters (what --status shows)" },
	{ "show", 1, 1, "server after limit", hctl_cmd_show,
	  "show NAT64 [server=ADDR] [after=SERVER:PORT] [limit=N]   one NAT64's table, by port, in pages" },
	{ "ban", 1, 1, "for reason", hctl_cmd_ban,
	  "ban IPV6[/LEN] [for=DURATION] [reason=TEXT]   refuse that client or prefix (/32../128); "
	  "TEXT %-encoded" },
	{ "unban", 1, 1, "", hctl_cmd_unban, "unban IPV6[/LEN]   lift that ban" },
	{ "bans", 0, 0, "", hctl_cmd_bans, "bans   every ban in force" },
	{ "help", 0, 0, "", hctl_cmd_help, "help   this list" },
};

#define NCOMMANDS (sizeof(hctl_commands) / sizeof(hctl_commands[0]))

static void
hctl_cmd_help(void *arg, const struct ctl_req *r, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	(void)arg, (void)r, (void)cur, (void)now;
	ctl_help(hctl_commands, NCOMMANDS, o);
}

static int
hctl_parse_v4(const char *s, uint32_t *a, struct ctl_out *o, const char *what)
{
	if (addr_parse4(s, a) == -1) {
		ctl_put_error(o, "%s '%s' is not an IPv4 address", what, s);
		return -1;
	}
	return 0;
}

/* NAT64:PORT, or an error answer. */
static int
hctl_v4port(const char *s, uint32_t *a, uint16_t *port, struct ctl_out *o)
{
	if (ctl_parse_v4port(s, a, port) == -1) {
		ctl_put_error(o, "'%s' is not IPV4:PORT", s);
		return -1;
	}
	return 0;
}

static int
hctl_parse_limit(const struct ctl_req *r, unsigned *limit, struct ctl_out *o)
{
	return ctl_opt_uint(r, "limit", CTL_PAGE_DEFAULT, CTL_PAGE_MAX, limit, o);
}

static void
hctl_fmt_time(uint32_t s, char *buf, size_t len)
{
	time_t t = (time_t)s;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

#define ENTRY_COLS "nat64:s port:n client:s client_port:n prefix:s server:s last_used:s"

static void
hctl_put_entry(struct ctl_out *o, const struct chan *ch, const struct ct_view *v)
{
	char nat64[ADDR_STRLEN], server[ADDR_STRLEN], client[ADDR_STRLEN], prefix[ADDR_STRLEN + 4];
	char port[8], cport[8], used[32];
	uint8_t p16[16] = { 0 };
	const char *vals[7] = { nat64, port, client, cport, prefix, server, used };

	addr_fmt4(ch->nat64, nat64, sizeof(nat64));
	addr_fmt4(ch->local, server, sizeof(server));
	addr_fmt6(v->client, client, sizeof(client));
	memcpy(p16, v->prefix, 12);
	addr_fmt6(p16, prefix, ADDR_STRLEN);
	strcat(prefix, "/96");
	snprintf(port, sizeof(port), "%u", v->port);
	snprintf(cport, sizeof(cport), "%u", v->client_port);
	hctl_fmt_time(v->last_used, used, sizeof(used));
	ctl_put_row(o, vals, 7);
}

/* The table of ch, loaded if needed (NULL if it cannot be). */
static struct ct_table *
hctl_table(struct srv_ctx *srv, struct chan *ch, const struct clk_now *now)
{
	if (ch->t == NULL)
		chan_find(srv->reg, ch->local, ch->nat64, now);
	return ch->t;
}

static void
hctl_cmd_lookup(void *arg, const struct ctl_req *r, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	struct ctl_server *cs = arg;
	struct srv_ctx *srv = cs->srv;
	const char *sv = ctl_opt(r, "server");
	uint32_t nat64, server = 0;
	unsigned long rows = 0;
	struct ct_view v;
	struct chan *ch;
	uint16_t port;

	(void)cs, (void)cur;
	if (hctl_v4port(r->pos[0], &nat64, &port, o) == -1 ||
	    (sv && hctl_parse_v4(sv, &server, o, "server") == -1))
		return;
	ctl_put_cols(o, ENTRY_COLS);
	for (ch = chan_first(srv->reg); ch; ch = chan_next(srv->reg, ch)) {
		if (ch->nat64 != nat64 || (sv && ch->local != server) || !hctl_table(srv, ch, now))
			continue;
		/* ct_get, not chan_lookup_port: looking does not count as use */
		if (ct_get(ch->t, port, &v)) {
			hctl_put_entry(o, ch, &v);
			rows++;
		}
	}
	ctl_put_end(o, rows);
}

static bool
hctl_prefix_match(const uint8_t a[16], const uint8_t p[16], int len)
{
	int full = len / 8, rest = len % 8;

	if (memcmp(a, p, (size_t)full) != 0)
		return false;
	return rest == 0 || ((a[full] ^ p[full]) & (0xff << (8 - rest))) == 0;
}

static void
hctl_cmd_lookup_client(void *arg, const struct ctl_req *r, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	struct ctl_server *cs = arg;
	struct srv_ctx *srv = cs->srv;
	uint8_t pfx[16];
	unsigned limit;
	unsigned long rows = 0;
	struct ct_view v;
	struct chan *ch;
	int len;

	(void)cs, (void)cur;
	if (addr_parse_prefix6(r->pos[0], 128, pfx, &len) == -1) {
		ctl_put_error(o, "'%s' is not an IPv6 address or prefix", r->pos[0]);
		return;
	}
	if (hctl_parse_limit(r, &limit, o) == -1)
		return;
	ctl_put_cols(o, ENTRY_COLS);
	for (ch = chan_first(srv->reg); ch; ch = chan_next(srv->reg, ch)) {
		uint16_t p;

		if (!hctl_table(srv, ch, now))
			continue;
		/* the entries only, least recently used first */
		for (p = ct_lru_oldest(ch->t); p; p = ct_lru_newer(ch->t, p)) {
			if (!ct_get(ch->t, p, &v) || !hctl_prefix_match(v.client, pfx, len))
				continue;
			if (rows == limit) {
				ctl_put_note(o, "stopped at limit=%u entries; narrow the prefix or raise the limit",
				    limit);
				ctl_put_end(o, rows);
				return;
			}
			hctl_put_entry(o, ch, &v);
			rows++;
		}
	}
	ctl_put_end(o, rows);
}

static void
hctl_cmd_channels(void *arg, const struct ctl_req *r, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	struct ctl_server *cs = arg;
	struct srv_ctx *srv = cs->srv;
	unsigned long rows = 0;
	struct chan *ch;

	(void)cs, (void)r, (void)cur, (void)now;
	ctl_put_cols(o, "nat64:s server:s loaded:s entries:n capacity:n created:n deleted:n "
	    "evicted:n evicted_live:n adopted:n lookups:n misses:n");
	for (ch = chan_first(srv->reg); ch; ch = chan_next(srv->reg, ch)) {
		char a[ADDR_STRLEN], b[ADDR_STRLEN], n[10][24];
		const char *v[12] = { a, b, ch->t ? "yes" : "no" };
		int i;

		addr_fmt4(ch->nat64, a, sizeof(a));
		addr_fmt4(ch->local, b, sizeof(b));
		snprintf(n[0], 24, "%u", ch->t ? ct_count(ch->t) : 0);
		snprintf(n[1], 24, "%u", ch->t ? ct_capacity(ch->t) : 0);
		snprintf(n[2], 24, "%llu", (unsigned long long)ch->created);
		snprintf(n[3], 24, "%llu", (unsigned long long)ch->deleted);
		snprintf(n[4], 24, "%llu", (unsigned long long)ch->evicted);
		snprintf(n[5], 24, "%llu", (unsigned long long)ch->evicted_live);
		snprintf(n[6], 24, "%llu", (unsigned long long)ch->adopted);
		snprintf(n[7], 24, "%llu", (unsigned long long)ch->lookups);
		snprintf(n[8], 24, "%llu", (unsigned long long)ch->misses);
		for (i = 0; i < 9; i++)
			v[3 + i] = n[i];
		if (ch->t == NULL)	/* not loaded: the counts are not known */
			v[3] = v[4] = "";
		ctl_put_row(o, v, 12);
		rows++;
	}
	ctl_put_end(o, rows);
}

struct hctl_stats_arg {
	struct ctl_out *o;
	unsigned long rows;
};

static void
hctl_stats_item(void *arg, const char *name, unsigned long long value)
{
	struct hctl_stats_arg *a = arg;
	char num[24];
	const char *v[2] = { name, num };

	snprintf(num, sizeof(num), "%llu", value);
	ctl_put_row(a->o, v, 2);
	a->rows++;
}

static void
hctl_cmd_stats(void *arg, const struct ctl_req *r, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	struct ctl_server *cs = arg;
	struct srv_ctx *srv = cs->srv;
	struct hctl_stats_arg a = { o, 0 };

	(void)r, (void)cur;
	ctl_put_cols(o, "name:s value:n");
	hctl_stats_item(&a, "port", srv->port);
	status_each(srv, now, hctl_stats_item, &a);
	hctl_stats_item(&a, "control_accepted", cs->c.accepted);
	hctl_stats_item(&a, "control_refused_busy", cs->c.refused_busy);
	hctl_stats_item(&a, "control_commands", cs->c.commands);
	hctl_stats_item(&a, "control_errors", cs->c.errors);
	hctl_stats_item(&a, "control_oversized", cs->c.oversized);
	hctl_stats_item(&a, "control_timeouts", cs->c.timeouts);
	hctl_stats_item(&a, "control_overflows", cs->c.overflows);
	ctl_put_end(o, a.rows);
}

static int
hctl_cmp_chan(const void *a, const void *b)
{
	const struct chan *x = *(struct chan *const *)a, *y = *(struct chan *const *)b;

	return x->local < y->local ? -1 : x->local > y->local;
}

/* Entries of one NAT64 address in (server, port) order, a page at a
 * time; "more SERVER:PORT" says where the next page starts. */
static void
hctl_cmd_show(void *arg, const struct ctl_req *r, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	struct ctl_server *cs = arg;
	struct srv_ctx *srv = cs->srv;
	const char *sv = ctl_opt(r, "server"), *after = ctl_opt(r, "after");
	uint32_t nat64, server = 0, after_server = 0;
	uint16_t after_port = 0;
	struct chan **list = NULL, *ch;
	unsigned long rows = 0;
	size_t n = 0, cap = 0, i;
	unsigned limit;
	struct ct_view v;

	(void)cs, (void)cur;
	if (hctl_parse_v4(r->pos[0], &nat64, o, "NAT64") == -1 ||
	    (sv && hctl_parse_v4(sv, &server, o, "server") == -1) ||
	    (after && hctl_v4port(after, &after_server, &after_port, o) == -1) ||
	    hctl_parse_limit(r, &limit, o) == -1)
		return;
	for (ch = chan_first(srv->reg); ch; ch = chan_next(srv->reg, ch)) {
		if (ch->nat64 != nat64 || (sv && ch->local != server))
			continue;
		if (n == cap)
			list = xreallocarray(list, (cap = cap ? cap * 2 : 8), sizeof(*list));
		list[n++] = ch;
	}
	if (n == 0) {
		ctl_put_error(o, "no channel for NAT64 %s%s%s", r->pos[0], sv ? " and server " : "",
		    sv ? sv : "");
		free(list);
		return;
	}
	qsort(list, n, sizeof(*list), hctl_cmp_chan);
	ctl_put_cols(o, ENTRY_COLS);
	for (i = 0; i < n; i++) {
		uint32_t p = CT_MIN_PORT;

		ch = list[i];
		if (after && ch->local < after_server)
			continue;
		if (after && ch->local == after_server)
			p = (uint32_t)after_port + 1;
		if (!hctl_table(srv, ch, now))
			continue;
		for (; p <= 65535; p++) {
			if (!ct_get(ch->t, (uint16_t)p, &v))
				continue;
			if (rows == limit) {
				char next[ADDR_STRLEN + 8], a[ADDR_STRLEN];

				snprintf(next, sizeof(next), "%s:%u", addr_fmt4(ch->local, a, sizeof(a)),
				    p - 1);
				ctl_put_more(o, next);
				free(list);
				return;
			}
			hctl_put_entry(o, ch, &v);
			rows++;
		}
	}
	ctl_put_end(o, rows);
	free(list);
}

/* ---- bans (ho_ban.h) */

#define BAN_COLS "prefix:s since:s until:s reason:s"

static void
hctl_put_ban(struct ctl_out *o, const struct ban *b, const char *extra)
{
	char pfx[64], since[32], until[32];
	const char *v[5] = { pfx, since, until, b->reason, extra };

	ban_fmt_prefix(b, pfx, sizeof(pfx));
	hctl_fmt_time((uint32_t)b->since_s, since, sizeof(since));
	if (b->until_s)
		hctl_fmt_time((uint32_t)b->until_s, until, sizeof(until));
	else
		strcpy(until, "never");
	ctl_put_row(o, v, extra ? 5 : 4);
}

/* IPV6[/LEN] for a ban, or an error answer. */
static int
hctl_ban_prefix(struct srv_ctx *srv, const char *s, uint8_t pfx[16], int *len, struct ctl_out *o)
{
	if (srv->bans == NULL) {
		ctl_put_error(o, "bans are not available in this server");
		return -1;
	}
	if (addr_parse_prefix6(s, 128, pfx, len) == -1) {
		ctl_put_error(o, "'%s' is not an IPv6 address or prefix", s);
		return -1;
	}
	return 0;
}

/* %XX-decode a reason (spaces travel as %20; words hold no blanks). */
static int
hctl_unescape(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *in; in++) {
		unsigned v;

		if (n + 1 >= outlen)
			return -1;
		if (*in == '%') {
			if (!isxdigit((unsigned char)in[1]) || !isxdigit((unsigned char)in[2]) ||
			    sscanf(in + 1, "%2x", &v) != 1 || v == 0)
				return -1;
			out[n++] = (char)v;
			in += 2;
		} else
			out[n++] = *in;
	}
	out[n] = '\0';
	return 0;
}

static void
hctl_cmd_ban(void *arg, const struct ctl_req *r, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	struct ctl_server *cs = arg;
	struct srv_ctx *srv = cs->srv;
	const char *dur = ctl_opt(r, "for"), *rs = ctl_opt(r, "reason");
	char reason[BAN_REASON_MAX + 2] = "", err[1200], deleted[16];
	struct ban *b, old;
	int64_t until = 0;
	uint64_t ms;
	uint8_t pfx[16];
	bool replaced;
	enum ban_err e;
	int len;

	(void)cur;
	if (hctl_ban_prefix(srv, r->pos[0], pfx, &len, o) == -1)
		return;
	if (dur && conf_duration_ms(dur, 1000, 3650ull * 86400 * 1000, &ms, err, sizeof(err)) == -1) {
		ctl_put_error(o, "for=%s: %s", dur, err);
		return;
	}
	if (dur)
		until = now->wall.tv_sec + (int64_t)(ms / 1000);
	if (rs && hctl_unescape(rs, reason, sizeof(reason)) == -1) {
		ctl_put_error(o, "reason: %s", ban_strerror(BAN_E_REASON));
		return;
	}
	b = ban_lookup(srv->bans, pfx, len);
	if (b)
		old = *b;
	e = ban_add(srv->bans, pfx, len, until, reason, now->wall.tv_sec, &replaced);
	if (e != BAN_OK) {
		ctl_put_error(o, "%s: %s", r->pos[0], ban_strerror(e));
		return;
	}
	/* On disk before it is answered, and before any entry goes. */
	if (ban_save(srv->bans, err, sizeof(err)) == -1) {
		if (replaced)
			*ban_lookup(srv->bans, pfx, len) = old;
		else
			ban_remove(srv->bans, pfx, len);
		ctl_put_error(o, "%s; not banned", err);
		return;
	}
	b = ban_lookup(srv->bans, pfx, len);
	audit_banned(now, b->pfx, b->len, b->until_s, b->reason);
	snprintf(deleted, sizeof(deleted), "%u", chan_purge_banned(srv->reg, now));
	chan_commit(srv->reg, now);
	ctl_put_cols(o, BAN_COLS " deleted:n");
	hctl_put_ban(o, ban_lookup(srv->bans, pfx, len), deleted);
	if (replaced)
		ctl_put_note(o, "replaced the earlier ban of this prefix");
	ctl_put_end(o, 1);
}

static void
hctl_cmd_unban(void *arg, const struct ctl_req *r, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	struct ctl_server *cs = arg;
	struct srv_ctx *srv = cs->srv;
	char err[1200];
	struct ban *b, old;
	uint8_t pfx[16];
	int len;

	(void)cur;
	if (hctl_ban_prefix(srv, r->pos[0], pfx, &len, o) == -1)
		return;
	if ((b = ban_lookup(srv->bans, pfx, len)) == NULL) {
		ctl_put_cols(o, BAN_COLS);	/* nothing to lift: no rows */
		ctl_put_note(o, "no ban of %s (see bans)", r->pos[0]);
		ctl_put_end(o, 0);
		return;
	}
	old = *b;
	ban_remove(srv->bans, pfx, len);
	if (ban_save(srv->bans, err, sizeof(err)) == -1) {
		ban_restore(srv->bans, &old);
		ctl_put_error(o, "%s; still banned", err);
		return;
	}
	audit_unbanned(now, old.pfx, old.len, false);
	chan_commit(srv->reg, now);
	ctl_put_cols(o, BAN_COLS);
	hctl_put_ban(o, &old, NULL);
	ctl_put_note(o, "its ports stay held back until the NAT64 can hold no copy of its entries");
	ctl_put_end(o, 1);
}

static void
hctl_cmd_bans(void *arg, const struct ctl_req *r, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	struct ctl_server *cs = arg;
	struct srv_ctx *srv = cs->srv;
	uint32_t i, n;

	(void)cur, (void)r;
	if (srv->bans == NULL) {
		ctl_put_error(o, "bans are not available in this server");
		return;
	}
	ctl_put_cols(o, BAN_COLS);
	for (i = n = 0; i < ban_count(srv->bans); i++) {
		const struct ban *b = ban_get(srv->bans, i);

		if (b->until_s && b->until_s <= now->wall.tv_sec)
			continue;	/* ended: gone at the next tick */
		hctl_put_ban(o, b, NULL);
		n++;
	}
	ctl_put_note(o, "%u ports held back from reuse", ban_quarantine_count(srv->bans));
	ctl_put_end(o, n);
}

/* ---- dispatch */

void
hctl_dispatch(struct ctl_server *cs, struct srv_ctx *srv, const char *line, size_t len,
    struct ctl_out *out, const struct clk_now *now)
{
	struct ctl_cursor cur;

	cs->srv = srv;
	cs->c.commands++;
	if (ctl_run(hctl_commands, NCOMMANDS, cs, line, len, out, &cur, now) == -1)
		cs->c.errors++;
}

static void
hctl_serve(void *arg, const char *line, size_t len, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	struct ctl_server *cs = arg;

	(void)cur;		/* every answer here is whole (large tables come in pages) */
	hctl_dispatch(cs, cs->srv, line, len, o, now);
}

struct ctl_server *
hctl_create_detached(void)
{
	return xcalloc(1, sizeof(struct ctl_server));
}

struct ctl_server *
hctl_open(const char *path, unsigned mode, const char *user, const char *group, char *err,
    size_t errlen)
{
	struct ctls *sock = ctls_open(path, mode, user, group, err, errlen);
	struct ctl_server *cs;

	if (sock == NULL)
		return NULL;
	cs = hctl_create_detached();
	cs->sock = sock;
	return cs;
}

int
hctl_attach(struct ctl_server *cs, struct ev_loop *loop, struct srv_ctx *srv,
    const struct clk_now *now)
{
	cs->srv = srv;
	return ctls_attach(cs->sock, loop, hctl_serve, cs, CTL_OUT_MAX, &cs->c, now);
}

void
hctl_close(struct ctl_server *cs)
{
	if (cs == NULL)
		return;
	ctls_close(cs->sock);
	free(cs);
}
