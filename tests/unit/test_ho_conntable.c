/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Unit tests for handoffd/conntable.c: insert/lookup/remove, LRU order,
 * authenticator dedup, port choice rules, capacity, and a randomised
 * model check against a naive reference (seeded, reproducible). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ho_conntable.h"

static const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t pfx[12] = { 0x00, 0x64, 0xff, 0x9b };	/* 64:ff9b::/96 */
static const uint8_t pfx2[12] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x64 };

static void
client_addr(uint8_t out[16], uint32_t n)
{
	memset(out, 0, 16);
	out[0] = 0x20; out[1] = 0x01; out[2] = 0x0d; out[3] = 0xb8;
	out[12] = (uint8_t)(n >> 24); out[13] = (uint8_t)(n >> 16);
	out[14] = (uint8_t)(n >> 8); out[15] = (uint8_t)n;
}

static uint32_t
seq_rnd(void *arg)
{
	uint32_t *s = arg;

	*s = *s * 1103515245u + 12345u;
	return *s >> 1;
}

static void
test_insert_find_remove(void **state)
{
	struct ct_table *t = ct_create(100, key);
	uint8_t c[16];
	struct ct_view v;
	const uint8_t auth[16] = "0123456789abcdef";

	(void)state;
	client_addr(c, 17);
	assert_int_equal(ct_insert(t, 3719, pfx, c, 53186, auth, 16, 1000), CT_OK);
	assert_int_equal(ct_count(t), 1);
	assert_int_equal(ct_find_client(t, pfx, c, 53186), 3719);
	assert_int_equal(ct_find_client(t, pfx, c, 53187), 0);
	assert_int_equal(ct_find_client(t, pfx2, c, 53186), 0);
	assert_true(ct_get(t, 3719, &v));
	assert_int_equal(v.port, 3719);
	assert_int_equal(v.client_port, 53186);
	assert_memory_equal(v.client, c, 16);
	assert_memory_equal(v.prefix, pfx, 12);
	assert_int_equal(v.auth_len, 16);
	assert_memory_equal(v.auth, auth, 16);
	assert_int_equal(v.last_used, 1000);
	/* same client again, and the port again: refused */
	assert_int_equal(ct_insert(t, 4000, pfx, c, 53186, NULL, 0, 1), CT_E_CLIENT_EXISTS);
	assert_int_equal(ct_insert(t, 3719, pfx, c, 1, NULL, 0, 1), CT_E_PORT_USED);
	assert_int_equal(ct_insert(t, 0, pfx, c, 2, NULL, 0, 1), CT_E_PORT_RANGE);
	/* below 1024 is the caller's rule: the table stores it */
	assert_int_equal(ct_insert(t, 80, pfx, c, 2, NULL, 0, 1), CT_OK);
	assert_int_equal(ct_find_client(t, pfx, c, 2), 80);
	ct_remove(t, 80);
	ct_remove(t, 3719);
	assert_int_equal(ct_count(t), 0);
	assert_int_equal(ct_find_client(t, pfx, c, 53186), 0);
	assert_false(ct_get(t, 3719, &v));
	ct_remove(t, 3719);	/* harmless */
	ct_destroy(t);
}

/* The unconfirmed mark is per port, only on a port in use, and does not
 * outlive its entry. */
