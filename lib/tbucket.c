/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* tbucket.c — the token bucket; see tbucket.h. */
#include "tbucket.h"

void
tb_init(struct tbucket *b, double tokens, uint64_t now_ms)
{
	b->tokens = tokens;
	b->last_ms = now_ms;
}

bool
tb_take(struct tbucket *b, double rate, double burst, uint64_t now_ms)
{
	if (!tb_ready(b, rate, burst, now_ms))
		return false;
	b->tokens -= 1.0;
	return true;
}
