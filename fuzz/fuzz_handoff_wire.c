// FUZZ-SOURCES: lib/handoff_wire.c lib/ippkt.c lib/buf.c lib/cksum.c
/* libFuzzer target: lib/handoff_wire.c. Parse the input as a control
 * packet; when it parses, run both composition checks, check every view
 * points inside the input, re-encode what was parsed with the encoders
 * (canonical order: identifier, tokens, hint, ignored types as empty
 * messages, authenticator/entry groups, IP packet), re-parse, and require
 * the same parse and the same check results. Seeds: fuzz/corpus/handoff_wire/
 * (fuzz/make-wire-seeds.py). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handoff_wire.h"
#include "ippkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static uint8_t out[HW_MAX_PACKET + 1];

static void
check_inside(const uint8_t *data, size_t size, const struct hw_blob *b)
{
	if (b->len == 0)
		return;
	CHECK(b->p >= data && b->p + b->len <= data + size);
}

static void
same_blob(const struct hw_blob *a, const struct hw_blob *b)
{
	CHECK(a->len == b->len);
	CHECK(a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

static size_t
reencode(const struct hw_packet *p)
{
	struct buf_wr w;
	unsigned t, g, i;

	buf_wr_init(&w, out, sizeof(out));
	if (hw_has(p, HW_T_IDENT))
		CHECK(hw_put_ident(&w));
	if (hw_has(p, HW_T_TOKEN))
		CHECK(hw_put_blob(&w, HW_T_TOKEN, p->token.p, p->token.len));
	if (hw_has(p, HW_T_TOKEN_ROT))
		CHECK(hw_put_blob(&w, HW_T_TOKEN_ROT, p->token_rot.p, p->token_rot.len));
	if (hw_has(p, HW_T_HINT))
		CHECK(hw_put_hint(&w, p->hint));
	if (hw_has(p, HW_T_NOOP))
		CHECK(hw_put_noop(&w));
	for (t = 0; t < 16; t++)
		if (hw_has(p, (enum hw_type)t) && (t == 0 || t == 3 || t > HW_T_HINT))
			CHECK(hw_put_blob(&w, (enum hw_type)t, NULL, 0));
	if (p->n_groups > 0) {
		for (g = 0; g < p->n_groups; g++) {
			const struct hw_group *gr = &p->groups[g];

			CHECK(hw_put_blob(&w, HW_T_AUTH, gr->auth.p, gr->auth.len));
			for (i = gr->first; i < (unsigned)gr->first + gr->count; i++)
				CHECK(hw_put_entry(&w, &p->entries[i]));
		}
	} else {
		if (hw_has(p, HW_T_AUTH))
			CHECK(hw_put_blob(&w, HW_T_AUTH, p->auth.p, p->auth.len));
		for (i = 0; i < p->n_entries; i++)
			CHECK(hw_put_entry(&w, &p->entries[i]));
	}
	if (p->ip_version)
		CHECK(hw_put_ip(&w, p->ip.p, p->ip.len));
	CHECK(!w.err);
	return w.off;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hw_packet a, b;
	enum hw_err e, s1, n1;
	unsigned g, sum;
	size_t n;

	e = hw_parse(data, size, &a);
	CHECK((unsigned)e < HW_E__COUNT);
	CHECK(hw_strerror(e) != NULL);
	if (e != HW_OK)
		return 0;

	s1 = hw_check_to_server(&a);
	n1 = hw_check_to_nat64(&a);
	CHECK((unsigned)s1 < HW_E__COUNT && (unsigned)n1 < HW_E__COUNT);

	/* Views inside the input, invariants of the parse. */
	check_inside(data, size, &a.token);
	check_inside(data, size, &a.token_rot);
	check_inside(data, size, &a.auth);
	check_inside(data, size, &a.ip);
	CHECK(a.token.len <= HW_MAX_DATA && a.token_rot.len <= HW_MAX_DATA && a.auth.len <= HW_MAX_DATA);
	CHECK(a.token.len % 2 == 0 && a.token_rot.len % 2 == 0 && a.auth.len % 2 == 0);
	CHECK(a.n_entries <= HW_MAX_ENTRIES && a.n_groups <= HW_MAX_ENTRIES);
	CHECK(a.n_entries == 0 || hw_has(&a, HW_T_ENTRY));
	CHECK(!a.multi || (size <= HW_MULTI_MAX_PAYLOAD && a.ip_version == 0 && a.n_groups > 0));
	for (g = 0, sum = 0; g < a.n_groups; g++) {
		check_inside(data, size, &a.groups[g].auth);
		CHECK(a.groups[g].count > 0);
		CHECK(a.groups[g].first == sum);
		sum += a.groups[g].count;
	}
	CHECK(a.n_groups == 0 || sum == a.n_entries);
	if (a.ip_version) {
		struct ippkt4 i4;
		struct ippkt6 i6;

		CHECK(a.ip_version == 4 || a.ip_version == 6);
		/* last: what follows is skipped and counted, not parsed */
		CHECK(a.ip.p + a.ip.len + a.trailing == data + size);
		CHECK(hw_ip_len(a.ip.p, a.ip.len) == a.ip.len);
		if (a.ip_version == 4)
			CHECK(ippkt_parse4(a.ip.p, a.ip.len, &i4) && i4.total_len == a.ip.len);
		else
			CHECK(ippkt_parse6(a.ip.p, a.ip.len, &i6) && i6.total_len == a.ip.len);
	}

	/* Re-encode, re-parse, compare. */
	n = reencode(&a);
	CHECK(n <= size);
	CHECK(hw_parse(out, n, &b) == HW_OK);
	CHECK(b.trailing == 0);
	CHECK(a.seen == b.seen);
	CHECK(a.multi == b.multi);
	if (hw_has(&a, HW_T_TOKEN))
		same_blob(&a.token, &b.token);
	if (hw_has(&a, HW_T_TOKEN_ROT))
		same_blob(&a.token_rot, &b.token_rot);
	if (hw_has(&a, HW_T_AUTH))
		same_blob(&a.auth, &b.auth);
	CHECK(a.hint == b.hint);
	CHECK(a.n_entries == b.n_entries);
	CHECK(memcmp(a.entries, b.entries, a.n_entries * sizeof(a.entries[0])) == 0);
	CHECK(a.n_groups == b.n_groups);
	for (g = 0; g < a.n_groups; g++) {
		same_blob(&a.groups[g].auth, &b.groups[g].auth);
		CHECK(a.groups[g].first == b.groups[g].first && a.groups[g].count == b.groups[g].count);
	}
	CHECK(a.ip_version == b.ip_version);
	same_blob(&a.ip, &b.ip);
	CHECK(hw_check_to_server(&b) == s1);
	CHECK(hw_check_to_nat64(&b) == n1);
	return 0;
}