static void
test_unconfirmed_mark(void **state)
{
	struct ct_table *t = ct_create(100, key);
	uint8_t c[16];

	(void)state;
	client_addr(c, 1);
	assert_int_equal(ct_insert(t, 1087, pfx, c, 40000, NULL, 0, 1), CT_OK);
	client_addr(c, 2);
	assert_int_equal(ct_insert(t, 1088, pfx, c, 40000, NULL, 0, 1), CT_OK);
	assert_false(ct_unconfirmed(t, 1087));
	ct_set_unconfirmed(t, 1087, true);
	assert_true(ct_unconfirmed(t, 1087));
	assert_false(ct_unconfirmed(t, 1088));
	ct_set_unconfirmed(t, 1089, true);	/* a free port: no mark */
	assert_false(ct_unconfirmed(t, 1089));
	ct_set_unconfirmed(t, 0, true);
	assert_false(ct_unconfirmed(t, 0));
	ct_set_unconfirmed(t, 1088, true);
	ct_set_unconfirmed(t, 1087, false);
	assert_false(ct_unconfirmed(t, 1087));
	assert_true(ct_unconfirmed(t, 1088));
	ct_remove(t, 1088);
	assert_false(ct_unconfirmed(t, 1088));
	client_addr(c, 3);
	assert_int_equal(ct_insert(t, 1088, pfx, c, 40000, NULL, 0, 1), CT_OK);
	assert_false(ct_unconfirmed(t, 1088));	/* a new entry starts confirmed */
	ct_set_unconfirmed(t, 65535, true);
	assert_false(ct_unconfirmed(t, 65535));
	client_addr(c, 4);
	assert_int_equal(ct_insert(t, 65535, pfx, c, 40000, NULL, 0, 1), CT_OK);
	ct_set_unconfirmed(t, 65535, true);
	assert_true(ct_unconfirmed(t, 65535));
	ct_destroy(t);
}

static void
test_capacity(void **state)
{
	struct ct_table *t = ct_create(16, key);
	uint8_t c[16];
	uint32_t i;

	(void)state;
	for (i = 0; i < 16; i++) {
		client_addr(c, i);
		assert_int_equal(ct_insert(t, (uint16_t)(2000 + i), pfx, c, 1, NULL, 0, i), CT_OK);
	}
	client_addr(c, 99);
	assert_int_equal(ct_insert(t, 3000, pfx, c, 1, NULL, 0, 99), CT_E_FULL);
	assert_null(ct_create(0, key));
	assert_null(ct_create(CT_MAX_CAPACITY + 1, key));
	ct_destroy(t);
}

static void
test_lru_order(void **state)
{
	struct ct_table *t = ct_create(10, key);
	uint8_t c[16];
	uint16_t p;
	uint32_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		client_addr(c, i);
		assert_int_equal(ct_insert(t, (uint16_t)(5000 + i), pfx, c, 80, NULL, 0, i), CT_OK);
	}
	assert_int_equal(ct_lru_oldest(t), 5000);
	ct_touch(t, 5000, 50);
	ct_touch(t, 5002, 51);
	/* order now: 5001 5003 5004 5000 5002 */
	{
		const uint16_t want[5] = { 5001, 5003, 5004, 5000, 5002 };

		for (i = 0, p = ct_lru_oldest(t); p; p = ct_lru_newer(t, p), i++)
			assert_int_equal(p, want[i]);
		assert_int_equal(i, 5);
	}
	ct_remove(t, 5003);
	assert_int_equal(ct_lru_newer(t, 5001), 5004);
	ct_remove(t, 5001);
	assert_int_equal(ct_lru_oldest(t), 5004);
	ct_destroy(t);
}

static void
test_auth_dedup_and_replace(void **state)
{
	struct ct_table *t = ct_create(100, key);
	uint8_t c[16], big[510];
	struct ct_view v;
	size_t base;
	uint32_t i;

	(void)state;
	memset(big, 0xab, sizeof(big));
	client_addr(c, 1);
	/* 50 connections of one client share one authenticator record */
	for (i = 0; i < 50; i++)
		assert_int_equal(ct_insert(t, (uint16_t)(6000 + i), pfx, c, (uint16_t)(100 + i),
		    (const uint8_t *)"same-authenticator", 18, 1), CT_OK);
	base = ct_memory(t);
	/* a 510-octet authenticator is stored whole */
	assert_int_equal(ct_set_auth(t, 6000, big, sizeof(big)), CT_OK);
	assert_true(ct_get(t, 6000, &v));
	assert_int_equal(v.auth_len, 510);
	assert_memory_equal(v.auth, big, 510);
	assert_true(ct_memory(t) >= base + 510);
	assert_true(ct_get(t, 6001, &v));
	assert_int_equal(v.auth_len, 18);
	assert_memory_equal(v.auth, "same-authenticator", 18);
	assert_int_equal(ct_set_auth(t, 6001, big, 511), CT_E_AUTH);
	/* removing everything frees the long one */
	for (i = 0; i < 50; i++)
		ct_remove(t, (uint16_t)(6000 + i));
	assert_int_equal(ct_count(t), 0);
	assert_true(ct_memory(t) < base + 510);
	ct_destroy(t);
}

