/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* auditlog.c — see hc_auditlog.h. */
#include "hc_auditlog.h"
#include "addr.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define AL_LOG_NAME	"nat64-handoff.log"
#define AL_LINE_MAX	4096

struct al_index {
	struct al_event *ev;
	size_t n, cap;
	uint32_t seq;
	uint64_t lines, bad;
	bool localtime;
	bool only;			/* al_only() */
	uint32_t only_nat64;
	uint16_t only_port;
	uint32_t *nat64s;		/* distinct NAT64 addresses, sorted */
	size_t nnat64;
	/* (NAT64, port) -> its run of events: open addressing over a
	 * flat array built once, so a key's events are found with one or
	 * two cache misses, not twenty. A hot path of its own (annotate
	 * reads it once a line; docs/BENCHMARKS.md), not lib/htab's. */
	struct al_slot { uint64_t key; uint32_t first, n; } *slots;
	size_t nslots;			/* a power of two, 0 before al_finish */
};

static uint64_t
al_key(uint32_t nat64, uint16_t port)
{
	return 1ull << 48 | (uint64_t)nat64 << 16 | port;	/* never 0: 0 is "free" */
}

static size_t
al_hash(uint64_t k, size_t mask)
{
	k *= 0x9e3779b97f4a7c15ull;
	return (size_t)(k >> 32) & mask;
}

