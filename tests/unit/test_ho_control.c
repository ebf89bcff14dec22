/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_ho_control.c — nat64-handoffd's control socket commands
 * (handoffd/control.c through hctl_dispatch, lib/ctl_wire.c's request
 * parser) over a real channel registry, and the audit formats: the text
 * lines unchanged, the JSON objects with every documented field (read
 * back by nat64-handoffctl's parser). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "atomicfile.h"
#include "ho_audit.h"
#include "hc_auditlog.h"
#include "ho_channel.h"
#include "ho_control.h"
#include "ctl_wire.h"
#include "ho_server.h"
#include "ho_validate.h"

#define SRV_A	0xc0000202u	/* 192.0.2.2 */
#define SRV_B	0xc0000204u	/* 192.0.2.4 */
#define NAT	0xc6336401u	/* 198.51.100.1 */

static const uint8_t pfx[12] = { 0x00, 0x64, 0xff, 0x9b };

struct fx {
	char dir[64];
	struct srv_ctx s;
	struct ctl_server *cs;
	struct clk_now now;
	struct ctl_out o;
};

static void
client_addr(uint8_t c[16], int i)
{
	memset(c, 0, 16);
	c[0] = 0x20, c[1] = 0x01, c[2] = 0x0d, c[3] = 0xb8, c[15] = (uint8_t)i;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];
	struct chan *ch;
	uint8_t c[16];
	bool created;
	int i;

	snprintf(f->dir, sizeof(f->dir), "/tmp/nk-ctl-XXXXXX");
	if (mkdtemp(f->dir) == NULL || audit_open(f->dir, 0, err, sizeof(err)) == -1)
		return -1;
	f->now = clk_fake(1000, 1552903588);	/* 2019-03-18 10:06:28 UTC */
	f->s.reg = chan_reg_create(f->dir, 64, 8, NULL, NULL, err, sizeof(err));
	f->s.vs = val_create(8);
	for (i = 0; i < 10; i++) {	/* 10 entries on A, 2 on B */
		ch = chan_get_or_create(f->s.reg, i < 8 ? SRV_A : SRV_B, NAT, &f->now);
		client_addr(c, i < 8 ? i : 100 + i);
		if (chan_map_client(f->s.reg, ch, pfx, c, (uint16_t)(40000 + i), NULL, 0,
		    (uint16_t)(2000 + i), NULL, 0, &f->now, &created) == 0)
			return -1;
	}
	f->cs = hctl_create_detached();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	ctl_out_free(&f->o);
	hctl_close(f->cs);
	chan_reg_destroy(f->s.reg, &f->now);
	val_destroy(f->s.vs);
	audit_close();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* The answer to one request, NUL-terminated. */
static const char *
ask(struct fx *f, const char *req)
{
	ctl_out_free(&f->o);
	ctl_out_init(&f->o, CTL_OUT_MAX);
	hctl_dispatch(f->cs, &f->s, req, strlen(req), &f->o, &f->now);
	ctl_put_raw(&f->o, "", 1);
	return f->o.p;
}

static int
count_rows(const char *a)
{
	int n = strncmp(a, "row ", 4) == 0;

	for (; (a = strstr(a, "\nrow ")) != NULL; a += 5)
		n++;
	return n;
}

static void
test_parse_request(void **state)
{
	struct ctl_req r;
	char err[160], big[600];

	(void)state;
	assert_int_equal(ctl_parse_request("lookup  1.2.3.4:5\tserver=9.9.9.9\r", 33, &r, err,
	    sizeof(err)), 0);
	assert_string_equal(r.cmd, "lookup");
	assert_int_equal(r.npos, 1);
	assert_string_equal(r.pos[0], "1.2.3.4:5");
	assert_string_equal(ctl_opt(&r, "server"), "9.9.9.9");
	assert_null(ctl_opt(&r, "limit"));
	assert_int_equal(ctl_parse_request("", 0, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "empty command");
	assert_int_equal(ctl_parse_request("a x=1 x=2", 9, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "option 'x' given twice");
	assert_int_equal(ctl_parse_request("a =1", 4, &r, err, sizeof(err)), -1);
	assert_int_equal(ctl_parse_request("a\x80", 2, &r, err, sizeof(err)), -1);
	assert_int_equal(ctl_parse_request("a 1 2 3 4 5 6 7 8 9", 19, &r, err, sizeof(err)), -1);
	memset(big, 'a', sizeof(big));
	assert_int_equal(ctl_parse_request(big, sizeof(big), &r, err, sizeof(err)), -1);
	assert_int_equal(ctl_parse_request(big, CTL_WORD_MAX, &r, err, sizeof(err)), -1);	/* one word too long */
}

static void
test_lookup(void **state)
{
	struct fx *f = *state;
	const char *a;

	a = ask(f, "lookup 198.51.100.1:2003");
	assert_non_null(strstr(a, "cols nat64:s port:n client:s client_port:n prefix:s server:s last_used:s\n"));
	assert_non_null(strstr(a, "row 198.51.100.1\t2003\t2001:db8::3\t40003\t64:ff9b::/96\t192.0.2.2\t"
	    "2019-03-18T10:06:28Z\nend 1\n"));
	a = ask(f, "lookup 198.51.100.1:2003 server=192.0.2.4");
	assert_non_null(strstr(a, "\nend 0\n"));
	a = ask(f, "lookup 198.51.100.1:2008");	/* on B */
	assert_non_null(strstr(a, "\t192.0.2.4\t"));
	a = ask(f, "lookup 198.51.100.1");
	assert_string_equal(a, "error '198.51.100.1' is not IPV4:PORT\n");
	a = ask(f, "lookup 198.51.100.1:1 server=x");
	assert_string_equal(a, "error server 'x' is not an IPv4 address\n");
}

static void
test_lookup_client(void **state)
{
	struct fx *f = *state;
	const char *a;

	a = ask(f, "lookup-client 2001:db8::3");
	assert_int_equal(count_rows(a), 1);
	a = ask(f, "lookup-client 2001:db8::/125");
	assert_int_equal(count_rows(a), 8);	/* ::0 .. ::7, not B's ::6c, ::6d */
	a = ask(f, "lookup-client 2001:db8::/32");
	assert_int_equal(count_rows(a), 10);
	a = ask(f, "lookup-client 2001:db8::/32 limit=4");
	assert_int_equal(count_rows(a), 4);
	assert_non_null(strstr(a, "note stopped at limit=4"));
	a = ask(f, "lookup-client 2001:db9::/32");
	assert_int_equal(count_rows(a), 0);
	a = ask(f, "lookup-client nonsense");
	assert_non_null(strstr(a, "error "));
}

/* Paging: every entry exactly once, in (server, port) order. */
static void
test_show_pages(void **state)
{
	struct fx *f = *state;
	char req[128], cursor[64] = "";
	int total = 0, pages = 0;
	const char *a, *m;

	for (;;) {
		snprintf(req, sizeof(req), "show 198.51.100.1 limit=3%s%s", cursor[0] ? " after=" : "",
		    cursor);
		a = ask(f, req);
		total += count_rows(a);
		pages++;
		if ((m = strstr(a, "\nmore ")) == NULL)
			break;
		snprintf(cursor, sizeof(cursor), "%.*s", (int)strcspn(m + 6, "\n"), m + 6);
		assert_true(pages < 10);
	}
	assert_int_equal(total, 10);
	assert_int_equal(pages, 4);
	a = ask(f, "show 198.51.100.1 server=192.0.2.4");
	assert_int_equal(count_rows(a), 2);
	a = ask(f, "show 198.51.100.1 limit=3 after=192.0.2.2:2002");
	assert_non_null(strstr(a, "row 198.51.100.1\t2003\t"));
	a = ask(f, "show 203.0.113.1");
	assert_string_equal(a, "error no channel for NAT64 203.0.113.1\n");
	a = ask(f, "show 198.51.100.1 limit=5001");
	assert_non_null(strstr(a, "error limit '5001'"));
}

static void
test_channels_stats_help(void **state)
{
	struct fx *f = *state;
	const char *a;

	a = ask(f, "channels");
	assert_int_equal(count_rows(a), 2);
	assert_non_null(strstr(a, "row 198.51.100.1\t192.0.2.2\tyes\t8\t64\t8\t"));
	a = ask(f, "stats");
	assert_non_null(strstr(a, "row control_commands\t2\n"));
	assert_non_null(strstr(a, "row channels\t2\n"));
	a = ask(f, "help");
	assert_int_equal(count_rows(a), 9);
	a = ask(f, "nonsense");
	assert_string_equal(a, "error unknown command 'nonsense' (try help)\n");
	a = ask(f, "stats extra");
	assert_non_null(strstr(a, "error usage: stats"));
	a = ask(f, "stats");
	assert_non_null(strstr(a, "row control_errors\t2\n"));
}

/* The text lines are the original server's, byte for byte; the JSON
 * objects carry the documented fields and read back. */
static void
test_audit_formats(void **state)
{
	struct fx *f = *state;
	struct clk_now t = clk_fake(2000, 1552903588);
	unsigned char *text;
	size_t len;
	char path[128];
	uint8_t c[16];
	struct al_event e;
	const char *p;

	(void)state;
	t.wall.tv_nsec = 491727000;
	client_addr(c, 0x17);
	audit_flush();
	snprintf(path, sizeof(path), "%s/%s", f->dir, AUDIT_FILE);
	if (truncate(path, 0) != 0)
		fail();
	audit_set_json(0);
	audit_initialized(&t, SRV_A, NAT);
	audit_created(&t, SRV_A, NAT, 3719, pfx, c, 53186, AUDIT_MAPPED);
	audit_deleted(&t, SRV_A, NAT, 3719, pfx, c, 53186, AUDIT_EVICTED);
	audit_set_json(1);
	audit_initialized(&t, SRV_A, NAT);
	audit_created(&t, SRV_A, NAT, 3719, pfx, c, 53186, AUDIT_ADOPTED);
	audit_deleted(&t, SRV_B, NAT, 3719, pfx, c, 53186, AUDIT_REPLACED);
	audit_deleted(&t, SRV_B, NAT, 3720, pfx, c, 53186, AUDIT_MOVED);
	audit_set_json(0);
	audit_flush();
	assert_int_equal(afile_slurp(path, 1 << 20, &text, &len), 0);
	assert_string_equal((char *)text,
	    "2019-03-18 10:06:28.491727 Initialized 198.51.100.1\n"
	    "2019-03-18 10:06:28.491727 Created 198.51.100.1:3719 [2001:db8::17]:53186\n"
	    "2019-03-18 10:06:28.491727 Deleted 198.51.100.1:3719 [2001:db8::17]:53186\n"
	    "{\"time\":\"2019-03-18T10:06:28.491727+00:00\",\"event\":\"initialized\",\"nat64\":\"198.51.100.1\","
	    "\"server\":\"192.0.2.2\"}\n"
	    "{\"time\":\"2019-03-18T10:06:28.491727+00:00\",\"event\":\"created\",\"nat64\":\"198.51.100.1\","
	    "\"nat64_port\":3719,\"client\":\"2001:db8::17\",\"client_port\":53186,\"prefix\":\"64:ff9b::/96\","
	    "\"server\":\"192.0.2.2\",\"how\":\"adopted\"}\n"
	    "{\"time\":\"2019-03-18T10:06:28.491727+00:00\",\"event\":\"deleted\",\"nat64\":\"198.51.100.1\","
	    "\"nat64_port\":3719,\"client\":\"2001:db8::17\",\"client_port\":53186,\"prefix\":\"64:ff9b::/96\","
	    "\"server\":\"192.0.2.4\",\"reason\":\"replaced\"}\n"
	    "{\"time\":\"2019-03-18T10:06:28.491727+00:00\",\"event\":\"deleted\",\"nat64\":\"198.51.100.1\","
	    "\"nat64_port\":3720,\"client\":\"2001:db8::17\",\"client_port\":53186,\"prefix\":\"64:ff9b::/96\","
	    "\"server\":\"192.0.2.4\",\"reason\":\"moved\"}\n");
	/* the reader of nat64-handoffctl understands both */
	p = strstr((char *)text, "{\"time\":\"2019-03-18T10:06:28.491727+00:00\",\"event\":\"deleted\"");
	assert_int_equal(al_parse_line(p, strcspn(p, "\n"), false, &e), 1);
	assert_int_equal(e.type, AL_DELETED);
	assert_int_equal(e.t_us, 1552903588491727LL);
	assert_true(e.has_server && e.server == SRV_B && e.has_prefix);
	assert_int_equal(e.detail, AL_D_REPLACED);
	assert_int_equal(e.port, 3719);
	assert_int_equal(e.client_port, 53186);
	assert_memory_equal(e.client, c, 16);
	p = strstr((char *)text, "Created");
	assert_int_equal(al_parse_line(p - 27, strcspn(p - 27, "\n"), false, &e), 1);
	assert_int_equal(e.t_us, 1552903588491727LL);
	assert_false(e.has_server);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_request),
		cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_show_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_channels_stats_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_formats, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