static void
test_pick_port_rules(void **state)
{
	struct ct_table *t = ct_create(CT_MAX_CAPACITY, key);
	uint16_t avoid[2] = { 6464, 40000 }, p;
	uint32_t seed = 7, i, n = 0;
	uint8_t c[16];

	(void)state;
	for (i = 0; i < 2000; i++) {
		p = ct_pick_port(t, avoid, 2, seq_rnd, &seed);
		assert_true(p >= 1024);
		assert_int_not_equal(p, 3544);
		assert_int_not_equal(p, 6464);
		assert_int_not_equal(p, 40000);
	}
	/* fill every allowed port but one: the scan must find exactly it */
	for (p = 1024; p != 0; p++) {
		if (p == 3544 || p == 6464 || p == 40000 || p == 50000)
			continue;
		client_addr(c, p);
		if (n == CT_MAX_CAPACITY)
			break;
		assert_int_equal(ct_insert(t, p, pfx, c, 1, NULL, 0, 0), CT_OK);
		n++;
	}
	/* 64512 ports minus 4 excluded = 64508 = capacity: table full */
	assert_int_equal(ct_count(t), CT_MAX_CAPACITY);
	ct_remove(t, 1024);
	p = ct_pick_port(t, avoid, 2, seq_rnd, &seed);
	assert_true(p == 1024 || p == 50000);
	ct_destroy(t);
}

/* Model check: random operations against a naive array model. */
static void
test_random_model(void **state)
{
	static uint8_t mused[65536];
	static uint32_t mclient[65536];
	struct ct_table *t = ct_create(3000, key);
	uint32_t seed = 12345, i, count = 0;
	uint8_t c[16];

	(void)state;
	memset(mused, 0, sizeof(mused));
	for (i = 0; i < 200000; i++) {
		uint32_t r = seq_rnd(&seed), id = r % 4000;
		uint16_t port = (uint16_t)(1024 + seq_rnd(&seed) % 8000);

		client_addr(c, id);
		switch (r % 3) {
		case 0: {
			uint16_t found = ct_find_client(t, pfx, c, 443);
			uint16_t mp = 0, q;

			for (q = 1024; q < 9024; q++)
				if (mused[q] && mclient[q] == id) {
					mp = q;
					break;
				}
			assert_int_equal(found, mp);
			if (mp == 0 && !mused[port] && count < 3000) {
				assert_int_equal(ct_insert(t, port, pfx, c, 443, NULL, 0, i), CT_OK);
				mused[port] = 1;
				mclient[port] = id;
				count++;
			}
			break;
		}
		case 1:
			if (mused[port]) {
				ct_remove(t, port);
				mused[port] = 0;
				count--;
			}
			break;
		default:
			assert_int_equal(ct_port_used(t, port), mused[port]);
			ct_touch(t, port, i);
			break;
		}
		assert_int_equal(ct_count(t), count);
	}
	/* LRU list covers exactly the live entries */
	{
		uint32_t n = 0;
		uint16_t p;

		for (p = ct_lru_oldest(t); p; p = ct_lru_newer(t, p)) {
			assert_true(mused[p]);
			n++;
		}
		assert_int_equal(n, count);
	}
	ct_destroy(t);
}

static void
auth_of(uint8_t out[16], uint32_t id, uint32_t version)
{
	uint32_t i;

	for (i = 0; i < 16; i++)
		out[i] = (uint8_t)(id * 31 + version * 7 + i);
}

