/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* journal.c recovery: damage does not take the good records after it
 * with it. One bad record in the middle, garbage between records, several
 * damaged spans, a torn tail, damage right after the header: every good
 * record is served, the damaged octets are saved exactly, the file is
 * repaired (a second load finds nothing), and jr_verify reports the same.
 * Also the in-memory path the fuzzer drives (jr_recover, jr_image), and
 * a transient open() failure (EMFILE), which sets nothing aside; crafted
 * records after a valid header never break the table (the LRU walk
 * visits exactly ct_count() entries, all with ports >= 1024). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <zlib.h>

#include "buf.h"
#include "ho_conntable.h"
#include "ho_journal.h"
#include "xalloc.h"

#define J_SRV 0xc0000201u	/* 192.0.2.1 */
#define J_NAT 0xc0000207u	/* 192.0.2.7 */
#define J_N 60

static const uint8_t j_prefix[12] = { 0x00, 0x64, 0xff, 0x9b };
static const uint8_t j_key[16];
static char j_dir[64], j_path[128];

static void
j_client(uint8_t out[16], uint32_t n)
{
	memset(out, 0, 16);
	out[0] = 0x20; out[1] = 0x01; out[2] = 0x0d; out[3] = 0xb8;
	out[14] = (uint8_t)(n >> 8);
	out[15] = (uint8_t)n;
}

static int
j_setup(void **state)
{
	(void)state;
	snprintf(j_dir, sizeof(j_dir), "/tmp/nk-journal-XXXXXX");
	if (mkdtemp(j_dir) == NULL)
		return -1;
	snprintf(j_path, sizeof(j_path), "%s/192.0.2.7-192.0.2.1.tbl", j_dir);
	return 0;
}

static int
j_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", j_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Journal of J_N entries on ports 2000.., a 6-octet authenticator each
 * (records of 48 octets); returns the file's size. offs[i]: record i. */
static size_t
j_make(size_t offs[J_N])
{
	struct ct_table *t = ct_create(100, j_key);
	struct jr_load_result res;
	struct jr_file *jf;
	struct ct_view v;
	struct stat st;
	uint8_t c[16], auth[6] = { 1, 2, 3, 4, 5, 6 };
	char err[512];
	size_t off = JR_HDR_LEN;
	int i;

	unlink(j_path);
	jf = jr_open(j_path, J_NAT, J_SRV, t, &res, 0, err, sizeof(err));
	assert_non_null(jf);
	for (i = 0; i < J_N; i++) {
		j_client(c, (uint32_t)i);
		auth[0] = (uint8_t)i;
		assert_int_equal(ct_insert(t, (uint16_t)(2000 + i), j_prefix, c, 5000, auth, 6, 1), CT_OK);
		assert_true(ct_get(t, (uint16_t)(2000 + i), &v));
		jr_add_create(jf, &v);
		offs[i] = off;
		off += 38 + 6 + 4;
	}
	assert_int_equal(jr_flush(jf, err, sizeof(err)), 0);
	jr_close(jf);
	ct_destroy(t);
	assert_int_equal(stat(j_path, &st), 0);
	assert_int_equal((size_t)st.st_size, off);
	return off;
}

static void
j_flip(size_t off)
{
	int fd = open(j_path, O_RDWR);
	uint8_t b;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, (off_t)off), 1);
	b ^= 0x10;
	assert_int_equal(pwrite(fd, &b, 1, (off_t)off), 1);
	close(fd);
}

/* Insert n octets of garbage at off. */
static void
j_insert(size_t off, const uint8_t *g, size_t n)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(j_path, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = xmalloc((size_t)st.st_size + n);
	assert_int_equal(pread(fd, buf, (size_t)st.st_size, 0), st.st_size);
	memmove(buf + off + n, buf + off, (size_t)st.st_size - off);
	memcpy(buf + off, g, n);
	assert_int_equal(pwrite(fd, buf, (size_t)st.st_size + n, 0), st.st_size + (off_t)n);
	close(fd);
	free(buf);
}

/* The set-aside copy: its size (and contents into out, if given). */
static size_t
j_corrupt_copy(uint8_t *out, size_t cap, int *copies)
{
	struct dirent *de;
	size_t len = 0;
	DIR *d = opendir(j_dir);

	*copies = 0;
	while ((de = readdir(d)) != NULL) {
		char p[400];
		struct stat st;
		int fd;

		if (strstr(de->d_name, ".corrupt-") == NULL)
			continue;
		(*copies)++;
		snprintf(p, sizeof(p), "%s/%s", j_dir, de->d_name);
		assert_int_equal(stat(p, &st), 0);
		len = (size_t)st.st_size;
		if (out && len <= cap) {
			fd = open(p, O_RDONLY);
			assert_int_equal(read(fd, out, len), (ssize_t)len);
			close(fd);
		}
		unlink(p);
	}
	closedir(d);
	return len;
}

