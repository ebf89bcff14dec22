/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* status.c — see ho_status.h. */
#include "ho_status.h"
#include "addr.h"
#include "atomicfile.h"
#include "ho_audit.h"
#include "promtext.h"

#include <string.h>

#define STATUS_STR_(x)	#x
#define STATUS_STR(x)	STATUS_STR_(x)

#include <stdio.h>
#include <unistd.h>

void
status_each(const struct srv_ctx *s, const struct clk_now *now, status_item_fn *fn, void *arg)
{
	uint64_t refused, refused_mem, idle, forgotten;
	struct chan_storage sto;
	char name[64];
	int i;

	fn(arg, "channels", chan_count(s->reg));
	fn(arg, "channels_loaded", chan_loaded(s->reg));
	fn(arg, "channels_active", chan_active(s->reg));
	chan_stats(s->reg, &refused, &refused_mem, &idle, &forgotten);
	fn(arg, "channels_refused", refused);
	fn(arg, "channels_refused_memory", refused_mem);
	fn(arg, "channels_unloaded_idle", idle);
	fn(arg, "channels_forgotten", forgotten);
	fn(arg, "tokens", val_token_count(s->vs));
	fn(arg, "journal_errors", chan_journal_errors(s->reg));
	fn(arg, "audit_errors", audit_errors());
	chan_storage(s->reg, now, &sto);
	fn(arg, "storage_paused", sto.paused ? 1 : 0);
	fn(arg, "storage_paused_ms", sto.paused_ms);
	fn(arg, "storage_pauses", sto.pauses);
	fn(arg, "storage_write_failures", sto.failures);
	fn(arg, "audit_pending_octets", audit_pending());
	fn(arg, "audit_lost_octets", audit_lost_octets());
	for (i = 0; i < SRV_C__COUNT; i++)
		fn(arg, srv_counter_name((enum srv_counter)i), s->c[i]);
	for (i = 1; i < HW_E__COUNT; i++) {
		snprintf(name, sizeof(name), "drop_%s", srv_wire_error_name((enum hw_err)i));
		fn(arg, name, s->wire_drop[i]);
	}
}

static void
status_put(void *arg, const char *name, unsigned long long value)
{
	afile_printf(arg, "%s %llu\n", name, value);
}

int
status_write(const char *path, const struct srv_ctx *s, const struct clk_now *now,
    uint16_t port, char *err, size_t errlen)
{
	struct afile *af = afile_begin(path, 0644, err, errlen);
	char stamp[40], a[ADDR_STRLEN], b[ADDR_STRLEN];
	struct chan *ch;

	if (af == NULL)
		return -1;
	afile_printf(af, "nat64-handoffd-status 1\n");
	afile_printf(af, "pid %ld\n", (long)getpid());
	afile_printf(af, "time %s\n", clk_format_wall(now, 0, stamp, sizeof(stamp)));
	afile_printf(af, "port %u\n", port);
	status_each(s, now, status_put, af);
	for (ch = chan_first(s->reg); ch; ch = chan_next(s->reg, ch)) {
		addr_fmt4(ch->nat64, a, sizeof(a));
		addr_fmt4(ch->local, b, sizeof(b));
		if (ch->t == NULL) {
			afile_printf(af, "channel %s %s not-loaded\n", a, b);
			continue;
		}
		afile_printf(af, "channel %s %s entries %u capacity %u memory %zu created %llu "
		    "deleted %llu evicted %llu evicted_live %llu adopted %llu lookups %llu misses %llu\n",
		    a, b, ct_count(ch->t), ct_capacity(ch->t), ct_memory(ch->t),
		    (unsigned long long)ch->created, (unsigned long long)ch->deleted,
		    (unsigned long long)ch->evicted, (unsigned long long)ch->evicted_live,
		    (unsigned long long)ch->adopted, (unsigned long long)ch->lookups,
		    (unsigned long long)ch->misses);
	}
	return afile_commit(af, err, errlen);
}

/* The status_each() items that are levels, not counts, or carry a unit
 * (Prometheus base units: seconds, bytes), with their HELP. */
static const struct {
	const char *key, *name, *help;
	enum pt_type type;
	unsigned ms;		/* a value in ms, shown in seconds */
} status_special[] = {
	{ "channels", "channels", "Control channels known (persisted or in use).", PT_GAUGE, 0 },
	{ "channels_loaded", "channels_loaded", "Channels whose table is in memory.", PT_GAUGE, 0 },
	{ "channels_active", "channels_active", "Channels counting against max-channels.",
	  PT_GAUGE, 0 },
	{ "tokens", "tokens", "Validation tokens held.", PT_GAUGE, 0 },
	{ "storage_paused", "storage_paused", "1 while a failed write pauses new entries.",
	  PT_GAUGE, 0 },
	{ "storage_paused_ms", "storage_paused_seconds", "How long the current pause has lasted.",
	  PT_GAUGE, 1 },
	{ "audit_pending_octets", "audit_pending_bytes", "Audit log octets waiting to be written.",
	  PT_GAUGE, 0 },
	{ "audit_lost_octets", "audit_lost_bytes_total", "Audit log octets that could not be kept.",
	  PT_COUNTER, 0 },
};

