/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ho_channel.h — the control channels this server knows, one per (server
 * IPv4 address, NAT64 IPv4 address) pair (draft §3), each with its table
 * (conntable.c), its journal (journal.c) and its counters.
 *
 * Channels found in STATE/channels at start-up are registered from their
 * file headers only and loaded on first use, so start-up time does not
 * grow with the number of persisted tables. All entry changes go through
 * here so that the audit line, the journal record and the table change
 * always happen together.
 *
 * Admission: a channel is active while its NAT64 uses it; max-channels
 * and the memory limit bound active channels only. A channel idle for
 * the idle time is unloaded by chan_maintenance (journal flushed and
 * compacted, table freed: dormant) and stops counting; its NAT64 is
 * admitted again, and its table loaded from disk, when it returns and
 * there is room. Persisted channels start dormant. A refusal is counted
 * and logged at most once a minute. At most 4 x max-channels channels are
 * known: beyond, the one dormant the longest is forgotten (Deleted lines
 * for its entries, its journal removed) to make room for a new one.
 */
#ifndef NK_CHANNEL_H
#define NK_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "ho_conntable.h"
#include "htab.h"
#include "ho_livecheck.h"

#define CHAN_EVICT_SCAN	256	/* LRU candidates examined for a non-live port */
#define CHAN_LIVE_TTL_MS 1000	/* live-port bitmap reuse window */

struct chan {
	uint32_t local, nat64;
	struct ct_table *t;		/* NULL until loaded */
	struct jr_file *jf;		/* NULL if the journal could not be opened */
	struct htab_node hn;		/* in the registry, by (local, nat64) */
	struct chan *dirty_next;
	bool dirty;			/* journal records queued */
	bool touched;			/* LRU changed since the last compaction */
	bool compact_due;		/* rewrite the journal at the next chance */
	bool init_pending;		/* new: "Initialized" when first loaded */
	bool active;			/* counts against max-channels */
	uint64_t last_use_ms;		/* monotonic, last packet of its NAT64 */
	uint64_t load_failed_ms;	/* last failed load (0: none) */
	uint64_t last_compact_ms;
	uint16_t *unconf;		/* ports of entries not yet confirmed */
	uint32_t nunconf, capunconf;
	struct chan *unconf_next;	/* on the registry's list when nunconf > 0 */
	uint8_t *live;			/* cached live-port bitmap */
	uint64_t live_ms;
	bool live_valid;
	/* counters */
	uint64_t created, deleted, evicted, evicted_live, adopted, lookups, misses;
};

struct chan_reg;

struct chan_reg *chan_reg_create(const char *state_dir, uint32_t table_size,
    uint32_t max_channels, live_query_fn *live, void *live_arg, char *err, size_t errlen);
void chan_reg_destroy(struct chan_reg *reg, const struct clk_now *now);

void chan_set_limits(struct chan_reg *reg, uint32_t table_size, uint32_t max_channels);
/* idle_ms: unload channels unused that long (0: never); mem_limit:
 * octets for all active tables, each counted at its full size
 * (ct_memory_max), so existing tables can always fill (0: none). */
void chan_set_expiry(struct chan_reg *reg, uint64_t idle_ms, uint64_t mem_limit);
uint32_t chan_count(const struct chan_reg *reg);
uint32_t chan_loaded(const struct chan_reg *reg);
uint32_t chan_active(const struct chan_reg *reg);
/* Refusals since start (all, and those for the memory limit), channels
 * unloaded for idleness, dormant channels forgotten. */
void chan_stats(const struct chan_reg *reg, uint64_t *refused, uint64_t *refused_memory,
    uint64_t *unloaded_idle, uint64_t *forgotten);

/* The channel if known (made active and loaded on demand), else NULL;
 * NULL too for a dormant one without room (refused). */
struct chan *chan_find(struct chan_reg *reg, uint32_t local, uint32_t nat64,
    const struct clk_now *now);
/* The channel, created (audit "Initialized") if new; NULL without room. */
struct chan *chan_get_or_create(struct chan_reg *reg, uint32_t local, uint32_t nat64,
    const struct clk_now *now);
