/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* status.h — the status file STATE/status: what `nat64-handoffd --status`
 * prints. Text, "key value" lines; per channel one "channel" line.
 * Rewritten atomically every status-interval, on SIGUSR1 and at exit. */
#ifndef NK_STATUS_H
#define NK_STATUS_H

#include <stddef.h>

#include "clock.h"
#include "server.h"

int status_write(const char *path, const struct srv_ctx *s, const struct clk_now *now,
    uint16_t port, char *err, size_t errlen);

#endif