static void
status_prom_item(void *arg, const char *key, unsigned long long value)
{
	char name[128], help[160];
	size_t i;

	for (i = 0; i < sizeof(status_special) / sizeof(status_special[0]); i++)
		if (strcmp(status_special[i].key, key) == 0) {
			snprintf(name, sizeof(name), "nat64_handoffd_%s", status_special[i].name);
			pt_family(arg, name, status_special[i].type, status_special[i].help);
			if (status_special[i].ms)
				pt_double(arg, name, NULL, (double)value / 1000.0, 3);
			else
				pt_u64(arg, name, NULL, value);
			return;
		}
	snprintf(name, sizeof(name), "nat64_handoffd_%s_total", key);
	snprintf(help, sizeof(help), "The status file's %s counter.", key);
	pt_one(arg, name, PT_COUNTER, help, value);
}

/* The per-channel figures of the status file's channel lines. */
enum { CH_ENTRIES, CH_CAPACITY, CH_MEMORY, CH_CREATED, CH_DELETED, CH_EVICTED, CH_EVICTED_LIVE,
	CH_ADOPTED, CH_LOOKUPS, CH_MISSES, CH__COUNT };

static const struct {
	const char *name, *help;
	enum pt_type type;
} status_chan_families[CH__COUNT] = {
	{ "nat64_handoffd_channel_entries", "Entries in the channel's table.", PT_GAUGE },
	{ "nat64_handoffd_channel_capacity", "The channel table's capacity.", PT_GAUGE },
	{ "nat64_handoffd_channel_memory_bytes", "Memory of the channel's table.", PT_GAUGE },
	{ "nat64_handoffd_channel_created_total", "Entries created.", PT_COUNTER },
	{ "nat64_handoffd_channel_deleted_total", "Entries deleted.", PT_COUNTER },
	{ "nat64_handoffd_channel_evicted_total", "Entries evicted for room.", PT_COUNTER },
	{ "nat64_handoffd_channel_evicted_live_total",
	  "Evicted entries whose connection was still open.", PT_COUNTER },
	{ "nat64_handoffd_channel_adopted_total", "Entries adopted from the NAT64.", PT_COUNTER },
	{ "nat64_handoffd_channel_lookups_total", "Lookups.", PT_COUNTER },
	{ "nat64_handoffd_channel_misses_total", "Lookups that found no entry.", PT_COUNTER },
};

static unsigned long long
status_chan_value(const struct chan *ch, int f)
{
	switch (f) {
	case CH_ENTRIES:	return ct_count(ch->t);
	case CH_CAPACITY:	return ct_capacity(ch->t);
	case CH_MEMORY:		return ct_memory(ch->t);
	case CH_CREATED:	return ch->created;
	case CH_DELETED:	return ch->deleted;
	case CH_EVICTED:	return ch->evicted;
	case CH_EVICTED_LIVE:	return ch->evicted_live;
	case CH_ADOPTED:	return ch->adopted;
	case CH_LOOKUPS:	return ch->lookups;
	default:		return ch->misses;
	}
}

int
status_write_metrics(const char *path, const struct srv_ctx *s, const struct clk_now *now,
    char *err, size_t errlen)
{
	struct afile *af = afile_begin(path, 0644, err, errlen);
	char a[ADDR_STRLEN], b[ADDR_STRLEN], lab[128];
	unsigned long long left_out = 0;
	struct chan *ch;
	int f, n;

	if (af == NULL)
		return -1;
	pt_build_info(af, "nat64_handoffd");
	status_each(s, now, status_prom_item, af);
	for (f = 0; f < CH__COUNT; f++) {
		pt_family(af, status_chan_families[f].name, status_chan_families[f].type,
		    status_chan_families[f].help);
		n = 0;
		for (ch = chan_first(s->reg); ch; ch = chan_next(s->reg, ch)) {
			if (ch->t == NULL)
				continue;
			if (n++ == STATUS_METRICS_MAX_CHANNELS) {
				if (f == 0)
					left_out = (unsigned long long)chan_loaded(s->reg) -
					    STATUS_METRICS_MAX_CHANNELS;
				break;
			}
			lab[0] = '\0';
			pt_label(lab, sizeof(lab), "nat64", addr_fmt4(ch->nat64, a, sizeof(a)));
			pt_label(lab, sizeof(lab), "server", addr_fmt4(ch->local, b, sizeof(b)));
			pt_u64(af, status_chan_families[f].name, lab, status_chan_value(ch, f));
		}
	}
	pt_one(af, "nat64_handoffd_channels_unlabelled", PT_GAUGE, "Loaded channels beyond the "
	    "first " STATUS_STR(STATUS_METRICS_MAX_CHANNELS) ", left out of the per-channel "
	    "families.", left_out);
	return afile_commit(af, err, errlen);
}
