/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Unit tests for handoffd/ban.c (prefix match, expiry, limits, the
 * quarantine of freed ports, the file's round trip and damage set aside
 * with rf_set_aside) and for what server.c and channel.c do with bans: a
 * banned client's packet is answered with the ICMPv6 error of RFC 4443
 * §3.1 (checked octet by octet), its entries go (Deleted) and their ports
 * are handed to no one until released. No sockets; time is passed in. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <sodium.h>

#include "addr.h"
#include "atomicfile.h"
#include "ho_audit.h"
#include "hc_auditlog.h"
#include "ho_ban.h"
#include "ho_channel.h"
#include "cksum.h"
#include "ho_control.h"
#include "ctl_wire.h"
#include "handoff_wire.h"
#include "ippkt.h"
#include "rdfile.h"
#include "ho_server.h"
#include "ho_validate.h"

#define T0	1764619200	/* 2025-12-01 20:00:00 UTC */
#define SRV	0xc0000201u	/* 192.0.2.1 */
#define NAT	0xc0000207u	/* 192.0.2.7 */
#define NATPORT	40000
#define HPORT	6464

static char dir[64];

static int
setup_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nk-ban-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static struct ban_table *
table(uint32_t max, uint32_t quarantine_s)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, BAN_FILE);
	return ban_create(path, max, quarantine_s);
}

static void
a6(const char *s, uint8_t out[16])
{
	assert_int_equal(addr_parse6(s, out), 0);
}

static bool
banned(const struct ban_table *bt, const char *s, int64_t now)
{
	uint8_t a[16];

	a6(s, a);
	return ban_match(bt, a, now) != NULL;
}

static enum ban_err
add(struct ban_table *bt, const char *s, int len, int64_t until, const char *reason)
{
	uint8_t a[16];
	bool replaced;

	a6(s, a);
	return ban_add(bt, a, len, until, reason, T0, &replaced);
}

static void
test_prefix_match(void **state)
{
	struct ban_table *bt = table(16, 60);
	char buf[64];

	(void)state;
	assert_int_equal(add(bt, "2001:db8:1::2", 128, 0, "one host"), BAN_OK);
	assert_true(banned(bt, "2001:db8:1::2", T0));
	assert_false(banned(bt, "2001:db8:1::3", T0));
	/* /61: the host bits are cleared, the boundary is bit-exact */
	assert_int_equal(add(bt, "2001:db8:2:f::1", 61, 0, ""), BAN_OK);
	assert_string_equal(ban_fmt_prefix(ban_get(bt, 1), buf, sizeof(buf)), "2001:db8:2:8::/61");
	assert_true(banned(bt, "2001:db8:2:8::", T0));
	assert_true(banned(bt, "2001:db8:2:f:ffff:ffff:ffff:ffff", T0));
	assert_false(banned(bt, "2001:db8:2:7:ffff:ffff:ffff:ffff", T0));
	assert_false(banned(bt, "2001:db8:2:10::", T0));
	/* /32 is the widest, /128 the narrowest */
	assert_int_equal(add(bt, "2001:db9::", 32, 0, ""), BAN_OK);
	assert_true(banned(bt, "2001:db9:ffff::1", T0));
	assert_false(banned(bt, "2001:dba::1", T0));
	assert_int_equal(add(bt, "2001:dba::", 31, 0, ""), BAN_E_LEN);
	assert_int_equal(add(bt, "2001:dba::", 129, 0, ""), BAN_E_LEN);
	assert_int_equal(add(bt, "::", 0, 0, ""), BAN_E_LEN);
	/* the same prefix again replaces it */
	assert_int_equal(ban_count(bt), 3);
	assert_int_equal(add(bt, "2001:db8:2:9::", 61, 0, "again"), BAN_OK);
	assert_int_equal(ban_count(bt), 3);
	assert_string_equal(ban_get(bt, 1)->reason, "again");
	/* lifting: the exact prefix only */
	{
		uint8_t a[16];

		a6("2001:db8:1::", a);
		assert_false(ban_remove(bt, a, 64));
		a6("2001:db8:1::2", a);
		assert_true(ban_remove(bt, a, 128));
		assert_false(ban_remove(bt, a, 128));
	}
	assert_false(banned(bt, "2001:db8:1::2", T0));
	/* nested bans: the longest in force answers; an ended one hides
	 * nothing */
	assert_int_equal(add(bt, "2001:db8:5::", 48, 0, "network"), BAN_OK);
	assert_int_equal(add(bt, "2001:db8:5::7", 128, T0 + 10, "host"), BAN_OK);
	{
		uint8_t a[16];

		a6("2001:db8:5::7", a);
		assert_string_equal(ban_match(bt, a, T0)->reason, "host");
		assert_string_equal(ban_match(bt, a, T0 + 10)->reason, "network");
		a6("2001:db8:5::", a);
		assert_true(ban_remove(bt, a, 48));
		a6("2001:db8:5::7", a);
		assert_null(ban_match(bt, a, T0 + 10));
		assert_non_null(ban_match(bt, a, T0));
	}
	ban_destroy(bt);
}

