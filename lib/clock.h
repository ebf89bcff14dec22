/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* clock.h — the one place nat64kit reads time.
 *
 * A daemon reads the clock once per wake-up (clk_read) and passes the
 * resulting struct clk_now into every table operation. Tests build a
 * struct clk_now by hand (or with clk_fake) so hours of ageing run in
 * microseconds. Nothing else in the tree calls clock_gettime()/time().
 */
#ifndef NK_CLOCK_H
#define NK_CLOCK_H

#include <stdint.h>
#include <time.h>

struct clk_now {
	uint64_t mono_ms;	/* CLOCK_MONOTONIC, milliseconds */
	uint64_t mono_us;	/* CLOCK_MONOTONIC, microseconds */
	struct timespec wall;	/* CLOCK_REALTIME, for log stamps and files */
};

void clk_read(struct clk_now *now);

/* A fake "now" at mono_ms milliseconds and the given wall-clock second. */
struct clk_now clk_fake(uint64_t mono_ms, time_t wall_sec);

/* Format the wall time as "YYYY-MM-DD HH:MM:SS.uuuuuu" (UTC unless
 * localtime is non-zero) into buf (at least 27 bytes). Returns buf. */
char *clk_format_wall(const struct clk_now *now, int localtime, char *buf, size_t len);

#endif
