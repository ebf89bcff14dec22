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

static int
hd_status_prom(const struct hd_core *c, const struct hd_apply_stats *st,
    const struct hd_verify *vf, const char *path, char *err, size_t errlen)
{
	const struct hd_core_cfg *cfg = hd_core_cfg(c);
	const struct hd_pstate *v;
	struct afile *af;
	size_t n, i, t, nsel = 0;
	char tb[HD_QNAME_MAX + 64], tt[HD_QNAME_MAX + 64];

	v = hd_core_prefixes(c, &n);
	if ((af = afile_begin(path, 0644, err, errlen)) == NULL)
		return -1;
	afile_printf(af, "# HELP nat64_healthd_build_info The running version.\n"
	    "# TYPE nat64_healthd_build_info gauge\nnat64_healthd_build_info{version=\"%s\"} 1\n",
	    NK_VERSION);
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
	afile_printf(af, "# HELP nat64_healthd_prefix_rtt_seconds Median RTT of successful probes "
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
	afile_printf(af, "# HELP nat64_healthd_probes_total Probes by target, probe type and "
	    "result.\n# TYPE nat64_healthd_probes_total counter\n");
	for (i = 0; i < n; i++)
		for (t = 0; t < cfg->ntargets; t++) {
			hd_target_fmt(&cfg->targets[t], tt, sizeof(tt));
			hd_token(tt, tb, sizeof(tb));
			afile_printf(af, "nat64_healthd_probes_total{prefix=\"%s\",target=\"%s\","
			    "type=\"%s\",result=\"ok\"} %llu\n"
			    "nat64_healthd_probes_total{prefix=\"%s\",target=\"%s\",type=\"%s\","
			    "result=\"fail\"} %llu\n", v[i].text, tb,
			    hd_probe_kind_name(cfg->targets[t].kind),
			    (unsigned long long)v[i].t_ok[t], v[i].text, tb,
			    hd_probe_kind_name(cfg->targets[t].kind),
			    (unsigned long long)v[i].t_fail[t]);
		}
	afile_printf(af, "# HELP nat64_healthd_selected_prefixes Prefixes currently selected.\n"
	    "# TYPE nat64_healthd_selected_prefixes gauge\nnat64_healthd_selected_prefixes %zu\n",
	    nsel);
	afile_printf(af, "# HELP nat64_healthd_apply_runs_total COMMAND runs.\n"
	    "# TYPE nat64_healthd_apply_runs_total counter\nnat64_healthd_apply_runs_total %llu\n"
	    "# HELP nat64_healthd_apply_failures_total COMMAND failures.\n"
	    "# TYPE nat64_healthd_apply_failures_total counter\n"
	    "nat64_healthd_apply_failures_total %llu\n"
	    "# HELP nat64_healthd_apply_pending 1 while BIND lags the selection.\n"
	    "# TYPE nat64_healthd_apply_pending gauge\nnat64_healthd_apply_pending %d\n"
	    "# HELP nat64_healthd_applies_total Successful COMMAND runs.\n"
	    "# TYPE nat64_healthd_applies_total counter\nnat64_healthd_applies_total %llu\n"
	    "# HELP nat64_healthd_last_apply_success_timestamp_seconds End of the last "
	    "successful COMMAND run (0: none yet).\n"
	    "# TYPE nat64_healthd_last_apply_success_timestamp_seconds gauge\n"
	    "nat64_healthd_last_apply_success_timestamp_seconds %lld.%03ld\n",
	    (unsigned long long)st->runs, (unsigned long long)st->failures,
	    st->pending || st->running, (unsigned long long)st->successes,
	    (long long)st->last_ok_wall.tv_sec, st->last_ok_wall.tv_nsec / 1000000);
	if (vf)
		afile_printf(af, "# HELP nat64_healthd_dns64_served_matches 1 if the resolver's "
		    "ipv4only.arpa AAAA answer shows exactly the selected prefixes, 0 if not, "
		    "-1 if unknown.\n# TYPE nat64_healthd_dns64_served_matches gauge\n"
		    "nat64_healthd_dns64_served_matches %d\n", vf->matches);
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
