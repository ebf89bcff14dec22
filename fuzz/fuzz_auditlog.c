// FUZZ-SOURCES: handoffctl/auditlog.c handoffctl/weblog.c lib/addr.c lib/xalloc.c
/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* libFuzzer target: nat64-handoffctl's readers of audit lines (text and
 * JSON), of --at times and of access-log lines, and the time index over
 * whatever of the input parses. Never crash; every answer's lifetimes
 * meet the window asked about. Seeds: fuzz/corpus/auditlog/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hc_auditlog.h"
#include "hc_weblog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[] = "/tmp/nk-fuzz-auditlog-XXXXXX";
	static int fd = -1;
	const char *p = (const char *)data, *end = p + size;
	struct al_index *x = al_create(false);
	struct al_answer a;
	struct al_event e;
	char err[256], t[128];
	int i;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct wl_rec r;
		int64_t us;
		bool zoned;

		if (al_parse_line(p, n, false, &e) == 1 && (e.type != AL_CREATED && e.type != AL_DELETED))
			abort();
		if (wl_parse(p, n, &r) == 0 && r.hi_us < r.lo_us)
			abort();
		if (n < sizeof(t)) {
			memcpy(t, p, n);
			t[n] = '\0';
			al_parse_time(t, false, &us, &zoned);
		}
		p += n + 1;
	}
	/* the same bytes as a log file, through the index */
	if (fd == -1 && (fd = mkstemp(path)) == -1)
		abort();
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (al_add_file(x, path, err, sizeof(err)) == 0) {
		al_finish(x);
		for (p = (const char *)data; p < end; p++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

			if (al_parse_line(p, n, false, &e) == 1) {
				al_query(x, e.nat64, e.port, e.t_us, e.t_us, NULL, (e.port & 1) != 0, &a);
				for (i = 0; i < a.ncand; i++)
					if (!(a.cand[i].start_us <= e.t_us && a.cand[i].end_us > e.t_us))
						abort();
			}
			p += n;
		}
	}
	al_destroy(x);
	return 0;
}
