/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* channel.c — see ho_channel.h. */
#include "ho_channel.h"
#include "addr.h"
#include "ho_audit.h"
#include "ho_ban.h"
#include "handoff_wire.h"
#include "htab.h"
#include "ho_journal.h"
#include "log.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHAN_HBUCKETS		4096
#define CHAN_COMPACT_MS		(300 * 1000)	/* LRU order persisted at least this often */
#define CHAN_COMPACT_GARBAGE	4096
#define CHAN_RETRY_MS		100		/* write retries while paused */
#define CHAN_STORAGE_LOG_MS	(60 * 1000)	/* "still paused" at most this often */
#define CHAN_IDLE_PER_TICK	8		/* idle unloads per maintenance tick */
#define CHAN_KNOWN_PER_ACTIVE	4		/* channels kept (dormant) per max-channels */
#define CHAN_REFUSE_LOG_MS	(60 * 1000)	/* refusals logged at most this often */

struct chan_reg {
	char *dir;		/* STATE/channels */
	uint32_t table_size, max_channels;
	uint32_t nchan, nloaded, nactive;
	uint64_t idle_ms, mem_limit;
	uint64_t refused, refused_memory, unloaded_idle, forgotten;
	uint64_t refuse_log_ms, refused_unlogged;
	struct htab chans;	/* by (local, nat64) */
	struct chan *dirty;
	live_query_fn *live;
	void *live_arg;
	uint8_t hash_key[16];
	uint64_t journal_errors;
	struct chan *unconf;	/* channels with unconfirmed entries */
	struct ban_table *bans;	/* NULL: no bans */
	bool purge_due;		/* a purge could not save the quarantine: retry */
	bool purge_full;	/* a purge met BAN_QUAR_MAX: retry once ports are released */
	/* storage state (chan_commit) */
	bool paused;
	uint64_t paused_since_ms, last_try_ms, last_log_ms;
	uint64_t failures, pauses, st_refused, st_refused_logged, st_refused_at_pause;
};

static uint64_t
chan_hash(const struct chan_reg *reg, uint32_t local, uint32_t nat64)
{
	uint32_t k[2] = { local, nat64 };

	return htab_hash(&reg->chans, k, sizeof(k));
}

#define CHAN_OF(n)	htab_entry(n, struct chan, hn)

static struct chan *
chan_register(struct chan_reg *reg, uint32_t local, uint32_t nat64)
{
	struct chan *ch = xcalloc(1, sizeof(*ch));

	ch->local = local;
	ch->nat64 = nat64;
	htab_insert(&reg->chans, &ch->hn, chan_hash(reg, local, nat64));
	reg->nchan++;
	return ch;
}

static void
chan_path(const struct chan_reg *reg, uint32_t local, uint32_t nat64, char *buf, size_t len)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	snprintf(buf, len, "%s/%s-%s.tbl", reg->dir, addr_fmt4(nat64, a, sizeof(a)),
	    addr_fmt4(local, b, sizeof(b)));
}