/* ---- time */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
al_days(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool
al_digits(const char *s, int n, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

/* Seconds of a wall-clock date and time in UTC or in the local zone
 * (the local conversion is remembered per hour: mktime is slow). */
static int
al_civil(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s, bool local,
    int64_t *out)
{
	static unsigned ck_y, ck_mo, ck_d, ck_h;
	static int64_t ck_base;
	static bool ck_ok;

	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return -1;
	if (!local) {
		*out = al_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
		return 0;
	}
	if (!ck_ok || ck_y != y || ck_mo != mo || ck_d != d || ck_h != h) {
		struct tm tm = { .tm_year = (int)y - 1900, .tm_mon = (int)mo - 1, .tm_mday = (int)d,
				 .tm_hour = (int)h, .tm_isdst = -1 };
		time_t t = mktime(&tm);

		if (t == (time_t)-1)
			return -1;
		ck_y = y, ck_mo = mo, ck_d = d, ck_h = h, ck_base = t, ck_ok = true;
	}
	*out = ck_base + mi * 60 + s;
	return 0;
}

/* "YYYY-MM-DD?HH:MM:SS" at s (19 octets) */
static int
al_stamp(const char *s, size_t n, bool local, int64_t *sec)
{
	unsigned y, mo, d, h, mi, se;

	if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' ||
	    s[16] != ':' || !al_digits(s, 4, &y) || !al_digits(s + 5, 2, &mo) ||
	    !al_digits(s + 8, 2, &d) || !al_digits(s + 11, 2, &h) || !al_digits(s + 14, 2, &mi) ||
	    !al_digits(s + 17, 2, &se))
		return -1;
	return al_civil(y, mo, d, h, mi, se, local, sec);
}

/* ".ffffff" (1..9 digits): microseconds; returns octets used. */
static size_t
al_frac(const char *s, size_t n, int64_t *us)
{
	size_t i = 1;
	int64_t v = 0, scale = 100000;

	*us = 0;
	if (n == 0 || s[0] != '.')
		return 0;
	while (i < n && i < 10 && s[i] >= '0' && s[i] <= '9') {
		v += (s[i] - '0') * scale;
		scale /= 10;
		i++;
	}
	if (i == 1)
		return 0;
	*us = v;
	return i;
}

int
al_parse_time(const char *s, bool localtime, int64_t *t_us, bool *had_zone)
{
	size_t n = strlen(s), i;
	int64_t sec, us;

	*had_zone = false;
	if (s[0] == '@') {
		char *end;
		long long v;

		if (s[1] < '0' || s[1] > '9')
			return -1;
		errno = 0;
		v = strtoll(s + 1, &end, 10);
		if (errno || v > 253402300799LL)
			return -1;
		i = (size_t)(end - s);
		i += al_frac(s + i, n - i, &us);
		if (i != n)
			return -1;
		*had_zone = true;
		*t_us = (int64_t)v * 1000000 + us;
		return 0;
	}
	if (n >= 11 && (n == 10 || s[10] == 'T' || s[10] == ' ')) {
		/* zone first: a time with an offset is UTC arithmetic */
		const char *z;
		bool zoned = false;
		int64_t off = 0;

		i = 19;
		if (n < 19)
			return -1;
		i += al_frac(s + 19, n - 19, &us);
		z = s + i;
		if (*z == 'Z' || *z == 'z') {
			zoned = true;
			z++;
		} else if (*z == '+' || *z == '-') {
			unsigned oh, om;

			if (strlen(z) != 6 || z[3] != ':' || !al_digits(z + 1, 2, &oh) ||
			    !al_digits(z + 4, 2, &om) || oh > 23 || om > 59)
				return -1;
			off = (int64_t)(oh * 3600 + om * 60) * (*z == '-' ? -1 : 1);
			zoned = true;
			z += 6;
		}
		if (*z != '\0')
			return -1;
		if (al_stamp(s, 19, zoned ? false : localtime, &sec) == -1)
			return -1;
		*had_zone = zoned;
		*t_us = (sec - off) * 1000000 + us;
		return 0;
	}
	return -1;
}

int64_t
al_time_resolution(const char *s)
{
	const char *dot = strchr(s, '.');
	int64_t r = 1000000;

	if (dot == NULL || (s[0] != '@' && dot - s != 19))
		return r;
	for (dot++; *dot >= '0' && *dot <= '9' && r > 1; dot++)
		r /= 10;
	return r;
}

char *
al_fmt_time(int64_t t_us, bool localtime, char *buf, size_t len)
{
	time_t t = (time_t)(t_us >= 0 ? t_us / 1000000 : (t_us - 999999) / 1000000);
	long us = (long)(t_us - (int64_t)t * 1000000);
	char date[32];
	struct tm tm;

	if (localtime) {
		long off;

		localtime_r(&t, &tm);
		off = tm.tm_gmtoff / 60;
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(buf, len, "%s.%06ld%c%02ld:%02ld", date, us, off < 0 ? '-' : '+',
		    labs(off) / 60, labs(off) % 60);
	} else {
		gmtime_r(&t, &tm);
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(buf, len, "%s.%06ldZ", date, us);
	}
	return buf;
}

/* ---- lines */

bool
al_parse_v4(const char *s, size_t n, uint32_t *a)
{
	uint32_t v = 0, part = 0;
	int dots = 0, digits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			part = part * 10 + (uint32_t)(s[i] - '0');
			if (++digits > 3 || part > 255)
				return false;
		} else if (s[i] == '.' && digits && dots < 3) {
			v = v << 8 | part;
			part = 0, digits = 0, dots++;
		} else
			return false;
	}
	if (dots != 3 || !digits)
		return false;
	*a = v << 8 | part;
	return true;
}

static bool
al_u16(const char *s, size_t n, uint16_t *v)
{
	unsigned x = 0;
	size_t i;

	if (n == 0 || n > 5)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (unsigned)(s[i] - '0');
	}
	if (x > 65535)
		return false;
	*v = (uint16_t)x;
	return true;
}

static bool
al_v6(const char *s, size_t n, uint8_t a[16])
{
	char tmp[INET6_ADDRSTRLEN];

	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET6, tmp, a) == 1;
}

/* "PREFIX/LEN" of a ban: an IPv6 address and a length 32..128. */
static bool
al_ban_prefix(const char *p, size_t n)
{
	uint8_t a[16];
	const char *slash = memchr(p, '/', n);
	uint16_t len;

	return slash && al_v6(p, (size_t)(slash - p), a) &&
	    al_u16(slash + 1, (size_t)(p + n - slash - 1), &len) && len >= 32 && len <= 128;
}

