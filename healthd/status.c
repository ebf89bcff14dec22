/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* status.c — see status.h. */
#include "status.h"
#include "atomicfile.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HD_STATUS_MAX	(4 * 1024 * 1024)

/* Status text fields: one token, no spaces or quotes. */
static void
hd_token(const char *s, char *out, size_t len)
{
	size_t i;

	if (s == NULL || *s == '\0') {
		snprintf(out, len, "-");
		return;
	}
	for (i = 0; s[i] && i + 1 < len; i++)
		out[i] = (s[i] <= ' ' || s[i] == '"' || s[i] == '\\' || s[i] > '~') ? '_' : s[i];
	out[i] = '\0';
}

static const char *
hd_apply_word(const struct hd_apply_stats *st)
{
	if (st->running)
		return "running";
	if (st->consecutive_failures)
		return "failing";
	if (st->pending)
		return "pending";
	return "ok";
}

static int
hd_status_state(const struct hd_core *c, const struct hd_apply_stats *st, const char *path,
    const struct clk_now *now, char *err, size_t errlen)
{
	const struct hd_pstate *v;
	struct afile *af;
	char ts[40], tok[300];
	size_t n, i;

	v = hd_core_prefixes(c, &n);
	if ((af = afile_begin(path, 0644, err, errlen)) == NULL)
		return -1;
	hd_token(st->last_error, tok, sizeof(tok));
	afile_printf(af, "%s\ntime %s\n", HD_STATUS_MAGIC, clk_format_wall(now, 0, ts, sizeof(ts)));
	afile_printf(af, "apply %s runs %llu failures %llu last_error %s\n", hd_apply_word(st),
	    (unsigned long long)st->runs, (unsigned long long)st->failures, tok);
	for (i = 0; i < n; i++) {
		const struct hd_health *h = &v[i].h;
		uint64_t hold = h->hold_until_ms > now->mono_ms ? h->hold_until_ms - now->mono_ms : 0;

		hd_token(v[i].last_why, tok, sizeof(tok));
		afile_printf(af, "prefix %s state %s selected %d rtt_ms %.3f ratio %u.%03u rounds %u "
		    "transitions %u since_s %llu hold_s %llu last_error %s\n", v[i].text,
		    hd_state_name(h->state), v[i].selected ? 1 : 0, hd_health_rtt_us(h) / 1000.0,
		    hd_health_ratio_pm(h) / 1000, hd_health_ratio_pm(h) % 1000, h->rounds,
		    h->transitions, (unsigned long long)((now->mono_ms - h->since_ms) / 1000),
		    (unsigned long long)(hold / 1000), tok);
	}
	return afile_commit(af, err, errlen);
}