/* Connections of one client share one cell: 1000 clients x 4 ports cost
 * far less than 4000 unshared entries; a client with more ports than a
 * cell may serve still has every one found and removed. */
static void
test_client_cells_shared(void **state)
{
	struct ct_table *t = ct_create(CT_MAX_CAPACITY, key);
	uint8_t c[16], a[16];
	struct ct_view v;
	size_t base, four;
	uint32_t i, j;

	(void)state;
	base = ct_memory(t);
	for (i = 0; i < 1000; i++) {
		client_addr(c, i);
		auth_of(a, i, 0);
		for (j = 0; j < 4; j++)
			assert_int_equal(ct_insert(t, (uint16_t)(2000 + i * 4 + j), pfx, c,
			    (uint16_t)(40000 + j), a, 16, 1), CT_OK);
	}
	four = ct_memory(t) - base;
	/* one 34-octet cell per client, not per entry */
	assert_true(four <= 1000 * 34 + 1024);
	for (i = 0; i < 4000; i++) {
		assert_true(ct_get(t, (uint16_t)(2000 + i), &v));
		client_addr(c, i / 4);
		auth_of(a, i / 4, 0);
		assert_memory_equal(v.client, c, 16);
		assert_memory_equal(v.auth, a, 16);
		assert_int_equal(v.client_port, 40000 + i % 4);
		assert_int_equal(ct_find_client(t, pfx, c, (uint16_t)(40000 + i % 4)), 2000 + i);
	}
	/* 500 ports of one client: more than one cell's worth */
	client_addr(c, 99999);
	auth_of(a, 99999, 0);
	for (j = 0; j < 500; j++)
		assert_int_equal(ct_insert(t, (uint16_t)(20000 + j), pfx, c, (uint16_t)(1000 + j),
		    a, 16, 2), CT_OK);
	for (j = 0; j < 500; j++)
		assert_int_equal(ct_find_client(t, pfx, c, (uint16_t)(1000 + j)), 20000 + j);
	for (j = 0; j < 500; j += 2)
		ct_remove(t, (uint16_t)(20000 + j));
	for (j = 0; j < 500; j++)
		assert_int_equal(ct_find_client(t, pfx, c, (uint16_t)(1000 + j)),
		    j % 2 ? 20000 + j : 0);
	assert_int_equal(ct_count(t), 4000 + 250);
	/* an odd-length authenticator is refused */
	assert_int_equal(ct_set_auth(t, 2000, a, 15), CT_E_AUTH);
	ct_destroy(t);
}

/* Model check of cells: clients with several ports, two prefixes,
 * authenticators replaced (an entry moves to another cell), ports
 * removed; every port's view must be what the model says, however the
 * cells were shared or duplicated. */
