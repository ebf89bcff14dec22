/* Unit tests for update-dns64/render.c (update-dns64's file contents for
 * BIND, Unbound, PowerDNS Recursor; validation; drained prefixes kept for
 * reverse DNS; the clients ACL) and healthd/dnsmsg.c (the DNS probe's
 * query and reply check, the served-set check's AAAA reader). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dnsmsg.h"
#include "render.h"

static const struct ud_opts BIND = { UD_BIND, "any", "0::/3 4000::/2 8000::/1 2001:db8::/32",
	true };

static void
test_bind_render(void **state)
{
	char *args[] = { "2001:db8:64:1::", "2001:db8:64:2::/96", "2001:db8:100::/40" };
	struct ud_prefix p[UD_MAX_PREFIXES];
	size_t n;
	char err[256], *t;

	(void)state;
	assert_int_equal(ud_parse_prefixes(args, 3, &BIND, p, &n, err, sizeof(err)), 0);
	t = ud_render(&BIND, p, n, NULL, 0);
	assert_string_equal(t,
	    "# Written by update-dns64; changes are overwritten.\n"
	    "# Included inside options { } of named.conf.\n"
	    "dns64 2001:db8:64:1::/96 {\n\tclients { any; };\n"
	    "\texclude { 0::/3; 4000::/2; 8000::/1; 2001:db8::/32; };\n};\n"
	    "dns64 2001:db8:64:2::/96 {\n\tclients { any; };\n"
	    "\texclude { 0::/3; 4000::/2; 8000::/1; 2001:db8::/32; };\n};\n"
	    "dns64 2001:db8:100::/40 {\n\tclients { any; };\n"
	    "\texclude { 0::/3; 4000::/2; 8000::/1; 2001:db8::/32; };\n};\n");
	free(t);
}

static void
test_bind_drained(void **state)
{
	const char *old =
	    "# hand-written\n"
	    "dns64 2001:db8:64:1::/96 { clients { any; }; };\n"
	    "  dns64\t2001:db8:64:2::/96 {\n\tclients { any; };\n};\n"
	    "dns64 2001:db8:64:3::/96{clients{none;};};\n"
	    "dns64 bogus/96 { };\n"
	    "dns64 2001:db8:64:1::/96 { };\n"
	    "dns64-server \"x\";\n";
	char *args[] = { "2001:db8:64:2::" };
	struct ud_prefix o[8], a[4], d[UD_MAX_DRAINED];
	struct ud_opts noexcl = BIND;
	size_t no, na, nd;
	char err[256], *t;

	(void)state;
	no = ud_old_prefixes(old, strlen(old), o, 8);
	assert_int_equal(no, 3);
	assert_int_equal(ud_parse_prefixes(args, 1, &BIND, a, &na, err, sizeof(err)), 0);
	nd = ud_drained(o, no, a, na, d);
	assert_int_equal(nd, 2);
	noexcl.exclude = "";
	t = ud_render(&noexcl, a, na, d, nd);
	assert_string_equal(t,
	    "# Written by update-dns64; changes are overwritten.\n"
	    "# Included inside options { } of named.conf.\n"
	    "dns64 2001:db8:64:2::/96 {\n\tclients { any; };\n};\n"
	    "# drained: synthesizes nothing, keeps its ip6.arpa zone\n"
	    "dns64 2001:db8:64:1::/96 {\n\tclients { none; };\n};\n"
	    "# drained: synthesizes nothing, keeps its ip6.arpa zone\n"
	    "dns64 2001:db8:64:3::/96 {\n\tclients { none; };\n};\n");
	free(t);
	/* --no-keep-reverse: drained blocks are not written */
	noexcl.keep_reverse = false;
	t = ud_render(&noexcl, a, na, d, nd);
	assert_null(strstr(t, "none"));
	free(t);
}