static int
hd_status_prom(const struct hd_core *c, const struct hd_apply_stats *st, const char *path,
    char *err, size_t errlen)
{
	const struct hd_pstate *v;
	struct afile *af;
	size_t n, i, nsel = 0;

	v = hd_core_prefixes(c, &n);
	if ((af = afile_begin(path, 0644, err, errlen)) == NULL)
		return -1;
	afile_printf(af, "# HELP nat64_healthd_prefix_up 1 if the prefix passes its probes.\n"
	    "# TYPE nat64_healthd_prefix_up gauge\n");
	for (i = 0; i < n; i++)
		afile_printf(af, "nat64_healthd_prefix_up{prefix=\"%s\"} %d\n", v[i].text,
		    v[i].h.state == HD_UP);
	afile_printf(af, "# HELP nat64_healthd_prefix_selected 1 if BIND should synthesize from it.\n"
	    "# TYPE nat64_healthd_prefix_selected gauge\n");
	for (i = 0; i < n; i++) {
		afile_printf(af, "nat64_healthd_prefix_selected{prefix=\"%s\"} %d\n", v[i].text,
		    v[i].selected);
		nsel += v[i].selected;
	}
	afile_printf(af, "# HELP nat64_healthd_prefix_rtt_seconds Mean RTT of successful probes "
	    "in the window.\n# TYPE nat64_healthd_prefix_rtt_seconds gauge\n");
	for (i = 0; i < n; i++)
		afile_printf(af, "nat64_healthd_prefix_rtt_seconds{prefix=\"%s\"} %.6f\n", v[i].text,
		    hd_health_rtt_us(&v[i].h) / 1e6);
	afile_printf(af, "# HELP nat64_healthd_prefix_success_ratio Probe success ratio in the "
	    "window.\n# TYPE nat64_healthd_prefix_success_ratio gauge\n");
	for (i = 0; i < n; i++)
		afile_printf(af, "nat64_healthd_prefix_success_ratio{prefix=\"%s\"} %.3f\n",
		    v[i].text, hd_health_ratio_pm(&v[i].h) / 1000.0);
	afile_printf(af, "# HELP nat64_healthd_prefix_transitions_total Up/down changes.\n"
	    "# TYPE nat64_healthd_prefix_transitions_total counter\n");
	for (i = 0; i < n; i++)
		afile_printf(af, "nat64_healthd_prefix_transitions_total{prefix=\"%s\"} %u\n",
		    v[i].text, v[i].h.transitions);
	afile_printf(af, "# HELP nat64_healthd_probes_total Probes by result.\n"
	    "# TYPE nat64_healthd_probes_total counter\n");
	for (i = 0; i < n; i++)
		afile_printf(af, "nat64_healthd_probes_total{prefix=\"%s\",result=\"ok\"} %llu\n"
		    "nat64_healthd_probes_total{prefix=\"%s\",result=\"fail\"} %llu\n", v[i].text,
		    (unsigned long long)v[i].h.probes_ok, v[i].text,
		    (unsigned long long)v[i].h.probes_fail);
	afile_printf(af, "# HELP nat64_healthd_selected_prefixes Prefixes currently selected.\n"
	    "# TYPE nat64_healthd_selected_prefixes gauge\nnat64_healthd_selected_prefixes %zu\n",
	    nsel);
	afile_printf(af, "# HELP nat64_healthd_apply_runs_total COMMAND runs.\n"
	    "# TYPE nat64_healthd_apply_runs_total counter\nnat64_healthd_apply_runs_total %llu\n"
	    "# HELP nat64_healthd_apply_failures_total COMMAND failures.\n"
	    "# TYPE nat64_healthd_apply_failures_total counter\n"
	    "nat64_healthd_apply_failures_total %llu\n"
	    "# HELP nat64_healthd_apply_pending 1 while BIND lags the selection.\n"
	    "# TYPE nat64_healthd_apply_pending gauge\nnat64_healthd_apply_pending %d\n",
	    (unsigned long long)st->runs, (unsigned long long)st->failures,
	    st->pending || st->running);
	return afile_commit(af, err, errlen);
}

int
hd_status_write(const struct hd_core *c, const struct hd_apply *ap, const char *state_path,
    const char *prom_path, const struct clk_now *now, char *err, size_t errlen)
{
	struct hd_apply_stats st;

	hd_apply_stats(ap, &st);
	if (state_path && hd_status_state(c, &st, state_path, now, err, errlen) == -1)
		return -1;
	if (prom_path && hd_status_prom(c, &st, prom_path, err, errlen) == -1)
		return -1;
	return 0;
}

int
hd_status_print(const char *state_path, char *err, size_t errlen)
{
	unsigned char *text;
	size_t len, m = strlen(HD_STATUS_MAGIC);

	if (afile_slurp(state_path, HD_STATUS_MAX, &text, &len) == -1) {
		snprintf(err, errlen, "%s: %s (is nat64-healthd running with this --state-file?)",
		    state_path, strerror(errno));
		return -1;
	}
	if (len < m + 1 || memcmp(text, HD_STATUS_MAGIC, m) != 0 || text[m] != '\n') {
		snprintf(err, errlen, "%s: not a nat64-healthd status file (version 1)", state_path);
		free(text);
		return -1;
	}
	fwrite(text + m + 1, 1, len - m - 1, stdout);
	free(text);
	return 0;
}
