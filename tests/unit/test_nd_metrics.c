/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_nd_metrics.c — nat64d's Prometheus textfile (metrics.c) from a
 * status text: counters as _total, the gauges by name, a handoff_server
 * line as labelled samples, the per-server families capped at
 * ND_METRICS_MAX_SERVERS with the rest counted, lines that are not
 * "key number" left out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "atomicfile.h"
#include "nd_metrics.h"

#define NSRV	(ND_METRICS_MAX_SERVERS + 5)

static int
count_prefix(const char *text, const char *prefix)
{
	const char *p = text;
	int n = 0;

	for (;;) {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
		if ((p = strchr(p, '\n')) == NULL)
			return n;
		p++;
	}
}

static void
test_textfile(void **state)
{
	static char st[NSRV * 128 + 512];
	char dir[] = "/tmp/nk-ndm.XXXXXX", path[64], err[256];
	unsigned char *text;
	size_t len, n = 0;
	int i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/m.prom", dir);
	n += (size_t)snprintf(st + n, sizeof(st) - n, "bib_entries 3\nsessions 4\nrx6 18446744073709551615\n"
	    "not a counter\nbad 12x\nhandoff_fwd6 2\nhandoff_servers %d\n", NSRV);
	for (i = 0; i < NSRV; i++)
		n += (size_t)snprintf(st + n, sizeof(st) - n, "handoff_server 192.0.2.%d %s cached=%d "
		    "rx=1 tx=2 announced=3 fwd=4 downs=5\n", i + 1, i == 0 ? "down" : "supported", i);
	assert_int_equal(nd_metrics_write(path, st, n, err, sizeof(err)), 0);
	assert_int_equal(afile_slurp(path, 1 << 22, &text, &len), 0);
	assert_non_null(strstr((char *)text, "# TYPE nat64d_bib_entries gauge\nnat64d_bib_entries 3\n"));
	assert_non_null(strstr((char *)text, "# TYPE nat64d_rx6_total counter\n"
	    "nat64d_rx6_total 18446744073709551615\n"));
	assert_non_null(strstr((char *)text, "\nnat64d_handoff_fwd6_total 2\n"));
	assert_null(strstr((char *)text, "nat64d_not"));
	assert_null(strstr((char *)text, "nat64d_bad"));
	assert_int_equal(count_prefix((char *)text, "nat64d_handoff_server_state{"),
	    3 * ND_METRICS_MAX_SERVERS);
	assert_int_equal(count_prefix((char *)text, "nat64d_handoff_server_downs_total{"),
	    ND_METRICS_MAX_SERVERS);
	assert_non_null(strstr((char *)text,
	    "nat64d_handoff_server_state{server=\"192.0.2.1\",state=\"down\"} 1\n"));
	assert_non_null(strstr((char *)text,
	    "nat64d_handoff_server_state{server=\"192.0.2.1\",state=\"supported\"} 0\n"));
	assert_non_null(strstr((char *)text,
	    "nat64d_handoff_server_cached_entries{server=\"192.0.2.3\"} 2\n"));
	assert_non_null(strstr((char *)text,
	    "nat64d_handoff_server_forwarded_total{server=\"192.0.2.3\"} 4\n"));
	assert_null(strstr((char *)text, "server=\"192.0.2.65\""));
	assert_non_null(strstr((char *)text, "\nnat64d_handoff_servers_unlabelled 5\n"));
	free(text);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_textfile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
