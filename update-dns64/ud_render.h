/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ud_render.h — update-dns64's pure part: validate the prefix list, find
 * the prefixes an old BIND include named, render the new file for a
 * backend. No I/O; unit-tested in tests/unit/test_ud_render.c. */
#ifndef UD_RENDER_H
#define UD_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UD_MAX_PREFIXES	64
#define UD_MAX_DRAINED	16

enum ud_backend { UD_BIND, UD_UNBOUND, UD_PDNS };

struct ud_prefix {
	uint8_t a[16];
	int len;
};

struct ud_opts {
	enum ud_backend backend;
	const char *clients;		/* BIND ACL for active blocks */
	const char *exclude;		/* BIND exclude list, blank/comma separated */
	bool keep_reverse;		/* BIND: clients { none; } blocks for drained */
};

/* Parse and validate argv-style prefixes (RFC 6052, no duplicates, not
 * empty, /96 only for PowerDNS). 0, or -1 with a reason. */
int ud_parse_prefixes(char *const *args, size_t n, const struct ud_opts *o,
    struct ud_prefix *out, size_t *nout, char *err, size_t errlen);
/* Validate the clients ACL as a BIND address-match list: elements
 * separated by ';', ',' or blanks, each an optional '!' and then any,
 * none, localhost, localnets, an IPv4 or IPv6 address or prefix, or an
 * ACL name (letters, digits, '_', '-', '.'). Nothing else (braces,
 * quotes, semicolons inside an element) gets through. On success writes
 * the list as "a; b; c" into norm. 0, or -1 with a reason. */
int ud_check_clients(const char *acl, char *norm, size_t normlen, char *err, size_t errlen);
/* Validate the exclude list (IPv6 prefixes); 0 or -1. */
int ud_check_exclude(const char *list, char *err, size_t errlen);
/* Prefixes named by "dns64 P/L {" lines of an old BIND include (ours or
 * hand-written); at most max. */
size_t ud_old_prefixes(const char *text, size_t len, struct ud_prefix *out, size_t max);
/* Render the file; returns a malloc'd NUL-terminated string. `drained`
 * (BIND with keep_reverse only) are kept as non-synthesizing blocks so
 * their automatic ip6.arpa zones survive. */
char *ud_render(const struct ud_opts *o, const struct ud_prefix *act, size_t nact,
    const struct ud_prefix *drained, size_t ndrained);
/* Which of old[] are not in act[] (order kept, at most UD_MAX_DRAINED). */
size_t ud_drained(const struct ud_prefix *old, size_t nold, const struct ud_prefix *act,
    size_t nact, struct ud_prefix *out);

#endif