static void
test_expiry(void **state)
{
	struct ban_table *bt = table(16, 60);
	struct ban out[4];

	(void)state;
	assert_int_equal(add(bt, "2001:db8::1", 128, T0 + 10, ""), BAN_OK);
	assert_int_equal(add(bt, "2001:db8::2", 128, 0, ""), BAN_OK);
	assert_int_equal(add(bt, "2001:db8::3", 128, T0, ""), BAN_E_PAST);
	assert_true(banned(bt, "2001:db8::1", T0 + 9));
	assert_false(banned(bt, "2001:db8::1", T0 + 10));	/* ended, even before ban_expire */
	assert_int_equal(ban_expire(bt, T0 + 9, out, 4), 0);
	assert_int_equal(ban_expire(bt, T0 + 10, out, 4), 1);
	assert_int_equal(out[0].until_s, T0 + 10);
	assert_int_equal(out[0].pfx[15], 1);
	assert_int_equal(ban_count(bt), 1);
	/* until lifted: never ends */
	assert_true(banned(bt, "2001:db8::2", INT64_MAX / 4));
	assert_int_equal(ban_expire(bt, INT64_MAX / 4, out, 4), 0);
	ban_destroy(bt);
}

static void
test_limits(void **state)
{
	struct ban_table *bt = table(3, 60);
	char longr[BAN_REASON_MAX + 2];

	(void)state;
	assert_int_equal(add(bt, "2001:db8::1", 128, 0, ""), BAN_OK);
	assert_int_equal(add(bt, "2001:db8::2", 128, 0, ""), BAN_OK);
	assert_int_equal(add(bt, "2001:db8::3", 128, 0, ""), BAN_OK);
	assert_int_equal(add(bt, "2001:db8::4", 128, 0, ""), BAN_E_FULL);
	assert_true(strstr(ban_strerror(BAN_E_FULL), "max-bans") != NULL);
	/* a full table still takes a new end for an existing ban */
	assert_int_equal(add(bt, "2001:db8::3", 128, T0 + 5, "shorter"), BAN_OK);
	/* a smaller max-bans keeps what is there and refuses more */
	ban_set_limits(bt, 1, 60);
	assert_int_equal(ban_count(bt), 3);
	assert_int_equal(add(bt, "2001:db8::5", 128, 0, ""), BAN_E_FULL);
	ban_set_limits(bt, 10, 60);
	memset(longr, 'x', sizeof(longr) - 1);
	longr[sizeof(longr) - 1] = '\0';
	assert_int_equal(add(bt, "2001:db8::6", 128, 0, longr), BAN_E_REASON);
	longr[BAN_REASON_MAX] = '\0';
	assert_int_equal(add(bt, "2001:db8::6", 128, 0, longr), BAN_OK);
	assert_int_equal(add(bt, "2001:db8::7", 128, 0, "a \"quote\""), BAN_E_REASON);
	assert_int_equal(add(bt, "2001:db8::7", 128, 0, "back\\slash"), BAN_E_REASON);
	assert_int_equal(add(bt, "2001:db8::7", 128, 0, "tab\there"), BAN_E_REASON);
	assert_int_equal(add(bt, "2001:db8::7", 128, 0, "caf\xc3\xa9"), BAN_E_REASON);
	ban_destroy(bt);
}

static uint8_t live_map[LIVE_BITMAP_BYTES];

static int
fake_live(void *arg, uint32_t local, uint32_t nat64, uint8_t bitmap[LIVE_BITMAP_BYTES])
{
	(void)arg, (void)local, (void)nat64;
	memcpy(bitmap, live_map, LIVE_BITMAP_BYTES);
	return 0;
}

static void
test_quarantine(void **state)
{
	struct ban_table *bt = table(16, 100);

	(void)state;
	memset(live_map, 0, sizeof(live_map));
	assert_false(ban_quarantined(bt, SRV, NAT, 5000));
	assert_true(ban_quarantine(bt, SRV, NAT, 5000, T0));
	assert_true(ban_quarantine(bt, SRV, NAT, 5001, T0 + 50));
	assert_true(ban_quarantined(bt, SRV, NAT, 5000));
	assert_false(ban_quarantined(bt, SRV, NAT + 1, 5000));	/* per channel */
	assert_false(ban_quarantined(bt, SRV + 1, NAT, 5000));
	assert_false(ban_quarantined(bt, SRV, NAT, 5002));
	assert_int_equal(ban_release(bt, T0 + 99, fake_live, NULL), 0);
	/* 5000's time is up, but a TCP connection still uses it: it waits */
	live_map[5000 / 8] |= (uint8_t)(1 << (5000 % 8));
	assert_int_equal(ban_release(bt, T0 + 100, fake_live, NULL), 0);
	assert_true(ban_quarantined(bt, SRV, NAT, 5000));
	memset(live_map, 0, sizeof(live_map));
	assert_int_equal(ban_release(bt, T0 + 150, fake_live, NULL), 1);	/* 5001 */
	assert_true(ban_quarantined(bt, SRV, NAT, 5000));	/* until T0 + 200 */
	assert_int_equal(ban_release(bt, T0 + 199, fake_live, NULL), 0);
	assert_int_equal(ban_release(bt, T0 + 200, fake_live, NULL), 1);
	assert_int_equal(ban_quarantine_count(bt), 0);
	ban_destroy(bt);
}

/* A quarantine runs on the monotonic clock: a wall clock stepped a day
 * forward releases no port early; one stepped back keeps them longer. */
