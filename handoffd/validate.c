/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* validate.c — see ho_validate.h. */
#include "ho_validate.h"
#include "rdfile.h"
#include "addr.h"
#include "atomicfile.h"
#include "htab.h"
#include "xalloc.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VAL_FILE_MAGIC	"nat64-handoffd-tokens"
#define VAL_FILE_VERSION 1
#define VAL_HBUCKETS	1024

struct val_tok {
	struct val_tok *next;		/* the pair's other tokens */
	uint32_t local, nat64;
	uint16_t port;
	uint16_t cur_len, prev_len;
	uint8_t *cur, *prev;
	uint64_t last_seen_s;
};

/* The tokens of one (server, NAT64) pair: one per control port. */
struct val_pair {
	struct htab_node hn;
	uint32_t local, nat64;
	uint32_t n;
	struct val_tok *toks;
};

#define PAIR_OF(n)	htab_entry(n, struct val_pair, hn)

struct val_state {
	uint8_t key[VAL_KEY_LEN], prev_key[VAL_KEY_LEN];
	bool key_used;
	uint64_t key_used_ms;
	int atten;
	uint32_t max_tokens, ntokens;
	bool dirty;
	struct htab pairs;
};

struct val_state *
val_create(uint32_t max_tokens)
{
	struct val_state *vs = xcalloc(1, sizeof(*vs));

	randombytes_buf(vs->key, sizeof(vs->key));
	randombytes_buf(vs->prev_key, sizeof(vs->prev_key));
	htab_init(&vs->pairs, VAL_HBUCKETS);
	vs->atten = 2;
	vs->max_tokens = max_tokens ? max_tokens : 1;
	vs->dirty = true;
	return vs;
}

static void
val_tok_free(struct val_tok *t)
{
	free(t->cur);
	free(t->prev);
	free(t);
}

void
val_destroy(struct val_state *vs)
{
	struct htab_node *hn, *next = NULL;
	struct val_tok *t, *n;
	size_t cur = 0;

	if (vs == NULL)
		return;
	while ((hn = htab_each(&vs->pairs, &cur, &next)) != NULL) {
		for (t = PAIR_OF(hn)->toks; t; t = n) {
			n = t->next;
			val_tok_free(t);
		}
		free(PAIR_OF(hn));
	}
	htab_free(&vs->pairs);
	sodium_memzero(vs, sizeof(*vs));
	free(vs);
}

static void
val_compute(const uint8_t key[VAL_KEY_LEN], const uint8_t *token, size_t tlen,
    uint32_t nat64, uint16_t port, uint8_t out[VAL_MAC_LEN])
{
	crypto_generichash_state st;
	uint8_t tail[6] = { (uint8_t)(nat64 >> 24), (uint8_t)(nat64 >> 16), (uint8_t)(nat64 >> 8),
	    (uint8_t)nat64, (uint8_t)(port >> 8), (uint8_t)port };

	crypto_generichash_init(&st, key, VAL_KEY_LEN, VAL_MAC_LEN);
	crypto_generichash_update(&st, token, tlen);
	crypto_generichash_update(&st, tail, sizeof(tail));
	crypto_generichash_final(&st, out, VAL_MAC_LEN);
}

void
val_mac(struct val_state *vs, const struct clk_now *now, const uint8_t *token, size_t tlen,
    uint32_t nat64, uint16_t port, uint8_t out[VAL_MAC_LEN])
{
	val_compute(vs->key, token, tlen, nat64, port, out);
	vs->key_used = true;
	vs->key_used_ms = now->mono_ms;
}

bool
val_mac_ok(const struct val_state *vs, const uint8_t *token, size_t tlen, uint32_t nat64,
    uint16_t port, const uint8_t *mac, size_t maclen)
{
	uint8_t a[VAL_MAC_LEN], b[VAL_MAC_LEN];
	int m1, m2;

	if (maclen != VAL_MAC_LEN)
		return false;
	val_compute(vs->key, token, tlen, nat64, port, a);
	val_compute(vs->prev_key, token, tlen, nat64, port, b);
	/* both compared, whichever matches: no early exit */
	m1 = sodium_memcmp(a, mac, VAL_MAC_LEN) == 0;
	m2 = sodium_memcmp(b, mac, VAL_MAC_LEN) == 0;
	return (m1 | m2) != 0;
}

