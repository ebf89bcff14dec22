// FUZZ-SOURCES: handoffd/journal.c handoffd/conntable.c lib/buf.c lib/atomicfile.c lib/xalloc.c lib/rdfile.c
/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* libFuzzer target: journal recovery, on memory (jr_recover, the code
 * jr_open and jr_verify run on the file's contents). Odd first octet: the
 * input follows a valid header (so the fuzzer explores records); even:
 * the input is the whole file. Recovery must never crash, must leave a
 * table whose LRU list and count agree, must report damaged spans that
 * are ordered, disjoint and inside the file, and the image a rewrite
 * would write (jr_image) must recover to the same table with no damage;
 * when the only damage is a tail, the file cut there must too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ho_conntable.h"
#include "ho_journal.h"
#include "xalloc.h"

#define F_NAT 0xc0000207u
#define F_SRV 0xc0000201u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t hkey[16];
static struct ct_table *tables[2];

/* An empty table of 64, reused: creating one costs 2 MiB of slots, which
 * would be most of the time of a run. */
static struct ct_table *
table(int i)
{
	struct ct_table *t;

	if (tables[i] == NULL)
		tables[i] = ct_create(64, hkey);
	t = tables[i];
	while (ct_count(t) > 0)
		ct_remove(t, ct_lru_oldest(t));
	return t;
}

static uint32_t
walk(const struct ct_table *t)
{
	uint32_t n = 0;
	uint16_t p;

	for (p = ct_lru_oldest(t); p; p = ct_lru_newer(t, p))
		n++;
	return n;
}

static void
recover_clean(const uint8_t *img, size_t len, uint32_t want)
{
	struct ct_table *t = table(1);
	struct jr_recovery rec;

	jr_recover(img, len, F_NAT, F_SRV, t, &rec);
	if (!rec.header_ok || rec.nspans != 0 || ct_count(t) != want || walk(t) != want)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jr_recovery rec;
	struct ct_table *t;
	uint8_t *buf, *img;
	size_t len, ilen, end = 0, sum = 0;
	unsigned i;

	if (size < 1)
		return 0;
	buf = xmalloc(JR_HDR_LEN + size);
	len = 0;
	if (data[0] & 1) {	/* the header of an empty table's image */
		img = jr_image(table(0), F_NAT, F_SRV, &len);
		memcpy(buf, img, len);
		free(img);
	}
	memcpy(buf + len, data + 1, size - 1);
	len += size - 1;

	t = table(0);
	jr_recover(buf, len, F_NAT, F_SRV, t, &rec);
	if (walk(t) != ct_count(t) || ct_count(t) > 64)
		abort();
	if (!rec.header_ok) {
		if (ct_count(t) != 0 || rec.nspans != 0)
			abort();
	} else {
		if (rec.good_end > len || rec.nspans > JR_MAX_SPANS)
			abort();
		for (i = 0, end = JR_HDR_LEN; i < rec.nspans; i++) {
			if (rec.spans[i].off < end || rec.spans[i].len == 0 ||
			    rec.spans[i].off + rec.spans[i].len > len)
				abort();
			end = rec.spans[i].off + rec.spans[i].len;
			sum += rec.spans[i].len;
		}
		if (sum != rec.damaged)
			abort();
		img = jr_image(t, F_NAT, F_SRV, &ilen);
		recover_clean(img, ilen, ct_count(t));
		free(img);
		if (jr_recovery_tail_only(&rec, len))
			recover_clean(buf, rec.good_end, ct_count(t));
	}
	free(buf);
	return 0;
}