/* After "Banned ": "PREFIX/LEN until TIME|never[ reason TEXT]"; after
 * "Unbanned ": "PREFIX/LEN expired|lifted". Valid lines, no entry events:
 * 0, or -1 if malformed. */
static int
al_parse_ban(const char *p, const char *end, bool banned)
{
	const char *sp = memchr(p, ' ', (size_t)(end - p));
	size_t rest;

	if (sp == NULL || !al_ban_prefix(p, (size_t)(sp - p)))
		return -1;
	p = sp + 1;
	rest = (size_t)(end - p);
	if (!banned)
		return (rest == 7 && memcmp(p, "expired", 7) == 0) ||
		    (rest == 6 && memcmp(p, "lifted", 6) == 0) ? 0 : -1;
	if (rest < 6 || memcmp(p, "until ", 6) != 0)
		return -1;
	p += 6;
	sp = memchr(p, ' ', (size_t)(end - p));
	if (sp == NULL)
		sp = end;
	if ((size_t)(sp - p) == 5 && memcmp(p, "never", 5) == 0) {
		/* until lifted */
	} else {
		char t[32];
		int64_t us;
		bool zoned;

		if ((size_t)(sp - p) >= sizeof(t))
			return -1;
		memcpy(t, p, (size_t)(sp - p));
		t[sp - p] = '\0';
		if (al_parse_time(t, false, &us, &zoned) == -1 || !zoned)
			return -1;
	}
	if (sp == end)
		return 0;
	return (size_t)(end - sp) >= 8 && memcmp(sp, " reason ", 8) == 0 ? 0 : -1;
}

/* "YYYY-MM-DD HH:MM:SS.uuuuuu Created A.B.C.D:P [V6]:P" */
static int
al_parse_text(const char *s, size_t n, bool localtime, struct al_event *e)
{
	const char *p, *end = s + n, *colon, *rb;
	int64_t sec, us;
	size_t w;

	if (n < 28 || al_stamp(s, n, localtime, &sec) == -1 || al_frac(s + 19, n - 19, &us) != 7 ||
	    s[26] != ' ')
		return -1;
	e->t_us = sec * 1000000 + us;
	p = s + 27;
	if ((size_t)(end - p) > 12 && memcmp(p, "Initialized ", 12) == 0)
		return al_parse_v4(p + 12, (size_t)(end - p - 12), &e->nat64) ? 0 : -1;
	if ((size_t)(end - p) > 7 && memcmp(p, "Banned ", 7) == 0)
		return al_parse_ban(p + 7, end, true);
	if ((size_t)(end - p) > 9 && memcmp(p, "Unbanned ", 9) == 0)
		return al_parse_ban(p + 9, end, false);
	if ((size_t)(end - p) > 8 && memcmp(p, "Created ", 8) == 0)
		e->type = AL_CREATED;
	else if ((size_t)(end - p) > 8 && memcmp(p, "Deleted ", 8) == 0)
		e->type = AL_DELETED;
	else
		return -1;
	p += 8;
	colon = memchr(p, ':', (size_t)(end - p));
	if (colon == NULL || !al_parse_v4(p, (size_t)(colon - p), &e->nat64))
		return -1;
	p = colon + 1;
	for (w = 0; p + w < end && p[w] != ' '; w++)
		;
	if (!al_u16(p, w, &e->port) || p + w + 2 >= end || p[w + 1] != '[')
		return -1;
	p += w + 2;
	rb = memchr(p, ']', (size_t)(end - p));
	if (rb == NULL || !al_v6(p, (size_t)(rb - p), e->client) || rb + 2 > end || rb[1] != ':' ||
	    !al_u16(rb + 2, (size_t)(end - rb - 2), &e->client_port))
		return -1;
	return 1;
}

#define AL_BAN	100	/* banned, unbanned: valid lines, no entry events */

