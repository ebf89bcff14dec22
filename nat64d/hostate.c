/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hostate.c — the NAT64's handoff secrets and what it persists; see
 * nd_handoff.h and docs/PROTOCOL.md §9.
 *
 * Tokens (type 4): BLAKE2b-128 keyed with the token key, over "tok" and
 * the server's IPv4 address. The token key rotates every
 * handoff-token-lifetime; the previous one is kept and used for the type-5
 * rotation message, so a validated server switches without a new
 * validation round trip, and tokens under either key are accepted.
 *
 * Authenticators (type 6): BLAKE2b-128 keyed with an authenticator key,
 * over "auth", the server's address and the client's IPv6 address. A
 * server stores the authenticator with each entry and returns it with
 * the entry maybe days later (an idle TCP connection), so authenticator
 * keys live long: a new one every handoff-auth-lifetime, and the last
 * ND_HO_AUTH_KEYS generations are accepted (default 7 days x 4: an
 * authenticator stays valid 3 to 4 weeks). New announcements and forwarded
 * packets carry the newest, and the server refreshes what it stores, so
 * an active connection never ages out.
 *
 * State file (STATE-DIR/handoff.state), strict text, written atomically:
 *     nat64d-handoff-state 1
 *     token-key <64 hex> <unix seconds it was drawn>
 *     token-prev <64 hex>                      (optional)
 *     auth-key <64 hex> <unix seconds>        (1..4 lines, newest first)
 *     server <IPv4 address>                    (0..1024 lines)
 *     end                                      (so a cut file is noticed)
 * Anything else is an error: the file is set aside and fresh keys drawn.
 */
#include "nd_handoff.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "rdfile.h"

void
nd_hokeys_fresh(struct nd_hokeys *k, int64_t wall)
{
	memset(k, 0, sizeof(*k));
	randombytes_buf(k->tok, sizeof(k->tok));
	k->tok_born = wall;
	randombytes_buf(k->auth[0], sizeof(k->auth[0]));
	k->n_auth = 1;
	k->auth_born = wall;
}

bool
nd_hokeys_rotate(struct nd_hokeys *k, int64_t wall, int64_t tok_life, int64_t auth_life)
{
	bool changed = false;

	/* A clock stepped backwards resets the birth time, never rotates early. */
	if (wall < k->tok_born) {
		k->tok_born = wall;
		changed = true;
	}
	if (wall < k->auth_born) {
		k->auth_born = wall;
		changed = true;
	}
	if (tok_life > 0 && wall - k->tok_born >= tok_life) {
		memcpy(k->tok_prev, k->tok, sizeof(k->tok));
		k->have_prev = true;
		randombytes_buf(k->tok, sizeof(k->tok));
		k->tok_born = wall;
		changed = true;
	}
	if (auth_life > 0 && wall - k->auth_born >= auth_life) {
		int n = k->n_auth < ND_HO_AUTH_KEYS ? k->n_auth + 1 : ND_HO_AUTH_KEYS;

		memmove(k->auth[1], k->auth[0], (size_t)(n - 1) * ND_HO_KEYLEN);
		randombytes_buf(k->auth[0], ND_HO_KEYLEN);
		k->n_auth = n;
		k->auth_born = wall;
		changed = true;
	}
	return changed;
}

void
nd_ho_token(const uint8_t key[ND_HO_KEYLEN], uint32_t server, uint8_t out[ND_HO_MACLEN])
{
	uint8_t m[7] = { 't', 'o', 'k' };

	m[3] = (uint8_t)(server >> 24);
	m[4] = (uint8_t)(server >> 16);
	m[5] = (uint8_t)(server >> 8);
	m[6] = (uint8_t)server;
	crypto_generichash(out, ND_HO_MACLEN, m, sizeof(m), key, ND_HO_KEYLEN);
}

void
nd_ho_auth(const uint8_t key[ND_HO_KEYLEN], uint32_t server, const uint8_t client[16],
    uint8_t out[ND_HO_MACLEN])
{
	uint8_t m[24] = { 'a', 'u', 't', 'h' };

	m[4] = (uint8_t)(server >> 24);
	m[5] = (uint8_t)(server >> 16);
	m[6] = (uint8_t)(server >> 8);
	m[7] = (uint8_t)server;
	memcpy(m + 8, client, 16);
	crypto_generichash(out, ND_HO_MACLEN, m, sizeof(m), key, ND_HO_KEYLEN);
}

bool
nd_hokeys_token_ok(const struct nd_hokeys *k, uint32_t server, const uint8_t *t, size_t len)
{
	uint8_t mac[ND_HO_MACLEN];

	if (len != ND_HO_MACLEN)
		return false;
	nd_ho_token(k->tok, server, mac);
	if (sodium_memcmp(mac, t, ND_HO_MACLEN) == 0)
		return true;
	if (!k->have_prev)
		return false;
	nd_ho_token(k->tok_prev, server, mac);
	return sodium_memcmp(mac, t, ND_HO_MACLEN) == 0;
}