/* Is there room for this channel (active already, or room for one more)?
 * Asked before validating, so a NAT64 that would be refused costs no
 * validation traffic; a refusal is counted and logged here. */
bool chan_would_accept(struct chan_reg *reg, uint32_t local, uint32_t nat64,
    const struct clk_now *now);

/* §10: the mapped port for this client, creating the entry if needed
 * (evicting the LRU non-live entry when full). avoid[] are ports never to
 * choose (handoff port, control source port); hint is tried first if
 * non-zero. Returns 0 if no port could be had. *created tells. */
uint16_t chan_map_client(struct chan_reg *reg, struct chan *ch, const uint8_t prefix[12],
    const uint8_t client[16], uint16_t client_port, const uint8_t *auth, size_t auth_len,
    uint16_t hint, const uint16_t *avoid, size_t navoid, const struct clk_now *now,
    bool *created);
/* Adopt an entry the NAT64 reports (newest wins on conflict). false if
 * the port is out of range or nothing could be stored. */
bool chan_adopt(struct chan_reg *reg, struct chan *ch, uint16_t port, const uint8_t prefix[12],
    const uint8_t client[16], uint16_t client_port, const uint8_t *auth, size_t auth_len,
    const struct clk_now *now);
/* Look an entry up by mapped port and mark it used. */
bool chan_lookup_port(struct chan_reg *reg, struct chan *ch, uint16_t port,
    const struct clk_now *now, struct ct_view *out);

/* The persistence contract (docs/HACKING.md). An entry is created only
 * while storage works and the audit buffer has room; it stays
 * "unconfirmed" (chan_unconfirmed) until its audit line and then its
 * journal record are written, and an unconfirmed entry is never answered.
 * chan_commit() writes everything queued, audit lines first: true if all
 * of it is written (every entry is then confirmed). A failure pauses new
 * entries (logged once, then once a minute while it lasts, counted); the
 * queued lines and records are kept and retried (by every commit, at most
 * every 100 ms, and by chan_maintenance), and the first commit that
 * writes everything resumes creation. */
bool chan_commit(struct chan_reg *reg, const struct clk_now *now);
bool chan_unconfirmed(const struct chan *ch, uint16_t port);
bool chan_creation_paused(const struct chan_reg *reg);
struct chan_storage {
	bool paused;			/* new entries refused, lookups answered */
	uint64_t paused_ms;		/* how long, if paused */
	uint64_t failures;		/* commits that could not write everything */
	uint64_t pauses;		/* times creation paused */
	uint64_t refused;		/* new entries refused while paused */
};
void chan_storage(const struct chan_reg *reg, const struct clk_now *now, struct chan_storage *out);
/* Write queued journal records of every channel; -1 if any could not be
 * written (they stay queued). chan_commit() is the answer path's call. */
int  chan_flush(struct chan_reg *reg);
/* Periodic (once a second): retry a failed commit, unload idle channels,
 * fdatasync journals, compact large or LRU-stale ones. */
void chan_maintenance(struct chan_reg *reg, const struct clk_now *now);

/* Bans (ho_ban.h): a loaded channel's entries of banned clients are
 * deleted (Deleted, reason banned) once their ports are quarantined on
 * disk, and no quarantined port is handed out. */
struct ban_table;
void chan_set_bans(struct chan_reg *reg, struct ban_table *bans);
/* Apply the bans to every loaded channel (dormant ones on load); returns
 * the entries deleted. A failed save of the quarantine keeps the entries
 * and is retried by chan_maintenance, as is a purge that met BAN_QUAR_MAX
 * once ports are released. */
uint32_t chan_purge_banned(struct chan_reg *reg, const struct clk_now *now);

/* Iterate channels for status output. */
struct chan *chan_first(struct chan_reg *reg);
struct chan *chan_next(struct chan_reg *reg, struct chan *ch);

/* Journal failures since start (counted; the table keeps working). */
uint64_t chan_journal_errors(const struct chan_reg *reg);

#endif