/* A flat JSON object of string and number values, as audit.c writes
 * it; strings with escapes are refused (audit.c never writes any). */
static int
al_parse_json(const char *s, size_t n, struct al_event *e)
{
	const char *p = s + 1, *end = s + n;
	bool have_time = false, have_port = false, have_cport = false, have_client = false;
	int type = 0;

	while (end > p && (end[-1] == ' ' || end[-1] == '\r'))
		end--;
	if (end <= p || end[-1] != '}')
		return -1;
	end--;
	while (p < end) {
		const char *k, *v;
		size_t kn, vn;
		bool str;

		if (*p != '"')
			return -1;
		k = ++p;
		while (p < end && *p != '"' && *p != '\\')
			p++;
		if (p >= end || *p != '"')
			return -1;
		kn = (size_t)(p - k);
		p++;
		if (p >= end || *p != ':')
			return -1;
		p++;
		str = p < end && *p == '"';
		if (str) {
			v = ++p;
			while (p < end && *p != '"' && *p != '\\')
				p++;
			if (p >= end || *p != '"')
				return -1;
			vn = (size_t)(p - v);
			p++;
		} else {
			v = p;
			while (p < end && *p != ',')
				p++;
			vn = (size_t)(p - v);
		}
		if (p < end) {
			if (*p != ',')
				return -1;
			p++;
		}
#define KEY(lit) (kn == sizeof(lit) - 1 && memcmp(k, lit, kn) == 0)
#define VAL(lit) (vn == sizeof(lit) - 1 && memcmp(v, lit, vn) == 0)
		if (KEY("time") && str) {
			char t[64];
			bool zoned;

			if (vn >= sizeof(t))
				return -1;
			memcpy(t, v, vn);
			t[vn] = '\0';
			if (al_parse_time(t, false, &e->t_us, &zoned) == -1 || !zoned)
				return -1;
			have_time = true;
		} else if (KEY("event") && str) {
			type = VAL("created") ? AL_CREATED : VAL("deleted") ? AL_DELETED :
			    VAL("initialized") ? AL_INITIALIZED : VAL("banned") || VAL("unbanned") ?
			    AL_BAN : -1;
			if (type == -1)
				return -1;
		} else if (KEY("nat64") && str) {
			if (!al_parse_v4(v, vn, &e->nat64))
				return -1;
		} else if (KEY("server") && str) {
			if (!al_parse_v4(v, vn, &e->server))
				return -1;
			e->has_server = true;
		} else if (KEY("nat64_port") && !str) {
			if (!al_u16(v, vn, &e->port))
				return -1;
			have_port = true;
		} else if (KEY("client_port") && !str) {
			if (!al_u16(v, vn, &e->client_port))
				return -1;
			have_cport = true;
		} else if (KEY("client") && str) {
			if (!al_v6(v, vn, e->client))
				return -1;
			have_client = true;
		} else if (KEY("prefix") && str && type == AL_BAN) {
			if (!al_ban_prefix(v, vn))
				return -1;
			have_client = true;	/* the ban's own key */
		} else if (KEY("prefix") && str) {
			uint8_t p16[16];

			if (vn < 4 || memcmp(v + vn - 3, "/96", 3) != 0 || !al_v6(v, vn - 3, p16))
				return -1;
			memcpy(e->prefix, p16, 12);
			e->has_prefix = true;
		} else if ((KEY("how") || KEY("reason")) && str) {
			e->detail = VAL("mapped") ? AL_D_MAPPED : VAL("adopted") ? AL_D_ADOPTED :
			    VAL("evicted") ? AL_D_EVICTED : VAL("replaced") ? AL_D_REPLACED :
			    VAL("moved") ? AL_D_MOVED : VAL("forgotten") ? AL_D_FORGOTTEN : AL_D_NONE;
		}
		/* other keys: later additions, ignored */
#undef KEY
#undef VAL
	}
	if (!have_time || type == 0)
		return -1;
	if (type == AL_INITIALIZED)
		return 0;
	if (type == AL_BAN)
		return have_client ? 0 : -1;
	if (!have_port || !have_cport || !have_client)
		return -1;
	e->type = (uint8_t)type;
	return 1;
}

