/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* conf.c — see conf.h. */
#include "conf.h"
#include "addr.h"
#include "rdfile.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

#ifndef NK_VERSION
#define NK_VERSION "unknown"
#endif

#define CONF_MAX_FILE	(1024 * 1024)
#define CONF_MAX_LINE	1024
#define CONF_HELP_COL	26
#define CONF_HELP_WIDTH	79

/* ---------------------------------------------------------------- values */

int
conf_uint(const char *value, uint64_t min, uint64_t max, uint64_t *out,
    char *err, size_t errlen)
{
	unsigned long long v;
	char *end;

	if (value[0] < '0' || value[0] > '9') {
		snprintf(err, errlen, "'%s' is not a number", value);
		return -1;
	}
	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno == ERANGE && *end == '\0') {
		snprintf(err, errlen, "'%s' is out of range (max %llu)", value,
		    (unsigned long long)max);
		return -1;
	}
	if (errno || *end != '\0') {
		snprintf(err, errlen, "'%s' is not a number", value);
		return -1;
	}
	if (v < min || v > max) {
		snprintf(err, errlen, "%llu is out of range %llu..%llu", v,
		    (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

int
conf_bool(const char *value, int *out, char *err, size_t errlen)
{
	if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "on") || !strcmp(value, "1"))
		*out = 1;
	else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "off") || !strcmp(value, "0"))
		*out = 0;
	else {
		snprintf(err, errlen, "'%s' is not yes/no", value);
		return -1;
	}
	return 0;
}

/* A number with a unit suffix from units (NULL-terminated, "" = the
 * default unit); what is the noun in messages. */
static int
conf_scaled(const char *value, const char *const *units, const uint64_t *mult,
    uint64_t min, uint64_t max, const char *what, const char *unitlist, uint64_t *out,
    char *err, size_t errlen)
{
	unsigned long long v;
	char *end;
	int i;

	if (value[0] < '0' || value[0] > '9') {
		snprintf(err, errlen, "'%s' is not a %s", value, what);
		return -1;
	}
	errno = 0;
	v = strtoull(value, &end, 10);
	for (i = 0; units[i] && strcmp(end, units[i]) != 0; i++)
		;
	if (units[i] == NULL) {
		snprintf(err, errlen, "'%s': unknown unit (use %s)", value, unitlist);
		return -1;
	}
	if (errno == ERANGE)
		return -3;
	if (errno) {
		snprintf(err, errlen, "'%s' is not a %s", value, what);
		return -1;
	}
	if (v > max / mult[i] || v * mult[i] < min || v * mult[i] > max)
		return -2;
	*out = v * mult[i];
	return 0;
}

int
conf_duration_ms(const char *value, uint64_t min_ms, uint64_t max_ms,
    uint64_t *out, char *err, size_t errlen)
{
	static const char *const units[] = { "ms", "", "s", "m", "h", "d", NULL };
	static const uint64_t mult[] = { 1, 1000, 1000, 60000, 3600000, 86400000 };
	int rc = conf_scaled(value, units, mult, min_ms, max_ms, "duration", "ms, s, m, h or d",
	    out, err, errlen);

	if (rc == -2)
		snprintf(err, errlen, "'%s' is out of range %llums..%llums", value,
		    (unsigned long long)min_ms, (unsigned long long)max_ms);
	else if (rc == -3)
		snprintf(err, errlen, "'%s' is out of range (max %llums)", value,
		    (unsigned long long)max_ms);
	return rc == 0 ? 0 : -1;
}

int
conf_size(const char *value, uint64_t min, uint64_t max, uint64_t *out,
    char *err, size_t errlen)
{
	static const char *const units[] = { "", "k", "M", "G", NULL };
	static const uint64_t mult[] = { 1, 1024, 1024 * 1024, 1024 * 1024 * 1024 };
	int rc = conf_scaled(value, units, mult, min, max, "size", "k, M or G", out, err, errlen);

	if (rc == -2)
		snprintf(err, errlen, "'%s' is out of range %llu..%llu bytes", value,
		    (unsigned long long)min, (unsigned long long)max);
	else if (rc == -3)
		snprintf(err, errlen, "'%s' is out of range (max %llu bytes)", value,
		    (unsigned long long)max);
	return rc == 0 ? 0 : -1;
}

