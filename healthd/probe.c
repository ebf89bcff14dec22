/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* probe.c — probe target specifications (see hd_probe.h). */
#include "hd_probe.h"
#include "addr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
hd_probe_kind_name(enum hd_probe_kind k)
{
	switch (k) {
	case HD_PROBE_TCP: return "tcp";
	case HD_PROBE_DNS: return "dns";
	default: return "icmp";
	}
}

static int
hd_port_parse(const char *s, uint16_t *port)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int
hd_qname_ok(const char *s)
{
	size_t n = strlen(s), lab = 0, i;

	if (n == 0 || n > HD_QNAME_MAX)
		return 0;
	if (strcmp(s, ".") == 0)
		return 1;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (lab == 0)
				return 0;
			lab = 0;
			continue;
		}
		if (s[i] <= ' ' || s[i] > '~' || ++lab > 63)
			return 0;
	}
	return 1;
}

int
hd_target_parse(const char *spec, struct hd_target *t, char *err, size_t errlen)
{
	char buf[HD_QNAME_MAX + 64], *f[4], *p;
	size_t nf = 0;

	memset(t, 0, sizeof(*t));
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "probe '%.32s...' too long", spec);
		return -1;
	}
	strcpy(buf, spec);
	for (p = buf; nf < 4; ) {
		f[nf++] = p;
		if ((p = strchr(p, ':')) == NULL)
			break;
		*p++ = '\0';
	}
	if (p != NULL)
		goto bad;	/* a fifth field */
	if (nf < 2 || addr_parse4(f[1], &t->v4) == -1)
		goto bad;
	if (strcmp(f[0], "tcp") == 0) {
		t->kind = HD_PROBE_TCP;
		if (nf != 3 || hd_port_parse(f[2], &t->port) == -1)
			goto bad;
	} else if (strcmp(f[0], "dns") == 0) {
		t->kind = HD_PROBE_DNS;
		t->port = 53;
		strcpy(t->qname, ".");
		if (nf >= 3 && f[2][0] && hd_port_parse(f[2], &t->port) == -1)
			goto bad;
		if (nf == 4) {
			if (!hd_qname_ok(f[3]))
				goto bad;
			strcpy(t->qname, f[3]);
		}
	} else if (strcmp(f[0], "icmp") == 0) {
		t->kind = HD_PROBE_ICMP;
		if (nf != 2)
			goto bad;
	} else
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "bad probe '%s' (want tcp:IPV4:PORT, dns:IPV4[:PORT[:NAME]] "
	    "or icmp:IPV4)", spec);
	return -1;
}

char *
hd_target_fmt(const struct hd_target *t, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	addr_fmt4(t->v4, a, sizeof(a));
	switch (t->kind) {
	case HD_PROBE_TCP:
		snprintf(buf, len, "tcp:%s:%u", a, t->port);
		break;
	case HD_PROBE_DNS:
		snprintf(buf, len, "dns:%s:%u:%s", a, t->port, t->qname);
		break;
	default:
		snprintf(buf, len, "icmp:%s", a);
	}
	return buf;
}

uint32_t
hd_probe_rtt_us(const uint64_t sent_us[], unsigned answered, uint64_t now_us)
{
	uint64_t d;

	if (answered >= HD_ATTEMPTS_MAX || now_us <= sent_us[answered])
		return 0;
	d = now_us - sent_us[answered];
	return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}
