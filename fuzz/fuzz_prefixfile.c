// FUZZ-SOURCES: healthd/prefixfile.c healthd/dnsmsg.c update-dns64/render.c lib/addr.c lib/atomicfile.c lib/buf.c lib/xalloc.c lib/rdfile.c
/* libFuzzer target: the prefix file parser (healthd/prefixfile.c), the
 * old-include scanner of update-dns64 (update-dns64/render.c) and the DNS
 * probe's reply check (healthd/dnsmsg.c), all fed the same bytes. Never
 * crash; an error is a terminated "prefixes:LINE: ..." string; a file that
 * parses has only valid, distinct RFC 6052 prefixes, and printing them and
 * parsing again gives the same list. Seeds: fuzz/corpus/prefixfile/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "dnsmsg.h"
#include "prefixfile.h"
#include "render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	return 0;
}
