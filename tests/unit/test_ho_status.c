/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_ho_status.c — nat64-handoffd's Prometheus textfile (status.c): the
 * per-channel families stop at STATUS_METRICS_MAX_CHANNELS loaded channels
 * and count the rest in nat64_handoffd_channels_unlabelled, while the
 * totals cover every channel. */
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
#include "ho_audit.h"
#include "ho_channel.h"
#include "ho_server.h"
#include "ho_status.h"
#include "ho_validate.h"

#define SRV_A	0xc0000202u	/* 192.0.2.2 */
#define NCHAN	(STATUS_METRICS_MAX_CHANNELS + 3)

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
test_channel_cap(void **state)
{
	struct clk_now now = clk_fake(1000, 1552903588);
	char dir[] = "/tmp/nk-hst.XXXXXX", path[128], err[256], cmd[160];
	unsigned char *text;
	struct srv_ctx s;
	size_t len;
	int i;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(audit_open(dir, 0, err, sizeof(err)), 0);
	assert_non_null(s.reg = chan_reg_create(dir, 16, NCHAN + 10, NULL, NULL, err, sizeof(err)));
	s.vs = val_create(8);
	for (i = 0; i < NCHAN; i++)	/* NAT64s 198.51.100.1 .. */
		assert_non_null(chan_get_or_create(s.reg, SRV_A, 0xc6336401u + (uint32_t)i, &now));
	assert_int_equal(chan_loaded(s.reg), NCHAN);
	s.c[SRV_C_validated] = 7;
	snprintf(path, sizeof(path), "%s/m.prom", dir);
	assert_int_equal(status_write_metrics(path, &s, &now, err, sizeof(err)), 0);
	assert_int_equal(afile_slurp(path, 1 << 24, &text, &len), 0);
	assert_int_equal(count_prefix((char *)text, "nat64_handoffd_channel_entries{"),
	    STATUS_METRICS_MAX_CHANNELS);
	assert_int_equal(count_prefix((char *)text, "nat64_handoffd_channel_misses_total{"),
	    STATUS_METRICS_MAX_CHANNELS);
	assert_non_null(strstr((char *)text, "\nnat64_handoffd_channels_unlabelled 3\n"));
	snprintf(cmd, sizeof(cmd), "\nnat64_handoffd_channels_loaded %d\n", NCHAN);
	assert_non_null(strstr((char *)text, cmd));
	assert_non_null(strstr((char *)text, "\nnat64_handoffd_validated_total 7\n"));
	assert_non_null(strstr((char *)text, "\n# TYPE nat64_handoffd_channels gauge\n"));
	assert_non_null(strstr((char *)text,
	    "nat64_handoffd_channel_entries{nat64=\"198.51.100.1\",server=\"192.0.2.2\"} 0\n"));
	free(text);
	chan_reg_destroy(s.reg, &now);
	val_destroy(s.vs);
	audit_close();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_channel_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