/* Load; expect every port 2000+i except those in skip[]. */
static void
j_load_expect(const int *skip, int nskip, struct jr_load_result *res)
{
	struct ct_table *t = ct_create(100, j_key);
	struct jr_file *jf;
	char err[4600];
	int i, k;

	jf = jr_open(j_path, J_NAT, J_SRV, t, res, 0, err, sizeof(err));
	assert_non_null(jf);
	assert_int_equal(ct_count(t), J_N - nskip);
	for (i = 0; i < J_N; i++) {
		bool skipped = false;

		for (k = 0; k < nskip; k++)
			skipped |= skip[k] == i;
		assert_true(ct_port_used(t, (uint16_t)(2000 + i)) == !skipped);
	}
	jr_close(jf);
	ct_destroy(t);
}

/* Open the repaired file: nothing damaged any more. */
static void
j_reload_clean(int expect)
{
	struct ct_table *t = ct_create(100, j_key);
	struct jr_load_result res;
	struct jr_file *jf;
	char err[4600];

	jf = jr_open(j_path, J_NAT, J_SRV, t, &res, 0, err, sizeof(err));
	assert_non_null(jf);
	assert_false(res.truncated);
	assert_int_equal(ct_count(t), expect);
	jr_close(jf);
	ct_destroy(t);
}

/* What chan_load does with res.rewrite. */
static void
j_load_and_repair(struct jr_load_result *res, int expect)
{
	struct ct_table *t = ct_create(100, j_key);
	struct jr_file *jf;
	char err[4600];

	jf = jr_open(j_path, J_NAT, J_SRV, t, res, 0, err, sizeof(err));
	assert_non_null(jf);
	assert_int_equal(ct_count(t), expect);
	if (res->rewrite)
		assert_int_equal(jr_compact(jf, t, err, sizeof(err)), 0);
	jr_close(jf);
	ct_destroy(t);
}

/* One flipped bit in record 20 of 60: the 39 records after it are served,
 * the copy holds exactly that record. */
static void
test_bad_record_in_the_middle(void **state)
{
	size_t offs[J_N];
	struct jr_load_result res;
	uint8_t copy[256], orig[48];
	int skip[] = { 20 }, copies, fd;

	(void)state;
	j_make(offs);
	fd = open(j_path, O_RDONLY);
	assert_int_equal(pread(fd, orig, 48, (off_t)offs[20]), 48);
	close(fd);
	j_flip(offs[20] + 25);
	orig[25] ^= 0x10;
	j_load_expect(skip, 1, &res);
	assert_true(res.truncated);
	assert_true(res.rewrite);
	assert_int_equal(res.records, J_N - 1);
	assert_int_equal(res.resynced, J_N - 21);
	assert_non_null(strstr(res.msg, "1 damaged span (48 octets"));
	assert_int_equal(j_corrupt_copy(copy, sizeof(copy), &copies), 48);
	assert_int_equal(copies, 1);
	assert_memory_equal(copy, orig, 48);
	/* Not repaired yet (no rewrite): the next load meets it again. */
	j_load_and_repair(&res, J_N - 1);
	assert_true(res.truncated);
	j_corrupt_copy(NULL, 0, &copies);
	j_reload_clean(J_N - 1);
}

/* Garbage that is not record-aligned between records 10 and 11, and a
 * bad kind octet at record 40: both skipped, everything else served. */
static void
test_garbage_and_two_spans(void **state)
{
	size_t offs[J_N];
	struct jr_load_result res;
	uint8_t g[37];
	int skip[] = { 40 }, copies;
	size_t i;

	(void)state;
	j_make(offs);
	for (i = 0; i < sizeof(g); i++)
		g[i] = (uint8_t)(i * 37 + 1);
	g[0] = 1;	/* looks like a create record's kind */
	j_flip(offs[40]);	/* kind 1 -> 0x11 */
	j_insert(offs[11], g, sizeof(g));
	j_load_and_repair(&res, J_N - 1);
	j_load_expect(skip, 1, &res);	/* repaired: same entries, clean */
	assert_false(res.truncated);
	j_corrupt_copy(NULL, 0, &copies);
	assert_int_equal(copies, 1);
	j_make(offs);
	j_flip(offs[40]);
	j_insert(offs[11], g, sizeof(g));
	{
		struct ct_table *t = ct_create(100, j_key);
		struct jr_file *jf;
		char err[4600];

		jf = jr_open(j_path, J_NAT, J_SRV, t, &res, 0, err, sizeof(err));
		assert_non_null(jf);
		assert_non_null(strstr(res.msg, "2 damaged spans (85 octets"));
		assert_int_equal(res.resynced, J_N - 11 - 1);
		jr_close(jf);
		ct_destroy(t);
	}
	assert_int_equal(j_corrupt_copy(NULL, 0, &copies), 37 + 48);
}

