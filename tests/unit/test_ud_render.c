/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Unit tests for update-dns64/render.c: update-dns64's file contents for
 * BIND, Unbound, PowerDNS Recursor; validation; drained prefixes kept for
 * reverse DNS; the clients ACL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ud_render.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind_render),
		cmocka_unit_test(test_bind_drained),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_single_prefix_backends),
		cmocka_unit_test(test_clients_acl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
