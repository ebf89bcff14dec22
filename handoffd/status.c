/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* status.c — see status.h. */
#include "status.h"
#include "addr.h"
#include "atomicfile.h"
#include "audit.h"

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
