/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* handoff.c — the control channel of NAT64 handoff in nat64d; see
 * nd_handoff.h, docs/PROTOCOL.md §9 and draft §8.
 *
 * Per server (IPv4 address) nat64d knows one of three states:
 *   unknown    never a valid control packet: the NAT64 makes its own
 *              entries, translates, and tells the server about each one
 *              (identifier + token + authenticator + entry, rate-limited),
 *              so a capture on the IPv4 side shows the real client and a
 *              server that starts speaking the protocol validates us;
 *   supported  a valid control packet arrived (right token or
 *              authenticator): new connections go over the control
 *              channel and the server picks the port;
 *   down       ICMP port unreachable from it for a control packet with our
 *              token: back to own entries, cached entries kept; probed
 *              with back-off until it answers, then every entry still
 *              cached or in use with it is sent in the §7 format.
 *
 * How "supported" is learnt: the server's §9 validation packet (UDP from
 * its handoff port to our port 9) matches nothing, so it is returned over
 * the control channel (the bounce); right behind it nat64d sends a probe —
 * [token, an IPv4 UDP packet server:9 -> us:9] — which a server answers by
 * returning it with our token (§6 pattern 1, §10 "no matching entry"):
 * that answer is the first valid control packet. Then the §7 resend
 * delivers the entries whose announcement the validation consumed.
 */
#include "nd_ho_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "nd_hold.h"
#include "nd_state.h"
#include "xalloc.h"

/* ------------------------------------------------------------ lifecycle */

static int64_t
ho_wall(const struct clk_now *now)
{
	return (int64_t)now->wall.tv_sec;
}

struct nd_ho *
nd_ho_new(struct nd_gw *gw, const struct clk_now *now, char *err, size_t errlen)
{
	struct nd_ho *ho = xcalloc(1, sizeof(*ho));
	uint32_t servers[ND_HO_MAX_SERVERS];
	int i, n = 0, r;

	ho->rs = xcalloc(HO_RESEND_MAX, sizeof(*ho->rs));
	tb_init(&ho->announce, 1e12, now->mono_ms);	/* full (clamped at first use) */
	tb_init(&ho->icmp, 1e12, now->mono_ms);
	htab_init(&ho->srvs, ND_HO_MAX_SERVERS);
	randombytes_buf(ho->hkey, sizeof(ho->hkey));
	nd_hoc_init(&ho->cache, gw->cfg.ho_cache_max, gw->cfg.ho_cache_ms);
	ho->hold = nd_hold_new(HO_HOLD_PKTS, HO_HOLD_BYTES, gw->cfg.ho_hold_ms);
	tb_init(&ho->nosyn, 0, now->mono_ms);	/* starts empty */
	err[0] = '\0';
	if (gw->cfg.state_dir[0]) {
		snprintf(ho->state_path, sizeof(ho->state_path), "%s/handoff.state", gw->cfg.state_dir);
		r = nd_hostate_load(ho->state_path, ho_wall(now), &ho->keys, servers,
		    ND_HO_MAX_SERVERS, &n, err, errlen);
		if (r == -1) {
			nd_hoc_free(&ho->cache);
			nd_hold_free(ho->hold);
			htab_free(&ho->srvs);
			free(ho->rs);
			free(ho);
			return NULL;
		}
		ho->dirty = true;	/* written at the first tick: proves the directory works */
	} else
		nd_hokeys_fresh(&ho->keys, ho_wall(now));
	gw->ho = ho;
	gw->ho_c = &ho->c;
	for (i = 0; i < n; i++)
		ho_srv_add(ho, servers[i], now)->flags = ND_HS_SUPPORT;
	/* Own mappings keep off the ports servers handed out, and a client
	 * endpoint has one port for TCP and UDP (an entry has no protocol). */
	nd_state_reserve(&gw->st, &ho->cache, true);
	return ho;
}

void
nd_ho_free(struct nd_ho *ho)
{
	if (!ho)
		return;
	nd_hoc_free(&ho->cache);
	nd_hold_free(ho->hold);
	htab_free(&ho->srvs);
	sodium_memzero(&ho->keys, sizeof(ho->keys));
	free(ho->rs);
	free(ho);
}

void
nd_ho_reconfig(struct nd_gw *gw)
{
	nd_hoc_set_limits(&gw->ho->cache, gw->cfg.ho_cache_max, gw->cfg.ho_cache_ms);
}

struct nd_hocache *
nd_ho_cache(struct nd_gw *gw)
{
	return &gw->ho->cache;
}

const struct nd_ho_counters *
nd_ho_counters(const struct nd_gw *gw)
{
	return &gw->ho->c;
}

const struct nd_hosrv *
nd_ho_server(const struct nd_gw *gw, uint32_t addr)
{
	return ho_srv_find(gw->ho, addr);
}