int
conf_path(const char *value, char *dst, size_t dstlen, bool allow_empty, char *err,
    size_t errlen)
{
	size_t n = strlen(value);

	if (n == 0 && allow_empty) {
		dst[0] = '\0';
		return 0;
	}
	if (n == 0 || value[0] != '/' || n >= dstlen) {
		snprintf(err, errlen, "'%s' must be an absolute path shorter than %zu", value, dstlen);
		return -1;
	}
	memcpy(dst, value, n + 1);
	while (n > 1 && dst[n - 1] == '/')
		dst[--n] = '\0';
	if (dst[n - 1] == ' ' || dst[n - 1] == '\t' || dst[n - 1] == '\r') {
		/* it would not read back in from -n's output */
		snprintf(err, errlen, "'%s': a path may not end in a blank", value);
		return -1;
	}
	return 0;
}

static int
conf_name(const char *v, const char *what, char *dst, size_t dstlen, bool allow_empty,
    char *err, size_t errlen)
{
	size_t n = strlen(v), i;

	if (n >= dstlen || (n == 0 && !allow_empty)) {
		snprintf(err, errlen, "%s name %s", what, n ? "too long" : "empty");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
		    (v[i] >= '0' && v[i] <= '9') || v[i] == '_' || v[i] == '-' || v[i] == '.')) {
			snprintf(err, errlen, "'%s' is not a %s name", v, what);
			return -1;
		}
	memcpy(dst, v, n + 1);
	return 0;
}

/* ---------------------------------------------------------------- fields */

static void
conf_store(void *p, size_t size, uint64_t v)
{
	switch (size) {
	case 1: *(uint8_t *)p = (uint8_t)v; break;
	case 2: *(uint16_t *)p = (uint16_t)v; break;
	case 4: *(uint32_t *)p = (uint32_t)v; break;
	case 8: *(uint64_t *)p = v; break;
	default: assert(!"integer field of an odd size");
	}
}

static uint64_t
conf_load(const void *p, size_t size)
{
	switch (size) {
	case 1: return *(const uint8_t *)p;
	case 2: return *(const uint16_t *)p;
	case 4: return *(const uint32_t *)p;
	case 8: return *(const uint64_t *)p;
	default: assert(!"integer field of an odd size");
	}
	return 0;
}

static bool
conf_is_key(const struct conf_opt *o)
{
	return !(o->flags & CONF_CLI) && o->type != CONF_CONFIG && o->type != CONF_HELP &&
	    o->type != CONF_VERSION && o->type != CONF_HEADING;
}

static unsigned
conf_unit(const struct conf_opt *o)
{
	return o->unit_us ? o->unit_us : 1000;
}

static const char *
conf_enum_names(const struct conf_opt *o, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; o->enums[i].name && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", o->enums[i].name);
	return buf;
}

/* A value of a config key holds no control character: a newline would
 * end its line in a file (and in -n's output), and none has a meaning in
 * a setting. */
static int
conf_text_ok(const char *v, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; v[i]; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
			snprintf(err, errlen, "control character 0x%02x in the value",
			    (unsigned char)v[i]);
			return -1;
		}
	return 0;
}

/* A value of a config key given on the command line of a program that
 * reads a config file must read back in from -n's output as itself: no
 * '#' (it would start a comment), no blank at either end (it would be
 * trimmed). A file's lines never hold such a value; a program without a
 * config file prints none, so its values may hold both. */
static int
conf_text_readback(const char *v, char *err, size_t errlen)
{
	size_t n = strlen(v);

	if (strchr(v, '#')) {
		snprintf(err, errlen, "'%s': '#' is not allowed in a value (it starts a comment)", v);
		return -1;
	}
	if (n && (v[0] == ' ' || v[n - 1] == ' ')) {
		snprintf(err, errlen, "'%s': a value may not begin or end with a blank", v);
		return -1;
	}
	return 0;
}

