/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ban.c — see ho_ban.h. */
#include "ho_ban.h"
#include "addr.h"
#include "atomicfile.h"
#include "htab.h"
#include "rdfile.h"
#include "xalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAN_FILE_MAGIC		"nat64-handoffd-bans"
#define BAN_FILE_VERSION	1
#define BAN_FILE_MAX		(64u << 20)

struct ban_quar {
	struct htab_node hn;
	uint8_t key[10];	/* local, nat64, port: network order */
	int64_t until_s;
};

/* A ban, found by (length, prefix) in bt->byprefix: a client is matched
 * with one hash lookup per prefix length in use, longest first, so the
 * cost on the packet path does not grow with the number of bans. */
struct ban_rec {
	struct htab_node hn;
	struct ban b;
};

struct ban_table {
	char *path;
	uint32_t max_bans, quarantine_s;
	struct ban_rec **bans;		/* in the order they were made */
	uint32_t nbans, capbans;
	struct htab byprefix;
	uint32_t per_len[129];		/* bans of each prefix length */
	uint8_t lens[129];		/* the lengths in use, longest first */
	unsigned nlens;
	struct htab quar;
	bool dirty;
	bool clk_have;			/* clk_off is set (ban_clock) */
	int64_t clk_off;		/* wall - monotonic seconds, at the last ban_clock */
};

struct ban_table *
ban_create(const char *path, uint32_t max_bans, uint32_t quarantine_s)
{
	struct ban_table *bt = xcalloc(1, sizeof(*bt));

	bt->path = xstrdup(path);
	bt->max_bans = max_bans;
	bt->quarantine_s = quarantine_s;
	htab_init(&bt->quar, 1024);
	htab_init(&bt->byprefix, 256);
	return bt;
}

static void
ban_quar_clear(struct ban_table *bt)
{
	struct htab_node *n, *next = NULL;
	size_t cur = 0;

	while ((n = htab_each(&bt->quar, &cur, &next)) != NULL) {
		htab_remove(&bt->quar, n);
		free(htab_entry(n, struct ban_quar, hn));
	}
}

static void ban_clear(struct ban_table *bt);

void
ban_destroy(struct ban_table *bt)
{
	if (bt == NULL)
		return;
	ban_clear(bt);
	htab_free(&bt->quar);
	htab_free(&bt->byprefix);
	free(bt->bans);
	free(bt->path);
	free(bt);
}

void
ban_set_limits(struct ban_table *bt, uint32_t max_bans, uint32_t quarantine_s)
{
	bt->max_bans = max_bans;
	bt->quarantine_s = quarantine_s;
}

static bool
ban_live(const struct ban *b, int64_t now_s)
{
	return b->until_s == 0 || now_s < b->until_s;
}

static void
ban_mask(uint8_t out[16], const uint8_t in[16], int len)
{
	int i;

	for (i = 0; i < 16; i++) {
		int bits = len - 8 * i;

		out[i] = bits >= 8 ? in[i] : bits <= 0 ? 0 : (uint8_t)(in[i] & (0xff << (8 - bits)));
	}
}

/* The ban of exactly (m, len), m with its host bits zero. */
static struct ban_rec *
ban_find_rec(const struct ban_table *bt, const uint8_t m[16], int len)
{
	uint8_t key[17];
	struct htab_node *n;
	uint64_t h;

	key[0] = (uint8_t)len;
	memcpy(key + 1, m, 16);
	h = htab_hash(&bt->byprefix, key, sizeof(key));
	for (n = htab_first(&bt->byprefix, h); n; n = htab_next(n, h)) {
		struct ban_rec *r = htab_entry(n, struct ban_rec, hn);

		if (r->b.len == len && memcmp(r->b.pfx, m, 16) == 0)
			return r;
	}
	return NULL;
}

const struct ban *
ban_match(const struct ban_table *bt, const uint8_t client[16], int64_t now_s)
{
	uint8_t m[16];
	unsigned i;

	for (i = 0; i < bt->nlens; i++) {
		struct ban_rec *r;

		ban_mask(m, client, bt->lens[i]);
		if ((r = ban_find_rec(bt, m, bt->lens[i])) != NULL && ban_live(&r->b, now_s))
			return &r->b;
	}
	return NULL;
}

