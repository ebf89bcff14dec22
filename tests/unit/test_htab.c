/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_htab.c — lib/htab.c: insert, lookup with the caller's compare,
 * collisions in one bucket, removal (also while iterating), iteration
 * visiting every node exactly once; seeded random operations checked
 * against a plain array. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "htab.h"

struct rec {
	struct htab_node hn;
	uint32_t key;
	int live;
};

static struct rec *
find(const struct htab *t, uint32_t key)
{
	uint64_t h = htab_hash(t, &key, sizeof(key));
	struct htab_node *n;

	for (n = htab_first(t, h); n; n = htab_next(n, h)) {
		struct rec *r = htab_entry(n, struct rec, hn);
		if (r->key == key)
			return r;
	}
	return NULL;
}

static void
test_basic(void **state)
{
	struct htab t;
	struct rec r[3] = { { .key = 1 }, { .key = 2 }, { .key = 3 } };
	int i;

	(void)state;
	htab_init(&t, 5);
	assert_int_equal(t.mask, 7);
	for (i = 0; i < 3; i++)
		htab_insert(&t, &r[i].hn, htab_hash(&t, &r[i].key, sizeof(r[i].key)));
	assert_int_equal(t.count, 3);
	assert_ptr_equal(find(&t, 2), &r[1]);
	assert_null(find(&t, 4));
	htab_remove(&t, &r[1].hn);
	assert_null(find(&t, 2));
	assert_ptr_equal(find(&t, 1), &r[0]);
	assert_ptr_equal(find(&t, 3), &r[2]);
	assert_int_equal(t.count, 2);
	htab_free(&t);
}

/* One bucket: every record collides; lookups must still compare keys. */
static void
test_one_bucket(void **state)
{
	struct htab t;
	struct rec r[64];
	size_t cur = 0;
	struct htab_node *n, *next = NULL;
	int i, seen = 0;

	(void)state;
	htab_init(&t, 1);
	for (i = 0; i < 64; i++) {
		r[i].key = (uint32_t)i * 7919u;
		htab_insert(&t, &r[i].hn, htab_hash(&t, &r[i].key, sizeof(r[i].key)));
	}
	for (i = 0; i < 64; i++)
		assert_ptr_equal(find(&t, r[i].key), &r[i]);
	/* Remove every other node while iterating. */
	while ((n = htab_each(&t, &cur, &next)) != NULL) {
		struct rec *x = htab_entry(n, struct rec, hn);
		seen++;
		if (x->key % 2 == 0)
			htab_remove(&t, n);
	}
	assert_int_equal(seen, 64);
	assert_int_equal(t.count, 32);
	for (i = 0; i < 64; i++) {
		if (r[i].key % 2 == 0)
			assert_null(find(&t, r[i].key));
		else
			assert_ptr_equal(find(&t, r[i].key), &r[i]);
	}
	htab_free(&t);
}

/* Random inserts and removes against a model; iteration visits every live
 * record exactly once. */
static void
test_random_model(void **state)
{
	enum { N = 2000 };
	static struct rec r[N];
	struct htab t;
	unsigned seed = 12345;
	int i, step, live = 0;

	(void)state;
	htab_init(&t, 256);
	for (i = 0; i < N; i++) {
		r[i].key = (uint32_t)i;
		r[i].live = 0;
	}
	for (step = 0; step < 20000; step++) {
		i = (int)(rand_r(&seed) % N);
		if (r[i].live) {
			htab_remove(&t, &r[i].hn);
			r[i].live = 0;
			live--;
		} else {
			htab_insert(&t, &r[i].hn, htab_hash(&t, &r[i].key, sizeof(r[i].key)));
			r[i].live = 1;
			live++;
		}
	}
	assert_int_equal(t.count, (size_t)live);
	for (i = 0; i < N; i++)
		assert_true((find(&t, r[i].key) != NULL) == (r[i].live != 0));
	{
		static int visits[N];
		size_t cur = 0;
		struct htab_node *n, *next = NULL;
		while ((n = htab_each(&t, &cur, &next)) != NULL)
			visits[htab_entry(n, struct rec, hn)->key]++;
		for (i = 0; i < N; i++)
			assert_int_equal(visits[i], r[i].live);
		/* htab_after: the same records, once each, without a cursor. */
		for (n = htab_after(&t, NULL); n; n = htab_after(&t, n))
			visits[htab_entry(n, struct rec, hn)->key]--;
		for (i = 0; i < N; i++)
			assert_int_equal(visits[i], 0);
	}
	htab_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_one_bucket),
		cmocka_unit_test(test_random_model),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
