/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hd_status.h — the state file (`nat64-healthd --status` prints it) and the
 * Prometheus textfile (node_exporter textfile collector). Both are
 * rewritten atomically (lib/atomicfile.h).
 *
 * State file, version 1:
 *	# nat64-healthd status v1
 *	time 2026-11-23 08:00:00.000000
 *	apply ok|pending|running|failing runs N failures N last_error TEXT
 *	verify dns64_served_matches 1|0|-1 checks N drifts N reapplies N gave_up 0|1
 *	prefix P state up|down selected 0|1 rtt_ms X ratio 0.950 rounds N
 *	       transitions N since_s N hold_s N last_error TEXT
 * (the verify line only with a resolver to verify; -1: unknown). Every
 * line is a record name and name/value pairs, which is what --json turns
 * into one JSON object.
 */
#ifndef HD_STATUS_H
#define HD_STATUS_H

#include <stddef.h>

#include "hd_apply.h"
#include "clock.h"
#include "hd_core.h"
#include "hd_verify.h"

#define HD_STATUS_MAGIC	"# nat64-healthd status v1"

/* Writes whichever paths are non-NULL; 0, or -1 with err. */
int hd_status_write(const struct hd_core *c, const struct hd_apply *ap,
    const struct hd_verify *v, const char *state_path, const char *prom_path,
    const struct clk_now *now, char *err, size_t errlen);
/* Print the state file to stdout after checking its header, as it is or
 * as JSON; 0 or -1. */
int hd_status_print(const char *state_path, int json, char *err, size_t errlen);

#endif
