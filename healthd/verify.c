/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* verify.c — see hd_verify.h. */
#include "hd_verify.h"
#include "addr.h"

#include <stdio.h>
#include <string.h>

#define HD_V_A170	0xc00000aau	/* 192.0.0.170, RFC 8880 */
#define HD_V_A171	0xc00000abu	/* 192.0.0.171 */

void
hd_verify_init(struct hd_verify *v)
{
	memset(v, 0, sizeof(*v));
	v->matches = -1;
}

void
hd_verify_reset(struct hd_verify *v)
{
	v->gave_up = false;
	v->unfixed = 0;
	v->matches = -1;
}

size_t
hd_verify_expect(const uint8_t (*pfx)[16], const int *len, size_t n, uint8_t (*out)[16],
    size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 2 <= max; i++) {
		addr_rfc6052_embed(pfx[i], len[i], HD_V_A170, out[k++]);
		addr_rfc6052_embed(pfx[i], len[i], HD_V_A171, out[k++]);
	}
	return k;
}

static bool
hd_v_has(const uint8_t (*set)[16], size_t n, const uint8_t a[16])
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(set[i], a, 16) == 0)
			return true;
	return false;
}

bool
hd_verify_same(const uint8_t (*a)[16], size_t na, const uint8_t (*b)[16], size_t nb)
{
	size_t i;

	for (i = 0; i < na; i++)
		if (!hd_v_has(b, nb, a[i]))
			return false;
	for (i = 0; i < nb; i++)
		if (!hd_v_has(a, na, b[i]))
			return false;
	return true;
}

/* "missing A B, unexpected C" (truncated to fit). */
static void
hd_v_detail(struct hd_verify *v, int rcode, const uint8_t (*got)[16], size_t ngot,
    const uint8_t (*want)[16], size_t nwant)
{
	char a[ADDR_STRLEN];
	size_t i, off = 0;
	int w;

	v->detail[0] = '\0';
	if (rcode != 0)
		off += (size_t)snprintf(v->detail, sizeof(v->detail), "rcode %d ", rcode);
	for (i = 0; i < nwant && off < sizeof(v->detail); i++)
		if (!hd_v_has(got, ngot, want[i])) {
			w = snprintf(v->detail + off, sizeof(v->detail) - off, "missing %s ",
			    addr_fmt6(want[i], a, sizeof(a)));
			off += w > 0 ? (size_t)w : 0;
		}
	for (i = 0; i < ngot && off < sizeof(v->detail); i++)
		if (!hd_v_has(want, nwant, got[i])) {
			w = snprintf(v->detail + off, sizeof(v->detail) - off, "unexpected %s ",
			    addr_fmt6(got[i], a, sizeof(a)));
			off += w > 0 ? (size_t)w : 0;
		}
	if (off >= sizeof(v->detail))
		off = sizeof(v->detail) - 1;
	while (off > 0 && v->detail[off - 1] == ' ')
		v->detail[--off] = '\0';
}

enum hd_vres
hd_verify_judge(struct hd_verify *v, bool answered, int rcode, const uint8_t (*got)[16],
    size_t ngot, const uint8_t (*want)[16], size_t nwant, enum hd_vapply apply,
    const struct clk_now *now)
{
	bool same;

	if (apply != HD_VA_FAILING)
		v->kicked_failing = false;
	if (v->gave_up)
		return HD_V_WAIT;
	if (!answered) {
		v->matches = -1;
		return HD_V_WAIT;
	}
	v->checks++;
	same = rcode == 0 && hd_verify_same(got, ngot, want, nwant);
	if (same) {
		v->matches = 1;
		v->unfixed = 0;
		v->last_match_ms = now->mono_ms;
		return HD_V_MATCH;
	}
	if (v->matches != 0)
		v->drift_since_ms = now->mono_ms;
	v->matches = 0;
	if (apply == HD_VA_BUSY)
		return HD_V_WAIT;
	hd_v_detail(v, rcode, got, ngot, want, nwant);
	if (apply == HD_VA_FAILING) {
		/* the resolver answers again: retry now, once */
		if (v->kicked_failing)
			return HD_V_WAIT;
		v->kicked_failing = true;
		v->drifts++;
		v->reapplies++;
		return HD_V_DRIFT;
	}
	v->drifts++;
	if (++v->unfixed > HD_VERIFY_TRIES) {
		v->gave_up = true;
		v->matches = -1;
		return HD_V_GIVEUP;
	}
	v->reapplies++;
	return HD_V_DRIFT;
}
