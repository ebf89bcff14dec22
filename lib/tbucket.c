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
	if (rate <= 0)
		return false;
	b->tokens += rate * (double)(now_ms - b->last_ms) / 1000.0;
	b->last_ms = now_ms;
	if (b->tokens > burst)
		b->tokens = burst;
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}