static void
test_quarantine_clock_jump(void **state)
{
	struct ban_table *bt = table(16, 100);

	(void)state;
	ban_clock(bt, T0, 5000);
	assert_true(ban_quarantine(bt, SRV, NAT, 5000, T0));
	ban_clock(bt, T0 + 1, 6000);
	assert_int_equal(ban_release(bt, T0 + 1, NULL, NULL), 0);
	/* the wall clock is set a day ahead, 2 s later */
	ban_clock(bt, T0 + 86403, 7000);
	assert_true(ban_dirty(bt));
	assert_int_equal(ban_release(bt, T0 + 86403, NULL, NULL), 0);
	assert_true(ban_quarantined(bt, SRV, NAT, 5000));
	ban_clock(bt, T0 + 86499, 103000);	/* 98 s after the quarantine */
	assert_int_equal(ban_release(bt, T0 + 86499, NULL, NULL), 0);
	ban_clock(bt, T0 + 86501, 105000);	/* 100 s: over */
	assert_int_equal(ban_release(bt, T0 + 86501, NULL, NULL), 1);
	/* stepped back an hour: the quarantine only lasts longer */
	assert_true(ban_quarantine(bt, SRV, NAT, 5001, T0 + 86501));
	ban_clock(bt, T0 + 82902, 106000);
	assert_int_equal(ban_release(bt, T0 + 82902 + 99, NULL, NULL), 0);
	assert_true(ban_quarantined(bt, SRV, NAT, 5001));
	ban_destroy(bt);
}