bool
nd_hokeys_auth_ok(const struct nd_hokeys *k, uint32_t server, const uint8_t client[16],
    const uint8_t *a, size_t len)
{
	uint8_t mac[ND_HO_MACLEN];
	int i;

	if (len != ND_HO_MACLEN)
		return false;
	for (i = 0; i < k->n_auth; i++) {
		nd_ho_auth(k->auth[i], server, client, mac);
		if (sodium_memcmp(mac, a, ND_HO_MACLEN) == 0)
			return true;
	}
	return false;
}

/* ------------------------------------------------------------ the file */

static int
hs_hex(const char *s, size_t n, uint8_t out[ND_HO_KEYLEN])
{
	size_t bin_len;

	if (n != 2 * ND_HO_KEYLEN)
		return -1;
	if (sodium_hex2bin(out, ND_HO_KEYLEN, s, n, NULL, &bin_len, NULL) != 0 ||
	    bin_len != ND_HO_KEYLEN)
		return -1;
	return 0;
}

/* Split one line into at most 3 space-separated words. */
static int
hs_words(const char *l, size_t n, const char *w[3], size_t wl[3])
{
	int c = 0;
	size_t i = 0;

	while (i < n) {
		size_t s;

		if (l[i] == ' ') {
			i++;
			continue;
		}
		if (c == 3)
			return -1;
		s = i;
		while (i < n && l[i] != ' ')
			i++;
		w[c] = l + s;
		wl[c] = i - s;
		c++;
	}
	return c;
}

static int
hs_int(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (n == 0 || n > 12)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
nd_hostate_parse(const char *text, size_t len, struct nd_hokeys *k, uint32_t *servers,
    int max_servers, int *n_servers, char *err, size_t errlen)
{
	struct nd_hokeys nk;
	size_t off = 0;
	int line = 0, ns = 0;
	bool have_tok = false, have_magic = false, have_end = false;

	memset(&nk, 0, sizeof(nk));
	while (off < len) {
		const char *l = text + off, *nl = memchr(l, '\n', len - off), *w[3];
		size_t ll = nl ? (size_t)(nl - l) : len - off, wl[3];
		int nw;

		line++;
		off += ll + (nl ? 1 : 0);
		if (!nl) {
			snprintf(err, errlen, "line %d: no newline at the end (truncated?)", line);
			return -1;
		}
		if (memchr(l, '\0', ll)) {
			snprintf(err, errlen, "line %d: NUL byte", line);
			return -1;
		}
		nw = hs_words(l, ll, w, wl);
		if (nw <= 0) {
			snprintf(err, errlen, "line %d: %s", line, nw == 0 ? "empty line" : "too many words");
			return -1;
		}
#define IS(s) (wl[0] == sizeof(s) - 1 && !memcmp(w[0], s, sizeof(s) - 1))
		if (have_end) {
			snprintf(err, errlen, "line %d: text after 'end'", line);
			return -1;
		}
		if (!have_magic) {
			if (!IS("nat64d-handoff-state") || nw != 2 || wl[1] != 1 || w[1][0] != '1') {
				snprintf(err, errlen, "line %d: not a nat64d handoff state file "
				    "(want 'nat64d-handoff-state 1')", line);
				return -1;
			}
			have_magic = true;
		} else if (IS("token-key")) {
			if (have_tok || nw != 3 || hs_hex(w[1], wl[1], nk.tok) || hs_int(w[2], wl[2], &nk.tok_born)) {
				snprintf(err, errlen, "line %d: bad or repeated token-key", line);
				return -1;
			}
			have_tok = true;
		} else if (IS("token-prev")) {
			if (nk.have_prev || nw != 2 || hs_hex(w[1], wl[1], nk.tok_prev)) {
				snprintf(err, errlen, "line %d: bad or repeated token-prev", line);
				return -1;
			}
			nk.have_prev = true;
		} else if (IS("auth-key")) {
			int64_t born;

			if (nk.n_auth == ND_HO_AUTH_KEYS || nw != 3 ||
			    hs_hex(w[1], wl[1], nk.auth[nk.n_auth]) || hs_int(w[2], wl[2], &born)) {
				snprintf(err, errlen, "line %d: bad auth-key (or more than %d)", line,
				    ND_HO_AUTH_KEYS);
				return -1;
			}
			if (nk.n_auth == 0)
				nk.auth_born = born;
			nk.n_auth++;
		} else if (IS("server")) {
			char a[16];
			struct in_addr in;

			if (nw != 2 || wl[1] >= sizeof(a)) {
				snprintf(err, errlen, "line %d: bad server line", line);
				return -1;
			}
			memcpy(a, w[1], wl[1]);
			a[wl[1]] = '\0';
			if (inet_pton(AF_INET, a, &in) != 1) {
				snprintf(err, errlen, "line %d: '%s' is not an IPv4 address", line, a);
				return -1;
			}
			if (ns == max_servers) {
				snprintf(err, errlen, "line %d: more than %d servers", line, max_servers);
				return -1;
			}
			servers[ns++] = ntohl(in.s_addr);
		} else if (IS("end") && nw == 1) {
			have_end = true;
		} else {
			snprintf(err, errlen, "line %d: unknown keyword", line);
			return -1;
		}
#undef IS
	}
	if (!have_magic || !have_tok || nk.n_auth == 0 || !have_end) {
		snprintf(err, errlen, "incomplete: needs the header, token-key, auth-key and 'end'");
		return -1;
	}
	*k = nk;
	*n_servers = ns;
	return 0;
}

size_t
nd_hostate_format(const struct nd_hokeys *k, const uint32_t *servers, int n_servers,
    char *buf, size_t len)
{
	char hex[2 * ND_HO_KEYLEN + 1];
	size_t n = 0;
	int i, r;

#define HS_P(...) do { r = snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__); \
	if (r > 0) n += (size_t)r; } while (0)
	HS_P("nat64d-handoff-state 1\n");
	sodium_bin2hex(hex, sizeof(hex), k->tok, ND_HO_KEYLEN);
	HS_P("token-key %s %" PRId64 "\n", hex, k->tok_born);
	if (k->have_prev) {
		sodium_bin2hex(hex, sizeof(hex), k->tok_prev, ND_HO_KEYLEN);
		HS_P("token-prev %s\n", hex);
	}
	for (i = 0; i < k->n_auth; i++) {
		sodium_bin2hex(hex, sizeof(hex), k->auth[i], ND_HO_KEYLEN);
		HS_P("auth-key %s %" PRId64 "\n", hex, k->auth_born);
	}
	for (i = 0; i < n_servers; i++)
		HS_P("server %u.%u.%u.%u\n", servers[i] >> 24, (servers[i] >> 16) & 255,
		    (servers[i] >> 8) & 255, servers[i] & 255);
	HS_P("end\n");
#undef HS_P
	sodium_memzero(hex, sizeof(hex));
	return n;
}

