/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* status.c — see hd_status.h. */
#include "hd_status.h"
#include "atomicfile.h"
#include "promtext.h"
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
hd_status_state(const struct hd_core *c, const struct hd_apply_stats *st,
    const struct hd_verify *vf, const char *path, const struct clk_now *now, char *err,
    size_t errlen)
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
	if (vf)
		afile_printf(af, "verify dns64_served_matches %d checks %llu drifts %llu reapplies %llu "
		    "gave_up %d\n", vf->matches, (unsigned long long)vf->checks,
		    (unsigned long long)vf->drifts, (unsigned long long)vf->reapplies,
		    vf->gave_up ? 1 : 0);
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

/* The per-prefix label: prefix="P". */
static void
hd_prom_prefix(const struct hd_pstate *p, char *lab, size_t len)
{
	lab[0] = '\0';
	pt_label(lab, len, "prefix", p->text);
}

static int
hd_status_prom(const struct hd_core *c, const struct hd_apply_stats *st,
    const struct hd_verify *vf, const char *path, char *err, size_t errlen)
{
	const struct hd_core_cfg *cfg = hd_core_cfg(c);
	const struct hd_pstate *v;
	struct afile *af;
	size_t n, i, t, nsel = 0;
	char tb[HD_QNAME_MAX + 64], tt[HD_QNAME_MAX + 64], lab[2 * HD_QNAME_MAX + 256];
	static const char *const results[2] = { "ok", "fail" };
	int r;

	v = hd_core_prefixes(c, &n);
	if ((af = afile_begin(path, 0644, err, errlen)) == NULL)
		return -1;
	pt_build_info(af, "nat64_healthd");
	pt_family(af, "nat64_healthd_prefix_up", PT_GAUGE, "1 if the prefix passes its probes.");
	for (i = 0; i < n; i++) {
		hd_prom_prefix(&v[i], lab, sizeof(lab));
		pt_u64(af, "nat64_healthd_prefix_up", lab, v[i].h.state == HD_UP);
	}
	pt_family(af, "nat64_healthd_prefix_selected", PT_GAUGE,
	    "1 if BIND should synthesize from it.");
	for (i = 0; i < n; i++) {
		hd_prom_prefix(&v[i], lab, sizeof(lab));
		pt_u64(af, "nat64_healthd_prefix_selected", lab, v[i].selected);
		nsel += v[i].selected;
	}
	pt_family(af, "nat64_healthd_prefix_rtt_seconds", PT_GAUGE,
	    "Median RTT of successful probes in the window.");
	for (i = 0; i < n; i++) {
		hd_prom_prefix(&v[i], lab, sizeof(lab));
		pt_double(af, "nat64_healthd_prefix_rtt_seconds", lab,
		    hd_health_rtt_us(&v[i].h) / 1e6, 6);
	}
	pt_family(af, "nat64_healthd_prefix_success_ratio", PT_GAUGE,
	    "Probe success ratio in the window.");
	for (i = 0; i < n; i++) {
		hd_prom_prefix(&v[i], lab, sizeof(lab));
		pt_double(af, "nat64_healthd_prefix_success_ratio", lab,
		    hd_health_ratio_pm(&v[i].h) / 1000.0, 3);
	}
	pt_family(af, "nat64_healthd_prefix_transitions_total", PT_COUNTER, "Up/down changes.");
	for (i = 0; i < n; i++) {
		hd_prom_prefix(&v[i], lab, sizeof(lab));
		pt_u64(af, "nat64_healthd_prefix_transitions_total", lab, v[i].h.transitions);
	}
	pt_family(af, "nat64_healthd_probes_total", PT_COUNTER,
	    "Probes by target, probe type and result.");
	for (i = 0; i < n; i++)
		for (t = 0; t < cfg->ntargets; t++)
			for (r = 0; r < 2; r++) {
				hd_target_fmt(&cfg->targets[t], tt, sizeof(tt));
				hd_token(tt, tb, sizeof(tb));
				hd_prom_prefix(&v[i], lab, sizeof(lab));
				pt_label(lab, sizeof(lab), "target", tb);
				pt_label(lab, sizeof(lab), "type",
				    hd_probe_kind_name(cfg->targets[t].kind));
				pt_label(lab, sizeof(lab), "result", results[r]);
				pt_u64(af, "nat64_healthd_probes_total", lab,
				    r ? v[i].t_fail[t] : v[i].t_ok[t]);
			}
	pt_one(af, "nat64_healthd_selected_prefixes", PT_GAUGE, "Prefixes currently selected.",
	    nsel);
	pt_one(af, "nat64_healthd_apply_runs_total", PT_COUNTER, "COMMAND runs.", st->runs);
	pt_one(af, "nat64_healthd_apply_failures_total", PT_COUNTER, "COMMAND failures.",
	    st->failures);
	pt_one(af, "nat64_healthd_apply_pending", PT_GAUGE, "1 while BIND lags the selection.",
	    st->pending || st->running);
	pt_one(af, "nat64_healthd_applies_total", PT_COUNTER, "Successful COMMAND runs.",
	    st->successes);
	pt_family(af, "nat64_healthd_last_apply_success_timestamp_seconds", PT_GAUGE,
	    "End of the last successful COMMAND run (0: none yet).");
	pt_double(af, "nat64_healthd_last_apply_success_timestamp_seconds", NULL,
	    (double)st->last_ok_wall.tv_sec + (double)(st->last_ok_wall.tv_nsec / 1000000) / 1000.0,
	    3);
	if (vf) {
		pt_family(af, "nat64_healthd_dns64_served_matches", PT_GAUGE, "1 if the resolver's "
		    "ipv4only.arpa AAAA answer shows exactly the selected prefixes, 0 if not, "
		    "-1 if unknown.");
		pt_int(af, "nat64_healthd_dns64_served_matches", NULL, vf->matches);
	}
	return afile_commit(af, err, errlen);
}

