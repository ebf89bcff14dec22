/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* render.c — see ud_render.h. */
#include "ud_render.h"
#include "addr.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
ud_eq(const struct ud_prefix *a, const struct ud_prefix *b)
{
	return a->len == b->len && memcmp(a->a, b->a, 16) == 0;
}

int
ud_parse_prefixes(char *const *args, size_t n, const struct ud_opts *o,
    struct ud_prefix *out, size_t *nout, char *err, size_t errlen)
{
	size_t i, j;
	const char *why;
	bool ula;

	if (n == 0) {
		snprintf(err, errlen, "no prefixes: refusing to write an empty set "
		    "(an empty include silently turns DNS64 off)");
		return -1;
	}
	if (n > UD_MAX_PREFIXES) {
		snprintf(err, errlen, "more than %d prefixes", UD_MAX_PREFIXES);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (addr_parse_prefix6(args[i], 96, out[i].a, &out[i].len) == -1) {
			snprintf(err, errlen, "'%s' is not an IPv6 prefix", args[i]);
			return -1;
		}
		if ((why = addr_nat64_scope(out[i].a, out[i].len, &ula)) != NULL ||
		    (why = addr_rfc6052_check(out[i].a, out[i].len)) != NULL) {
			snprintf(err, errlen, "%s: %s", args[i], why);
			return -1;
		}
		if (o->backend == UD_PDNS && out[i].len != 96) {
			snprintf(err, errlen, "%s: PowerDNS Recursor takes a /96 only", args[i]);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (ud_eq(&out[i], &out[j])) {
				snprintf(err, errlen, "%s is given twice (BIND would refuse the "
				    "whole configuration)", args[i]);
				return -1;
			}
	}
	*nout = n;
	return 0;
}

/* "192.0.2.0/24" */
static bool
ud_v4_prefix_ok(const char *s)
{
	char a[20], *end;
	const char *sl = strchr(s, '/');
	uint32_t v4;
	long l;

	if (sl == NULL || (size_t)(sl - s) >= sizeof(a) || sl[1] < '0' || sl[1] > '9')
		return false;
	snprintf(a, sizeof(a), "%.*s", (int)(sl - s), s);
	l = strtol(sl + 1, &end, 10);
	return *end == '\0' && l >= 0 && l <= 32 && addr_parse4(a, &v4) == 0;
}

static bool
ud_acl_name_ok(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return false;
	return i <= 64;
}

int
ud_check_clients(const char *acl, char *norm, size_t normlen, char *err, size_t errlen)
{
	char buf[1024], *tok, *save = NULL;
	size_t off = 0, n = 0, i;

	if (strlen(acl) >= sizeof(buf)) {
		snprintf(err, errlen, "clients ACL too long");
		return -1;
	}
	for (i = 0; acl[i]; i++)
		if (!((acl[i] >= 'a' && acl[i] <= 'z') || (acl[i] >= 'A' && acl[i] <= 'Z') ||
		    (acl[i] >= '0' && acl[i] <= '9') || strchr("_-.:/!; ,\t", acl[i]))) {
			snprintf(err, errlen, "clients ACL: character '%c' is not allowed in a BIND "
			    "address-match list element (elements: any, none, localhost, localnets, "
			    "addresses, prefixes, ACL names, each optionally negated with '!')",
			    acl[i] >= ' ' && acl[i] <= '~' ? acl[i] : '?');
			return -1;
		}
	strcpy(buf, acl);
	norm[0] = '\0';
	for (tok = strtok_r(buf, "; ,\t", &save); tok; tok = strtok_r(NULL, "; ,\t", &save)) {
		const char *e = tok[0] == '!' ? tok + 1 : tok;
		uint8_t a[16];
		uint32_t v4;
		int len, w;

		if (!(addr_parse_prefix6(e, 128, a, &len) == 0 || addr_parse4(e, &v4) == 0 ||
		    (strchr(e, '/') && ud_v4_prefix_ok(e)) || ud_acl_name_ok(e))) {
			snprintf(err, errlen, "clients ACL: '%s' is not an address-match list element",
			    tok);
			return -1;
		}
		w = snprintf(norm + off, normlen - off, "%s%s", n ? "; " : "", tok);
		if (w < 0 || (size_t)w >= normlen - off) {
			snprintf(err, errlen, "clients ACL too long");
			return -1;
		}
		off += (size_t)w;
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "clients ACL is empty (use none to synthesize for nobody)");
		return -1;
	}
	return 0;
}

int
ud_check_exclude(const char *list, char *err, size_t errlen)
{
	char buf[1024], *tok, *save = NULL;
	uint8_t a[16];
	int len;

	if (strlen(list) >= sizeof(buf)) {
		snprintf(err, errlen, "exclude list too long");
		return -1;
	}
	strcpy(buf, list);
	for (tok = strtok_r(buf, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save))
		if (addr_parse_prefix6(tok, 128, a, &len) == -1) {
			snprintf(err, errlen, "exclude: '%s' is not an IPv6 prefix", tok);
			return -1;
		}
	return 0;
}