int
al_parse_line(const char *s, size_t n, bool localtime, struct al_event *e)
{
	memset(e, 0, sizeof(*e));
	while (n && (s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n && s[0] == '{')
		return al_parse_json(s, n, e);
	return al_parse_text(s, n, localtime, e);
}

/* ---- the index */

struct al_index *
al_create(bool localtime)
{
	struct al_index *x = xcalloc(1, sizeof(*x));

	x->localtime = localtime;
	return x;
}

void
al_only(struct al_index *x, uint32_t nat64, uint16_t port)
{
	x->only = true;
	x->only_nat64 = nat64;
	x->only_port = port;
}

void
al_destroy(struct al_index *x)
{
	if (x == NULL)
		return;
	free(x->ev);
	free(x->nat64s);
	free(x->slots);
	free(x);
}

static void
al_line(struct al_index *x, const char *s, size_t n)
{
	struct al_event e;
	int r;

	x->lines++;
	r = al_parse_line(s, n, x->localtime, &e);
	if (r == -1) {
		x->bad++;
		return;
	}
	if (r == 0 || (x->only && (e.nat64 != x->only_nat64 || e.port != x->only_port)))
		return;
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 4096;
		x->ev = xreallocarray(x->ev, x->cap, sizeof(*x->ev));
	}
	e.seq = x->seq++;
	x->ev[x->n++] = e;
}

int
al_add_file(struct al_index *x, const char *path, char *err, size_t errlen)
{
	static char buf[1 << 17];
	char line[AL_LINE_MAX];
	size_t have = 0;
	bool skipping = false;
	gzFile gz;
	int r;

	if ((gz = gzopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : ENOMEM));
		return -1;
	}
	gzbuffer(gz, 1 << 17);
	while ((r = gzread(gz, buf, sizeof(buf))) > 0) {
		const char *p = buf, *end = buf + r, *nl;

		while (p < end) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL) {
				size_t k = (size_t)(end - p);

				if (!skipping && have + k <= sizeof(line)) {
					memcpy(line + have, p, k);
					have += k;
				} else
					skipping = true;	/* too long: malformed */
				break;
			}
			if (have || skipping) {
				size_t k = (size_t)(nl - p);

				if (!skipping && have + k <= sizeof(line)) {
					memcpy(line + have, p, k);
					al_line(x, line, have + k);
				} else {
					x->lines++;
					x->bad++;
				}
				have = 0;
				skipping = false;
			} else
				al_line(x, p, (size_t)(nl - p));
			p = nl + 1;
		}
	}
	if (r < 0) {
		int e;
		const char *m = gzerror(gz, &e);

		snprintf(err, errlen, "%s: %s", path, e == Z_ERRNO ? strerror(errno) : m);
		gzclose(gz);
		return -1;
	}
	if (have)	/* a last line without newline (being written) */
		al_line(x, line, have);
	gzclose(gz);
	return 0;
}

struct al_file {
	char name[256];
	int rank;			/* 0 dated, 1 numbered, 2 current */
	long num;
};

static int
al_cmp_file(const void *a, const void *b)
{
	const struct al_file *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	if (x->rank == 1)
		return x->num > y->num ? -1 : x->num < y->num;	/* .9 before .1 */
	return strcmp(x->name, y->name);
}