/* One value into the entry's field(s) of base. */
static int
conf_apply(const struct conf_opt *o, void *base, const char *v, char *err, size_t errlen)
{
	char *p = (char *)base + o->off, names[256];
	uint64_t x;
	int b, i, rc = 0;

	err[0] = '\0';
	if (!(o->flags & CONF_CLI) && conf_text_ok(v, err, errlen) == -1)
		return -1;
	if ((o->flags & CONF_NONE) && strcmp(v, "none") == 0)
		v = "";
	switch (o->type) {
	case CONF_BOOL:
		if ((rc = conf_bool(v[0] ? v : "yes", &b, err, errlen)) == 0)
			conf_store(p, o->size, (o->flags & CONF_NEGATE) ? !b : b);
		break;
	case CONF_UINT:
		if ((rc = conf_uint(v, o->min, o->max, &x, err, errlen)) == 0)
			conf_store(p, o->size, x);
		break;
	case CONF_DURATION:
		if ((rc = conf_duration_ms(v, o->min, o->max, &x, err, errlen)) == 0)
			conf_store(p, o->size, x * 1000 / conf_unit(o));
		break;
	case CONF_SIZE:
		if ((rc = conf_size(v, o->min, o->max, &x, err, errlen)) == 0)
			conf_store(p, o->size, x);
		break;
	case CONF_ADDR4:
		if ((rc = addr_parse4(v, (uint32_t *)p)) == -1)
			snprintf(err, errlen, "'%s' is not an IPv4 address", v);
		break;
	case CONF_ADDR6:
		if ((rc = addr_parse6(v, (uint8_t *)p)) == -1)
			snprintf(err, errlen, "'%s' is not an IPv6 address", v);
		break;
	case CONF_PREFIX6: {
		struct conf_prefix6 px;

		if (addr_parse_prefix6(v, (int)o->max, px.addr, &px.len) == -1) {
			snprintf(err, errlen, "'%s' is not an IPv6 prefix", v);
			rc = -1;
		} else if ((uint64_t)px.len < o->min || (uint64_t)px.len > o->max) {
			snprintf(err, errlen, "'%s': the prefix length must be %llu..%llu", v,
			    (unsigned long long)o->min, (unsigned long long)o->max);
			rc = -1;
		} else
			memcpy(p, &px, sizeof(px));
		break;
	}
	case CONF_PATH:
		rc = conf_path(v, p, o->size, o->flags & (CONF_EMPTY | CONF_NONE), err, errlen);
		break;
	case CONF_STRING:
		if ((v[0] == '\0' && !(o->flags & (CONF_EMPTY | CONF_NONE))) || strlen(v) >= o->size) {
			snprintf(err, errlen, "value empty or too long");
			rc = -1;
		} else
			memcpy(p, v, strlen(v) + 1);
		break;
	case CONF_USER:
	case CONF_GROUP:
		rc = conf_name(v, o->type == CONF_USER ? "user" : "group", p, o->size,
		    o->flags & (CONF_EMPTY | CONF_NONE), err, errlen);
		break;
	case CONF_ENUM:
		for (i = 0; o->enums[i].name && strcmp(o->enums[i].name, v) != 0; i++)
			;
		if (o->enums[i].name == NULL) {
			snprintf(err, errlen, "'%s' is not one of %s", v,
			    conf_enum_names(o, names, sizeof(names)));
			rc = -1;
		} else
			*(int *)p = o->enums[i].value;
		break;
	case CONF_LIST: {
		char *cnt = (char *)base + o->cnt_off;
		uint64_t n = conf_load(cnt, o->cnt_size);

		if (n >= o->max) {
			snprintf(err, errlen, "at most %llu allowed", (unsigned long long)o->max);
			rc = -1;
		} else if ((rc = o->parse(p + n * o->esize, v, err, errlen)) == 0)
			conf_store(cnt, o->cnt_size, n + 1);
		break;
	}
	case CONF_CUSTOM:
		rc = o->set(base, v, err, errlen);
		break;
	default:
		snprintf(err, errlen, "not a setting");
		rc = -1;
	}
	if (rc == 0 && o->check)
		rc = o->check(base, v, err, errlen);
	if (rc == 0 && o->seen)
		((char *)base)[o->seen - 1] = 1;
	return rc == 0 ? 0 : -1;
}