/* A torn last record: cut off, the file truncated, no rewrite. */
static void
test_torn_tail_truncated(void **state)
{
	size_t offs[J_N], len;
	struct jr_load_result res;
	struct stat st;
	int copies, skip[] = { J_N - 1 };

	(void)state;
	len = j_make(offs);
	assert_int_equal(truncate(j_path, (off_t)(len - 7)), 0);
	j_load_expect(skip, 1, &res);
	assert_true(res.truncated);
	assert_false(res.rewrite);
	assert_int_equal(res.resynced, 0);
	assert_int_equal(stat(j_path, &st), 0);
	assert_int_equal((size_t)st.st_size, offs[J_N - 1]);
	assert_int_equal(j_corrupt_copy(NULL, 0, &copies), 48 - 7);
	j_reload_clean(J_N - 1);
}

/* Damage right after the header: the first record is lost, none other. */
static void
test_damage_after_header(void **state)
{
	size_t offs[J_N];
	struct jr_load_result res;
	int skip[] = { 0 }, copies;

	(void)state;
	j_make(offs);
	j_flip(offs[0] + 47);	/* its CRC */
	j_load_expect(skip, 1, &res);
	assert_true(res.rewrite);
	assert_int_equal(res.resynced, J_N - 1);
	j_corrupt_copy(NULL, 0, &copies);
}

/* nat64-handoffd -n: jr_verify reports the damage and what would be kept,
 * and changes nothing. */
static void
test_verify_reports_resync(void **state)
{
	size_t offs[J_N], len;
	struct jr_load_result res;
	struct ct_table *t = ct_create(100, j_key);
	struct stat st;
	char err[4600];
	int copies;

	(void)state;
	len = j_make(offs);
	j_flip(offs[30] + 3);
	assert_int_equal(jr_verify(j_path, t, &res, err, sizeof(err)), -1);
	assert_int_equal(ct_count(t), J_N - 1);
	assert_int_equal(res.resynced, J_N - 31);
	assert_non_null(strstr(err, "1 damaged span (48 octets"));
	assert_int_equal(stat(j_path, &st), 0);
	assert_int_equal((size_t)st.st_size, len);
	assert_int_equal(j_corrupt_copy(NULL, 0, &copies), 0);
	assert_int_equal(copies, 0);
	ct_destroy(t);
}

/* The in-memory path: the image of a table recovers to the same table,
 * without damage; an image cut anywhere recovers a prefix of it. */
static void
test_image_roundtrip(void **state)
{
	struct ct_table *t = ct_create(100, j_key), *t2;
	struct jr_recovery rec;
	uint8_t c[16], *img;
	size_t len, cut;
	int i;

	(void)state;
	for (i = 0; i < 50; i++) {
		j_client(c, (uint32_t)i);
		assert_int_equal(ct_insert(t, (uint16_t)(3000 + i), j_prefix, c, 7, c, (size_t)(i % 9) * 2, 1),
		    CT_OK);
	}
	img = jr_image(t, J_NAT, J_SRV, &len);
	t2 = ct_create(100, j_key);
	jr_recover(img, len, J_NAT, J_SRV, t2, &rec);
	assert_true(rec.header_ok);
	assert_int_equal(rec.nspans, 0);
	assert_int_equal(ct_count(t2), 50);
	ct_destroy(t2);
	for (cut = JR_HDR_LEN; cut < len; cut += 13) {
		t2 = ct_create(100, j_key);
		jr_recover(img, cut, J_NAT, J_SRV, t2, &rec);
		assert_true(rec.nspans <= 1);
		assert_true(rec.nspans == 0 || jr_recovery_tail_only(&rec, cut));
		ct_destroy(t2);
	}
	/* another channel's header: nothing replayed */
	t2 = ct_create(100, j_key);
	jr_recover(img, len, J_NAT + 1, J_SRV, t2, &rec);
	assert_false(rec.header_ok);
	assert_int_equal(ct_count(t2), 0);
	ct_destroy(t2);
	free(img);
	ct_destroy(t);
}

