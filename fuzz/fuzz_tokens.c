// FUZZ-SOURCES: handoffd/validate.c lib/addr.c lib/atomicfile.c lib/xalloc.c lib/rdfile.c lib/htab.c
/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* libFuzzer target: the token/key state file loader. Any bytes: an
 * error or a load, never a crash; a successful load saves and reloads to
 * the same token count. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "ho_validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64];
	struct val_state *vs, *vs2;
	char path[128], err[512];
	FILE *f;

	if (dir[0] == '\0') {
		if (sodium_init() < 0)
			abort();
		snprintf(dir, sizeof(dir), "/tmp/nk-fuzz-tokens-XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	snprintf(path, sizeof(path), "%s/tokens", dir);
	f = fopen(path, "w");
	fwrite(data, 1, size, f);
	fclose(f);
	vs = val_create(64);
	if (val_load(vs, path, err, sizeof(err)) == 0) {
		if (val_save(vs, path, err, sizeof(err)) != 0)
			abort();
		vs2 = val_create(64);
		if (val_load(vs2, path, err, sizeof(err)) != 0 ||
		    val_token_count(vs2) != val_token_count(vs))
			abort();
		val_destroy(vs2);
	}
	val_destroy(vs);
	return 0;
}
