/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_maplog.h — the optional mapping log, in the handoff server's audit
 * style, one line per BIB entry created or deleted:
 *
 *   2026-11-23 08:01:32.123456 Created tcp 198.51.100.1:3719 [2001:db8::17]:53186
 *   2026-11-23 08:06:40.003111 Deleted udp 198.51.100.1:4411 [2001:db8::17]:5353
 *
 * and, with handoff, one per server entry cached or dropped from the cache
 * (the server that allocated it where the protocol stands):
 *
 *   2026-11-23 08:07:01.000412 Created handoff:192.0.2.2 198.51.100.1:23058 [2001:db8::17]:40004
 *
 * UTC stamps; O_APPEND; reopened on SIGHUP (logrotate). Separate from
 * diagnostics. Write errors are counted, never fatal.
 */
#ifndef ND_MAPLOG_H
#define ND_MAPLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nd_state.h"

int nd_maplog_open(const char *path, char *err, size_t errlen);
int nd_maplog_reopen(char *err, size_t errlen);
void nd_maplog_close(void);
/* nd_bib_event_fn for nd_state.on_bib. */
void nd_maplog_event(void *arg, const struct nd_bib *b, bool created, const struct clk_now *now);
/* Format one line into buf (tests). */
size_t nd_maplog_format(char *buf, size_t len, const struct nd_bib *b, bool created,
    const struct clk_now *now);
struct nd_hoent;
/* nd_hoc_event_fn for the handoff cache. */
void nd_maplog_hoent(void *arg, const struct nd_hoent *e, bool created, const struct clk_now *now);
uint64_t nd_maplog_errors(void);

#endif