bool
val_rotate_due(struct val_state *vs, const struct clk_now *now)
{
	if (!vs->key_used || now->mono_ms - vs->key_used_ms < VAL_ROTATE_MS)
		return false;
	memcpy(vs->prev_key, vs->key, VAL_KEY_LEN);
	randombytes_buf(vs->key, VAL_KEY_LEN);
	vs->key_used = false;
	vs->dirty = true;
	return true;
}

bool
val_attenuate(struct val_state *vs)
{
	if (vs->atten == 0) {
		vs->atten = 1 + (int)randombytes_uniform(2);
		return false;
	}
	vs->atten--;
	return true;
}

void
val_set_attenuation(struct val_state *vs, int counter)
{
	vs->atten = counter;
}

/* Tokens are grouped by (server, NAT64) pair, so the per-NAT64 quota
 * (val_evict_fair) counts a pair's control ports directly. */
static uint64_t
val_pair_hash(const struct val_state *vs, uint32_t local, uint32_t nat64)
{
	uint32_t k[2] = { local, nat64 };

	return htab_hash(&vs->pairs, k, sizeof(k));
}

static struct val_pair *
val_pair_find(const struct val_state *vs, uint32_t local, uint32_t nat64)
{
	uint64_t h = val_pair_hash(vs, local, nat64);
	struct htab_node *n;

	for (n = htab_first(&vs->pairs, h); n; n = htab_next(n, h))
		if (PAIR_OF(n)->local == local && PAIR_OF(n)->nat64 == nat64)
			return PAIR_OF(n);
	return NULL;
}

static struct val_tok *
val_find(struct val_state *vs, uint32_t local, uint32_t nat64, uint16_t port)
{
	struct val_pair *pr = val_pair_find(vs, local, nat64);
	struct val_tok *t;

	for (t = pr ? pr->toks : NULL; t; t = t->next)
		if (t->port == port)
			return t;
	return NULL;
}

static bool
val_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return a && alen == blen && (alen == 0 || sodium_memcmp(a, b, alen) == 0);
}

bool
val_token_known(struct val_state *vs, uint32_t local, uint32_t nat64, uint16_t port,
    const uint8_t *token, size_t tlen, const struct clk_now *now)
{
	struct val_tok *t = val_find(vs, local, nat64, port);

	if (t == NULL)
		return false;
	if (val_eq(t->cur, t->cur_len, token, tlen) || val_eq(t->prev, t->prev_len, token, tlen)) {
		t->last_seen_s = (uint64_t)now->wall.tv_sec;
		return true;
	}
	return false;
}

static uint8_t *
val_dup(const uint8_t *p, size_t n)
{
	uint8_t *c = xmalloc(n ? n : 1);

	if (n)
		memcpy(c, p, n);
	return c;
}

/* The pair's least recently seen token (the first of equals). */
static struct val_tok **
val_pair_oldest(struct val_pair *pr)
{
	struct val_tok **old = &pr->toks, **pp;

	for (pp = &pr->toks; *pp; pp = &(*pp)->next)
		if ((*pp)->last_seen_s < (*old)->last_seen_s)
			old = pp;
	return old;
}

/* The store is full: drop the least recently seen token of the NAT64
 * (server, NAT64 pair) that holds the most control ports (ties: the one
 * with the older token). A NAT64 with a socket per worker keeps all of
 * them while the store has room, and a host validating many ports only
 * ever pushes out its own. One pass over the pairs; it runs only when
 * the store is full. */
static void
val_evict_fair(struct val_state *vs)
{
	struct val_pair *best = NULL;
	struct val_tok **best_old = NULL, *t;
	struct htab_node *n;

	for (n = htab_after(&vs->pairs, NULL); n; n = htab_after(&vs->pairs, n)) {
		struct val_pair *pr = PAIR_OF(n);
		struct val_tok **old;

		if (best && pr->n < best->n)
			continue;
		old = val_pair_oldest(pr);
		if (best == NULL || pr->n > best->n || (*old)->last_seen_s < (*best_old)->last_seen_s) {
			best = pr;
			best_old = old;
		}
	}
	if (best == NULL)
		return;
	t = *best_old;
	*best_old = t->next;
	val_tok_free(t);
	vs->ntokens--;
	if (--best->n == 0) {
		htab_remove(&vs->pairs, &best->hn);
		free(best);
	}
}