static void
test_file_round_trip(void **state)
{
	struct ban_table *a = table(16, 100), *b = table(16, 100);
	char err[256];

	(void)state;
	assert_int_equal(add(a, "2001:db8:1::2", 128, T0 + 3600, "web: 40 failed logins"), BAN_OK);
	assert_int_equal(add(a, "2001:db8:2::", 48, 0, ""), BAN_OK);
	assert_true(ban_quarantine(a, SRV, NAT, 40404, T0));
	assert_true(ban_dirty(a));
	assert_int_equal(ban_save(a, err, sizeof(err)), 0);
	assert_false(ban_dirty(a));
	assert_int_equal(ban_load(b, err, sizeof(err)), 0);
	assert_int_equal(ban_count(b), 2);
	assert_string_equal(ban_get(b, 0)->reason, "web: 40 failed logins");
	assert_int_equal(ban_get(b, 0)->until_s, T0 + 3600);
	assert_int_equal(ban_get(b, 0)->since_s, T0);
	assert_int_equal(ban_get(b, 1)->until_s, 0);
	assert_int_equal(ban_get(b, 1)->len, 48);
	assert_true(banned(b, "2001:db8:2:ffff::1", T0));
	assert_true(ban_quarantined(b, SRV, NAT, 40404));
	/* the quarantine's end came along */
	assert_int_equal(ban_release(b, T0 + 99, NULL, NULL), 0);
	assert_int_equal(ban_release(b, T0 + 100, NULL, NULL), 1);
	/* a file with more bans than max-bans: all load, the limit stays */
	ban_destroy(a);
	a = table(1, 100);
	assert_int_equal(ban_load(a, err, sizeof(err)), 0);
	assert_int_equal(ban_count(a), 2);
	assert_int_equal(add(a, "2001:db8:3::", 48, 0, ""), BAN_E_FULL);
	/* an empty table saves and loads as empty */
	assert_int_equal(ban_save(b, err, sizeof(err)), 0);
	ban_destroy(a);
	a = table(16, 100);
	assert_int_equal(ban_load(a, err, sizeof(err)), 0);
	assert_int_equal(ban_count(a), 2);
	assert_int_equal(ban_quarantine_count(a), 0);
	ban_destroy(a);
	ban_destroy(b);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_file_damage(void **state)
{
	static const char *const bad[] = {
		"",
		"nat64-handoffd-bans 2\nend\n",
		"nat64-handoffd-tokens 1\nend\n",
		"nat64-handoffd-bans 1\n",				/* truncated */
		"nat64-handoffd-bans 1\nend",				/* torn */
		"nat64-handoffd-bans 1\nban 2001:db8::1/128 5 0 -\n",	/* no end */
		"nat64-handoffd-bans 1\nban 2001:db8::1 5 0 -\nend\n",	/* no length */
		"nat64-handoffd-bans 1\nban 2001:db8::/31 5 0 -\nend\n",
		"nat64-handoffd-bans 1\nban 2001:db8::1/129 5 0 -\nend\n",
		"nat64-handoffd-bans 1\nban 2001:db8::1/128 x 0 -\nend\n",
		"nat64-handoffd-bans 1\nban 2001:db8::1/128 5 -1 -\nend\n",
		"nat64-handoffd-bans 1\nban 2001:db8::1/128 5 0 abc\nend\n",
		"nat64-handoffd-bans 1\nban 2001:db8::1/128 5 0 22\nend\n",	/* a " in the reason */
		"nat64-handoffd-bans 1\nban 2001:db8::1/128 5 0 0041\nend\n",	/* a NUL in it */
		"nat64-handoffd-bans 1\nban 2001:db8::1/128 5 0 -\nban 2001:db8::1/128 6 0 -\nend\n",
		"nat64-handoffd-bans 1\nban 2001:db8::/64 5 0 -\nban 2001:db8::1/64 6 0 -\nend\n",
		"nat64-handoffd-bans 1\nban 2001:db8::1/128 5 0 - extra\nend\n",
		"nat64-handoffd-bans 1\nquarantine 192.0.2.1 192.0.2.7 0 5\nend\n",
		"nat64-handoffd-bans 1\nquarantine 192.0.2.1 192.0.2.7 65536 5\nend\n",
		"nat64-handoffd-bans 1\nquarantine 192.0.2.1 192.0.2.999 1 5\nend\n",
		"nat64-handoffd-bans 1\nquarantine 192.0.2.1 192.0.2.7 1\nend\n",
		"nat64-handoffd-bans 1\nend\nban 2001:db8::1/128 5 0 -\n",
		"nat64-handoffd-bans 1\nbogus\nend\n",
	};
	char path[128], aside[200], err[256];
	struct stat st;
	size_t i;

	(void)state;
	snprintf(path, sizeof(path), "%s/%s", dir, BAN_FILE);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ban_table *bt = table(16, 100);

		write_file(path, bad[i]);
		err[0] = '\0';
		errno = 0;
		assert_int_equal(ban_load(bt, err, sizeof(err)), -1);
		assert_int_equal(errno, EINVAL);
		assert_true(strlen(err) > 0);
		/* only well-formed lines before the end line are kept: the
		 * one ban of the file without an end line, the first of two
		 * bans of one prefix */
		assert_int_equal(ban_count(bt), i == 5 || i == 14 || i == 15);
		assert_int_equal(ban_quarantine_count(bt), 0);
		ban_destroy(bt);
	}
	/* one bad line in the middle costs only itself */
	{
		struct ban_table *bt = table(16, 100);
		uint8_t a[16];

		write_file(path, "nat64-handoffd-bans 1\n"
		    "ban 2001:db8::1/128 5 0 -\n"
		    "ban 2001:db8:1::/4x 5 0 -\n"
		    "ban 2001:db8:2::/48 5 0 61\n"
		    "quarantine 192.0.2.1 192.0.2.7 30000 " "1764619300\n"
		    "end\n");
		assert_int_equal(ban_load(bt, err, sizeof(err)), -1);
		assert_int_equal(errno, EINVAL);
		assert_non_null(strstr(err, ":3: bad ban line"));
		assert_int_equal(ban_count(bt), 2);
		a6("2001:db8:2::", a);
		assert_string_equal(ban_lookup(bt, a, 48)->reason, "a");
		assert_true(ban_quarantined(bt, SRV, NAT, 30000));
		/* saved again, it reads back whole */
		assert_int_equal(ban_save(bt, err, sizeof(err)), 0);
		assert_int_equal(ban_load(bt, err, sizeof(err)), 0);
		assert_int_equal(ban_count(bt), 2);
		assert_int_equal(ban_quarantine_count(bt), 1);
		ban_destroy(bt);
	}
	/* a torn last line is not read, even where it would parse */
	{
		struct ban_table *bt = table(16, 100);

		write_file(path, "nat64-handoffd-bans 1\nban 2001:db8::1/128 5 0 -\n"
		    "ban 2001:db8::2/128 5 0 6162");
		assert_int_equal(ban_load(bt, err, sizeof(err)), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(ban_count(bt), 1);
		ban_destroy(bt);
	}
	/* what the server does with one: set it aside, keep what it read */
	{
		struct ban_table *bt = table(16, 100);

		write_file(path, "nat64-handoffd-bans 1\nban garbage\nend\n");
		assert_int_equal(ban_load(bt, err, sizeof(err)), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(rf_set_aside(path, T0, aside, sizeof(aside), err, sizeof(err)), 0);
		assert_int_equal(stat(aside, &st), 0);
		assert_int_equal(stat(path, &st), -1);
		assert_int_equal(ban_load(bt, err, sizeof(err)), -1);
		assert_int_equal(errno, ENOENT);	/* absent: an empty table */
		assert_int_equal(ban_count(bt), 0);
		ban_destroy(bt);
	}
	/* a FIFO at the path is refused, never waited on */
	{
		struct ban_table *bt = table(16, 100);

		unlink(path);
		assert_int_equal(mkfifo(path, 0600), 0);
		assert_int_equal(ban_load(bt, err, sizeof(err)), -1);
		assert_true(strstr(err, "not a regular file") != NULL);
		unlink(path);
		ban_destroy(bt);
	}
}

/* ---- with server.c and channel.c */

static const uint8_t srv4[4] = { 192, 0, 2, 1 };
static const uint8_t nat4[4] = { 192, 0, 2, 7 };
static const uint8_t pfx96[12] = { 0x00, 0x64, 0xff, 0x9b };
static const uint8_t token[16] = "nat64-token-0001";
static const uint8_t auth[16] = "authenticator-01";

struct fx {
	struct srv_ctx s;
	uint8_t txbuf[SRV_TX_MAX];
	struct srv_tx tx;
	struct clk_now now;
};

static int
no_live(void *arg, uint32_t local, uint32_t nat64, uint8_t bitmap[LIVE_BITMAP_BYTES])
{
	(void)arg, (void)local, (void)nat64;
	memset(bitmap, 0, LIVE_BITMAP_BYTES);
	return 0;
}

static void
client6(uint8_t out[16], unsigned n)
{
	memset(out, 0, 16);
	out[0] = 0x20; out[1] = 0x01; out[2] = 0x0d; out[3] = 0xb8;
	out[15] = (uint8_t)n;
}

static void
server6(uint8_t out[16])
{
	memcpy(out, pfx96, 12);
	memcpy(out + 12, srv4, 4);
}

/* [token][auth][hint?][IPv6 TCP SYN client:cport -> server:80 with
 * payload octets of data]; the IPv6 packet goes to pkt. */
static int
syn6(struct fx *f, unsigned client, uint16_t cport, uint16_t hint, size_t payload, uint8_t *pkt,
    size_t *pktlen)
{
	static uint8_t data[1500], ctl[1800];
	uint8_t c6[16], s6[16];
	struct buf_wr w;

	client6(c6, client);
	server6(s6);
	memset(data, 0xa5, sizeof(data));
	*pktlen = ippkt_tcp6(pkt, 1600, c6, s6, cport, 80, 1, 0, 0x02, data, payload);
	assert_true(*pktlen > 0);
	buf_wr_init(&w, ctl, sizeof(ctl));
	hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
	hw_put_blob(&w, HW_T_AUTH, auth, sizeof(auth));
	if (hint)
		hw_put_hint(&w, hint);
	hw_put_ip(&w, pkt, *pktlen);
	assert_false(w.err);
	return srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx);
}

static void
fx_validate(struct fx *f)
{
	uint8_t ip4[1500], ctl[1600], pkt[1600];
	struct buf_wr w;
	size_t n;

	val_set_attenuation(f->s.vs, 2);
	assert_int_equal(syn6(f, 1, 1111, 0, 0, pkt, &n), 1);
	n = ippkt_udp4(ip4, sizeof(ip4), srv4, nat4, HPORT, HW_DISCARD_PORT, f->tx.buf, f->tx.len);
	buf_wr_init(&w, ctl, sizeof(ctl));
	hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
	hw_put_ip(&w, ip4, n);
	assert_int_equal(srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx), 1);
	assert_int_equal(f->s.c[SRV_C_validated], 1);
}

