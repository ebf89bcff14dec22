// FUZZ-SOURCES: lib/conf.c lib/addr.c lib/atomicfile.c lib/xalloc.c lib/rdfile.c
/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* libFuzzer target: lib/conf.c, the option table parser. The input is a
 * configuration text for a table with an entry of every type (bool,
 * integer, duration with a unit, size, IPv4 and IPv6 address, prefix,
 * path, text, user, group, enum, list; "none" for empty). Never crash; an error message is a
 * terminated string starting with the file name; a text that parses,
 * printed back by conf_print and parsed again, prints the same.
 * Seeds: fuzz/corpus/conf/ (fuzz/make-wire-seeds.py). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

struct dummy {
	uint16_t port;
	bool flag, noflag;
	uint64_t interval_ms;
	uint32_t margin_us;
	uint64_t bytes;
	uint32_t v4;
	uint8_t v6[16];
	struct conf_prefix6 pfx;
	char path[64], name[64], user[32], sock[32], group[32];
	int colour;
	uint32_t list[4];
	int nlist;
};

static int
parse_elem(void *elem, const char *v, char *err, size_t errlen)
{
	uint64_t x;

	if (conf_uint(v, 0, 1000, &x, err, errlen) == -1)
		return -1;
	*(uint32_t *)elem = (uint32_t)x;
	return 0;
}

static const char *
fmt_elem(const void *elem, char *buf, size_t len)
{
	snprintf(buf, len, "%u", *(const uint32_t *)elem);
	return buf;
}

static const struct conf_enum colours[] = { { "red", 1 }, { "blue", 2 }, { "azure", 2 }, { NULL, 0 } };

#define F(f) CONF_FIELD(struct dummy, f)
static const struct conf_opt opts[] = {
	{ "port", 0, CONF_UINT, F(port), .min = 1, .max = 65535, .def = "6464" },
	{ "flag", 0, CONF_BOOL, F(flag) },
	{ "no-flag", 0, CONF_BOOL, F(noflag), .flags = CONF_NEGATE, .def = "no" },
	{ "interval", 0, CONF_DURATION, F(interval_ms), .min = 1, .max = 7ull * 86400 * 1000, .def = "5s" },
	{ "margin", 0, CONF_DURATION, F(margin_us), .unit_us = 1, .max = 60000 },
	{ "bytes", 0, CONF_SIZE, F(bytes), .max = 1ull << 40 },
	{ "v4", 0, CONF_ADDR4, F(v4) },
	{ "v6", 0, CONF_ADDR6, F(v6) },
	{ "pfx", 0, CONF_PREFIX6, F(pfx), .min = 32, .max = 96, .def = "64:ff9b::" },
	{ "path", 0, CONF_PATH, F(path), .flags = CONF_EMPTY },
	{ "name", 0, CONF_STRING, F(name), .flags = CONF_OMIT_EMPTY },
	{ "user", 0, CONF_USER, F(user), .flags = CONF_EMPTY },
	{ "sock", 0, CONF_PATH, F(sock), .flags = CONF_NONE },
	{ "group", 0, CONF_GROUP, F(group), .flags = CONF_OMIT_EMPTY },
	{ "colour", 0, CONF_ENUM, F(colour), .enums = colours, .def = "red" },
	{ "item", 0, CONF_LIST, CONF_LIST_FIELD(struct dummy, list, nlist), .parse = parse_elem,
	  .fmt = fmt_elem },
	{ NULL }
};
static const struct conf_table table = { .prog = "fuzz", .cfg_size = sizeof(struct dummy),
	.opts = opts };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[8192], again[8192];
	struct dummy a, b;
	char err[256], err2[256];
	FILE *f;
	int rc;

	conf_defaults(&table, &a);
	memset(err, 0x55, sizeof(err));
	rc = conf_parse_text(&table, "fuzz.conf", (const char *)data, size, &a, err, sizeof(err));
	CHECK(rc == 0 || rc == -1);
	if (rc == -1) {
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		CHECK(strncmp(err, "fuzz.conf:", 10) == 0);
		return 0;
	}
	f = fmemopen(text, sizeof(text), "w");
	CHECK(f != NULL);
	conf_print(&table, &a, f);
	CHECK(fclose(f) == 0);
	conf_defaults(&table, &b);
	rc = conf_parse_text(&table, "normalised", text, strlen(text), &b, err2, sizeof(err2));
	CHECK(rc == 0);
	f = fmemopen(again, sizeof(again), "w");
	CHECK(f != NULL);
	conf_print(&table, &b, f);
	CHECK(fclose(f) == 0);
	CHECK(strcmp(text, again) == 0);
	return 0;
}