int
al_add_dir(struct al_index *x, const char *dir, char *err, size_t errlen)
{
	struct al_file *files = NULL;
	size_t n = 0, cap = 0, i, base = strlen(AL_LOG_NAME);
	char path[4096];
	struct dirent *de;
	int nread = 0;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		const char *nm = de->d_name, *rest = nm + base;
		struct al_file f = { .rank = 0 };

		if (strncmp(nm, AL_LOG_NAME, base) != 0 || strlen(nm) >= sizeof(f.name))
			continue;
		if (*rest == '\0')
			f.rank = 2;
		else if (*rest == '.' && rest[1] >= '0' && rest[1] <= '9') {
			char *end;

			f.rank = 1;
			f.num = strtol(rest + 1, &end, 10);
			if (*end != '\0' && strcmp(end, ".gz") != 0)
				continue;
		} else if (*rest == '-' || *rest == '.') {
			f.rank = 0;	/* dateext and the like: by name */
		} else
			continue;
		snprintf(f.name, sizeof(f.name), "%s", nm);
		if (n == cap)
			files = xreallocarray(files, (cap = cap ? cap * 2 : 16), sizeof(*files));
		files[n++] = f;
	}
	closedir(dp);
	if (n)
		qsort(files, n, sizeof(*files), al_cmp_file);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		if (al_add_file(x, path, err, errlen) == 0)
			nread++;
		else if (files[i].rank == 2) {
			free(files);
			return -1;
		}
	}
	free(files);
	if (nread == 0) {
		snprintf(err, errlen, "%s: no %s files", dir, AL_LOG_NAME);
		return -1;
	}
	return nread;
}

static int
al_cmp_event(const void *a, const void *b)
{
	const struct al_event *x = a, *y = b;

	if (x->nat64 != y->nat64)
		return x->nat64 < y->nat64 ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->t_us != y->t_us)
		return x->t_us < y->t_us ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
al_finish(struct al_index *x)
{
	size_t i, runs = 0, mask;

	if (x->n)
		qsort(x->ev, x->n, sizeof(*x->ev), al_cmp_event);
	free(x->nat64s);
	x->nat64s = NULL;
	x->nnat64 = 0;
	for (i = 0; i < x->n; i++) {
		if (x->nnat64 == 0 || x->nat64s[x->nnat64 - 1] != x->ev[i].nat64) {
			x->nat64s = xreallocarray(x->nat64s, x->nnat64 + 1, sizeof(uint32_t));
			x->nat64s[x->nnat64++] = x->ev[i].nat64;
		}
		if (i == 0 || x->ev[i].port != x->ev[i - 1].port || x->ev[i].nat64 != x->ev[i - 1].nat64)
			runs++;
	}
	free(x->slots);
	for (x->nslots = 16; x->nslots < 2 * runs; x->nslots *= 2)
		;
	x->slots = xcalloc(x->nslots, sizeof(*x->slots));
	mask = x->nslots - 1;
	for (i = 0; i < x->n; i++) {
		uint64_t k = al_key(x->ev[i].nat64, x->ev[i].port);
		size_t h = al_hash(k, mask);

		while (x->slots[h].key != 0 && x->slots[h].key != k)
			h = (h + 1) & mask;
		if (x->slots[h].key == 0) {
			x->slots[h].key = k;
			x->slots[h].first = (uint32_t)i;
		}
		x->slots[h].n++;
	}
}

size_t
al_count(const struct al_index *x)
{
	return x->n;
}

uint64_t
al_bad_lines(const struct al_index *x)
{
	return x->bad;
}

uint64_t
al_lines(const struct al_index *x)
{
	return x->lines;
}

bool
al_knows_nat64(const struct al_index *x, uint32_t nat64)
{
	size_t lo = 0, hi = x->nnat64;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->nat64s[mid] < nat64)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < x->nnat64 && x->nat64s[lo] == nat64;
}

/* The run of events of (nat64, port): *n events from the returned index. */
static size_t
al_run(const struct al_index *x, uint32_t nat64, uint16_t port, size_t *n)
{
	uint64_t k = al_key(nat64, port);
	size_t mask = x->nslots - 1, h;

	*n = 0;
	if (x->nslots == 0)
		return 0;
	for (h = al_hash(k, mask); x->slots[h].key != 0; h = (h + 1) & mask)
		if (x->slots[h].key == k) {
			*n = x->slots[h].n;
			return x->slots[h].first;
		}
	return 0;
}