static uint16_t
entry_port(struct fx *f)
{
	struct hw_packet p;

	assert_int_equal(hw_parse(f->tx.buf, f->tx.len, &p), HW_OK);
	assert_int_equal(hw_check_to_nat64(&p), HW_OK);
	assert_int_equal(p.n_entries, 1);
	return p.entries[0].mapped_port;
}

/* The answer to a banned client's packet pkt, octet by octet: [auth]
 * then the ICMPv6 message of RFC 4443 §3.1 — IPv6 header from the
 * address the client tried to the client, next header 58; type 1, code
 * 1 ("communication with destination administratively prohibited"),
 * checksum, 4 unused octets of zero, then as much of the invoking packet
 * as fits in 1280 octets (§2.4 (c)). */
static void
check_prohibited(struct fx *f, const uint8_t *pkt, size_t pktlen)
{
	size_t quote = pktlen < 1232 ? pktlen : 1232;
	uint8_t c6[16], s6[16];
	const uint8_t *ip;
	struct hw_packet p;

	assert_int_equal(hw_parse(f->tx.buf, f->tx.len, &p), HW_OK);
	assert_int_equal(hw_check_to_nat64(&p), HW_OK);	/* pattern 2 */
	assert_int_equal(p.n_entries, 0);
	assert_true(hw_has(&p, HW_T_AUTH));
	assert_memory_equal(p.auth.p, auth, sizeof(auth));
	assert_int_equal(p.ip_version, 6);
	assert_int_equal(p.ip.len, 48 + quote);
	ip = p.ip.p;
	client6(c6, 2);
	server6(s6);
	assert_int_equal(ip[0] >> 4, 6);
	assert_int_equal(ip[4] << 8 | ip[5], 8 + quote);	/* payload length */
	assert_int_equal(ip[6], 58);				/* ICMPv6 */
	assert_memory_equal(ip + 8, s6, 16);
	assert_memory_equal(ip + 24, c6, 16);
	assert_int_equal(ip[40], 1);				/* type: destination unreachable */
	assert_int_equal(ip[41], 1);				/* code: administratively prohibited */
	assert_int_equal(ip[44] | ip[45] | ip[46] | ip[47], 0);	/* unused */
	assert_memory_equal(ip + 48, pkt, quote);
	/* the checksum over the pseudo-header and the message folds to 0xffff */
	assert_int_equal(cksum_finish(cksum_add(cksum_pseudo6(s6, c6, 58, (uint32_t)(8 + quote)),
	    ip + 40, 8 + quote)), 0);
}

