/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ctl_cmd.c — see ctl_cmd.h. */
#include "ctl_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
ctl_opt_allowed(const char *opts, const char *key)
{
	size_t n = strlen(key);
	const char *p = opts;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == opts || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

int
ctl_run(const struct ctl_command *tab, size_t n, void *arg, const char *line, size_t len,
    struct ctl_out *o, struct ctl_cursor *cur, const struct clk_now *now)
{
	const struct ctl_command *c = NULL;
	struct ctl_req r;
	char err[160];
	size_t i;
	int k;

	memset(cur, 0, sizeof(*cur));
	if (ctl_parse_request(line, len, &r, err, sizeof(err)) == -1) {
		ctl_put_error(o, "%s", err);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (strcmp(tab[i].name, r.cmd) == 0)
			c = &tab[i];
	if (c == NULL) {
		ctl_put_error(o, "unknown command '%s' (try help)", r.cmd);
		return -1;
	}
	if (r.npos < c->min_pos || r.npos > c->max_pos) {
		ctl_put_error(o, "usage: %s", c->usage);
		return -1;
	}
	for (k = 0; k < r.nopt; k++)
		if (!ctl_opt_allowed(c->opts, r.key[k])) {
			ctl_put_error(o, "%s takes no option '%s'; usage: %s", c->name, r.key[k], c->usage);
			return -1;
		}
	memcpy(cur->line, line, len);	/* len < CTL_LINE_MAX: the parser checked */
	cur->len = len;
	c->fn(arg, &r, o, cur, now);
	return 0;
}

void
ctl_help(const struct ctl_command *tab, size_t n, struct ctl_out *o)
{
	size_t i;

	ctl_put_cols(o, "command:s usage:s");
	for (i = 0; i < n; i++) {
		const char *v[2] = { tab[i].name, tab[i].usage };

		ctl_put_row(o, v, 2);
	}
	ctl_put_end(o, n);
}

int
ctl_opt_uint(const struct ctl_req *r, const char *key, unsigned def, unsigned max, unsigned *v,
    struct ctl_out *o)
{
	const char *s = ctl_opt(r, key);
	char *end;
	unsigned long n;

	*v = def;
	if (s == NULL)
		return 0;
	n = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || n == 0 || n > max) {
		ctl_put_error(o, "%s '%s': a number 1..%u", key, s, max);
		return -1;
	}
	*v = (unsigned)n;
	return 0;
}
