/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ho_status.h — the status file STATE/status: what `nat64-handoffd --status`
 * prints. Text, "key value" lines; per channel one "channel" line.
 * Rewritten atomically every status-interval, on SIGUSR1 and at exit. */
#ifndef NK_STATUS_H
#define NK_STATUS_H

#include <stddef.h>

#include "clock.h"
#include "ho_server.h"

/* Every scalar of the status file after "time" and "port", in file
 * order: channels, channels_loaded, tokens, journal_errors, audit_errors,
 * the storage state, the server counters and the drop_* counters. One list for the status
 * file and the control socket's "stats". */
typedef void status_item_fn(void *arg, const char *name, unsigned long long value);
void status_each(const struct srv_ctx *s, const struct clk_now *now, status_item_fn *fn, void *arg);

int status_write(const char *path, const struct srv_ctx *s, const struct clk_now *now,
    uint16_t port, char *err, size_t errlen);

/* The Prometheus textfile (metrics-file): every status_each() item as
 * nat64_handoffd_NAME_total (a counter) or nat64_handoffd_NAME (the
 * gauges: channel and token counts, the storage state), and the figures
 * of the first STATUS_METRICS_MAX_CHANNELS loaded channels labelled
 * nat64="A",server="B" (the rest: nat64_handoffd_channels_unlabelled). */
#define STATUS_METRICS_MAX_CHANNELS	128
int status_write_metrics(const char *path, const struct srv_ctx *s, const struct clk_now *now,
    char *err, size_t errlen);

#endif