static void
test_validation(void **state)
{
	struct ud_prefix p[UD_MAX_PREFIXES];
	struct ud_opts pdns = { UD_PDNS, "any", "", false };
	size_t n;
	char err[256];
	char *dup[] = { "64:ff9b::", "64:ff9b::/96" };
	char *bits[] = { "2001:db8:1:2:ff00::/64" };
	char *len[] = { "2001:db8::/80" };
	char *junk[] = { "example.com" };
	char *p40[] = { "2001:db8:100::/40" };

	(void)state;
	assert_int_equal(ud_parse_prefixes(NULL, 0, &BIND, p, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "refusing to write an empty set"));
	assert_int_equal(ud_parse_prefixes(dup, 2, &BIND, p, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "64:ff9b::/96 is given twice"));
	assert_int_equal(ud_parse_prefixes(bits, 1, &BIND, p, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bits 64 to 71"));
	assert_int_equal(ud_parse_prefixes(len, 1, &BIND, p, &n, err, sizeof(err)), -1);
	assert_int_equal(ud_parse_prefixes(junk, 1, &BIND, p, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'example.com' is not an IPv6 prefix"));
	assert_int_equal(ud_parse_prefixes(p40, 1, &pdns, p, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/96 only"));
	assert_int_equal(ud_check_exclude("0::/3, 4000::/2 2001:db8::/32", err, sizeof(err)), 0);
	assert_int_equal(ud_check_exclude("0::/3 nope", err, sizeof(err)), -1);
}

static void
test_single_prefix_backends(void **state)
{
	char *args[] = { "2001:db8:64:2::", "2001:db8:64:1::" };
	struct ud_opts u = { UD_UNBOUND, "any", "", true }, d = { UD_PDNS, "any", "", true };
	struct ud_prefix p[4];
	size_t n;
	char err[256], *t;

	(void)state;
	assert_int_equal(ud_parse_prefixes(args, 2, &u, p, &n, err, sizeof(err)), 0);
	t = ud_render(&u, p, n, NULL, 0);
	assert_string_equal(t, "# Written by update-dns64; changes are overwritten.\n"
	    "# Unbound takes one DNS64 prefix; module-config must include dns64.\n"
	    "server:\n\tdns64-prefix: 2001:db8:64:2::/96\n");
	free(t);
	t = ud_render(&d, p, n, NULL, 0);
	assert_string_equal(t, "# Written by update-dns64; changes are overwritten.\n"
	    "# PowerDNS Recursor takes one DNS64 prefix (/96).\n"
	    "dns64-prefix=2001:db8:64:2::/96\n");
	free(t);
}

static void
test_dnsmsg(void **state)
{
	uint8_t q[300], r[300];
	int ql;

	(void)state;
	ql = hd_dns_build(q, sizeof(q), 0x1234, "Example.Test", HD_DNS_QTYPE_A);
	assert_int_equal(ql, 12 + 14 + 4);
	assert_memory_equal(q + 12, "\x07" "Example" "\x04" "Test" "\x00\x00\x01\x00\x01", 18);
	memcpy(r, q, (size_t)ql);
	r[2] |= 0x80;		/* QR */
	r[3] = 0x03;		/* NXDOMAIN: still proves the path */
	assert_int_equal(hd_dns_is_reply(r, (size_t)ql, q, (size_t)ql), 0);
	r[13] = 'e';		/* 0x20 case change in the echoed name */
	assert_int_equal(hd_dns_is_reply(r, (size_t)ql, q, (size_t)ql), 0);
	assert_int_equal(hd_dns_is_reply(r, (size_t)ql - 1, q, (size_t)ql), -1);	/* short */
	assert_int_equal(hd_dns_is_reply(r, 11, q, (size_t)ql), -1);
	r[1] ^= 1;		/* other id */
	assert_int_equal(hd_dns_is_reply(r, (size_t)ql, q, (size_t)ql), -1);
	r[1] ^= 1;
	r[2] &= 0x7f;		/* a query, not a reply */
	assert_int_equal(hd_dns_is_reply(r, (size_t)ql, q, (size_t)ql), -1);
	r[2] |= 0x80;
	r[13] = 'x';		/* other name */
	assert_int_equal(hd_dns_is_reply(r, (size_t)ql, q, (size_t)ql), -1);
	assert_int_equal(hd_dns_build(q, sizeof(q), 1, ".", 1), 17);
	assert_int_equal(hd_dns_build(q, 16, 1, ".", 1), -1);
	assert_int_equal(hd_dns_build(q, sizeof(q), 1, "a..b", 1), -1);
}

static void
test_clients_acl(void **state)
{
	char norm[256], err[256];

	(void)state;
	assert_int_equal(ud_check_clients("any", norm, sizeof(norm), err, sizeof(err)), 0);
	assert_string_equal(norm, "any");
	assert_int_equal(ud_check_clients(" localnets; !192.0.2.0/24,2001:db8::/32 my-acl ;", norm,
	    sizeof(norm), err, sizeof(err)), 0);
	assert_string_equal(norm, "localnets; !192.0.2.0/24; 2001:db8::/32; my-acl");
	/* what would get out of the clients { } block */
	assert_int_equal(ud_check_clients("}; allow-recursion { any; };", norm, sizeof(norm), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "'}' is not allowed"));
	assert_int_equal(ud_check_clients("any; \"x\"", norm, sizeof(norm), err, sizeof(err)), -1);
	assert_int_equal(ud_check_clients("any # comment", norm, sizeof(norm), err, sizeof(err)), -1);
	assert_int_equal(ud_check_clients("192.0.2.0/33", norm, sizeof(norm), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'192.0.2.0/33' is not an address-match list element"));
	assert_int_equal(ud_check_clients("!!any", norm, sizeof(norm), err, sizeof(err)), -1);
	assert_int_equal(ud_check_clients(" ; ", norm, sizeof(norm), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
}

/* hd_dns_aaaa(): the served-set check's reader, on a reply built by hand
 * (compressed names, an A and two AAAA records) and truncated copies. */
static void
test_dns_aaaa(void **state)
{
	uint8_t q[64], r[256], out[4][16];
	size_t n, k;
	int ql, rl, i;
	static const uint8_t a1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x64, 0, 1, 0, 0, 0, 0, 0xc0, 0,
		0, 0xaa };

	(void)state;
	ql = hd_dns_build(q, sizeof(q), 0x1234, "ipv4only.arpa", HD_DNS_QTYPE_AAAA);
	assert_true(ql > 12);
	memcpy(r, q, (size_t)ql);
	r[2] = 0x81;	/* QR RD */
	r[3] = 0x80;	/* RA, NOERROR */
	r[7] = 3;	/* ANCOUNT */
	rl = ql;
	for (i = 0; i < 3; i++) {
		static const uint8_t hdr_aaaa[] = { 0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16 };
		static const uint8_t hdr_a[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4 };

		if (i == 1) {
			memcpy(r + rl, hdr_a, sizeof(hdr_a));
			rl += (int)sizeof(hdr_a);
			memcpy(r + rl, "\xc0\x00\x00\xaa", 4);
			rl += 4;
			continue;
		}
		memcpy(r + rl, hdr_aaaa, sizeof(hdr_aaaa));
		rl += (int)sizeof(hdr_aaaa);
		memcpy(r + rl, a1, 16);
		r[rl + 15] = (uint8_t)(0xaa + i / 2);
		rl += 16;
	}
	assert_int_equal(hd_dns_aaaa(r, (size_t)rl, q, (size_t)ql, out, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(out[0], a1, 16);
	assert_int_equal(out[1][15], 0xab);
	/* at most max */
	assert_int_equal(hd_dns_aaaa(r, (size_t)rl, q, (size_t)ql, out, 1, &n), 0);
	assert_int_equal(n, 1);
	/* every truncation is refused, never read past */
	for (k = (size_t)ql; k < (size_t)rl; k++)
		assert_int_equal(hd_dns_aaaa(r, k, q, (size_t)ql, out, 4, &n), -1);
	/* SERVFAIL: the rcode, no records */
	r[3] = 0x82;
	r[7] = 0;
	assert_int_equal(hd_dns_aaaa(r, (size_t)ql, q, (size_t)ql, out, 4, &n), 2);
	assert_int_equal(n, 0);
	/* another ID: not ours */
	r[1] ^= 1;
	assert_int_equal(hd_dns_aaaa(r, (size_t)ql, q, (size_t)ql, out, 4, &n), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind_render),
		cmocka_unit_test(test_bind_drained),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_single_prefix_backends),
		cmocka_unit_test(test_dnsmsg),
		cmocka_unit_test(test_clients_acl),
		cmocka_unit_test(test_dns_aaaa),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