/* The value of a (non-list, non-custom) entry as text. */
static const char *
conf_format(const struct conf_opt *o, const void *base, char *buf, size_t len)
{
	const char *p = (const char *)base + o->off;
	int i, v;

	buf[0] = '\0';
	switch (o->type) {
	case CONF_BOOL:
		v = conf_load(p, o->size) != 0;
		snprintf(buf, len, "%s", (v ^ !!(o->flags & CONF_NEGATE)) ? "yes" : "no");
		break;
	case CONF_UINT:
	case CONF_SIZE:
		snprintf(buf, len, "%llu", (unsigned long long)conf_load(p, o->size));
		break;
	case CONF_DURATION:
		snprintf(buf, len, "%llums",
		    (unsigned long long)(conf_load(p, o->size) * conf_unit(o) / 1000));
		break;
	case CONF_ADDR4:
		addr_fmt4(*(const uint32_t *)p, buf, len);
		break;
	case CONF_ADDR6:
		addr_fmt6((const uint8_t *)p, buf, len);
		break;
	case CONF_PREFIX6: {
		const struct conf_prefix6 *px = (const void *)p;
		char a[ADDR_STRLEN];

		snprintf(buf, len, "%s/%d", addr_fmt6(px->addr, a, sizeof(a)), px->len);
		break;
	}
	case CONF_PATH:
	case CONF_STRING:
	case CONF_USER:
	case CONF_GROUP:
		snprintf(buf, len, "%s", p[0] == '\0' && (o->flags & CONF_NONE) ? "none" : p);
		break;
	case CONF_ENUM:
		for (i = 0; o->enums[i].name; i++)
			if (o->enums[i].value == *(const int *)p) {
				snprintf(buf, len, "%s", o->enums[i].name);
				break;
			}
		break;
	default:
		break;
	}
	return buf;
}

static bool
conf_is_empty(const struct conf_opt *o, const void *base)
{
	const char *p = (const char *)base + o->off;
	size_t i;

	if (o->type == CONF_PATH || o->type == CONF_STRING || o->type == CONF_USER ||
	    o->type == CONF_GROUP)
		return p[0] == '\0';
	for (i = 0; i < o->size; i++)
		if (p[i])
			return false;
	return true;
}

/* ---------------------------------------------------------------- files */

static const struct conf_opt *
conf_find(const struct conf_table *t, const char *key)
{
	const struct conf_opt *o;

	for (o = t->opts; o->name; o++)
		if (conf_is_key(o) && strcmp(o->name, key) == 0)
			return o;
	return NULL;
}

void
conf_defaults(const struct conf_table *t, void *cfg)
{
	const struct conf_opt *o;
	char err[256];

	memset(cfg, 0, t->cfg_size);
	for (o = t->opts; o->name; o++) {
		if (!conf_is_key(o) || o->def == NULL)
			continue;
		if (conf_apply(o, cfg, o->def, err, sizeof(err)) == -1)
			assert(!"a default does not parse");
		if (o->seen)
			((char *)cfg)[o->seen - 1] = 0;
	}
}

/* May the key be given more than once (each adds an element)? */
static bool
conf_repeats(const struct conf_opt *o)
{
	return o->type == CONF_LIST || (o->flags & CONF_REPEAT);
}

/* The number of entries in the table (CONF_END included). */
static size_t
conf_nopts(const struct conf_table *t)
{
	size_t n = 0;

	while (t->opts[n].name)
		n++;
	assert(n < CONF_MAX_OPTS);
	return n;
}

/* One line's setting; lines[] (by entry) holds the line each key was
 * last set on, so that a scalar key given twice is refused. */
static int
conf_set(const struct conf_table *t, void *cfg, const char *key, const char *value,
    unsigned lineno, unsigned *lines, char *err, size_t errlen)
{
	const struct conf_opt *o = conf_find(t, key);
	char msg[512];

	if (o == NULL) {
		snprintf(err, errlen, "unknown setting '%s'", key);
		return -1;
	}
	if (conf_apply(o, cfg, value, msg, sizeof(msg)) == -1) {
		snprintf(err, errlen, "%s: %s", key, msg[0] ? msg : "invalid value");
		return -1;
	}
	if (!conf_repeats(o) && lines[o - t->opts]) {
		snprintf(err, errlen, "%s: already set on line %u (give it once)", key,
		    lines[o - t->opts]);
		return -1;
	}
	lines[o - t->opts] = lineno;
	return 0;
}