static void
test_server_banned(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ban_table *bt;
	uint8_t pkt[1600], c2[16];
	char err[512], path[128], *log;
	unsigned char *text;
	size_t n, len;
	uint16_t p2, p3;
	bool replaced;

	(void)state;
	assert_int_equal(audit_open(dir, 0, err, sizeof(err)), 0);
	f->now = clk_fake(1000, T0);
	f->tx.buf = f->txbuf;
	f->s.reg = chan_reg_create(dir, 16, 8, no_live, NULL, err, sizeof(err));
	assert_non_null(f->s.reg);
	f->s.vs = val_create(32);
	f->s.port = HPORT;
	bt = table(16, 600);
	f->s.bans = bt;
	chan_set_bans(f->s.reg, bt);
	fx_validate(f);
	/* client 2 and client 3 get entries; client 2 asked for port 30000 */
	assert_int_equal(syn6(f, 2, 2222, 30000, 0, pkt, &n), 1);
	p2 = entry_port(f);
	assert_int_equal(p2, 30000);
	assert_int_equal(syn6(f, 3, 3333, 0, 0, pkt, &n), 1);
	p3 = entry_port(f);
	assert_true(srv_commit(&f->s, &f->tx, 1, &f->now) == 1);

	/* ban client 2: its entry goes, its port is quarantined on disk */
	client6(c2, 2);
	assert_int_equal(ban_add(bt, c2, 128, 0, "test", T0, &replaced), BAN_OK);
	assert_int_equal(chan_purge_banned(f->s.reg, &f->now), 1);
	assert_true(chan_commit(f->s.reg, &f->now));
	assert_true(ban_quarantined(bt, SRV, NAT, p2));
	snprintf(path, sizeof(path), "%s/%s", dir, BAN_FILE);
	assert_int_equal(afile_slurp(path, 1 << 20, &text, &len), 0);
	assert_non_null(strstr((char *)text, "quarantine 192.0.2.1 192.0.2.7 30000 "));
	free(text);
	audit_flush();
	snprintf(path, sizeof(path), "%s/%s", dir, AUDIT_FILE);
	assert_int_equal(afile_slurp(path, 1 << 20, &text, &len), 0);
	log = (char *)text;
	assert_non_null(strstr(log, " Deleted 192.0.2.7:30000 [2001:db8::2]:2222\n"));
	free(log);

	/* its packets: the ICMPv6 error, no entry (small and large ones) */
	assert_int_equal(syn6(f, 2, 2223, 0, 0, pkt, &n), 1);
	check_prohibited(f, pkt, n);
	assert_int_equal(syn6(f, 2, 2224, 0, 1400, pkt, &n), 1);
	check_prohibited(f, pkt, n);	/* quoted up to 1280 octets in all */
	assert_int_equal(f->s.c[SRV_C_banned_prohibited], 2);
	assert_int_equal(f->s.c[SRV_C_entries_created], 2);	/* clients 2 and 3 */
	/* the other client is untouched */
	assert_int_equal(syn6(f, 3, 3333, 0, 0, pkt, &n), 1);
	assert_int_equal(entry_port(f), p3);
	/* the quarantined port goes to no one, even asked for by hint */
	assert_int_equal(syn6(f, 4, 4444, 30000, 0, pkt, &n), 1);
	assert_int_not_equal(entry_port(f), 30000);
	/* the NAT64 announces the banned entry it still caches (as after a
	 * restart of the server): not adopted, and the port waits a whole
	 * quarantine time from then */
	{
		struct hw_entry e = { .mapped_port = 30000, .client_port = 2222 };
		uint8_t ctl[256];
		struct buf_wr w;

		memcpy(e.prefix, pfx96, 12);
		client6(e.client, 2);
		buf_wr_init(&w, ctl, sizeof(ctl));
		hw_put_ident(&w);
		hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
		hw_put_blob(&w, HW_T_AUTH, auth, sizeof(auth));
		hw_put_entry(&w, &e);
		f->now = clk_fake(301000, T0 + 300);
		assert_int_equal(srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx), 0);
		assert_int_equal(f->s.c[SRV_C_drop_banned_entry], 1);
		assert_int_equal(ban_release(bt, T0 + 600, no_live, NULL), 0);
		assert_true(ban_quarantined(bt, SRV, NAT, 30000));
	}
	/* once released, it is handed out again */
	assert_int_equal(ban_release(bt, T0 + 900, no_live, NULL), 1);
	assert_int_equal(syn6(f, 5, 5555, 30000, 0, pkt, &n), 1);
	assert_int_equal(entry_port(f), 30000);

	chan_reg_destroy(f->s.reg, &f->now);
	val_destroy(f->s.vs);
	ban_destroy(bt);
	audit_close();
	free(f);
}

/* [token][auth][the IPv6 packet pkt] through srv_handle. */
static int
send6(struct fx *f, const uint8_t *pkt, size_t pktlen)
{
	static uint8_t ctl[1800];
	struct buf_wr w;

	buf_wr_init(&w, ctl, sizeof(ctl));
	hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
	hw_put_blob(&w, HW_T_AUTH, auth, sizeof(auth));
	hw_put_ip(&w, pkt, pktlen);
	assert_false(w.err);
	return srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx);
}

/* What a banned client's packet is not answered with: an ICMPv6 error
 * for an ICMPv6 error, also behind an extension header (RFC 4443 §2.4
 * (e.1)), and errors beyond the rate limit (§2.4 (f)); none of them
 * gets an entry. */
static void
test_server_banned_quiet(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ban_table *bt;
	uint8_t pkt[1600], l4[64], c2[16], s6[16];
	char err[512];
	size_t n;
	bool replaced;
	unsigned i, answered;

	(void)state;
	assert_int_equal(audit_open(dir, 0, err, sizeof(err)), 0);
	f->now = clk_fake(1000, T0);
	f->tx.buf = f->txbuf;
	f->s.reg = chan_reg_create(dir, 16, 8, no_live, NULL, err, sizeof(err));
	assert_non_null(f->s.reg);
	f->s.vs = val_create(32);
	f->s.port = HPORT;
	bt = table(16, 600);
	f->s.bans = bt;
	chan_set_bans(f->s.reg, bt);
	fx_validate(f);
	client6(c2, 2);
	server6(s6);
	assert_int_equal(ban_add(bt, c2, 128, 0, "", T0, &replaced), BAN_OK);

	/* an ICMPv6 destination unreachable of its own */
	memset(l4, 0, sizeof(l4));
	l4[0] = 1;
	n = ippkt_ip6(pkt, sizeof(pkt), c2, s6, IPPKT_PROTO_ICMP6, l4, 8);
	assert_int_equal(send6(f, pkt, n), 0);
	/* the same behind a hop-by-hop options header (next header 58,
	 * length 0, a PadN option of 4 octets) */
	memset(l4, 0, sizeof(l4));
	l4[0] = IPPKT_PROTO_ICMP6;
	l4[2] = 1;
	l4[3] = 4;
	l4[8] = 1;
	n = ippkt_ip6(pkt, sizeof(pkt), c2, s6, 0, l4, 16);
	assert_int_equal(send6(f, pkt, n), 0);
	assert_int_equal(f->s.c[SRV_C_banned_prohibited], 0);

	/* a flood of SYNs in one instant: at most SRV_BAN_ICMP_RATE errors */
	for (i = answered = 0; i < SRV_BAN_ICMP_RATE + 50; i++)
		answered += (unsigned)syn6(f, 2, (uint16_t)(2000 + i), 0, 0, pkt, &n);
	assert_int_equal(answered, SRV_BAN_ICMP_RATE);
	assert_int_equal(f->s.c[SRV_C_banned_rate_limited], 50);
	/* a second later there are tokens again */
	f->now = clk_fake(2000, T0 + 1);
	assert_int_equal(syn6(f, 2, 9999, 0, 0, pkt, &n), 1);
	check_prohibited(f, pkt, n);
	assert_int_equal(f->s.c[SRV_C_entries_created], 0);

	chan_reg_destroy(f->s.reg, &f->now);
	val_destroy(f->s.vs);
	ban_destroy(bt);
	audit_close();
	free(f);
}

