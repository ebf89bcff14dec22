/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* clock.c — see clock.h. */
#include "clock.h"

#include <stdio.h>

void
clk_read(struct clk_now *now)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now->mono_us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	now->mono_ms = now->mono_us / 1000u;
	clock_gettime(CLOCK_REALTIME, &now->wall);
}

struct clk_now
clk_fake(uint64_t mono_ms, time_t wall_sec)
{
	struct clk_now n;

	n.mono_ms = mono_ms;
	n.mono_us = mono_ms * 1000u;
	n.wall.tv_sec = wall_sec;
	n.wall.tv_nsec = (long)(mono_ms % 1000u) * 1000000L;
	return n;
}

char *
clk_format_wall(const struct clk_now *now, int localtime, char *buf, size_t len)
{
	struct tm tm;
	char secs[32];

	if (localtime)
		localtime_r(&now->wall.tv_sec, &tm);
	else
		gmtime_r(&now->wall.tv_sec, &tm);
	strftime(secs, sizeof(secs), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06ld", secs, now->wall.tv_nsec / 1000L);
	return buf;
}