/* More damaged spans than the recovery keeps apart (every other record
 * of 60 damaged, 30 spans; then all 60 in 2-record steps, with a table of
 * 1000 records): every good record is still served and the copy set aside
 * is exactly as long as reported. */
static void
test_many_spans(void **state)
{
	struct ct_table *t = ct_create(2000, j_key);
	struct jr_recovery rec;
	uint8_t c[16], *img;
	size_t len, i, off, sum;
	int k;

	(void)state;
	for (k = 0; k < 1000; k++) {
		j_client(c, (uint32_t)k);
		assert_int_equal(ct_insert(t, (uint16_t)(2000 + k), j_prefix, c, 9, NULL, 0, 1), CT_OK);
	}
	img = jr_image(t, J_NAT, J_SRV, &len);
	ct_destroy(t);
	/* records are 42 octets (no authenticator): damage every other one */
	for (k = 0, off = JR_HDR_LEN; k < 1000; k++, off += 42)
		if (k % 2)
			img[off + 20] ^= 0x40;
	t = ct_create(2000, j_key);
	jr_recover(img, len, J_NAT, J_SRV, t, &rec);
	assert_int_equal(ct_count(t), 500);
	assert_int_equal(rec.records, 500);
	assert_int_equal(rec.nspans, JR_MAX_SPANS);
	for (i = 0, sum = 0; i < rec.nspans; i++)
		sum += rec.spans[i].len;
	assert_int_equal(sum, rec.damaged);
	assert_true(rec.damaged >= 500 * 42);
	for (k = 0; k < 1000; k += 2)
		assert_true(ct_port_used(t, (uint16_t)(2000 + k)));
	ct_destroy(t);
	free(img);
}

/* A transient open() failure (EMFILE) does not set a good journal
 * aside: the file is still there under its .tbl name. */
static void
test_emfile_keeps_journal(void **state)
{
	size_t offs[J_N];
	struct jr_load_result res;
	struct rlimit old, rl;
	struct ct_table *t;
	struct jr_file *jf;
	char err[512];
	int fd, first = -1;

	(void)state;
	j_make(offs);
	t = ct_create(100, j_key);
	getrlimit(RLIMIT_NOFILE, &old);
	rl = old;
	rl.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while ((fd = open("/dev/null", O_RDONLY)) != -1)
		if (first == -1)
			first = fd;
	jf = jr_open(j_path, J_NAT, J_SRV, t, &res, 0, err, sizeof(err));
	for (fd = first; fd >= 0 && fd < 64; fd++)
		close(fd);
	setrlimit(RLIMIT_NOFILE, &old);
	jr_close(jf);
	ct_destroy(t);
	assert_int_equal(access(j_path, F_OK), 0);
}

static int
j_copies(void)
{
	struct dirent *de;
	DIR *d = opendir(j_dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".corrupt-"))
			n++;
	closedir(d);
	return n;
}

/* One bad record in the middle: the records cut are kept in one copy. */
static void
test_bad_record_keeps_one_copy(void **state)
{
	size_t offs[J_N];
	struct jr_load_result res;
	struct ct_table *t;
	struct jr_file *jf;
	char err[512];
	int before;

	(void)state;
	j_make(offs);
	j_flip(offs[J_N / 2] + 10);
	before = j_copies();
	t = ct_create(100, j_key);
	jf = jr_open(j_path, J_NAT, J_SRV, t, &res, 0, err, sizeof(err));
	assert_non_null(jf);
	jr_close(jf);
	ct_destroy(t);
	assert_int_equal(j_copies(), before + 1);
}

/* Count entries along the LRU list, checking each. */
static uint32_t
j_lru_walk(const struct ct_table *t)
{
	struct ct_view v;
	uint32_t n = 0;
	uint16_t p;

	for (p = ct_lru_oldest(t); p; p = ct_lru_newer(t, p)) {
		assert_true(ct_get(t, p, &v));
		assert_true(p >= CT_MIN_PORT);
		assert_int_equal(ct_find_client(t, v.prefix, v.client, v.client_port), p);
		n++;
		assert_true(n <= ct_count(t));
	}
	return n;
}

static uint32_t j_seed = 12345;

static uint32_t
j_rand(void)
{
	j_seed = j_seed * 1103515245u + 12345u;
	return j_seed >> 8;
}

/* Crafted records after a valid header: whatever is replayed, the table
 * stays consistent. Deterministic pseudo-random records, with valid CRCs
 * half of the time so the replay goes deep. */