/* The longest reason a ban may have, every octet %-encoded as
 * nat64-handoffctl may send it, fits in one word of the control
 * protocol, and in its line with the longest prefix and duration. */
static void
test_reason_on_the_wire(void **state)
{
	char line[CTL_LINE_MAX], err[128];
	struct ctl_req r;
	size_t n, i;

	(void)state;
	n = (size_t)snprintf(line, sizeof(line),
	    "ban ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128 for=3650d reason=");
	for (i = 0; i < BAN_REASON_MAX; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%%20");
	assert_true(n < sizeof(line));
	assert_int_equal(ctl_parse_request(line, n, &r, err, sizeof(err)), 0);
	assert_int_equal(strlen(ctl_opt(&r, "reason")), 3 * BAN_REASON_MAX);
}

/* A dormant channel applies the bans when it is loaded. */
static void
test_purge_on_load(void **state)
{
	struct ban_table *bt = table(16, 600);
	struct clk_now now = clk_fake(1000, T0);
	uint8_t pfx[12] = { 0x00, 0x64, 0xff, 0x9b }, c[16], a[16];
	struct chan_reg *reg;
	struct chan *ch;
	char err[512];
	bool replaced;

	(void)state;
	assert_int_equal(audit_open(dir, 0, err, sizeof(err)), 0);
	reg = chan_reg_create(dir, 16, 8, no_live, NULL, err, sizeof(err));
	assert_non_null(reg);
	ch = chan_get_or_create(reg, SRV, NAT + 1, &now);
	assert_non_null(ch);
	client6(c, 9);
	assert_true(chan_adopt(reg, ch, 31000, pfx, c, 999, auth, sizeof(auth), &now));
	assert_true(chan_commit(reg, &now));
	chan_reg_destroy(reg, &now);
	/* banned while the server was down; the channel loads on first use */
	a6("2001:db8::", a);
	assert_int_equal(ban_add(bt, a, 64, 0, "", T0, &replaced), BAN_OK);
	reg = chan_reg_create(dir, 16, 8, no_live, NULL, err, sizeof(err));
	chan_set_bans(reg, bt);
	ch = chan_find(reg, SRV, NAT + 1, &now);
	assert_non_null(ch);
	assert_non_null(ch->t);
	assert_int_equal(ct_count(ch->t), 0);
	assert_true(ban_quarantined(bt, SRV, NAT + 1, 31000));
	chan_reg_destroy(reg, &now);
	ban_destroy(bt);
	audit_close();
}

/* With BAN_QUAR_MAX ports held back, a banned client's entry stays; once
 * ports are released, the next maintenance deletes it. */
static void
test_purge_when_full(void **state)
{
	struct ban_table *bt = table(16, 100);
	struct clk_now now = clk_fake(1000, T0);
	uint8_t pfx[12] = { 0x00, 0x64, 0xff, 0x9b }, c[16];
	struct chan_reg *reg;
	struct chan *ch;
	char err[512];
	bool replaced;
	uint32_t i;

	(void)state;
	assert_int_equal(audit_open(dir, 0, err, sizeof(err)), 0);
	for (i = 0; i < BAN_QUAR_MAX; i++)
		assert_true(ban_quarantine(bt, SRV + 10 + i / 65535, NAT, (uint16_t)(1 + i % 65535),
		    T0));
	reg = chan_reg_create(dir, 16, 8, no_live, NULL, err, sizeof(err));
	assert_non_null(reg);
	chan_set_bans(reg, bt);
	ch = chan_get_or_create(reg, SRV, NAT + 2, &now);
	assert_non_null(ch);
	client6(c, 9);
	assert_true(chan_adopt(reg, ch, 32000, pfx, c, 999, auth, sizeof(auth), &now));
	assert_int_equal(ban_add(bt, c, 128, 0, "", T0, &replaced), BAN_OK);
	assert_int_equal(chan_purge_banned(reg, &now), 0);	/* no room to hold its port */
	assert_int_equal(ct_count(ch->t), 1);
	chan_maintenance(reg, &now);
	assert_int_equal(ct_count(ch->t), 1);
	assert_int_equal(ban_release(bt, T0 + 100, NULL, NULL), BAN_QUAR_MAX);
	now = clk_fake(101000, T0 + 100);
	chan_maintenance(reg, &now);
	assert_int_equal(ct_count(ch->t), 0);
	assert_true(ban_quarantined(bt, SRV, NAT + 2, 32000));
	chan_reg_destroy(reg, &now);
	ban_destroy(bt);
	audit_close();
}

/* An unban that cannot be saved leaves the ban in force, also when
 * max-bans was lowered below the bans there are (a reload). */
static void
test_unban_not_saved(void **state)
{
	struct srv_ctx s;
	struct ctl_server *cs = hctl_create_detached();
	struct clk_now now = clk_fake(1000, T0);
	struct ctl_out o;
	char sub[128], path[160], err[512], cmd[200];
	const char *const reqs[] = { "ban 2001:db8::1", "ban 2001:db8::2" };
	size_t i;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(audit_open(dir, 0, err, sizeof(err)), 0);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s", sub, BAN_FILE);
	s.bans = ban_create(path, 16, 100);
	s.reg = chan_reg_create(dir, 16, 8, no_live, NULL, err, sizeof(err));
	assert_non_null(s.reg);
	chan_set_bans(s.reg, s.bans);
	for (i = 0; i < 2; i++) {
		ctl_out_init(&o, CTL_OUT_MAX);
		hctl_dispatch(cs, &s, reqs[i], strlen(reqs[i]), &o, &now);
		assert_true(o.len > 4 && memcmp(o.p, "cols", 4) == 0);
		ctl_out_free(&o);
	}
	ban_set_limits(s.bans, 1, 100);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sub);	/* no file can be written now */
	assert_int_equal(system(cmd), 0);
	ctl_out_init(&o, CTL_OUT_MAX);
	hctl_dispatch(cs, &s, "unban 2001:db8::1", 17, &o, &now);
	assert_true(o.len > 5 && memcmp(o.p, "error", 5) == 0);
	ctl_out_free(&o);
	assert_true(banned(s.bans, "2001:db8::1", T0));
	assert_int_equal(ban_count(s.bans), 2);
	chan_reg_destroy(s.reg, &now);
	ban_destroy(s.bans);
	hctl_close(cs);
	audit_close();
}