size_t
ud_old_prefixes(const char *text, size_t len, struct ud_prefix *out, size_t max)
{
	size_t pos = 0, n = 0, i;

	while (pos < len && n < max) {
		const char *nl = memchr(text + pos, '\n', len - pos), *p = text + pos;
		size_t l = nl ? (size_t)(nl - p) : len - pos;
		char tok[64];
		size_t k = 0;

		pos += l + (nl ? 1 : 0);
		while (l && (*p == ' ' || *p == '\t')) {
			p++;
			l--;
		}
		if (l < 7 || memcmp(p, "dns64", 5) != 0 || (p[5] != ' ' && p[5] != '\t'))
			continue;
		p += 6;
		l -= 6;
		while (l && (*p == ' ' || *p == '\t')) {
			p++;
			l--;
		}
		while (l && k + 1 < sizeof(tok) && *p != ' ' && *p != '\t' && *p != '{') {
			tok[k++] = *p++;
			l--;
		}
		tok[k] = '\0';
		if (addr_parse_prefix6(tok, 96, out[n].a, &out[n].len) == -1 ||
		    addr_rfc6052_check(out[n].a, out[n].len) != NULL)
			continue;
		for (i = 0; i < n; i++)
			if (ud_eq(&out[i], &out[n]))
				break;
		if (i == n)
			n++;
	}
	return n;
}

size_t
ud_drained(const struct ud_prefix *old, size_t nold, const struct ud_prefix *act, size_t nact,
    struct ud_prefix *out)
{
	size_t i, j, n = 0;

	for (i = 0; i < nold && n < UD_MAX_DRAINED; i++) {
		for (j = 0; j < nact; j++)
			if (ud_eq(&old[i], &act[j]))
				break;
		if (j == nact)
			out[n++] = old[i];
	}
	return n;
}

struct ud_sb {
	char *p;
	size_t len, cap;
};

static void ud_sb_printf(struct ud_sb *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ud_sb_printf(struct ud_sb *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(sb->p + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < sb->cap - sb->len) {
			sb->len += (size_t)n;
			return;
		}
		sb->cap = sb->cap * 2 + (n > 0 ? (size_t)n : 0);
		sb->p = xreallocarray(sb->p, sb->cap, 1);
	}
}

static void
ud_exclude_clause(struct ud_sb *sb, const char *list)
{
	char buf[1024], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	ud_sb_printf(sb, "\texclude {");
	for (tok = strtok_r(buf, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save))
		ud_sb_printf(sb, " %s;", tok);
	ud_sb_printf(sb, " };\n");
}

char *
ud_render(const struct ud_opts *o, const struct ud_prefix *act, size_t nact,
    const struct ud_prefix *drained, size_t ndrained)
{
	struct ud_sb sb = { xmalloc(512), 0, 512 };
	char a[ADDR_STRLEN];
	size_t i;

	sb.p[0] = '\0';
	switch (o->backend) {
	case UD_UNBOUND:
		ud_sb_printf(&sb, "# Written by update-dns64; changes are overwritten.\n"
		    "# Unbound takes one DNS64 prefix; module-config must include dns64.\n"
		    "server:\n\tdns64-prefix: %s/%d\n", addr_fmt6(act[0].a, a, sizeof(a)),
		    act[0].len);
		return sb.p;
	case UD_PDNS:
		ud_sb_printf(&sb, "# Written by update-dns64; changes are overwritten.\n"
		    "# PowerDNS Recursor takes one DNS64 prefix (/96).\n"
		    "dns64-prefix=%s/%d\n", addr_fmt6(act[0].a, a, sizeof(a)), act[0].len);
		return sb.p;
	default:
		break;
	}
	ud_sb_printf(&sb, "# Written by update-dns64; changes are overwritten.\n"
	    "# Included inside options { } of named.conf.\n");
	for (i = 0; i < nact; i++) {
		ud_sb_printf(&sb, "dns64 %s/%d {\n\tclients { %s; };\n",
		    addr_fmt6(act[i].a, a, sizeof(a)), act[i].len, o->clients);
		if (o->exclude && o->exclude[0])
			ud_exclude_clause(&sb, o->exclude);
		ud_sb_printf(&sb, "};\n");
	}
	if (o->keep_reverse)
		for (i = 0; i < ndrained; i++)
			ud_sb_printf(&sb, "# drained: synthesizes nothing, keeps its ip6.arpa zone\n"
			    "dns64 %s/%d {\n\tclients { none; };\n};\n",
			    addr_fmt6(drained[i].a, a, sizeof(a)), drained[i].len);
	return sb.p;
}