static void
test_crafted_journal_consistent(void **state)
{
		uint8_t key[16] = { 1 }, rec[JR_HDR_LEN + 600];
	char path[160], err[512];
	struct jr_load_result res;
	struct ct_view v;
	uint32_t kept = 0, cut = 0;
	int iter, k;

	(void)state;
	snprintf(path, sizeof(path), "%s/crafted.tbl", j_dir);
	for (iter = 0; iter < 200; iter++) {
		struct ct_table *t = ct_create(16, key);
		struct jr_file *jf;
		int fd, wild = iter % 2 == 0;	/* odd rounds: well-formed records only */

		unlink(path);
		jf = jr_open(path, J_NAT, J_SRV, t, &res, 0, err, sizeof(err));
		assert_non_null(jf);
		jr_close(jf);
		ct_destroy(t);
		fd = open(path, O_WRONLY | O_APPEND);
		assert_true(fd >= 0);
		for (k = 0; k < 60; k++) {
			size_t len;

			if (j_rand() % 3 == 0) {
				rec[0] = (uint8_t)(wild && j_rand() % 8 == 0 ? j_rand() : 2);
				rec[1] = (uint8_t)(wild && j_rand() % 8 == 0 ? j_rand() : 0);
				be16_store(rec + 2, (uint16_t)(!wild || j_rand() % 8 ? 1024 + j_rand() % 40 :
				    j_rand()));
				len = 4;
			} else {
				size_t alen = (j_rand() % 4 == 0) ? (j_rand() % 256) * 2 : 0;
				size_t i;

				rec[0] = 1;
				rec[1] = (uint8_t)(alen / 2);
				be16_store(rec + 2, (uint16_t)(!wild || j_rand() % 8 ? 1024 + j_rand() % 40 :
				    j_rand()));
				be16_store(rec + 4, (uint16_t)(j_rand() % 4));
				be32_store(rec + 6, j_rand());
				memset(rec + 10, 0, 28);
				rec[21] = (uint8_t)(j_rand() % 3);
				rec[37] = (uint8_t)(j_rand() % 6);
				for (i = 0; i < alen; i++)
					rec[38 + i] = (uint8_t)(j_rand() % 3);
				len = 38 + alen;
			}
			be32_store(rec + len, (uint32_t)crc32(0, rec, (uInt)len));
			if (wild && j_rand() % 16 == 0)
				rec[j_rand() % (len + 4)] ^= 0x40;
			assert_int_equal(write(fd, rec, len + 4), (ssize_t)(len + 4));
		}
		close(fd);
		t = ct_create(16, key);
		jf = jr_open(path, J_NAT, J_SRV, t, &res, 0, err, sizeof(err));
		assert_non_null(jf);
		assert_true(ct_count(t) <= ct_capacity(t));
		assert_int_equal(j_lru_walk(t), ct_count(t));
		kept += ct_count(t);
		cut += res.truncated;
		if (!wild)
			assert_false(res.truncated);
		/* What was kept reloads to the same table after compaction. */
		assert_int_equal(jr_compact(jf, t, err, sizeof(err)), 0);
		jr_close(jf);
		{
			struct ct_table *t2 = ct_create(16, key);
			uint16_t p;

			jf = jr_open(path, J_NAT, J_SRV, t2, &res, 0, err, sizeof(err));
			assert_non_null(jf);
			assert_false(res.truncated);
			assert_int_equal(ct_count(t2), ct_count(t));
			for (p = ct_lru_oldest(t); p; p = ct_lru_newer(t, p)) {
				assert_true(ct_get(t2, p, &v));
			}
			/* LRU order survives compaction + reload. */
			{
				uint16_t a = ct_lru_oldest(t), b = ct_lru_oldest(t2);

				while (a && b) {
					assert_int_equal(a, b);
					a = ct_lru_newer(t, a);
					b = ct_lru_newer(t2, b);
				}
				assert_int_equal(a, b);
			}
			jr_close(jf);
			ct_destroy(t2);
		}
		ct_destroy(t);
	}
	/* The generator reaches both deep replays and cut tails. */
	assert_true(kept > 200);
	assert_int_equal(cut, 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_record_in_the_middle),
		cmocka_unit_test(test_garbage_and_two_spans),
		cmocka_unit_test(test_torn_tail_truncated),
		cmocka_unit_test(test_damage_after_header),
		cmocka_unit_test(test_verify_reports_resync),
		cmocka_unit_test(test_image_roundtrip),
		cmocka_unit_test(test_many_spans),
		cmocka_unit_test(test_emfile_keeps_journal),
		cmocka_unit_test(test_bad_record_keeps_one_copy),
		cmocka_unit_test(test_crafted_journal_consistent),
	};

	return cmocka_run_group_tests(tests, j_setup, j_teardown);
}