static int
chan_mkdir(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

struct chan_reg *
chan_reg_create(const char *state_dir, uint32_t table_size, uint32_t max_channels,
    live_query_fn *live, void *live_arg, char *err, size_t errlen)
{
	struct chan_reg *reg;
	struct dirent *de;
	DIR *d;

	if (chan_mkdir(state_dir, err, errlen) == -1)
		return NULL;
	reg = xcalloc(1, sizeof(*reg));
	reg->dir = xmalloc(strlen(state_dir) + 10);
	sprintf(reg->dir, "%s/channels", state_dir);
	reg->table_size = table_size;
	reg->max_channels = max_channels;
	reg->live = live;
	reg->live_arg = live_arg;
	randombytes_buf(reg->hash_key, sizeof(reg->hash_key));
	htab_init(&reg->chans, CHAN_HBUCKETS);
	if (chan_mkdir(reg->dir, err, errlen) == -1 || (d = opendir(reg->dir)) == NULL) {
		if (errno)
			snprintf(err, errlen, "%s: %s", reg->dir, strerror(errno));
		htab_free(&reg->chans);
		free(reg->dir);
		free(reg);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		uint32_t nat64, local;
		char path[4096];

		if (n < 5 || strcmp(de->d_name + n - 4, ".tbl") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", reg->dir, de->d_name);
		if (jr_peek(path, &nat64, &local) == -1) {
			/* Registered under its name's addresses if they parse,
			 * so that loading sets it aside with a log line. */
			char name[64], *dash;

			if (n >= sizeof(name))
				continue;
			memcpy(name, de->d_name, n - 4);
			name[n - 4] = '\0';
			dash = strchr(name, '-');
			if (dash == NULL)
				continue;
			*dash = '\0';
			if (addr_parse4(name, &nat64) || addr_parse4(dash + 1, &local))
				continue;
		} else {
			char expect[4096];

			chan_path(reg, local, nat64, expect, sizeof(expect));
			if (strcmp(expect, path) != 0) {
				log_warnx("%s: header names another channel; ignored", path);
				continue;
			}
		}
		chan_register(reg, local, nat64);	/* dormant until used */
	}
	closedir(d);
	return reg;
}

static void
chan_unload(struct chan_reg *reg, struct chan *ch, const struct clk_now *now)
{
	char err[512];

	(void)now;
	/* With audit lines still unwritten, the journal must not gain the
	 * entries they describe (see chan_commit). */
	if (ch->jf && audit_pending() == 0) {
		if (jr_flush(ch->jf, err, sizeof(err)) == -1)
			log_errx("%s", err);
		if (ch->touched && ch->t && jr_compact(ch->jf, ch->t, err, sizeof(err)) == -1)
			log_errx("%s", err);
		jr_sync(ch->jf);
	}
	jr_close(ch->jf);
	if (ch->t)
		reg->nloaded--;
	ct_destroy(ch->t);
	free(ch->live);
	free(ch->unconf);
	ch->unconf = NULL;
	ch->nunconf = ch->capunconf = 0;
	ch->live = NULL;
	ch->live_valid = false;
	ch->t = NULL;
	ch->jf = NULL;
}

void
chan_reg_destroy(struct chan_reg *reg, const struct clk_now *now)
{
	struct htab_node *n, *next = NULL;
	size_t cur = 0;

	if (reg == NULL)
		return;
	reg->last_try_ms = 0;	/* a last real try, even right after a failed one */
	chan_commit(reg, now);
	while ((n = htab_each(&reg->chans, &cur, &next)) != NULL) {
		chan_unload(reg, CHAN_OF(n), now);
		free(CHAN_OF(n));
	}
	htab_free(&reg->chans);
	free(reg->dir);
	free(reg);
}

void
chan_set_limits(struct chan_reg *reg, uint32_t table_size, uint32_t max_channels)
{
	reg->table_size = table_size;
	reg->max_channels = max_channels;
}

void
chan_set_expiry(struct chan_reg *reg, uint64_t idle_ms, uint64_t mem_limit)
{
	reg->idle_ms = idle_ms;
	reg->mem_limit = mem_limit;
}

uint32_t
chan_count(const struct chan_reg *reg)
{
	return reg->nchan;
}

uint32_t
chan_active(const struct chan_reg *reg)
{
	return reg->nactive;
}

void
chan_stats(const struct chan_reg *reg, uint64_t *refused, uint64_t *refused_memory,
    uint64_t *unloaded_idle, uint64_t *forgotten)
{
	*refused = reg->refused;
	*refused_memory = reg->refused_memory;
	*unloaded_idle = reg->unloaded_idle;
	*forgotten = reg->forgotten;
}

/* Room for one more active channel? *memory tells which limit is hit. */
static bool
chan_room(const struct chan_reg *reg, bool *memory)
{
	*memory = false;
	if (reg->nactive >= reg->max_channels)
		return false;
	if (reg->mem_limit &&
	    ((uint64_t)reg->nactive + 1) * ct_memory_max(reg->table_size) > reg->mem_limit) {
		*memory = true;
		return false;
	}
	return true;
}

/* A NAT64 turned away: counted, and logged at most once a minute with
 * the number turned away since the last message. */
static void
chan_refuse(struct chan_reg *reg, uint32_t nat64, bool memory, const struct clk_now *now)
{
	char a[ADDR_STRLEN];

	reg->refused++;
	if (memory)
		reg->refused_memory++;
	if (reg->refuse_log_ms && now->mono_ms - reg->refuse_log_ms < CHAN_REFUSE_LOG_MS) {
		reg->refused_unlogged++;
		return;
	}
	if (memory)
		log_warnx("channel %s refused: memory-limit %llu MiB reached by %u active channels "
		    "(%llu more refused since the last message)", addr_fmt4(nat64, a, sizeof(a)),
		    (unsigned long long)(reg->mem_limit >> 20), reg->nactive,
		    (unsigned long long)reg->refused_unlogged);
	else
		log_warnx("channel %s refused: max-channels %u active (%llu more refused since the "
		    "last message); idle channels are unloaded after %llu s",
		    addr_fmt4(nat64, a, sizeof(a)), reg->max_channels,
		    (unsigned long long)reg->refused_unlogged,
		    (unsigned long long)(reg->idle_ms / 1000));
	reg->refuse_log_ms = now->mono_ms ? now->mono_ms : 1;
	reg->refused_unlogged = 0;
}

/* Admit ch (dormant) as active, or refuse it. */
static bool
chan_admit(struct chan_reg *reg, struct chan *ch, uint32_t nat64, const struct clk_now *now)
{
	bool memory;

	if (ch && ch->active)
		return true;
	if (!chan_room(reg, &memory)) {
		chan_refuse(reg, nat64, memory, now);
		return false;
	}
	if (ch) {
		ch->active = true;
		reg->nactive++;
	}
	return true;
}

/* Idle for the idle time: the table goes back to disk (journal flushed,
 * compacted if its LRU order changed, closed) and stops counting. */
static void
chan_go_dormant(struct chan_reg *reg, struct chan *ch, const struct clk_now *now)
{
	char a[ADDR_STRLEN];

	log_info("channel %s idle for %llu s: unloaded, %u entries kept on disk",
	    addr_fmt4(ch->nat64, a, sizeof(a)),
	    (unsigned long long)((now->mono_ms - ch->last_use_ms) / 1000),
	    ch->t ? ct_count(ch->t) : 0);
	chan_unload(reg, ch, now);
	ch->active = false;
	ch->touched = false;
	ch->compact_due = false;
	reg->nactive--;
	reg->unloaded_idle++;
}

uint32_t
chan_loaded(const struct chan_reg *reg)
{
	return reg->nloaded;
}

static uint32_t chan_purge(struct chan_reg *reg, struct chan *ch, const struct clk_now *now);

/* Load a channel's table from its journal. On failure (the file cannot be
 * read or created: EMFILE, EIO, ...) the channel stays unloaded, so it is
 * never served from an empty table while its entries sit on disk; the
 * next use retries, at most once a second. */
static bool
chan_load(struct chan_reg *reg, struct chan *ch, const struct clk_now *now)
{
	struct jr_load_result res;
	char path[4096], err[4600], a[ADDR_STRLEN];

	if (ch->load_failed_ms && now->mono_ms - ch->load_failed_ms < 1000)
		return false;
	ch->t = ct_create(reg->table_size, reg->hash_key);
	chan_path(reg, ch->local, ch->nat64, path, sizeof(path));
	ch->jf = jr_open(path, ch->nat64, ch->local, ch->t, &res, now->wall.tv_sec, err, sizeof(err));
	if (ch->jf == NULL) {
		reg->journal_errors++;
		if (ch->load_failed_ms == 0)
			log_errx("channel %s: %s; not served until its state can be read",
			    addr_fmt4(ch->nat64, a, sizeof(a)), err);
		ch->load_failed_ms = now->mono_ms ? now->mono_ms : 1;
		ct_destroy(ch->t);
		ch->t = NULL;
		return false;
	}
	if (ch->load_failed_ms)
		log_info("channel %s: state readable again, %u entries",
		    addr_fmt4(ch->nat64, a, sizeof(a)), ct_count(ch->t));
	ch->load_failed_ms = 0;
	reg->nloaded++;
	if (res.set_aside)
		log_errx("%s: %s", path, res.msg);
	else if (res.truncated)
		log_warnx("%s: %s", path, res.msg);
	/* Damage before good records: rewrite now, so the next load does
	 * not meet it again (the maintenance timer retries if this fails). */
	if (res.rewrite && jr_compact(ch->jf, ch->t, err, sizeof(err)) == -1)
		log_errx("%s", err);
	if (res.evicted)
		log_warnx("%s: %u oldest entries dropped to fit table size %u", path, res.evicted,
		    reg->table_size);
	if (res.records)
		log_debug("%s: %u records replayed, %u entries", path, res.records, ct_count(ch->t));
	log_debug("channel %s loaded: %u entries", addr_fmt4(ch->nat64, a, sizeof(a)),
	    ct_count(ch->t));
	ch->last_compact_ms = now->mono_ms;
	if (res.truncated || res.evicted || jr_garbage(ch->jf, ch->t) > CHAN_COMPACT_GARBAGE)
		ch->compact_due = true;
	if (ch->init_pending) {
		audit_initialized(now, ch->local, ch->nat64);
		ch->init_pending = false;
	}
	if (reg->bans && ban_count(reg->bans))
		chan_purge(reg, ch, now);
	return true;
}

static struct chan *
chan_lookup(struct chan_reg *reg, uint32_t local, uint32_t nat64)
{
	uint64_t h = chan_hash(reg, local, nat64);
	struct htab_node *n;

	for (n = htab_first(&reg->chans, h); n; n = htab_next(n, h))
		if (CHAN_OF(n)->local == local && CHAN_OF(n)->nat64 == nat64)
			return CHAN_OF(n);
	return NULL;
}

bool
chan_would_accept(struct chan_reg *reg, uint32_t local, uint32_t nat64,
    const struct clk_now *now)
{
	struct chan *ch = chan_lookup(reg, local, nat64);
	bool memory;

	if ((ch && ch->active) || chan_room(reg, &memory))
		return true;
	chan_refuse(reg, nat64, memory, now);
	return false;
}

struct chan *
chan_find(struct chan_reg *reg, uint32_t local, uint32_t nat64, const struct clk_now *now)
{
	struct chan *ch = chan_lookup(reg, local, nat64);

	if (ch == NULL || !chan_admit(reg, ch, nat64, now))
		return NULL;
	ch->last_use_ms = now->mono_ms;
	if (ch->t == NULL)
		chan_load(reg, ch, now);
	return ch;
}

/* Room on disk: with 4 x max-channels channels known, the one dormant
 * the longest is forgotten — a Deleted line for each of its entries,
 * its journal removed — so that neither the registry nor the state
 * directory grows without bound. False if none could be forgotten. */
static bool
chan_forget_oldest(struct chan_reg *reg, const struct clk_now *now)
{
	struct chan *ch, *old = NULL;
	struct ct_view v;
	char path[4096], a[ADDR_STRLEN];
	uint32_t n = 0;
	uint16_t p;

	for (ch = chan_first(reg); ch; ch = chan_next(reg, ch))
		if (!ch->active && (old == NULL || ch->last_use_ms < old->last_use_ms))
			old = ch;
	if (old == NULL || (old->t == NULL && !chan_load(reg, old, now)))
		return false;
	for (p = ct_lru_oldest(old->t); p; p = ct_lru_newer(old->t, p))
		if (ct_get(old->t, p, &v)) {
			audit_deleted(now, old->local, old->nat64, p, v.prefix, v.client, v.client_port,
			    AUDIT_FORGOTTEN);
			n++;
		}
	log_info("channel %s forgotten (dormant the longest, %u channels known at most): "
	    "%u entries deleted", addr_fmt4(old->nat64, a, sizeof(a)),
	    reg->max_channels * CHAN_KNOWN_PER_ACTIVE, n);
	old->touched = false;		/* no compaction of a file about to go */
	chan_unload(reg, old, now);
	chan_path(reg, old->local, old->nat64, path, sizeof(path));
	if (unlink(path) == -1)
		log_warn("%s", path);
	htab_remove(&reg->chans, &old->hn);
	free(old);
	reg->nchan--;
	reg->forgotten++;
	return true;
}

struct chan *
chan_get_or_create(struct chan_reg *reg, uint32_t local, uint32_t nat64,
    const struct clk_now *now)
{
	struct chan *ch;

	if (chan_lookup(reg, local, nat64) != NULL)
		return chan_find(reg, local, nat64, now);
	if (!chan_admit(reg, NULL, nat64, now))
		return NULL;
	while (reg->nchan >= (uint64_t)reg->max_channels * CHAN_KNOWN_PER_ACTIVE)
		if (!chan_forget_oldest(reg, now)) {
			chan_refuse(reg, nat64, false, now);
			return NULL;
		}
	ch = chan_register(reg, local, nat64);
	ch->active = true;
	reg->nactive++;
	ch->last_use_ms = now->mono_ms;
	ch->init_pending = true;	/* "Initialized" once its state exists */
	chan_load(reg, ch, now);
	return ch;
}

static void
chan_mark_dirty(struct chan_reg *reg, struct chan *ch)
{
	if (ch->dirty || ch->jf == NULL)
		return;
	ch->dirty = true;
	ch->dirty_next = reg->dirty;
	reg->dirty = ch;
}

static void
chan_delete(struct chan_reg *reg, struct chan *ch, uint16_t port, enum audit_reason why,
    const struct clk_now *now)
{
	struct ct_view v;

	if (!ct_get(ch->t, port, &v))
		return;
	audit_deleted(now, ch->local, ch->nat64, port, v.prefix, v.client, v.client_port, why);
	if (log_getverbose() >= 2) {
		char a[ADDR_STRLEN], c6[ADDR_STRLEN];

		log_debug2("channel %s: entry port %u for [%s]:%u deleted (%s)",
		    addr_fmt4(ch->nat64, a, sizeof(a)), port, addr_fmt6(v.client, c6, sizeof(c6)),
		    v.client_port, audit_reason_name(why));
	}
	if (ch->jf) {
		jr_add_delete(ch->jf, port);
		chan_mark_dirty(reg, ch);
	}
	ct_remove(ch->t, port);
	ch->deleted++;
}

/* Until the next successful chan_commit() the entry is not answered. */
static void
chan_unconfirm(struct chan_reg *reg, struct chan *ch, uint16_t port)
{
	if (ch->nunconf == ch->capunconf) {
		ch->capunconf = ch->capunconf ? ch->capunconf * 2 : 64;
		ch->unconf = xreallocarray(ch->unconf, ch->capunconf, sizeof(*ch->unconf));
	}
	if (ch->nunconf == 0) {
		ch->unconf_next = reg->unconf;
		reg->unconf = ch;
	}
	ch->unconf[ch->nunconf++] = port;
	ct_set_unconfirmed(ch->t, port, true);
}

static void
chan_confirm_all(struct chan_reg *reg)
{
	struct chan *ch, *n;
	uint32_t i;

	for (ch = reg->unconf; ch; ch = n) {
		n = ch->unconf_next;
		for (i = 0; ch->t && i < ch->nunconf; i++)
			ct_set_unconfirmed(ch->t, ch->unconf[i], false);
		ch->nunconf = 0;
		ch->unconf_next = NULL;
	}
	reg->unconf = NULL;
}

bool
chan_unconfirmed(const struct chan *ch, uint16_t port)
{
	return ch->nunconf > 0 && ct_unconfirmed(ch->t, port);
}

/* New entries (and new authenticators) only while everything they need
 * can be written. */
static bool
chan_may_create(const struct chan_reg *reg)
{
	return !reg->paused && audit_room();
}

bool
chan_creation_paused(const struct chan_reg *reg)
{
	return !chan_may_create(reg);
}

static void
chan_journal_create(struct chan_reg *reg, struct chan *ch, uint16_t port, enum audit_how how,
    const struct clk_now *now)
{
	struct ct_view v;

	if (!ct_get(ch->t, port, &v))
		return;
	audit_created(now, ch->local, ch->nat64, port, v.prefix, v.client, v.client_port, how);
	if (ch->jf) {
		jr_add_create(ch->jf, &v);
		chan_mark_dirty(reg, ch);
	}
	chan_unconfirm(reg, ch, port);
	ch->created++;
}

/* A new authenticator for an existing entry: stored and journaled (as a
 * create record, which replay treats as a replacement), so kill -9 does
 * not bring the old one back. */
static void
chan_refresh_auth(struct chan_reg *reg, struct chan *ch, uint16_t port, const uint8_t *auth,
    size_t auth_len)
{
	struct ct_view v;

	if (!ct_get(ch->t, port, &v) ||
	    (v.auth_len == auth_len && (auth_len == 0 || memcmp(v.auth, auth, auth_len) == 0)))
		return;
	if (!chan_may_create(reg))
		return;		/* the stored one stays until it can be journaled */
	if (ct_set_auth(ch->t, port, auth, auth_len) != CT_OK || !ct_get(ch->t, port, &v))
		return;
	if (ch->jf) {
		jr_add_create(ch->jf, &v);
		chan_mark_dirty(reg, ch);
	}
}

static bool
chan_port_in(uint16_t port, const uint16_t *avoid, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (avoid[i] == port)
			return true;
	return false;
}

/* Choose the entry to sacrifice: the least recently used one whose port
 * has no live TCP connection here and is neither 3544 nor in avoid[]; the
 * oldest such one if all candidates are live. Returns its port or 0. */
static uint16_t
chan_victim(struct chan_reg *reg, struct chan *ch, const uint16_t *avoid, size_t navoid,
    const struct clk_now *now, bool *was_live)
{
	uint16_t p, fallback = 0;
	unsigned scanned = 0;

	*was_live = false;
	if (reg->live && (!ch->live_valid || now->mono_ms - ch->live_ms >= CHAN_LIVE_TTL_MS)) {
		if (ch->live == NULL)
			ch->live = xmalloc(LIVE_BITMAP_BYTES);
		ch->live_valid = reg->live(reg->live_arg, ch->local, ch->nat64, ch->live) == 0;
		ch->live_ms = now->mono_ms;
	}
	for (p = ct_lru_oldest(ch->t); p && scanned < CHAN_EVICT_SCAN; p = ct_lru_newer(ch->t, p)) {
		if (p == HW_TEREDO_PORT || chan_port_in(p, avoid, navoid))
			continue;	/* kept: an entry there is never reused */
		scanned++;
		if (!ch->live_valid || !live_bit(ch->live, p))
			return p;
		if (fallback == 0)
			fallback = p;
	}
	*was_live = fallback != 0;
	return fallback;
}

static uint32_t
chan_rnd(void *arg)
{
	(void)arg;
	return randombytes_random();
}

/* A port a banned client's entry left: handed to no one yet (ho_ban.h). */
static bool
chan_quarantined(const struct chan_reg *reg, const struct chan *ch, uint16_t port)
{
	return ban_quarantined(reg->bans, ch->local, ch->nat64, port);
}

/* A free port (ct_pick_port) that is not quarantined; 0 if none. */
static uint16_t
chan_pick_port(struct chan_reg *reg, struct chan *ch, const uint16_t *avoid, size_t navoid)
{
	const uint32_t span = 65536 - CT_MIN_PORT;
	uint32_t i, start;
	uint16_t p;

	for (i = 0; i < 16; i++) {
		p = ct_pick_port(ch->t, avoid, navoid, chan_rnd, NULL);
		if (p == 0 || !chan_quarantined(reg, ch, p))
			return p;
	}
	/* Many ports held back: a scan from a random start. */
	start = chan_rnd(NULL) % span;
	for (i = 0; i < span; i++) {
		p = (uint16_t)(CT_MIN_PORT + (start + i) % span);
		if (!ct_port_used(ch->t, p) && ct_port_allowed(p, avoid, navoid) &&
		    !chan_quarantined(reg, ch, p))
			return p;
	}
	return 0;
}

/* Delete the entries of banned clients in ch, after their ports are
 * quarantined on disk (so that no restart can hand them out early).
 * Returns how many were deleted. */
static uint32_t
chan_purge(struct chan_reg *reg, struct chan *ch, const struct clk_now *now)
{
	int64_t now_s = now->wall.tv_sec;
	uint16_t *ports, p;
	uint32_t n = 0, i;
	struct ct_view v;
	char err[1200];

	if (ch->t == NULL || ct_count(ch->t) == 0)
		return 0;
	ports = xreallocarray(NULL, ct_count(ch->t), sizeof(*ports));
	for (p = ct_lru_oldest(ch->t); p; p = ct_lru_newer(ch->t, p))
		if (ct_get(ch->t, p, &v) && ban_match(reg->bans, v.client, now_s)) {
			if (!ban_quarantine(reg->bans, ch->local, ch->nat64, p, now_s)) {
				log_warnx("%u ports held back already: the entries of banned clients "
				    "beyond stay until ports are released", BAN_QUAR_MAX);
				reg->purge_full = true;
				break;
			}
			ports[n++] = p;
		}
	if (n && ban_dirty(reg->bans) && ban_save(reg->bans, err, sizeof(err)) == -1) {
		log_warnx("%s; the entries of banned clients stay until it can be written", err);
		reg->purge_due = true;
		free(ports);
		return 0;
	}
	for (i = 0; i < n; i++)
		chan_delete(reg, ch, ports[i], AUDIT_BANNED, now);
	free(ports);
	return n;
}

void
chan_set_bans(struct chan_reg *reg, struct ban_table *bans)
{
	reg->bans = bans;
}

uint32_t
chan_purge_banned(struct chan_reg *reg, const struct clk_now *now)
{
	struct chan *ch;
	uint32_t n = 0;

	reg->purge_due = false;
	reg->purge_full = false;
	if (reg->bans == NULL || ban_count(reg->bans) == 0)
		return 0;
	for (ch = chan_first(reg); ch; ch = chan_next(reg, ch))
		n += chan_purge(reg, ch, now);
	return n;
}

uint16_t
chan_map_client(struct chan_reg *reg, struct chan *ch, const uint8_t prefix[12],
    const uint8_t client[16], uint16_t client_port, const uint8_t *auth, size_t auth_len,
    uint16_t hint, const uint16_t *avoid, size_t navoid, const struct clk_now *now,
    bool *created)
{
	uint32_t now_s = (uint32_t)now->wall.tv_sec;
	struct ct_key k;
	uint16_t port;
	bool live, full;

	*created = false;
	ct_key_init(&k, prefix, client, client_port, auth, auth_len);
	full = ct_count(ch->t) >= ct_capacity(ch->t);
	if (full)	/* with the likely victim */
		ct_prefetch_new(ch->t, &k, ct_lru_oldest(ch->t));
	else
		ct_prefetch_key(ch->t, &k, false);
	port = ct_find_key(ch->t, &k);
	if (port) {
		ct_touch(ch->t, port, now_s);
		ch->touched = true;
		chan_refresh_auth(reg, ch, port, auth, auth_len);
		return port;
	}
	if (!chan_may_create(reg)) {
		reg->st_refused++;
		return 0;
	}
	if (!ct_can_insert_key(ch->t, &k))
		return 0;	/* decided before anything is evicted */
	if (full) {
		port = chan_victim(reg, ch, avoid, navoid, now, &live);
		if (port == 0)
			return 0;
		ch->evicted++;
		if (live)
			ch->evicted_live++;
		chan_delete(reg, ch, port, AUDIT_EVICTED, now);
		/* An announced low port is freed, never handed out: another
		 * port is free now, as the table held this one. */
		if ((!ct_port_allowed(port, avoid, navoid) || chan_quarantined(reg, ch, port)) &&
		    (port = chan_pick_port(reg, ch, avoid, navoid)) == 0)
			return 0;
	} else if (hint && !ct_port_used(ch->t, hint) && ct_port_allowed(hint, avoid, navoid) &&
	    !chan_quarantined(reg, ch, hint)) {
		port = hint;
	} else {
		port = chan_pick_port(reg, ch, avoid, navoid);
		if (port == 0)
			return 0;
	}
	if (ct_insert_key(ch->t, port, &k, now_s) != CT_OK)
		return 0;
	chan_journal_create(reg, ch, port, AUDIT_MAPPED, now);
	*created = true;
	if (full)	/* the next victim, while the answer goes out */
		ct_prefetch_remove(ch->t, ct_lru_oldest(ch->t));
	return port;
}

bool
chan_adopt(struct chan_reg *reg, struct chan *ch, uint16_t port, const uint8_t prefix[12],
    const uint8_t client[16], uint16_t client_port, const uint8_t *auth, size_t auth_len,
    const struct clk_now *now)
{
	uint32_t now_s = (uint32_t)now->wall.tv_sec;
	struct ct_key k;
	uint16_t old;
	bool live;

	if (port == 0)
		return false;
	ct_key_init(&k, prefix, client, client_port, auth, auth_len);
	old = ct_find_key(ch->t, &k);
	if (old == port) {
		ct_touch(ch->t, port, now_s);
		ch->touched = true;
		chan_refresh_auth(reg, ch, port, auth, auth_len);
		ch->adopted++;
		return true;
	}
	if (!chan_may_create(reg)) {
		reg->st_refused++;
		return false;
	}
	if (!ct_can_insert_key(ch->t, &k))
		return false;	/* decided before anything is deleted */
	/* Newest wins: drop the client's other mapping and the port's
	 * other client. */
	if (old)
		chan_delete(reg, ch, old, AUDIT_MOVED, now);
	if (ct_port_used(ch->t, port))
		chan_delete(reg, ch, port, AUDIT_REPLACED, now);
	if (ct_count(ch->t) >= ct_capacity(ch->t)) {
		uint16_t victim = chan_victim(reg, ch, &port, 1, now, &live);

		if (victim == 0)
			return false;
		ch->evicted++;
		if (live)
			ch->evicted_live++;
		chan_delete(reg, ch, victim, AUDIT_EVICTED, now);
	}
	if (ct_insert_key(ch->t, port, &k, now_s) != CT_OK)
		return false;
	chan_journal_create(reg, ch, port, AUDIT_ADOPTED, now);
	ch->adopted++;
	return true;
}

bool
chan_lookup_port(struct chan_reg *reg, struct chan *ch, uint16_t port, const struct clk_now *now,
    struct ct_view *out)
{
	(void)reg;
	ch->lookups++;
	if (!ct_port_used(ch->t, port)) {
		ch->misses++;
		return false;
	}
	ct_touch(ch->t, port, (uint32_t)now->wall.tv_sec);
	ch->touched = true;
	return ct_get(ch->t, port, out);
}

/* Journals whose records could not be written stay on the dirty list;
 * the first error's text goes to err. */
static int
chan_flush_err(struct chan_reg *reg, char *err, size_t errlen)
{
	struct chan *ch, *n, *failed = NULL;
	char e[512];
	int rc = 0;

	for (ch = reg->dirty; ch; ch = n) {
		n = ch->dirty_next;
		if (ch->jf && jr_flush(ch->jf, e, sizeof(e)) == -1) {
			reg->journal_errors++;
			if (rc == 0)
				snprintf(err, errlen, "%s", e);
			rc = -1;
			ch->dirty_next = failed;
			failed = ch;
			continue;
		}
		ch->dirty = false;
		ch->dirty_next = NULL;
	}
	reg->dirty = failed;
	return rc;
}

int
chan_flush(struct chan_reg *reg)
{
	char err[512];

	return chan_flush_err(reg, err, sizeof(err));
}

static void
chan_storage_failed(struct chan_reg *reg, const char *err, const struct clk_now *now)
{
	reg->failures++;
	if (!reg->paused) {
		reg->paused = true;
		reg->pauses++;
		reg->paused_since_ms = reg->last_log_ms = now->mono_ms;
		reg->st_refused_logged = reg->st_refused_at_pause = reg->st_refused;
		log_errx("%s; new entries paused until the writes succeed (existing entries are "
		    "still answered)", err);
	} else if (now->mono_ms - reg->last_log_ms >= CHAN_STORAGE_LOG_MS) {
		log_errx("%s; new entries still paused after %llu s (%llu refused in the last "
		    "%u s, %llu failed writes in all)", err,
		    (unsigned long long)((now->mono_ms - reg->paused_since_ms) / 1000),
		    (unsigned long long)(reg->st_refused - reg->st_refused_logged),
		    CHAN_STORAGE_LOG_MS / 1000, (unsigned long long)reg->failures);
		reg->last_log_ms = now->mono_ms;
		reg->st_refused_logged = reg->st_refused;
	}
}

bool
chan_commit(struct chan_reg *reg, const struct clk_now *now)
{
	char err[600];

	if (reg->paused && now->mono_ms - reg->last_try_ms < CHAN_RETRY_MS)
		return false;
	reg->last_try_ms = now->mono_ms;
	/* Audit lines first: a journal record is never written for an entry
	 * whose Created line may still be lost, so after a crash every entry
	 * the journal brings back has its line. */
	if (audit_flush() == -1) {
		snprintf(err, sizeof(err), "audit log: write failed: %s", strerror(errno));
		chan_storage_failed(reg, err, now);
		return false;
	}
	if (chan_flush_err(reg, err, sizeof(err)) == -1) {
		chan_storage_failed(reg, err, now);
		return false;
	}
	chan_confirm_all(reg);
	if (reg->paused) {
		reg->paused = false;
		log_info("storage writable again: new entries resume after %llu ms (%llu refused "
		    "while paused)", (unsigned long long)(now->mono_ms - reg->paused_since_ms),
		    (unsigned long long)(reg->st_refused - reg->st_refused_at_pause));
	}
	return true;
}

void
chan_storage(const struct chan_reg *reg, const struct clk_now *now, struct chan_storage *out)
{
	out->paused = reg->paused;
	out->paused_ms = reg->paused ? now->mono_ms - reg->paused_since_ms : 0;
	out->failures = reg->failures;
	out->pauses = reg->pauses;
	out->refused = reg->st_refused;
}

void
chan_maintenance(struct chan_reg *reg, const struct clk_now *now)
{
	struct chan *ch, *pick = NULL;
	unsigned idle = 0;
	char err[4600];

	reg->last_try_ms = 0;	/* a retry now, even if one just failed */
	if (reg->purge_due || (reg->purge_full && reg->bans &&
	    ban_quarantine_count(reg->bans) < BAN_QUAR_MAX))
		chan_purge_banned(reg, now);
	/* An idle channel is unloaded only when everything queued is
	 * written: an unconfirmed entry must stay in memory until it is. */
	if (chan_commit(reg, now) && reg->idle_ms)
		for (ch = chan_first(reg); ch && idle < CHAN_IDLE_PER_TICK; ch = chan_next(reg, ch))
			if (ch->active && now->mono_ms - ch->last_use_ms >= reg->idle_ms) {
				chan_go_dormant(reg, ch, now);
				idle++;
			}
	for (ch = chan_first(reg); ch; ch = chan_next(reg, ch)) {
		if (ch->jf == NULL)
			continue;
		if (jr_sync(ch->jf) == -1)
			reg->journal_errors++;
		if (jr_needs_compact(ch->jf) ||
		    jr_garbage(ch->jf, ch->t) > ct_count(ch->t) + CHAN_COMPACT_GARBAGE ||
		    (ch->touched && now->mono_ms - ch->last_compact_ms >= CHAN_COMPACT_MS))
			ch->compact_due = true;
		/* One compaction per tick (a full table takes tens of
		 * ms): the most overdue goes first. */
		if (ch->compact_due && (pick == NULL || ch->last_compact_ms < pick->last_compact_ms))
			pick = ch;
	}
	/* A rewrite holds every entry of the table: only once their audit
	 * lines are written (chan_commit). */
	if (pick && audit_pending() == 0) {
		if (jr_compact(pick->jf, pick->t, err, sizeof(err)) == -1) {
			reg->journal_errors++;
			if (!reg->paused)
				log_errx("%s", err);
		}
		pick->compact_due = false;
		pick->touched = false;
		pick->last_compact_ms = now->mono_ms;
	}
}

struct chan *
chan_first(struct chan_reg *reg)
{
	struct htab_node *n = htab_after(&reg->chans, NULL);

	return n ? CHAN_OF(n) : NULL;
}

struct chan *
chan_next(struct chan_reg *reg, struct chan *ch)
{
	struct htab_node *n = htab_after(&reg->chans, &ch->hn);

	return n ? CHAN_OF(n) : NULL;
}

uint64_t
chan_journal_errors(const struct chan_reg *reg)
{
	return reg->journal_errors;
}
