/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hd_prefixfile.h — the NAT64 prefix file: one RFC 6052 prefix per line.
 *
 *	# comment (also after a prefix)
 *	64:ff9b::		(no length: /96)
 *	2001:db8:64:1::/96
 *
 * Global unicast, 64:ff9b::/96 or ULA (addr_nat64_scope()), lengths
 * 32/40/48/56/64/96, bits 64..71 zero, host bits zero, no
 * duplicates, at most HD_PF_MAX prefixes. Errors are "file:line: why".
 * Library-style: never logs, fills err.
 */
#ifndef HD_PREFIXFILE_H
#define HD_PREFIXFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HD_PF_MAX	1024
#define HD_PF_MAXFILE	(256 * 1024)
#define HD_PF_STRLEN	48	/* "xxxx:...:xxxx/96" */

struct hd_prefix {
	uint8_t a[16];
	int len;
	unsigned line;		/* line in the file, for messages */
	bool ula;		/* fc00::/7: allowed, worth a warning */
};

struct hd_pflist {
	struct hd_prefix *v;
	size_t n;
};

int  hd_pf_parse(const char *name, const char *text, size_t len, struct hd_pflist *out,
    char *err, size_t errlen);
int  hd_pf_load(const char *path, struct hd_pflist *out, char *err, size_t errlen);
void hd_pf_free(struct hd_pflist *l);
/* "2001:db8:64:1::/96" */
char *hd_pf_fmt(const struct hd_prefix *p, char *buf, size_t len);
int  hd_pf_equal(const struct hd_prefix *a, const struct hd_prefix *b);

#endif
