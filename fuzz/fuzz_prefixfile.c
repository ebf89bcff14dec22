// FUZZ-SOURCES: healthd/prefixfile.c healthd/dnsmsg.c healthd/persist.c healthd/strv.c update-dns64/render.c lib/addr.c lib/atomicfile.c lib/buf.c lib/xalloc.c lib/rdfile.c
/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* libFuzzer target: the prefix file parser (healthd/prefixfile.c), the
 * old-include scanner and the clients ACL check of update-dns64
 * (update-dns64/render.c), the DNS probe's reply check and the served-set
 * check's AAAA reader (healthd/dnsmsg.c) and the selection file parser
 * (healthd/persist.c), all fed the same bytes. Never
 * crash; an error is a terminated "prefixes:LINE: ..." string; a file that
 * parses has only valid, distinct RFC 6052 prefixes, and printing them and
 * parsing again gives the same list. Seeds: fuzz/corpus/prefixfile/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "hd_dnsmsg.h"
#include "hd_persist.h"
#include "hd_prefixfile.h"
#include "ud_render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The query ID a reply must carry: its first two octets, so that the
 * fuzzer can reach the records. */
static uint16_t
be_id(const uint8_t *d, size_t n)
{
	return n >= 2 ? (uint16_t)(d[0] << 8 | d[1]) : 0;
}

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hd_pflist l, l2;
	struct ud_prefix old[UD_MAX_PREFIXES];
	char err[512], b[HD_PF_STRLEN];
	uint8_t q[64];
	size_t i, j, n, off = 0;
	char *text;
	int ql;

	err[0] = '\0';
	if (hd_pf_parse("prefixes", (const char *)data, size, &l, err, sizeof(err)) == -1) {
		CHECK(strncmp(err, "prefixes", 8) == 0);
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	} else {
		CHECK(l.n >= 1 && l.n <= HD_PF_MAX);
		text = malloc(l.n * HD_PF_STRLEN + 1);
		for (i = 0; i < l.n; i++) {
			CHECK(addr_rfc6052_check(l.v[i].a, l.v[i].len) == NULL);
			for (j = 0; j < i; j++)
				CHECK(!hd_pf_equal(&l.v[i], &l.v[j]));
			off += (size_t)sprintf(text + off, "%s\n", hd_pf_fmt(&l.v[i], b, sizeof(b)));
		}
		CHECK(hd_pf_parse("again", text, off, &l2, err, sizeof(err)) == 0);
		CHECK(l2.n == l.n);
		for (i = 0; i < l.n; i++)
			CHECK(hd_pf_equal(&l.v[i], &l2.v[i]));
		hd_pf_free(&l2);
		hd_pf_free(&l);
		free(text);
	}
	n = ud_old_prefixes((const char *)data, size, old, UD_MAX_PREFIXES);
	CHECK(n <= UD_MAX_PREFIXES);
	for (i = 0; i < n; i++)
		CHECK(addr_rfc6052_check(old[i].a, old[i].len) == NULL);
	ql = hd_dns_build(q, sizeof(q), 0x4242, "probe.example.test", HD_DNS_QTYPE_A);
	CHECK(ql > 12);
	(void)hd_dns_is_reply(data, size, q, (size_t)ql);
	{
		uint8_t aaaa[8][16];
		size_t na = 99;
		struct hd_saved sv;
		char acl[1100], norm[1200];
		int rc;

		ql = hd_dns_build(q, sizeof(q), be_id(data, size), "ipv4only.arpa",
		    HD_DNS_QTYPE_AAAA);
		CHECK(ql > 12);
		rc = hd_dns_aaaa(data, size, q, (size_t)ql, aaaa, 8, &na);
		CHECK(rc >= -1 && rc <= 15 && na <= 8);
		if (hd_persist_parse("sel", (const char *)data, size, &sv, err, sizeof(err)) == 0) {
			for (i = 0; i < sv.want.n; i++)
				CHECK(strlen(sv.want.v[i]) < HD_PF_STRLEN);
			hd_saved_free(&sv);
		} else
			CHECK(strncmp(err, "sel", 3) == 0);
		snprintf(acl, sizeof(acl), "%.*s", (int)(size < 1000 ? size : 1000),
		    (const char *)data);
		if (ud_check_clients(acl, norm, sizeof(norm), err, sizeof(err)) == 0)
			CHECK(strpbrk(norm, "{}\"'#") == NULL);
	}
	return 0;
}
