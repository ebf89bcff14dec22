/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* weblog.c — see hc_weblog.h. */
#include "hc_weblog.h"
#include "hc_auditlog.h"

#include <string.h>

static size_t
wl_field(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] != ' ')
		i++;
	return i;
}

static int
wl_month(const char *m)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	for (i = 0; i < 12; i++)
		if (memcmp(names + 3 * i, m, 3) == 0)
			return i + 1;
	return 0;
}

/* "[01/Dec/2026:17:20:00 +0000]" */
static int
wl_apache_time(const char *s, size_t n, int64_t *t_us)
{
	char iso[32];
	bool zoned;
	int mo;

	if (n != 28 || s[0] != '[' || s[3] != '/' || s[7] != '/' || s[12] != ':' || s[21] != ' ' ||
	    (s[22] != '+' && s[22] != '-') || s[27] != ']' || (mo = wl_month(s + 4)) == 0)
		return -1;
	/* YYYY-MM-DDTHH:MM:SS+HH:MM */
	memcpy(iso, s + 8, 4);
	iso[4] = '-';
	iso[5] = (char)('0' + mo / 10);
	iso[6] = (char)('0' + mo % 10);
	iso[7] = '-';
	memcpy(iso + 8, s + 1, 2);
	iso[10] = 'T';
	memcpy(iso + 11, s + 13, 8);
	iso[19] = s[22];
	memcpy(iso + 20, s + 23, 2);
	iso[22] = ':';
	memcpy(iso + 23, s + 25, 2);
	iso[25] = '\0';
	return al_parse_time(iso, false, t_us, &zoned);
}

/* "1764609600.123" */
static int
wl_msec(const char *s, size_t n, int64_t *t_us)
{
	int64_t v = 0;
	size_t i;

	if (n != 14 || s[10] != '.')
		return -1;
	for (i = 0; i < n; i++) {
		if (i == 10)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*t_us = v * 1000;
	return 0;
}

int
wl_parse(const char *s, size_t n, struct wl_rec *r)
{
	size_t w, i;
	unsigned port = 0;

	w = wl_field(s, n);
	if (!al_parse_v4(s, w, &r->addr) || w == n)
		return -1;
	s += w + 1, n -= w + 1;
	w = wl_field(s, n);
	if (w == 0 || w > 5 || w == n)
		return -1;
	for (i = 0; i < w; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		port = port * 10 + (unsigned)(s[i] - '0');
	}
	if (port == 0 || port > 65535)
		return -1;
	r->port = (uint16_t)port;
	s += w + 1, n -= w + 1;
	if (n && s[0] == '[') {		/* %t: two words */
		w = wl_field(s, n);
		if (w < n)
			w += 1 + wl_field(s + w + 1, n - w - 1);
		if (wl_apache_time(s, w, &r->lo_us) == -1)
			return -1;
		r->hi_us = r->lo_us + 999999;
		return 0;
	}
	w = wl_field(s, n);
	if (wl_msec(s, w, &r->lo_us) == 0) {
		r->hi_us = r->lo_us + 999;
		return 0;
	}
	if (w < 64) {
		char t[64];
		bool zoned;

		memcpy(t, s, w);
		t[w] = '\0';
		if (al_parse_time(t, false, &r->lo_us, &zoned) == 0 && zoned) {
			r->hi_us = r->lo_us + 999999;
			return 0;
		}
	}
	return -1;
}
