// FUZZ-SOURCES: handoffd/ban.c lib/addr.c lib/atomicfile.c lib/htab.c lib/xalloc.c lib/rdfile.c
/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* libFuzzer target: nat64-handoffd's ban file (STATE/bans) parser. Any
 * bytes: a table, whole or what a damaged file keeps, never a crash; it
 * saves and reparses whole to the same bans and quarantined ports.
 * Seeds: fuzz/corpus/bans/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "ho_ban.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64];
	struct ban_table *bt, *bt2;
	char path[128], err[512];
	uint32_t i;

	if (dir[0] == '\0') {
		if (sodium_init() < 0)
			abort();
		snprintf(dir, sizeof(dir), "/tmp/nk-fuzz-bans-XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	snprintf(path, sizeof(path), "%s/%s", dir, BAN_FILE);
	bt = ban_create(path, 16, 60);
	/* Whole or damaged, what was kept is what the server saves: it must
	 * read back whole and the same. */
	(void)ban_parse(bt, (const char *)data, size, err, sizeof(err));
	{
		if (ban_save(bt, err, sizeof(err)) != 0)
			abort();
		bt2 = ban_create(path, 16, 60);
		if (ban_load(bt2, err, sizeof(err)) != 0 || ban_count(bt2) != ban_count(bt) ||
		    ban_quarantine_count(bt2) != ban_quarantine_count(bt))
			abort();
		for (i = 0; i < ban_count(bt); i++)
			if (memcmp(ban_get(bt, i), ban_get(bt2, i), sizeof(struct ban)) != 0)
				abort();
		ban_destroy(bt2);
	}
	ban_destroy(bt);
	return 0;
}