static int
conf_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int
conf_parse_lines(const struct conf_table *t, const char *name, const char *text, size_t len,
    void *cfg, unsigned *lines, char *err, size_t errlen)
{
	size_t pos = 0;
	unsigned lineno = 0;

	memset(lines, 0, CONF_MAX_OPTS * sizeof(*lines));
	(void)conf_nopts(t);
	while (pos < len) {
		char line[CONF_MAX_LINE + 1], msg[600];
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *k, *v, *end;

		lineno++;
		if (n > CONF_MAX_LINE) {
			snprintf(err, errlen, "%s:%u: line longer than %d characters", name, lineno, CONF_MAX_LINE);
			return -1;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		if (memchr(line, '\0', n) != NULL) {
			snprintf(err, errlen, "%s:%u: NUL byte in line", name, lineno);
			return -1;
		}
		if ((k = strchr(line, '#')) != NULL)
			*k = '\0';
		for (k = line; conf_is_blank(*k); k++)
			;
		end = k + strlen(k);
		while (end > k && conf_is_blank(end[-1]))
			*--end = '\0';
		if (*k == '\0')
			continue;
		for (v = k; *v && !conf_is_blank(*v); v++)
			;
		if (*v) {
			*v++ = '\0';
			while (conf_is_blank(*v))
				v++;
		}
		if (conf_set(t, cfg, k, v, lineno, lines, msg, sizeof(msg)) == -1) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno, msg);
			return -1;
		}
	}
	return 0;
}

int
conf_parse_text(const struct conf_table *t, const char *name, const char *text, size_t len,
    void *cfg, char *err, size_t errlen)
{
	unsigned lines[CONF_MAX_OPTS];

	return conf_parse_lines(t, name, text, len, cfg, lines, err, errlen);
}

static int
conf_parse_file_lines(const struct conf_table *t, const char *path, void *cfg,
    unsigned *lines, char *err, size_t errlen)
{
	unsigned char *text;
	size_t len;
	int rc;

	if (rf_slurp(path, 0, CONF_MAX_FILE, &text, &len, err, errlen) == -1)
		return -1;
	rc = conf_parse_lines(t, path, (const char *)text, len, cfg, lines, err, errlen);
	free(text);
	return rc;
}

int
conf_parse_file(const struct conf_table *t, const char *path, void *cfg, char *err,
    size_t errlen)
{
	unsigned lines[CONF_MAX_OPTS];

	return conf_parse_file_lines(t, path, cfg, lines, err, errlen);
}

/* ---------------------------------------------------------------- command line */

static bool
conf_on_cli(const struct conf_opt *o)
{
	return !(o->flags & CONF_NOCLI) && o->type != CONF_HEADING;
}

/* Does the option take no value on the command line? */
static bool
conf_cli_flag(const struct conf_opt *o)
{
	return o->type == CONF_BOOL || o->type == CONF_HELP || o->type == CONF_VERSION ||
	    (o->type == CONF_UINT && (o->flags & CONF_COUNT));
}

static int
conf_cli_one(const struct conf_opt *o, const char *arg, void *run,
    struct conf_cmdline *cl, void *scratch, bool readback, char *err, size_t errlen)
{
	char msg[512];
	int i;

