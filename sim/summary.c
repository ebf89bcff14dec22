/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* summary.c — the counters every run reports, the machine-readable
 * summary line, and --expect assertions over them.
 */
#include "sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const sim_counter_names[SIM_C__COUNT] = {
#define SIM_CNAME(n) #n,
	SIM_COUNTERS(SIM_CNAME)
#undef SIM_CNAME
};

int
sim_expect_parse(const char *s, struct sim_expect *out, char *err, size_t errlen)
{
	static const struct { const char *op; enum sim_cmp cmp; } ops[] = {
		{ ">=", SIM_GE }, { "<=", SIM_LE }, { "==", SIM_EQ }, { "=", SIM_EQ },
		{ ">", SIM_GT }, { "<", SIM_LT },
	};
	size_t klen = strcspn(s, "=<>"), i;
	const char *v = NULL;
	char *end;
	int c;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strncmp(s + klen, ops[i].op, strlen(ops[i].op)) == 0) {
			out->cmp = ops[i].cmp;
			v = s + klen + strlen(ops[i].op);
			break;
		}
	}
	if (v == NULL || klen == 0) {
		snprintf(err, errlen, "expectation \"%s\": want COUNTER(=|>=|<=|>|<)N", s);
		return -1;
	}
	for (c = 0; c < SIM_C__COUNT; c++)
		if (strlen(sim_counter_names[c]) == klen && strncmp(s, sim_counter_names[c], klen) == 0)
			break;
	if (c == SIM_C__COUNT) {
		snprintf(err, errlen, "expectation \"%s\": unknown counter", s);
		return -1;
	}
	errno = 0;
	out->v = strtoull(v, &end, 10);
	if (*v == '\0' || *v == '-' || *end != '\0' || errno != 0) {
		snprintf(err, errlen, "expectation \"%s\": bad number", s);
		return -1;
	}
	out->c = (enum sim_counter)c;
	return 0;
}

static bool
sim_cmp_ok(uint64_t a, enum sim_cmp cmp, uint64_t b)
{
	switch (cmp) {
	case SIM_EQ: return a == b;
	case SIM_GE: return a >= b;
	case SIM_LE: return a <= b;
	case SIM_GT: return a > b;
	case SIM_LT: return a < b;
	}
	return false;
}

static const char *
sim_cmp_str(enum sim_cmp cmp)
{
	static const char *const s[] = { "=", ">=", "<=", ">", "<" };

	return s[cmp];
}

int
sim_expect_eval(const struct sim_counters *k, const struct sim_expect *e, int n, FILE *f)
{
	bool named_bad = false, named_timeouts = false;
	int i, fails = 0;

	for (i = 0; i < n; i++) {
		named_bad |= e[i].c == SIM_C_bad;
		named_timeouts |= e[i].c == SIM_C_timeouts;
		if (!sim_cmp_ok(k->c[e[i].c], e[i].cmp, e[i].v)) {
			fails++;
			if (f != NULL)
				fprintf(f, "EXPECT FAILED %s%s%llu (got %llu)\n",
				    sim_counter_names[e[i].c], sim_cmp_str(e[i].cmp),
				    (unsigned long long)e[i].v,
				    (unsigned long long)k->c[e[i].c]);
		}
	}
	if (!named_bad && k->c[SIM_C_bad] != 0) {
		fails++;
		if (f != NULL)
			fprintf(f, "EXPECT FAILED bad=0 (got %llu)\n",
			    (unsigned long long)k->c[SIM_C_bad]);
	}
	if (!named_timeouts && k->c[SIM_C_timeouts] != 0) {
		fails++;
		if (f != NULL)
			fprintf(f, "EXPECT FAILED timeouts=0 (got %llu)\n",
			    (unsigned long long)k->c[SIM_C_timeouts]);
	}
	return fails;
}

void
sim_summary_line(const struct sim_counters *k, char *buf, size_t len)
{
	size_t off;
	int i, n;

	n = snprintf(buf, len, "SUMMARY");
	off = n > 0 ? (size_t)n : 0;
	for (i = 0; i < SIM_C__COUNT && off < len; i++) {
		n = snprintf(buf + off, len - off, " %s=%llu", sim_counter_names[i],
		    (unsigned long long)k->c[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}
