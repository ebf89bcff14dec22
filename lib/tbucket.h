/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* tbucket.h — the token bucket: the one rate limiter of nat64kit.
 *
 * A bucket fills at `rate` tokens per second up to `burst` and each
 * allowed event takes one token. Rate and burst are passed to every call
 * (they follow a reloaded configuration); time is the caller's
 * monotonic milliseconds (lib/clock.h), never read here.
 */
#ifndef NK_TBUCKET_H
#define NK_TBUCKET_H

#include <stdbool.h>
#include <stdint.h>

struct tbucket {
	double tokens;
	uint64_t last_ms;
};

/* Start with `tokens` (a huge value: full at first use, clamped to the burst). */
void tb_init(struct tbucket *b, double tokens, uint64_t now_ms);
/* Refill for the time since the last call, then take one token if there is
 * one. False, and nothing taken, when empty or when rate <= 0. */
bool tb_take(struct tbucket *b, double rate, double burst, uint64_t now_ms);
/* Refill, then whether tb_take would succeed now (nothing taken). Inline:
 * the packet path asks it of several buckets per new session. */
static inline bool
tb_ready(struct tbucket *b, double rate, double burst, uint64_t now_ms)
{
	if (rate <= 0)
		return false;
	if (now_ms != b->last_ms) {
		b->tokens += rate * (double)(now_ms - b->last_ms) / 1000.0;
		b->last_ms = now_ms;
	}
	if (b->tokens > burst)
		b->tokens = burst;
	return b->tokens >= 1.0;
}
/* Take the token tb_ready just found (same now): several buckets that must
 * all allow an event are checked first, then spent. */
static inline void
tb_spend(struct tbucket *b)
{
	b->tokens -= 1.0;
}

#endif
