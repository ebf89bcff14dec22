/* status.c — see status.h. */
#include "status.h"
#include "addr.h"
#include "atomicfile.h"
#include "audit.h"

#include <unistd.h>

int
status_write(const char *path, const struct srv_ctx *s, const struct clk_now *now,
    uint16_t port, char *err, size_t errlen)
{
	struct afile *af = afile_begin(path, 0644, err, errlen);
	char stamp[40], a[ADDR_STRLEN], b[ADDR_STRLEN];
	struct chan_storage sto;
	struct chan *ch;
	int i;

	if (af == NULL)
		return -1;
	afile_printf(af, "nat64-handoffd-status 1\n");
	afile_printf(af, "pid %ld\n", (long)getpid());
	afile_printf(af, "time %s\n", clk_format_wall(now, 0, stamp, sizeof(stamp)));
	afile_printf(af, "port %u\n", port);
	afile_printf(af, "channels %u\n", chan_count(s->reg));
	afile_printf(af, "channels_loaded %u\n", chan_loaded(s->reg));
	afile_printf(af, "channels_active %u\n", chan_active(s->reg));
	{
		uint64_t refused, refused_mem, idle, forgotten;

		chan_stats(s->reg, &refused, &refused_mem, &idle, &forgotten);
		afile_printf(af, "channels_refused %llu\n", (unsigned long long)refused);
		afile_printf(af, "channels_refused_memory %llu\n", (unsigned long long)refused_mem);
		afile_printf(af, "channels_unloaded_idle %llu\n", (unsigned long long)idle);
		afile_printf(af, "channels_forgotten %llu\n", (unsigned long long)forgotten);
	}
	afile_printf(af, "tokens %u\n", val_token_count(s->vs));
	afile_printf(af, "journal_errors %llu\n", (unsigned long long)chan_journal_errors(s->reg));
	afile_printf(af, "audit_errors %llu\n", (unsigned long long)audit_errors());
	chan_storage(s->reg, now, &sto);
	afile_printf(af, "storage_paused %d\n", sto.paused ? 1 : 0);
	afile_printf(af, "storage_paused_ms %llu\n", (unsigned long long)sto.paused_ms);
	afile_printf(af, "storage_pauses %llu\n", (unsigned long long)sto.pauses);
	afile_printf(af, "storage_write_failures %llu\n", (unsigned long long)sto.failures);
	afile_printf(af, "audit_pending_octets %zu\n", audit_pending());
	afile_printf(af, "audit_lost_octets %llu\n", (unsigned long long)audit_lost_octets());
	for (i = 0; i < SRV_C__COUNT; i++)
		afile_printf(af, "%s %llu\n", srv_counter_name((enum srv_counter)i),
		    (unsigned long long)s->c[i]);
	for (i = 1; i < HW_E__COUNT; i++)
		afile_printf(af, "drop_%s %llu\n", srv_wire_error_name((enum hw_err)i),
		    (unsigned long long)s->wire_drop[i]);
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