	if (o->type == CONF_CONFIG) {
		cl->config = arg;
		cl->config_given = true;
		return 0;
	}
	if (o->type == CONF_UINT && (o->flags & CONF_COUNT)) {
		char *p = (char *)((o->flags & CONF_CLI) ? run : scratch) + o->off;
		uint64_t v = conf_load(p, o->size);

		if (v < o->max)
			conf_store(p, o->size, v + 1);
		if (o->flags & CONF_CLI)
			return 0;
		for (i = 0; i < cl->n && cl->opt[i] != o; i++)
			;
		if (i == cl->n && cl->n == CONF_MAX_SET)
			goto too_many;
		if (i == cl->n)
			cl->opt[cl->n++] = o;
		snprintf(cl->count[i], sizeof(cl->count[i]), "%llu", (unsigned long long)(v < o->max ? v + 1 : v));
		cl->value[i] = cl->count[i];
		return 0;
	}
	if (arg == NULL)
		arg = "yes";
	if ((readback && !(o->flags & CONF_CLI) && (conf_text_ok(arg, msg, sizeof(msg)) == -1 ||
	    conf_text_readback(arg, msg, sizeof(msg)) == -1)) ||
	    conf_apply(o, (o->flags & CONF_CLI) ? run : scratch, arg, msg, sizeof(msg)) == -1) {
		snprintf(err, errlen, "--%s: %s", o->name, msg[0] ? msg : "invalid value");
		return -1;
	}
	if (o->flags & CONF_CLI)
		return 0;
	if (cl->n == CONF_MAX_SET)
		goto too_many;
	cl->opt[cl->n] = o;
	cl->value[cl->n++] = arg;
	return 0;
too_many:
	snprintf(err, errlen, "more than %d settings on the command line", CONF_MAX_SET);
	return -1;
}

int
conf_cmdline(const struct conf_table *t, void *run, struct conf_cmdline *cl, int argc,
    char **argv, FILE *out, char *err, size_t errlen)
{
	const struct conf_opt *o;
	struct option *lo;
	char shorts[128], msg[512];
	size_t n = 0, ns = 0, i;
	void *scratch;
	int c, rc = 0;
	bool readback = t->config != NULL;	/* a config file: -n prints one */

	memset(cl, 0, sizeof(*cl));
	(void)conf_nopts(t);
	cl->config = t->config;
	for (o = t->opts; o->name; o++) {
		n++;
		readback |= o->type == CONF_CONFIG;
		if (!(o->flags & CONF_CLI) || o->def == NULL)
			continue;
		if (conf_apply(o, run, o->def, msg, sizeof(msg)) == -1)
			assert(!"a default does not parse");
		if (o->seen)
			((char *)run)[o->seen - 1] = 0;
	}
	lo = xcalloc(n + 1, sizeof(*lo));
	if (t->stop_at_operand)
		shorts[ns++] = '+';
	shorts[ns++] = ':';
	for (i = 0, o = t->opts; o->name; o++, i++) {
		if (!conf_on_cli(o))
			continue;
		lo[i].name = o->name;
		lo[i].has_arg = o->type == CONF_BOOL ? optional_argument :
		    conf_cli_flag(o) ? no_argument : required_argument;
		lo[i].val = 256 + (int)i;
		if (o->shortopt && ns + 3 < sizeof(shorts)) {
			shorts[ns++] = (char)o->shortopt;
			if (!conf_cli_flag(o))
				shorts[ns++] = ':';
		}
	}
	/* getopt_long stops at the first entry without a name: compact */
	for (i = 0, n = 0; t->opts[i].name; i++)
		if (lo[i].name)
			lo[n++] = lo[i];
	memset(&lo[n], 0, sizeof(lo[n]));
	shorts[ns] = '\0';

	scratch = xmalloc(t->cfg_size ? t->cfg_size : 1);
	conf_defaults(t, scratch);
	optind = 0;
	opterr = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		o = NULL;
		if (c >= 256)
			o = &t->opts[c - 256];
		else if (c != '?' && c != ':')
			for (o = t->opts; o->name && !(conf_on_cli(o) && o->shortopt == c); o++)
				;
		if (c == '?' && optopt >= 256 && (size_t)(optopt - 256) < conf_nopts(t)) {
			/* --flag=VALUE for an option that takes none */
			snprintf(err, errlen, "option '--%s' takes no value", t->opts[optopt - 256].name);
			rc = -1;
		} else if (c == '?' || (o && o->name == NULL)) {
			if (optopt && optopt < 256)
				snprintf(err, errlen, "unknown option '-%c'", optopt);
			else
				snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
			rc = -1;
		} else if (c == ':') {
			snprintf(err, errlen, "option '%s' needs a value", argv[optind - 1]);
			rc = -1;
		} else if (o->type == CONF_HELP) {
			conf_usage(t, out);
			rc = 1;
		} else if (o->type == CONF_VERSION) {
			fprintf(out, "%s %s\n", t->prog, NK_VERSION);
			rc = 1;
		} else
			rc = conf_cli_one(o, optarg, run, cl, scratch, readback, err, errlen);
	}
	free(scratch);
	free(lo);
	if (rc != 0)
		return rc;
	cl->first_arg = optind;
	if (t->max_args >= 0 && argc - optind > t->max_args) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind + t->max_args]);
		return -1;
	}
	return 0;
}