static struct val_tok *
val_get_or_add(struct val_state *vs, uint32_t local, uint32_t nat64, uint16_t port)
{
	struct val_tok *t = val_find(vs, local, nat64, port);
	struct val_pair *pr;

	if (t)
		return t;
	if (vs->ntokens >= vs->max_tokens)
		val_evict_fair(vs);
	if ((pr = val_pair_find(vs, local, nat64)) == NULL) {
		pr = xcalloc(1, sizeof(*pr));
		pr->local = local;
		pr->nat64 = nat64;
		htab_insert(&vs->pairs, &pr->hn, val_pair_hash(vs, local, nat64));
	}
	t = xcalloc(1, sizeof(*t));
	t->local = local;
	t->nat64 = nat64;
	t->port = port;
	t->next = pr->toks;
	pr->toks = t;
	pr->n++;
	vs->ntokens++;
	return t;
}

void
val_token_add(struct val_state *vs, uint32_t local, uint32_t nat64, uint16_t port,
    const uint8_t *token, size_t tlen, const struct clk_now *now)
{
	struct val_tok *t = val_get_or_add(vs, local, nat64, port);

	if (tlen > VAL_MAX_TOKEN)
		return;
	if (!val_eq(t->cur, t->cur_len, token, tlen)) {
		free(t->prev);
		t->prev = t->cur;
		t->prev_len = t->cur_len;
		t->cur = val_dup(token, tlen);
		t->cur_len = (uint16_t)tlen;
	}
	t->last_seen_s = (uint64_t)now->wall.tv_sec;
	vs->dirty = true;
}

bool
val_token_rotate(struct val_state *vs, uint32_t local, uint32_t nat64, uint16_t port,
    const uint8_t *token, size_t tlen, const uint8_t *old, size_t oldlen,
    const struct clk_now *now)
{
	struct val_tok *t = val_find(vs, local, nat64, port);

	if (t == NULL || tlen > VAL_MAX_TOKEN)
		return false;
	if (!val_eq(t->cur, t->cur_len, old, oldlen) && !val_eq(t->prev, t->prev_len, old, oldlen))
		return false;
	free(t->prev);
	t->prev = val_dup(old, oldlen);
	t->prev_len = (uint16_t)oldlen;
	free(t->cur);
	t->cur = val_dup(token, tlen);
	t->cur_len = (uint16_t)tlen;
	t->last_seen_s = (uint64_t)now->wall.tv_sec;
	vs->dirty = true;
	return true;
}

uint32_t
val_token_count(const struct val_state *vs)
{
	return vs->ntokens;
}

bool
val_dirty(const struct val_state *vs)
{
	return vs->dirty;
}

/* --- persistence ------------------------------------------------------- */

static void
val_put_hex(struct afile *af, const uint8_t *p, size_t n)
{
	char hex[2 * VAL_MAX_TOKEN + 1];

	if (n == 0) {
		afile_write(af, "-", 1);
		return;
	}
	sodium_bin2hex(hex, sizeof(hex), p, n);
	afile_write(af, hex, 2 * n);
}

int
val_save(struct val_state *vs, const char *path, char *err, size_t errlen)
{
	struct afile *af = afile_begin(path, 0600, err, errlen);
	char a[ADDR_STRLEN], b[ADDR_STRLEN];
	struct htab_node *n;
	struct val_tok *t;

	if (af == NULL)
		return -1;
	afile_printf(af, "%s %d\nkey ", VAL_FILE_MAGIC, VAL_FILE_VERSION);
	val_put_hex(af, vs->key, VAL_KEY_LEN);
	afile_printf(af, " ");
	val_put_hex(af, vs->prev_key, VAL_KEY_LEN);
	afile_printf(af, "\n");
	for (n = htab_after(&vs->pairs, NULL); n; n = htab_after(&vs->pairs, n))
		for (t = PAIR_OF(n)->toks; t; t = t->next) {
			afile_printf(af, "token %s %s %u %llu ", addr_fmt4(t->local, a, sizeof(a)),
			    addr_fmt4(t->nat64, b, sizeof(b)), t->port,
			    (unsigned long long)t->last_seen_s);
			val_put_hex(af, t->cur, t->cur ? t->cur_len : 0);
			afile_printf(af, " ");
			val_put_hex(af, t->prev, t->prev ? t->prev_len : 0);
			afile_printf(af, "\n");
		}
	afile_printf(af, "end\n");
	if (afile_commit(af, err, errlen) == -1)
		return -1;
	vs->dirty = false;
	return 0;
}

