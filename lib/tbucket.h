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

#endif
