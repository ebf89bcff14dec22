/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_metrics.h — the Prometheus textfile (metrics-file): the status file's
 * figures as nat64d_* families (lib/promtext.h), so the two always agree.
 *
 * Every "key value" line of the status text becomes nat64d_KEY_total (a
 * counter), or nat64d_KEY for the gauges (table sizes and the like, listed
 * in metrics.c); each "handoff_server ADDR STATE k=v ..." line becomes
 * samples labelled server="ADDR" of the nat64d_handoff_server_* families,
 * for at most ND_METRICS_MAX_SERVERS servers (in status order; the number
 * left out is nat64d_handoff_servers_unlabelled).
 */
#ifndef ND_METRICS_H
#define ND_METRICS_H

#include <stddef.h>

#define ND_METRICS_MAX_SERVERS	64

/* Write the textfile for this status text atomically; 0, or -1 with err. */
int nd_metrics_write(const char *path, const char *status, size_t len, char *err, size_t errlen);

#endif
