/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* record.c — one line per entry the server answered:
 *   NAT64-IPv4 MAPPED-PORT CLIENT-IPv6 CLIENT-PORT
 * written by --record, read back by --verify (e.g. after kill -9).
 */
#include "sim.h"
#include "addr.h"

#include <stdio.h>
#include <string.h>

int
sim_record_format(const struct sim_record *r, char *buf, size_t len)
{
	char a[ADDR_STRLEN], c[ADDR_STRLEN];

	addr_fmt4(r->nat64, a, sizeof(a));
	addr_fmt6(r->client, c, sizeof(c));
	return snprintf(buf, len, "%s %u %s %u\n", a, r->port, c, r->cport);
}

int
sim_record_parse(const char *line, struct sim_record *r)
{
	char a[64], c[64];
	unsigned port, cport;
	char extra;

	if (sscanf(line, "%63s %u %63s %u %c", a, &port, c, &cport, &extra) != 4)
		return -1;
	if (port == 0 || port > 65535 || cport > 65535)
		return -1;
	if (addr_parse4(a, &r->nat64) == -1 || addr_parse6(c, r->client) == -1)
		return -1;
	r->port = (uint16_t)port;
	r->cport = (uint16_t)cport;
	return 0;
}