int
conf_build(const struct conf_table *t, void *cfg, struct conf_cmdline *cl, char *err,
    size_t errlen)
{
	char msg[512];
	int i, j;

	conf_defaults(t, cfg);
	if (cl == NULL)
		return 0;
	memset(cl->origin, 0, sizeof(cl->origin));
	cl->config_read = cl->config && !(t->config_optional && !cl->config_given &&
	    access(cl->config, F_OK) == -1 && errno == ENOENT);
	if (cl->config_read &&
	    conf_parse_file_lines(t, cl->config, cfg, cl->origin, err, errlen) == -1)
		return -1;
	for (i = 0; i < cl->n; i++) {
		const struct conf_opt *o = cl->opt[i];

		/* a repeatable key on the command line replaces the file's */
		for (j = 0; j < i && cl->opt[j] != o; j++)
			;
		if (j == i && conf_repeats(o) && o->cnt_size)
			conf_store((char *)cfg + o->cnt_off, o->cnt_size, 0);
		if (conf_apply(o, cfg, cl->value[i], msg, sizeof(msg)) == -1) {
			snprintf(err, errlen, "--%s: %s", o->name, msg);
			return -1;
		}
		cl->origin[o - t->opts] = CONF_FROM_CLI;
	}
	return 0;
}

const char *
conf_where(const struct conf_table *t, const struct conf_cmdline *cl, const char *key,
    char *buf, size_t len)
{
	const struct conf_opt *o = key ? conf_find(t, key) : NULL;
	unsigned line = o && cl ? cl->origin[o - t->opts] : 0;

	if (key == NULL)
		snprintf(buf, len, "%s", cl && cl->config_read ? cl->config : t->prog);
	else if (line == CONF_FROM_CLI)
		snprintf(buf, len, "--%s", key);
	else if (line)
		snprintf(buf, len, "%s:%u: %s", cl->config, line, key);
	else if (cl && cl->config_read)
		snprintf(buf, len, "%s: %s", cl->config, key);
	else
		snprintf(buf, len, "%s", key);
	return buf;
}

const char *
conf_blame(const struct conf_table *t, const struct conf_cmdline *cl, const char *a,
    const char *b)
{
	const struct conf_opt *oa = conf_find(t, a), *ob = conf_find(t, b);

	if (cl == NULL || oa == NULL || ob == NULL)
		return a;
	return cl->origin[ob - t->opts] > cl->origin[oa - t->opts] ? b : a;
}

/* ---------------------------------------------------------------- output */

void
conf_print(const struct conf_table *t, const void *cfg, FILE *f)
{
	const struct conf_opt *o;
	char buf[1100];
	uint64_t i, n;

	for (o = t->opts; o->name; o++) {
		if (!conf_is_key(o) || (o->flags & CONF_NOPRINT) || (o->show && !o->show(cfg)))
			continue;
		if ((o->flags & CONF_OMIT_EMPTY) && conf_is_empty(o, cfg))
			continue;
		if (o->print) {
			o->print(o, cfg, f);
		} else if (o->type == CONF_LIST && o->fmt) {
			n = conf_load((const char *)cfg + o->cnt_off, o->cnt_size);
			for (i = 0; i < n; i++)
				fprintf(f, "%s %s\n", o->name, o->fmt((const char *)cfg + o->off +
				    i * o->esize, buf, sizeof(buf)));
		} else if (o->type != CONF_CUSTOM)
			fprintf(f, "%s %s\n", o->name, conf_format(o, cfg, buf, sizeof(buf)));
	}
}