/* The Banned and Unbanned lines as written (text and JSON), and the
 * audit log reader of nat64-handoffctl accepts each as a valid line that
 * is no entry event; malformed ones are refused. */
static void
test_audit_lines(void **state)
{
	static const char *const want =
	    "2025-12-01 20:00:00.250000 Banned 2001:db8:1::2/128 until 2025-12-01T21:00:00Z reason web: 40 failed logins\n"
	    "2025-12-01 20:00:00.250000 Banned 2001:db8:2::/48 until never\n"
	    "2025-12-01 20:00:00.250000 Unbanned 2001:db8:2::/48 lifted\n"
	    "2025-12-01 20:00:00.250000 Unbanned 2001:db8:1::2/128 expired\n"
	    "{\"time\":\"2025-12-01T20:00:00.250000+00:00\",\"event\":\"banned\",\"prefix\":\"2001:db8:1::2/128\",\"until\":\"2025-12-01T21:00:00Z\",\"reason\":\"web: 40 failed logins\"}\n"
	    "{\"time\":\"2025-12-01T20:00:00.250000+00:00\",\"event\":\"unbanned\",\"prefix\":\"2001:db8:2::/48\",\"reason\":\"lifted\"}\n";
	static const char *const bad[] = {
		"2025-12-01 20:00:00.250000 Banned 2001:db8:1::2 until never",
		"2025-12-01 20:00:00.250000 Banned 2001:db8:1::2/31 until never",
		"2025-12-01 20:00:00.250000 Banned 2001:db8:1::2/128 until tomorrow",
		"2025-12-01 20:00:00.250000 Banned 2001:db8:1::2/128 until never because",
		"2025-12-01 20:00:00.250000 Unbanned 2001:db8:1::2/128",
		"2025-12-01 20:00:00.250000 Unbanned 2001:db8:1::2/128 forgiven",
		"{\"time\":\"2025-12-01T20:00:00.250000+00:00\",\"event\":\"banned\"}",
		"{\"time\":\"2025-12-01T20:00:00.250000+00:00\",\"event\":\"banned\",\"prefix\":\"x/128\"}",
	};
	struct clk_now now = clk_fake(1000, T0);
	uint8_t a[16], b[16];
	unsigned char *text;
	char err[256], path[128], *line, *save = NULL;
	struct al_event e;
	size_t len, i;

	(void)state;
	now.wall.tv_nsec = 250000000;
	snprintf(path, sizeof(path), "%s/%s", dir, AUDIT_FILE);
	unlink(path);
	assert_int_equal(audit_open(dir, 0, err, sizeof(err)), 0);
	a6("2001:db8:1::2", a);
	a6("2001:db8:2::", b);
	audit_banned(&now, a, 128, T0 + 3600, "web: 40 failed logins");
	audit_banned(&now, b, 48, 0, "");
	audit_unbanned(&now, b, 48, false);
	audit_unbanned(&now, a, 128, true);
	audit_set_json(1);
	audit_banned(&now, a, 128, T0 + 3600, "web: 40 failed logins");
	audit_unbanned(&now, b, 48, false);
	audit_set_json(0);
	audit_close();
	assert_int_equal(afile_slurp(path, 1 << 20, &text, &len), 0);
	assert_string_equal((char *)text, want);
	for (line = strtok_r((char *)text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		assert_int_equal(al_parse_line(line, strlen(line), false, &e), 0);
	free(text);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(al_parse_line(bad[i], strlen(bad[i]), false, &e), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_match),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_quarantine),
		cmocka_unit_test(test_quarantine_clock_jump),
		cmocka_unit_test(test_file_round_trip),
		cmocka_unit_test(test_file_damage),
		cmocka_unit_test(test_server_banned),
		cmocka_unit_test(test_server_banned_quiet),
		cmocka_unit_test(test_reason_on_the_wire),
		cmocka_unit_test(test_purge_on_load),
		cmocka_unit_test(test_purge_when_full),
		cmocka_unit_test(test_unban_not_saved),
		cmocka_unit_test(test_audit_lines),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