const struct nd_hosrv *
nd_ho_server_slot(const struct nd_gw *gw, int i)
{
	if (gw->ho == NULL || i < 0 || i >= ND_HO_MAX_SERVERS || !gw->ho->srv[i].used)
		return NULL;
	return &gw->ho->srv[i];
}

void
nd_ho_cached_per_server(const struct nd_gw *gw, uint32_t counts[ND_HO_MAX_SERVERS])
{
	const struct nd_ho *ho = gw->ho;
	const struct nd_hoent *e;

	memset(counts, 0, ND_HO_MAX_SERVERS * sizeof(counts[0]));
	for (e = nd_hoc_next(&ho->cache, NULL); e; e = nd_hoc_next(&ho->cache, e)) {
		const struct nd_hosrv *s = ho_srv_find((struct nd_ho *)ho, e->server);

		if (s)
			counts[s - ho->srv]++;
	}
}

/* ------------------------------------------------------------ timers, state, status */

void
nd_ho_flush_state(struct nd_gw *gw, const struct clk_now *now)
{
	if (gw->ho && gw->ho->state_path[0] && gw->ho->dirty)
		ho_save(gw, now);
}

int64_t
nd_ho_tick(struct nd_gw *gw, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	uint64_t next;
	int i;

	nd_hoc_expire(&ho->cache, now, &next);
	ho->c.hold_expired += nd_hold_expire(ho->hold, now, NULL, NULL);
	for (i = 0; i < ND_HO_MAX_SERVERS; i++) {
		struct nd_hosrv *s = &ho->srv[i];

		if (!s->used)
			continue;
		/* Questions unanswered for twice the hold time: the server is
		 * silent (firewalled, hung). Down, as for a port unreachable. */
		if (ho_srv_confirmed(s) && s->unanswered >= HO_SILENT_QUESTIONS &&
		    now->mono_ms - s->asked_ms > 2 * gw->cfg.ho_hold_ms) {
			ho_srv_mark_down(gw, s, now);
			ho->c.server_silent++;
		}
		if (!(s->flags & ND_HS_DOWN) || now->mono_ms < s->probe_ms)
			continue;
		ho_probe(gw, s, gw->cfg.pool4[0], now);
		if (s->probe_iv < gw->cfg.ho_probe_ms * 64)
			s->probe_iv *= 2;
		s->probe_ms = now->mono_ms + s->probe_iv;
	}
	if (nd_hokeys_rotate(&ho->keys, ho_wall(now), (int64_t)(gw->cfg.ho_token_life_ms / 1000),
	    (int64_t)(gw->cfg.ho_auth_life_ms / 1000)))
		ho->dirty = true;
	if (ho->dirty && ho->state_path[0] && now->mono_ms >= ho->save_ms)
		ho_save(gw, now);
	if (ho->rs_n > 0)
		ho_rs_drain(gw, HO_RESEND_TICK, now);
	if (ho->rs_n > 0 && (next == UINT64_MAX || next > now->mono_ms + 100))
		return 100;
	if (next == UINT64_MAX || next > now->mono_ms + 1000)
		return 1000;
	return (int64_t)(next - now->mono_ms);
}

size_t
nd_ho_status(const struct nd_gw *gw, char *buf, size_t len)
{
	const struct nd_ho *ho = gw->ho;
	uint32_t *cached = xcalloc(ND_HO_MAX_SERVERS, sizeof(*cached));
	size_t n = 0;
	int i, r;

#define HO_P(...) do { r = snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__); \
	if (r > 0) n += (size_t)r; } while (0)
#define HO_X(f) HO_P("handoff_%s %llu\n", #f, (unsigned long long)ho->c.f);
	ND_HO_COUNTERS(HO_X)
#undef HO_X
	HO_P("handoff_cache_entries %u\nhandoff_cache_expired %llu\nhandoff_cache_evicted %llu\n",
	    ho->cache.n, (unsigned long long)ho->cache.expired, (unsigned long long)ho->cache.evicted);
	HO_P("handoff_held_now %zu\nhandoff_servers %d\n", nd_hold_count(ho->hold), ho->n_srv);
	nd_ho_cached_per_server(gw, cached);
	for (i = 0; i < ND_HO_MAX_SERVERS; i++) {
		const struct nd_hosrv *s = &ho->srv[i];
		char a[ADDR_STRLEN];

		if (!s->used)
			continue;
		HO_P("handoff_server %s %s cached=%u rx=%llu tx=%llu announced=%llu fwd=%llu downs=%llu\n",
		    addr_fmt4(s->addr, a, sizeof(a)),
		    (s->flags & ND_HS_DOWN) ? "down" : (s->flags & ND_HS_SUPPORT) ? "supported" : "unknown",
		    cached[i], (unsigned long long)s->rx, (unsigned long long)s->tx,
		    (unsigned long long)s->announced, (unsigned long long)s->fwd,
		    (unsigned long long)s->downs);
	}
#undef HO_P
	free(cached);
	return n;
}