/* Write text from column col, wrapped at CONF_HELP_WIDTH, continuation
 * lines indented to CONF_HELP_COL. */
static void
conf_wrap(FILE *f, size_t col, const char *text)
{
	const char *w = text;
	bool first = true;

	while (*w) {
		size_t len = strcspn(w, " ");

		if (!first && col + 1 + len > CONF_HELP_WIDTH) {
			fprintf(f, "\n%*s", CONF_HELP_COL, "");
			col = CONF_HELP_COL;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		fwrite(w, 1, len, f);
		col += len;
		w += len;
		first = false;
		while (*w == ' ')
			w++;
	}
	fputc('\n', f);
}

void
conf_usage(const struct conf_table *t, FILE *f)
{
	const struct conf_opt *o;
	char left[128], text[1024];
	size_t n;

	fprintf(f, "usage: %s %s\n", t->prog, t->usage);
	if (t->about)
		fprintf(f, "\n%s", t->about);
	fputc('\n', f);
	for (o = t->opts; o->name; o++) {
		if (o->type == CONF_HEADING) {
			fprintf(f, "%s\n", o->help);
			continue;
		}
		if (!conf_on_cli(o))
			continue;
		n = (size_t)snprintf(left, sizeof(left), "  %c%c%s--%s", o->shortopt ? '-' : ' ',
		    o->shortopt ? o->shortopt : ' ', o->shortopt ? ", " : "  ", o->name);
		if (o->type == CONF_BOOL && o->def && strcmp(o->def, "yes") == 0)
			n += (size_t)snprintf(left + n, sizeof(left) - n, "[=no]");
		else if (!conf_cli_flag(o))
			n += (size_t)snprintf(left + n, sizeof(left) - n, " %s", o->arg ? o->arg : "VALUE");
		snprintf(text, sizeof(text), "%s", o->help ? o->help : "");
		if (o->def && o->def[0] && o->type != CONF_BOOL)
			snprintf(text + strlen(text), sizeof(text) - strlen(text), " (default %s)", o->def);
		fputs(left, f);
		if (text[0] == '\0') {
			fputc('\n', f);
			continue;
		}
		if (n < CONF_HELP_COL) {
			fprintf(f, "%*s", (int)(CONF_HELP_COL - n), "");
			n = CONF_HELP_COL;
		} else {
			fputc(' ', f);
			n++;
		}
		conf_wrap(f, n, text);
	}
	if (t->epilog)
		fprintf(f, "\n%s", t->epilog);
}

/* ---------------------------------------------------------------- reload */

void
conf_reload(const struct conf_table *t, const void *running, void *next, char *msg,
    size_t msglen)
{
	const struct conf_opt *o;
	size_t n = 0;

	msg[0] = '\0';
	for (o = t->opts; o->name; o++) {
		const char *a = (const char *)running + o->off;
		char *b = (char *)next + o->off;

		if (!conf_is_key(o) || (o->flags & CONF_RELOAD) || o->size == 0)
			continue;
		if (memcmp(a, b, o->size) == 0 &&
		    (!o->seen || ((const char *)running)[o->seen - 1] == ((char *)next)[o->seen - 1]))
			continue;
		memcpy(b, a, o->size);
		if (o->seen)
			((char *)next)[o->seen - 1] = ((const char *)running)[o->seen - 1];
		if (n < msglen)
			n += (size_t)snprintf(msg + n, msglen - n, "%s%s", n ? ", " : "", o->name);
	}
}

int
conf_ctl_mode(const char *v, unsigned *mode, char *err, size_t errlen)
{
	unsigned long m = 0;
	size_t i, n = strlen(v);

	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '7' || n > 4) {
			snprintf(err, errlen, "'%s' is not an octal mode such as 0660", v);
			return -1;
		}
		m = m * 8 + (unsigned long)(v[i] - '0');
	}
	if (n == 0 || (m & ~0770ul) != 0 || (m & 0600) != 0600) {
		snprintf(err, errlen, "'%s': give the owner rw and no one else more than the group "
		    "(e.g. 0600 or 0660)", v);
		return -1;
	}
	*mode = (unsigned)m;
	return 0;
}