/* xorshift32: every bit usable (the LCG's low bits have short periods). */
static uint32_t
xs_rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
test_cells_random_model(void **state)
{
	static uint32_t mid[65536], mver[65536];
	static uint16_t mcport[65536];
	static uint8_t mused[65536], mpfx[65536];
	struct ct_table *t = ct_create(2000, key);
	uint32_t seed = 777u, i, count = 0;
	uint8_t c[16], a[16];
	size_t base = ct_memory(t);

	(void)state;
	memset(mused, 0, sizeof(mused));
	for (i = 0; i < 300000; i++) {
		uint32_t r = xs_rnd(&seed), id = xs_rnd(&seed) % 700;
		uint16_t port = (uint16_t)(1024 + xs_rnd(&seed) % 3000);
		uint16_t cport = (uint16_t)(xs_rnd(&seed) % 6);
		uint8_t pi = (uint8_t)(id % 5 == 0);
		struct ct_view v;

		client_addr(c, id);
		switch (r % 4) {
		case 0: {
			uint32_t q, mp = 0;

			for (q = 1024; q < 4024; q++)
				if (mused[q] && mid[q] == id && mcport[q] == cport && mpfx[q] == pi) {
					mp = q;
					break;
				}
			assert_int_equal(ct_find_client(t, pi ? pfx2 : pfx, c, cport), mp);
			if (mp == 0 && !mused[port] && count < 2000) {
				uint32_t ver = r / 4 % 2;

				auth_of(a, id, ver);
				assert_int_equal(ct_insert(t, port, pi ? pfx2 : pfx, c, cport, a, 16, i),
				    CT_OK);
				mused[port] = 1;
				mid[port] = id;
				mcport[port] = cport;
				mpfx[port] = pi;
				mver[port] = ver;
				count++;
			}
			break;
		}
		case 1:
			if (mused[port]) {
				ct_remove(t, port);
				mused[port] = 0;
				count--;
			}
			break;
		case 2:
			if (mused[port]) {
				uint32_t ver = xs_rnd(&seed) % 3;

				auth_of(a, mid[port], ver);
				assert_int_equal(ct_set_auth(t, port, a, ver == 2 ? 0 : 16), CT_OK);
				mver[port] = ver;
			}
			break;
		default:
			assert_int_equal(ct_get(t, port, &v), mused[port]);
			if (mused[port]) {
				client_addr(c, mid[port]);
				assert_memory_equal(v.client, c, 16);
				assert_int_equal(v.client_port, mcport[port]);
				assert_memory_equal(v.prefix, mpfx[port] ? pfx2 : pfx, 12);
				if (mver[port] == 2) {
					assert_int_equal(v.auth_len, 0);
				} else {
					auth_of(a, mid[port], mver[port]);
					assert_int_equal(v.auth_len, 16);
					assert_memory_equal(v.auth, a, 16);
				}
			}
			break;
		}
		assert_int_equal(ct_count(t), count);
	}
	/* cells never outnumber entries: memory is bounded by the capacity */
	assert_true(ct_memory(t) <= base + 2001 * 34);
	ct_destroy(t);
}

/* The memory targets, on ct_memory() (what the status file shows): a
 * full table of distinct clients with 16-octet authenticators within
 * 3.0 MiB, and 4 connections per client within 2.5 MiB even when they
 * arrive shuffled (the client cache then misses often and duplicates
 * cells). Seeded, so the figures are reproducible. */
static void
test_memory_targets(void **state)
{
	static uint32_t order[CT_MAX_CAPACITY];
	const uint32_t n = CT_MAX_CAPACITY, clients = CT_MAX_CAPACITY / 4;
	struct ct_table *t;
	uint32_t seed = 99u, i;
	uint8_t c[16], a[16];

	(void)state;
	t = ct_create(n, key);
	for (i = 0; i < n; i++) {
		client_addr(c, i);
		auth_of(a, i, 0);
		assert_int_equal(ct_insert(t, (uint16_t)(1024 + i), pfx, c, 443, a, 16, 1), CT_OK);
	}
	assert_true(ct_memory(t) <= 3u << 20);
	assert_true(ct_memory_max(n) <= 3u << 20);
	ct_destroy(t);
	for (i = 0; i < clients * 4; i++)
		order[i] = i;
	for (i = clients * 4 - 1; i > 0; i--) {
		uint32_t j = xs_rnd(&seed) % (i + 1), tmp = order[i];

		order[i] = order[j];
		order[j] = tmp;
	}
	t = ct_create(n, key);
	for (i = 0; i < clients * 4; i++) {
		client_addr(c, order[i] / 4);
		auth_of(a, order[i] / 4, 0);
		assert_int_equal(ct_insert(t, (uint16_t)(1024 + i), pfx, c,
		    (uint16_t)(1000 + order[i] % 4), a, 16, 1), CT_OK);
	}
	assert_true(ct_memory(t) <= 5u << 19);	/* 2.5 MiB */
	ct_destroy(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_find_remove),
		cmocka_unit_test(test_unconfirmed_mark),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_lru_order),
		cmocka_unit_test(test_auth_dedup_and_replace),
		cmocka_unit_test(test_pick_port_rules),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_client_cells_shared),
		cmocka_unit_test(test_cells_random_model),
		cmocka_unit_test(test_memory_targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
