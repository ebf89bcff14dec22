// FUZZ-SOURCES: handoffd/journal.c handoffd/conntable.c lib/buf.c lib/atomicfile.c lib/xalloc.c
/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* libFuzzer target: the channel journal loader. Odd first octet: the
 * input follows a valid header (so the fuzzer explores records); even:
 * the input is the whole file. The loader must never crash, must leave a
 * table whose LRU list and count agree, and a reload of what it kept
 * must give the same table. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <sodium.h>

#include "buf.h"
#include "conntable.h"
#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t hkey[16];

static uint32_t
walk(const struct ct_table *t)
{
	uint32_t n = 0;
	uint16_t p;

	for (p = ct_lru_oldest(t); p; p = ct_lru_newer(t, p))
		n++;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64];
	struct jr_load_result res;
	struct ct_table *t, *t2;
	struct jr_file *jf;
	char path[128], err[4600];
	uint8_t h[JR_HDR_LEN];
	FILE *f;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/nk-fuzz-journal-XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	if (size < 1)
		return 0;
	snprintf(path, sizeof(path), "%s/j.tbl", dir);
	unlink(path);
	f = fopen(path, "w");
	if (data[0] & 1) {
		memset(h, 0, sizeof(h));
		memcpy(h, JR_MAGIC, 8);
		be32_store(h + 8, JR_VERSION);
		be32_store(h + 12, 0xc0000207u);
		be32_store(h + 16, 0xc0000201u);
		be32_store(h + 28, (uint32_t)crc32(0, h, 28));
		fwrite(h, 1, sizeof(h), f);
	}
	fwrite(data + 1, 1, size - 1, f);
	fclose(f);

	t = ct_create(64, hkey);
	jf = jr_open(path, 0xc0000207u, 0xc0000201u, t, &res, err, sizeof(err));
	if (walk(t) != ct_count(t) || ct_count(t) > 64)
		abort();
	if (jf) {
		jr_close(jf);
		t2 = ct_create(64, hkey);
		jf = jr_open(path, 0xc0000207u, 0xc0000201u, t2, &res, err, sizeof(err));
		if (jf == NULL || ct_count(t2) != ct_count(t) || res.truncated)
			abort();
		jr_close(jf);
		ct_destroy(t2);
	}
	ct_destroy(t);
	/* remove set-aside files so the directory stays small */
	if (res.set_aside) {
		struct dirent *de;
		DIR *d = opendir(dir);

		while (d && (de = readdir(d)) != NULL)
			if (strstr(de->d_name, ".corrupt-")) {
				snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
				unlink(path);
			}
		if (d)
			closedir(d);
	}
	return 0;
}
