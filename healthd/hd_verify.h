/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hd_verify.h — does the resolver serve the selected set? (RFC 8880)
 *
 * Every interval the daemon asks the local resolver for ipv4only.arpa
 * AAAA. A DNS64 resolver answers it with every active prefix applied to
 * 192.0.0.170 and 192.0.0.171 (BIND 9.18 from its built-in zone, no
 * upstream needed); prefixes kept only for reverse DNS with
 * clients { none; } are rightly absent. This module judges an answer
 * against the selected prefixes; verify_os.c sends the query.
 *
 * Drift (the answer shows other prefixes: the resolver restarted from an
 * older file, a hand edit, another tool) asks for a re-apply; at most one
 * per verify round, and only once the previous apply ended. While COMMAND
 * is failing (backoff), a drift cuts the backoff once (the resolver just
 * came back?); if that run fails too, the backoff goes on. If
 * HD_VERIFY_TRIES re-applies in a row that succeeded still leave the
 * answer different, the answer cannot be compared (the querier excluded
 * by the clients ACL, dns64 statements outside the include, a global
 * forwarder hiding the built-in zone): the module says so once and stops
 * judging until hd_verify_reset() (SIGHUP). Pure logic, `now` passed in.
 */
#ifndef HD_VERIFY_H
#define HD_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"

#define HD_VERIFY_TRIES		3
#define HD_VERIFY_MAXADDR	64

enum hd_vres {
	HD_V_MATCH,		/* served == selected */
	HD_V_DRIFT,		/* re-apply now */
	HD_V_WAIT,		/* no verdict this round (no answer, apply busy) */
	HD_V_GIVEUP		/* just gave up (say it once) */
};

struct hd_verify {
	int matches;		/* 1, 0, or -1 (unknown / not checked) */
	bool gave_up;
	bool kicked_failing;	/* cut a failing COMMAND's backoff already */
	unsigned unfixed;	/* drifts in a row since the last match */
	uint64_t drifts, reapplies, checks;
	uint64_t drift_since_ms;	/* first drift of the current run */
	uint64_t last_match_ms;
	char detail[256];	/* what differed, for the log */
};

void hd_verify_init(struct hd_verify *v);
void hd_verify_reset(struct hd_verify *v);
/* The expected addresses for the selected prefixes (prefix bytes and
 * lengths, n of them): 2 per prefix. */
size_t hd_verify_expect(const uint8_t (*pfx)[16], const int *len, size_t n,
    uint8_t (*out)[16], size_t max);
/* The same addresses (as sets)? */
bool hd_verify_same(const uint8_t (*a)[16], size_t na, const uint8_t (*b)[16], size_t nb);
enum hd_vapply {
	HD_VA_OK,		/* the last COMMAND run succeeded */
	HD_VA_BUSY,		/* running, or about to run a new set */
	HD_VA_FAILING		/* failed, waiting for its retry */
};
/* Judge one answer. answered: a reply came (rcode and addresses valid). */
enum hd_vres hd_verify_judge(struct hd_verify *v, bool answered, int rcode,
    const uint8_t (*got)[16], size_t ngot, const uint8_t (*want)[16], size_t nwant,
    enum hd_vapply apply, const struct clk_now *now);

#endif