/* The state directory must exist and be writable now, not at the first
 * save: a gateway that cannot keep its keys says so at start (and -n). */
int
nd_hostate_dir_check(const char *dir, char *err, size_t errlen)
{
	int fd;

	if (rf_shared_dir(dir, err, errlen))
		return -1;
	if ((fd = rf_open(dir, RF_DIR, err, errlen)) == -1)
		return -1;
	close(fd);
	if (access(dir, W_OK | X_OK) == -1) {
		snprintf(err, errlen, "%s: not writable: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int
nd_hostate_dir_ok(const char *path, char *err, size_t errlen)
{
	char dir[512], *slash, why[700];

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (nd_hostate_dir_check(dir, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "state-dir %s", why);
		return -1;
	}
	return 0;
}

int
nd_hostate_load(const char *path, int64_t wall, struct nd_hokeys *k, uint32_t *servers,
    int max_servers, int *n_servers, char *err, size_t errlen)
{
	unsigned char *text = NULL;
	size_t len = 0;
	char why[600], aside[512], e2[700];

	*n_servers = 0;
	if (nd_hostate_dir_ok(path, err, errlen) == -1)
		return -1;
	if (rf_slurp(path, RF_NOFOLLOW, ND_HO_STATE_MAX, &text, &len, why, sizeof(why)) == -1) {
		if (errno == ENOENT) {
			nd_hokeys_fresh(k, wall);
			return 0;
		}
		/* Too large or not a regular file (a directory, a FIFO, a
		 * device, a link) is content we cannot use: set aside like a
		 * bad file. Anything else (EACCES, EIO) may be a good file. */
		if (errno != EFBIG && errno != EINVAL) {
			snprintf(err, errlen, "%s", why);
			return -1;
		}
	} else if (nd_hostate_parse((const char *)text, len, k, servers, max_servers, n_servers,
	    e2, sizeof(e2)) == 0) {
		sodium_memzero(text, len);
		free(text);
		return 0;
	} else
		snprintf(why, sizeof(why), "%.300s: %.280s", path, e2);
	if (text) {
		sodium_memzero(text, len);
		free(text);
	}
	if (rf_set_aside(path, wall, aside, sizeof(aside), e2, sizeof(e2)) == -1) {
		snprintf(err, errlen, "%s; %s", why, e2);
		return -1;
	}
	nd_hokeys_fresh(k, wall);
	*n_servers = 0;
	snprintf(err, errlen, "%s; set aside as %s, fresh keys drawn", why, aside);
	return 1;
}

int
nd_hostate_save(const char *path, const struct nd_hokeys *k, const uint32_t *servers,
    int n_servers, char *err, size_t errlen)
{
	size_t cap = 1024 + (size_t)n_servers * 24, n;
	char *buf = malloc(cap);
	int r;

	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	n = nd_hostate_format(k, servers, n_servers, buf, cap);
	r = n < cap ? afile_replace(path, buf, n, 0600, err, errlen) : -1;
	if (n >= cap)
		snprintf(err, errlen, "state too large");
	sodium_memzero(buf, cap);
	free(buf);
	return r;
}