/* bt->lens from bt->per_len, after a ban came or went. */
static void
ban_lens(struct ban_table *bt)
{
	int l;

	bt->nlens = 0;
	for (l = 128; l >= 0; l--)
		if (bt->per_len[l])
			bt->lens[bt->nlens++] = (uint8_t)l;
}

static bool
ban_reason_ok(const char *r)
{
	size_t n = strlen(r), i;

	if (n > BAN_REASON_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (r[i] < 0x20 || r[i] > 0x7e || r[i] == '"' || r[i] == '\\')
			return false;
	return true;
}

enum ban_err
ban_add(struct ban_table *bt, const uint8_t pfx[16], int len, int64_t until_s, const char *reason,
    int64_t now_s, bool *replaced)
{
	struct ban_rec *r;
	uint8_t m[16];
	struct ban *b;

	*replaced = false;
	if (len < BAN_MIN_LEN || len > 128)
		return BAN_E_LEN;
	if (reason == NULL)
		reason = "";
	if (!ban_reason_ok(reason))
		return BAN_E_REASON;
	if (until_s != 0 && until_s <= now_s)
		return BAN_E_PAST;
	ban_mask(m, pfx, len);
	if ((r = ban_find_rec(bt, m, len)) != NULL) {
		*replaced = true;
	} else {
		uint8_t key[17];

		if (bt->nbans >= bt->max_bans)
			return BAN_E_FULL;
		if (bt->nbans == bt->capbans) {
			bt->capbans = bt->capbans ? bt->capbans * 2 : 16;
			bt->bans = xreallocarray(bt->bans, bt->capbans, sizeof(*bt->bans));
		}
		r = xcalloc(1, sizeof(*r));
		memcpy(r->b.pfx, m, 16);
		r->b.len = (uint8_t)len;
		key[0] = (uint8_t)len;
		memcpy(key + 1, m, 16);
		htab_insert(&bt->byprefix, &r->hn, htab_hash(&bt->byprefix, key, sizeof(key)));
		bt->bans[bt->nbans++] = r;
		if (bt->per_len[len]++ == 0)
			ban_lens(bt);
	}
	b = &r->b;
	b->since_s = now_s;
	b->until_s = until_s;
	/* the whole field: a shorter reason leaves nothing of the one it replaces */
	memset(b->reason, 0, sizeof(b->reason));
	snprintf(b->reason, sizeof(b->reason), "%s", reason);
	bt->dirty = true;
	return BAN_OK;
}

static void
ban_del_at(struct ban_table *bt, uint32_t i)
{
	struct ban_rec *r = bt->bans[i];

	htab_remove(&bt->byprefix, &r->hn);
	if (--bt->per_len[r->b.len] == 0)
		ban_lens(bt);
	free(r);
	memmove(&bt->bans[i], &bt->bans[i + 1], (bt->nbans - i - 1) * sizeof(*bt->bans));
	bt->nbans--;
	bt->dirty = true;
}

struct ban *
ban_lookup(struct ban_table *bt, const uint8_t pfx[16], int len)
{
	struct ban_rec *r;
	uint8_t m[16];

	if (len < 0 || len > 128)
		return NULL;
	ban_mask(m, pfx, len);
	r = ban_find_rec(bt, m, len);
	return r ? &r->b : NULL;
}

bool
ban_remove(struct ban_table *bt, const uint8_t pfx[16], int len)
{
	struct ban *b = ban_lookup(bt, pfx, len);
	uint32_t i;

	if (b == NULL)
		return false;
	for (i = 0; i < bt->nbans; i++)
		if (&bt->bans[i]->b == b) {
			ban_del_at(bt, i);
			return true;
		}
	return false;
}

void
ban_restore(struct ban_table *bt, const struct ban *b)
{
	uint32_t max = bt->max_bans;
	bool replaced;

	bt->max_bans = UINT32_MAX;
	if (ban_add(bt, b->pfx, b->len, 0, b->reason, b->since_s, &replaced) == BAN_OK)
		ban_lookup(bt, b->pfx, b->len)->until_s = b->until_s;
	bt->max_bans = max;
}

uint32_t
ban_count(const struct ban_table *bt)
{
	return bt->nbans;
}

const struct ban *
ban_get(const struct ban_table *bt, uint32_t i)
{
	return i < bt->nbans ? &bt->bans[i]->b : NULL;
}

uint32_t
ban_expire(struct ban_table *bt, int64_t now_s, struct ban *out, uint32_t max)
{
	uint32_t i = 0, n = 0;

	while (i < bt->nbans && n < max) {
		if (ban_live(&bt->bans[i]->b, now_s)) {
			i++;
			continue;
		}
		out[n++] = bt->bans[i]->b;
		ban_del_at(bt, i);
	}
	return n;
}

const char *
ban_strerror(enum ban_err e)
{
	switch (e) {
	case BAN_OK: return "ok";
	case BAN_E_LEN: return "a ban covers a prefix from /32 to /128";
	case BAN_E_FULL: return "max-bans reached: lift a ban (unban) or raise max-bans";
	case BAN_E_REASON: return "a reason is at most 100 characters of printable ASCII, "
	    "without \" or \\";
	case BAN_E_PAST: return "the ban would end before it starts";
	}
	return "unknown error";
}

char *
ban_fmt_prefix(const struct ban *b, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	snprintf(buf, len, "%s/%u", addr_fmt6(b->pfx, a, sizeof(a)), b->len);
	return buf;
}

/* ---- quarantined ports */

static void
ban_qkey(uint8_t key[10], uint32_t local, uint32_t nat64, uint16_t port)
{
	int i;

	for (i = 0; i < 4; i++) {
		key[i] = (uint8_t)(local >> (24 - 8 * i));
		key[4 + i] = (uint8_t)(nat64 >> (24 - 8 * i));
	}
	key[8] = (uint8_t)(port >> 8);
	key[9] = (uint8_t)port;
}

static struct ban_quar *
ban_qfind(const struct ban_table *bt, const uint8_t key[10])
{
	uint64_t h = htab_hash(&bt->quar, key, 10);
	struct htab_node *n;

	for (n = htab_first(&bt->quar, h); n; n = htab_next(n, h)) {
		struct ban_quar *q = htab_entry(n, struct ban_quar, hn);

		if (memcmp(q->key, key, 10) == 0)
			return q;
	}
	return NULL;
}

static bool
ban_qput(struct ban_table *bt, const uint8_t key[10], int64_t until_s)
{
	struct ban_quar *q = ban_qfind(bt, key);

	if (q) {
		if (until_s > q->until_s) {
			q->until_s = until_s;
			bt->dirty = true;
		}
		return true;
	}
	if (bt->quar.count >= BAN_QUAR_MAX)
		return false;
	q = xcalloc(1, sizeof(*q));
	memcpy(q->key, key, 10);
	q->until_s = until_s;
	htab_insert(&bt->quar, &q->hn, htab_hash(&bt->quar, key, 10));
	bt->dirty = true;
	return true;
}

bool
ban_quarantine(struct ban_table *bt, uint32_t local, uint32_t nat64, uint16_t port,
    int64_t now_s)
{
	uint8_t key[10];

	ban_qkey(key, local, nat64, port);
	return ban_qput(bt, key, now_s + bt->quarantine_s);
}

bool
ban_quarantined(const struct ban_table *bt, uint32_t local, uint32_t nat64, uint16_t port)
{
	uint8_t key[10];

	if (bt == NULL || bt->quar.count == 0)
		return false;
	ban_qkey(key, local, nat64, port);
	return ban_qfind(bt, key) != NULL;
}

uint32_t
ban_quarantine_count(const struct ban_table *bt)
{
	return (uint32_t)bt->quar.count;
}

static uint32_t
ban_load32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint32_t
ban_release(struct ban_table *bt, int64_t now_s, live_query_fn *live, void *live_arg)
{
	uint8_t bitmap[LIVE_BITMAP_BYTES];
	uint32_t bm_local = 0, bm_nat64 = 0, released = 0;
	bool bm_ok = false, bm_have = false;
	struct htab_node *n, *next = NULL;
	size_t cur = 0;

	while ((n = htab_each(&bt->quar, &cur, &next)) != NULL) {
		struct ban_quar *q = htab_entry(n, struct ban_quar, hn);
		uint32_t local = ban_load32(q->key), nat64 = ban_load32(q->key + 4);
		uint16_t port = (uint16_t)(q->key[8] << 8 | q->key[9]);

		if (now_s < q->until_s)
			continue;
		if (live) {
			/* one socket-table query per channel and call, for
			 * the ports of that channel met in a row */
			if (!bm_have || local != bm_local || nat64 != bm_nat64) {
				bm_ok = live(live_arg, local, nat64, bitmap) == 0;
				bm_local = local;
				bm_nat64 = nat64;
				bm_have = true;
			}
			/* Still carried: the NAT64 keeps its copy fresh. An
			 * unanswered query counts as live. */
			if (!bm_ok || live_bit(bitmap, port)) {
				q->until_s = now_s + bt->quarantine_s;
				bt->dirty = true;
				continue;
			}
		}
		htab_remove(&bt->quar, n);
		free(q);
		bt->dirty = true;
		released++;
	}
	return released;
}

void
ban_clock(struct ban_table *bt, int64_t wall_s, uint64_t mono_ms)
{
	int64_t off = wall_s - (int64_t)(mono_ms / 1000);
	struct htab_node *n, *next = NULL;
	size_t cur = 0;

	/* One second of slack: wall_s and mono_ms are not read at once. */
	if (bt->clk_have && off > bt->clk_off + 1) {
		while ((n = htab_each(&bt->quar, &cur, &next)) != NULL)
			htab_entry(n, struct ban_quar, hn)->until_s += off - bt->clk_off;
		bt->dirty = bt->dirty || bt->quar.count > 0;
	}
	bt->clk_off = off;
	bt->clk_have = true;
}

/* ---- the file */

bool
ban_dirty(const struct ban_table *bt)
{
	return bt->dirty;
}

int
ban_save(struct ban_table *bt, char *err, size_t errlen)
{
	struct afile *af = afile_begin(bt->path, 0600, err, errlen);
	struct htab_node *n, *next = NULL;
	char p[64], hex[2 * BAN_REASON_MAX + 1], a[ADDR_STRLEN], b[ADDR_STRLEN];
	size_t cur = 0;
	uint32_t i;

	if (af == NULL)
		return -1;
	afile_printf(af, "%s %d\n", BAN_FILE_MAGIC, BAN_FILE_VERSION);
	for (i = 0; i < bt->nbans; i++) {
		const struct ban *x = &bt->bans[i]->b;

		if (x->reason[0])
			sodium_bin2hex(hex, sizeof(hex), (const unsigned char *)x->reason,
			    strlen(x->reason));
		else
			strcpy(hex, "-");
		afile_printf(af, "ban %s %" PRId64 " %" PRId64 " %s\n", ban_fmt_prefix(x, p, sizeof(p)),
		    x->since_s, x->until_s, hex);
	}
	while ((n = htab_each(&bt->quar, &cur, &next)) != NULL) {
		const struct ban_quar *q = htab_entry(n, struct ban_quar, hn);

		afile_printf(af, "quarantine %s %s %u %" PRId64 "\n",
		    addr_fmt4(ban_load32(q->key), a, sizeof(a)),
		    addr_fmt4(ban_load32(q->key + 4), b, sizeof(b)),
		    (unsigned)(q->key[8] << 8 | q->key[9]), q->until_s);
	}
	afile_printf(af, "end\n");
	if (afile_commit(af, err, errlen) == -1)
		return -1;
	bt->dirty = false;
	return 0;
}

static bool
ban_num(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if ((s[0] < '0' || s[0] > '9') && s[0] != '-')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static int
ban_parse_ban(struct ban_table *bt, char **f)
{
	uint8_t pfx[16];
	char reason[BAN_REASON_MAX + 1];
	size_t rlen = 0, hl = strlen(f[4]);
	int64_t since, until;
	bool replaced;
	int len;

	if (addr_parse_prefix6(f[1], -1, pfx, &len) == -1 || len < BAN_MIN_LEN ||
	    !ban_num(f[2], 0, INT64_MAX / 2, &since) || !ban_num(f[3], 0, INT64_MAX / 2, &until))
		return -1;
	if (strcmp(f[4], "-") != 0 && (hl == 0 || hl % 2 || hl / 2 > BAN_REASON_MAX ||
	    sodium_hex2bin((unsigned char *)reason, BAN_REASON_MAX, f[4], hl, NULL, &rlen, NULL) != 0 ||
	    rlen != hl / 2))
		return -1;
	reason[rlen] = '\0';
	if (strlen(reason) != rlen || !ban_reason_ok(reason))
		return -1;
	/* An end already past is kept: ban_expire() logs it. (ban_parse
	 * lifts max-bans meanwhile: it may have shrunk, the bans stay.) */
	if (ban_add(bt, pfx, len, 0, reason, since, &replaced) != BAN_OK || replaced)
		return -1;	/* a prefix is never written twice */
	ban_lookup(bt, pfx, len)->until_s = until;
	return 0;
}

static int
ban_parse_quar(struct ban_table *bt, char **f)
{
	uint32_t local, nat64;
	int64_t port, until;
	uint8_t key[10];

	if (addr_parse4(f[1], &local) || addr_parse4(f[2], &nat64) ||
	    !ban_num(f[3], 1, 65535, &port) || !ban_num(f[4], 0, INT64_MAX / 2, &until))
		return -1;
	ban_qkey(key, local, nat64, (uint16_t)port);
	if (ban_qfind(bt, key) != NULL)
		return -1;
	return ban_qput(bt, key, until) ? 0 : -1;
}

static void
ban_clear(struct ban_table *bt)
{
	ban_quar_clear(bt);
	while (bt->nbans)
		ban_del_at(bt, bt->nbans - 1);
}

/* A damaged file keeps what it can: the header must be ours, then every
 * well-formed line before the end line is loaded and the others are
 * skipped (the first named in err), so that one bad line does not lift
 * every ban and quarantine. -1 if anything was skipped or missing. */
int
ban_parse(struct ban_table *bt, const char *text, size_t len, char *err, size_t errlen)
{
	char *copy, *line, *save = NULL, *f[6], *tok, *s2;
	unsigned lineno = 0;
	uint32_t max;
	bool ended = false, damaged = false;
	int n;

	ban_clear(bt);
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "%s: NUL byte in file", bt->path);
		return -1;
	}
	max = bt->max_bans;
	bt->max_bans = UINT32_MAX;
	copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (len && copy[len - 1] != '\n') {
		/* a torn last line is not read at all */
		char *nl = strrchr(copy, '\n');

		*(nl ? nl + 1 : copy) = '\0';
		snprintf(err, errlen, "%s: truncated (a torn last line)", bt->path);
		damaged = true;
	}
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *bad = NULL;

		lineno++;
		if (ended) {
			snprintf(err, errlen, "%s:%u: data after the end line", bt->path, lineno);
			damaged = true;
			break;
		}
		n = 0;
		s2 = NULL;
		for (tok = strtok_r(line, " ", &s2); tok; tok = strtok_r(NULL, " ", &s2)) {
			if (n == 6)
				break;
			f[n++] = tok;
		}
		if (lineno == 1) {
			if (n != 2 || strcmp(f[0], BAN_FILE_MAGIC) != 0 || strcmp(f[1], "1") != 0) {
				snprintf(err, errlen, "%s:1: not a version %d ban file", bt->path,
				    BAN_FILE_VERSION);
				goto bad;
			}
		} else if (n == 5 && strcmp(f[0], "ban") == 0) {
			if (ban_parse_ban(bt, f) == -1)
				bad = "bad ban line";
		} else if (n == 5 && strcmp(f[0], "quarantine") == 0) {
			if (ban_parse_quar(bt, f) == -1)
				bad = "bad quarantine line";
		} else if (n == 1 && strcmp(f[0], "end") == 0) {
			ended = true;
		} else
			bad = "unrecognised line";
		if (bad && !damaged) {
			snprintf(err, errlen, "%s:%u: %s", bt->path, lineno, bad);
			damaged = true;
		}
	}
	free(copy);
	bt->max_bans = max;
	if (lineno == 0) {
		snprintf(err, errlen, "%s:1: not a version %d ban file", bt->path, BAN_FILE_VERSION);
		ban_clear(bt);
		return -1;
	}
	if (!ended && !damaged)
		snprintf(err, errlen, "%s: truncated (no end line)", bt->path);
	bt->dirty = false;
	return ended && !damaged ? 0 : -1;
bad:
	free(copy);
	bt->max_bans = max;
	ban_clear(bt);
	return -1;
}

int
ban_load(struct ban_table *bt, char *err, size_t errlen)
{
	unsigned char *text;
	size_t len;
	int rc;

	if (rf_slurp(bt->path, RF_NOFOLLOW, BAN_FILE_MAX, &text, &len, err, errlen) == -1) {
		ban_clear(bt);
		if (errno == EFBIG)
			errno = EINVAL;
		return -1;
	}
	rc = ban_parse(bt, (const char *)text, len, err, errlen);
	free(text);
	if (rc == -1)
		errno = EINVAL;	/* content, not access: the caller sets it aside */
	return rc;
}