/* Decode hex ("-" = empty) of at most max octets; -1 if malformed. */
static int
val_hex(const char *s, uint8_t *out, size_t max, size_t *outlen)
{
	size_t n = strlen(s);

	if (strcmp(s, "-") == 0) {
		*outlen = 0;
		return 0;
	}
	if (n == 0 || n % 2 || n / 2 > max)
		return -1;
	if (sodium_hex2bin(out, max, s, n, NULL, outlen, NULL) != 0 || *outlen != n / 2)
		return -1;
	return 0;
}

/* Split line in place at blanks into at most max fields; returns the
 * count, or max + 1 if there are more. */
static int
val_split(char *line, char **f, int max)
{
	char *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		f[n++] = tok;
	}
	return n;
}

static int
val_load_token(struct val_state *vs, char **f)
{
	uint8_t cur[VAL_MAX_TOKEN], prev[VAL_MAX_TOKEN];
	size_t clen, plen;
	uint32_t local, nat64;
	unsigned long port;
	unsigned long long seen;
	struct val_tok *t;
	char *end;

	errno = 0;
	if (addr_parse4(f[1], &local) || addr_parse4(f[2], &nat64))
		return -1;
	if (f[3][0] < '0' || f[3][0] > '9' || (port = strtoul(f[3], &end, 10), *end) ||
	    port == 0 || port > 65535)
		return -1;
	if (f[4][0] < '0' || f[4][0] > '9' || (seen = strtoull(f[4], &end, 10), *end) || errno)
		return -1;
	if (val_hex(f[5], cur, sizeof(cur), &clen) || val_hex(f[6], prev, sizeof(prev), &plen))
		return -1;
	t = val_get_or_add(vs, local, nat64, (uint16_t)port);
	free(t->cur);
	free(t->prev);
	t->cur = val_dup(cur, clen);
	t->cur_len = (uint16_t)clen;
	t->prev = plen ? val_dup(prev, plen) : NULL;
	t->prev_len = (uint16_t)plen;
	t->last_seen_s = seen;
	return 0;
}

int
val_load(struct val_state *vs, const char *path, char *err, size_t errlen)
{
	unsigned char *text;
	char *line, *save = NULL, *f[8];
	size_t len, klen, plen;
	unsigned lineno = 0;
	int n, ended = 0;
	uint8_t k1[VAL_KEY_LEN], k2[VAL_KEY_LEN];

	if (rf_slurp(path, RF_NOFOLLOW, 64u << 20, &text, &len, err, errlen) == -1)
		return -1;
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "%s: NUL byte in file", path);
		goto bad;
	}
	for (line = strtok_r((char *)text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (ended) {
			snprintf(err, errlen, "%s:%u: data after the end line", path, lineno);
			goto bad;
		}
		n = val_split(line, f, 7);
		if (lineno == 1) {
			if (n != 2 || strcmp(f[0], VAL_FILE_MAGIC) != 0 || strcmp(f[1], "1") != 0) {
				snprintf(err, errlen, "%s:1: not a version %d token file", path, VAL_FILE_VERSION);
				goto bad;
			}
			continue;
		}
		if (n == 3 && strcmp(f[0], "key") == 0) {
			if (val_hex(f[1], k1, VAL_KEY_LEN, &klen) || klen != VAL_KEY_LEN ||
			    val_hex(f[2], k2, VAL_KEY_LEN, &plen) || plen != VAL_KEY_LEN) {
				snprintf(err, errlen, "%s:%u: bad key", path, lineno);
				goto bad;
			}
			memcpy(vs->key, k1, VAL_KEY_LEN);
			memcpy(vs->prev_key, k2, VAL_KEY_LEN);
		} else if (n == 7 && strcmp(f[0], "token") == 0) {
			if (val_load_token(vs, f) == -1) {
				snprintf(err, errlen, "%s:%u: bad token line", path, lineno);
				goto bad;
			}
		} else if (n == 1 && strcmp(f[0], "end") == 0) {
			ended = 1;
		} else {
			snprintf(err, errlen, "%s:%u: unrecognised line", path, lineno);
			goto bad;
		}
	}
	free(text);
	if (!ended) {
		snprintf(err, errlen, "%s: truncated (no end line)", path);
		errno = EINVAL;
		return -1;
	}
	vs->dirty = false;
	return 0;
bad:
	free(text);
	errno = EINVAL;	/* content, not access: the caller sets it aside */
	return -1;
}