int
hd_status_write(const struct hd_core *c, const struct hd_apply *ap, const struct hd_verify *vf,
    const char *state_path, const char *prom_path, const struct clk_now *now, char *err,
    size_t errlen)
{
	struct hd_apply_stats st;

	hd_apply_stats(ap, &st);
	if (state_path && hd_status_state(c, &st, vf, state_path, now, err, errlen) == -1)
		return -1;
	if (prom_path && hd_status_prom(c, &st, vf, prom_path, err, errlen) == -1)
		return -1;
	return 0;
}

/* A value as JSON: numbers as they are, the rest as strings (status
 * tokens never hold quotes, backslashes or control characters). */
static void
hd_json_value(const char *v, size_t n)
{
	size_t i = 0, int_digits = 0, frac_digits = 0;
	bool num;

	if (i < n && v[i] == '-')
		i++;
	while (i < n && v[i] >= '0' && v[i] <= '9') {
		i++;
		int_digits++;
	}
	if (i < n && v[i] == '.') {
		for (i++; i < n && v[i] >= '0' && v[i] <= '9'; i++)
			frac_digits++;
		num = frac_digits > 0;
	} else
		num = true;
	num = num && i == n && int_digits > 0 &&
	    !(int_digits > 1 && v[v[0] == '-'] == '0');	/* JSON: no leading zeros */
	if (num)
		printf("%.*s", (int)n, v);
	else
		printf("\"%.*s\"", (int)n, v);
}

/* "k v k v ..." as "k":v,... (first: no comma before the first). */
static void
hd_json_pairs(const char *p, const char *end, bool first)
{
	while (p < end) {
		const char *k = p, *ke, *val, *ve;

		while (k < end && *k == ' ')
			k++;
		for (ke = k; ke < end && *ke != ' '; ke++)
			;
		for (val = ke; val < end && *val == ' '; val++)
			;
		for (ve = val; ve < end && *ve != ' '; ve++)
			;
		if (ke == k)
			break;
		printf("%s\"%.*s\":", first ? "" : ",", (int)(ke - k), k);
		hd_json_value(val, (size_t)(ve - val));
		first = false;
		p = ve;
	}
}

static void
hd_status_json(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	bool firstp = true;

	printf("{");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		const char *sp = memchr(p, ' ', (size_t)(le - p));

		if (sp && (size_t)(sp - p) == 4 && memcmp(p, "time", 4) == 0)
			printf("\"time\":\"%.*s\",", (int)(le - sp - 1), sp + 1);
		else if (sp && (size_t)(sp - p) == 6 && memcmp(p, "prefix", 6) == 0) {
			const char *pe = memchr(sp + 1, ' ', (size_t)(le - sp - 1));

			if (pe == NULL)
				pe = le;
			printf("%s\"%.*s\":{", firstp ? "\"prefixes\":{" : ",", (int)(pe - sp - 1),
			    sp + 1);
			hd_json_pairs(pe, le, true);
			printf("}");
			firstp = false;
		} else if (sp) {
			if (!firstp) {
				printf("},");
				firstp = true;
			}
			const char *w = sp + 1, *we;

			printf("\"%.*s\":", (int)(sp - p), p);
			if ((size_t)(sp - p) == 5 && memcmp(p, "apply", 5) == 0) {
				/* "apply WORD k v ...": the word is its state */
				we = memchr(w, ' ', (size_t)(le - w));
				we = we ? we : le;
				printf("{\"state\":\"%.*s\"", (int)(we - w), w);
				hd_json_pairs(we, le, false);
			} else {
				printf("{");
				hd_json_pairs(w, le, true);
			}
			printf("},");
		}
		p = le + 1;
	}
	printf("%s\"version\":1}\n", firstp ? "" : "},");
}

int
hd_status_print(const char *state_path, int json, char *err, size_t errlen)
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
	if (json)
		hd_status_json((const char *)text + m + 1, len - m - 1);
	else
		fwrite(text + m + 1, 1, len - m - 1, stdout);
	free(text);
	return 0;
}
