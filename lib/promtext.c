/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* promtext.c — see promtext.h. */
#include "promtext.h"

#include <stdio.h>
#include <string.h>

void
pt_family(struct afile *af, const char *name, enum pt_type type, const char *help)
{
	afile_printf(af, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type == PT_COUNTER ? "counter" : "gauge");
}

static void
pt_name(struct afile *af, const char *name, const char *labels)
{
	if (labels && labels[0])
		afile_printf(af, "%s{%s} ", name, labels);
	else
		afile_printf(af, "%s ", name);
}

void
pt_u64(struct afile *af, const char *name, const char *labels, unsigned long long v)
{
	pt_name(af, name, labels);
	afile_printf(af, "%llu\n", v);
}

void
pt_int(struct afile *af, const char *name, const char *labels, long long v)
{
	pt_name(af, name, labels);
	afile_printf(af, "%lld\n", v);
}

void
pt_double(struct afile *af, const char *name, const char *labels, double v, int decimals)
{
	pt_name(af, name, labels);
	afile_printf(af, "%.*f\n", decimals, v);
}

void
pt_one(struct afile *af, const char *name, enum pt_type type, const char *help,
    unsigned long long v)
{
	pt_family(af, name, type, help);
	pt_u64(af, name, NULL, v);
}

void
pt_build_info(struct afile *af, const char *prefix)
{
	char name[128], lab[128] = "";

	snprintf(name, sizeof(name), "%s_build_info", prefix);
	pt_label(lab, sizeof(lab), "version", NK_VERSION);
	pt_family(af, name, PT_GAUGE, "The running version.");
	pt_u64(af, name, lab, 1);
}

bool
pt_label(char *out, size_t len, const char *name, const char *value)
{
	size_t n = strlen(out), start = n, nl = strlen(name);
	const char *v;

	if (n + (n ? 1 : 0) + nl + 4 > len)
		return false;
	if (n)
		out[n++] = ',';
	memcpy(out + n, name, nl);
	n += nl;
	out[n++] = '=';
	out[n++] = '"';
	for (v = value; *v; v++) {
		const char *esc = *v == '\\' ? "\\\\" : *v == '"' ? "\\\"" : *v == '\n' ? "\\n" : NULL;
		size_t el = esc ? 2 : 1;

		if (n + el + 2 > len) {
			out[start] = '\0';
			return false;
		}
		if (esc)
			memcpy(out + n, esc, 2);
		else
			out[n] = *v;
		n += el;
	}
	out[n++] = '"';
	out[n] = '\0';
	return true;
}