/* The same entry's events: same client, and the same server when both
 * lines name one (a text line and a JSON line of one entry match). */
static bool
al_same_client(const struct al_event *a, const struct al_event *b)
{
	return a->client_port == b->client_port && memcmp(a->client, b->client, 16) == 0 &&
	    (!a->has_server || !b->has_server || a->server == b->server);
}

/* The lifetime [start, end) of created if it meets [lo, hi]. */
static void
al_emit(struct al_answer *a, const struct al_event *created, int64_t start,
    const struct al_event *deleted, int64_t end, int64_t lo, int64_t hi)
{
	struct al_cand *c;
	int64_t s = created ? start : INT64_MIN;

	if (!(s <= hi && end > lo))
		return;
	if (a->ncand == AL_MAX_CAND) {
		a->truncated = true;
		return;
	}
	c = &a->cand[a->ncand++];
	c->start_us = s;
	c->end_us = end;
	c->early = created && s < created->t_us;
	c->created = created;
	c->deleted = deleted;
	c->how = created ? created->detail : AL_D_NONE;
	c->reason = deleted ? deleted->detail : AL_D_NONE;
}

int
al_query(const struct al_index *x, uint32_t nat64, uint16_t port, int64_t lo, int64_t hi,
    const uint32_t *server, bool overlap, struct al_answer *a)
{
	const struct al_event *open[AL_MAX_CAND];
	int64_t start[AL_MAX_CAND], last = INT64_MIN;
	size_t n, i = al_run(x, nat64, port, &n), end = i + n;
	int nopen = 0, k;

	memset(a, 0, sizeof(*a));
	for (; i < end; i++) {
		const struct al_event *e = &x->ev[i];

		if (server && e->has_server && e->server != *server)
			continue;
		if (e->t_us < lo)
			a->before = e;
		else if (e->t_us > hi && a->after == NULL)
			a->after = e;
		if (e->type == AL_CREATED) {
			/* An entry of the same channel that this one replaces
			 * without a Deleted line (a lost state directory, a
			 * lost line) ends here: a channel holds one entry per
			 * port. Without server addresses, "same channel" is
			 * every open entry unless channels may overlap. */
			bool replaced = false;

			for (k = 0; k < nopen; k++) {
				const struct al_event *o = open[k];
				bool same = (e->has_server && o->has_server) ? o->server == e->server :
				    (!overlap || al_same_client(o, e));

				if (same) {
					al_emit(a, o, start[k], NULL, e->t_us, lo, hi);
					start[k] = start[nopen - 1];
					open[k--] = open[--nopen];
					replaced = true;
				}
			}
			if (nopen < AL_MAX_CAND) {
				int64_t s = e->t_us;

				/* maybe adopted; not when it replaces an entry
				 * that held the port until this line */
				if (e->detail != AL_D_MAPPED && !replaced) {
					s = e->t_us - AL_ADOPT_SLACK_US;
					if (s < last)
						s = last;
				}
				start[nopen] = s;
				open[nopen++] = e;
			} else
				a->truncated = true;
		} else {
			for (k = 0; k < nopen; k++)
				if (al_same_client(open[k], e))
					break;
			if (k < nopen) {
				al_emit(a, open[k], start[k], e, e->t_us, lo, hi);
				start[k] = start[nopen - 1];
				open[k] = open[--nopen];
			} else if (last == INT64_MIN) {
				/* the port's first event: created before the
				 * oldest log. A later Deleted without its Created
				 * belongs to an entry already ended by a Created
				 * (or a lost line) and adds nothing. */
				al_emit(a, NULL, 0, e, e->t_us, lo, hi);
			}
		}
		last = e->t_us;
		if (e->t_us > hi && nopen == 0)
			break;
	}
	for (k = 0; k < nopen; k++)
		al_emit(a, open[k], start[k], NULL, INT64_MAX, lo, hi);
	return a->ncand;
}
