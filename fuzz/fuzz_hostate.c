// FUZZ-SOURCES: nat64d/hostate.c lib/atomicfile.c lib/xalloc.c lib/rdfile.c
/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* fuzz_hostate.c — nat64d's handoff state file parser (keys, servers):
 * anything but a well-formed file must be refused with a message, and
 * whatever parses must format back to something that parses the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nd_handoff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t servers[ND_HO_MAX_SERVERS], again[ND_HO_MAX_SERVERS];
	static char buf[ND_HO_STATE_MAX + 4096];
	struct nd_hokeys k, k2;
	char err[256];
	int n = 0, n2 = 0;
	size_t len;

	if (nd_hostate_parse((const char *)data, size, &k, servers, ND_HO_MAX_SERVERS, &n, err,
	    sizeof(err)) == -1) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	len = nd_hostate_format(&k, servers, n, buf, sizeof(buf));
	if (len >= sizeof(buf) ||
	    nd_hostate_parse(buf, len, &k2, again, ND_HO_MAX_SERVERS, &n2, err, sizeof(err)) == -1 ||
	    n2 != n || memcmp(servers, again, (size_t)n * sizeof(servers[0])) != 0 ||
	    memcmp(k.tok, k2.tok, sizeof(k.tok)) != 0 || k.n_auth != k2.n_auth)
		abort();
	return 0;
}
