/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* promtext.h — the Prometheus text exposition format (version 0.0.4) as
 * the node_exporter textfile collector reads it, written into an atomic
 * file (atomicfile.h). The one writer of every nat64kit textfile.
 *
 * Conventions: families are named PROG_* (nat64_healthd_, nat64_handoffd_,
 * nat64d_); every family gets "# HELP" and "# TYPE" once, before its
 * samples; counters end in _total; every program writes
 * PROG_build_info{version="NK_VERSION"} 1. Label values are escaped
 * (backslash, double quote, newline); label names and family names are
 * the caller's constants.
 *
 * Library code: never logs.
 */
#ifndef NK_PROMTEXT_H
#define NK_PROMTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "atomicfile.h"

enum pt_type { PT_COUNTER, PT_GAUGE };

/* "# HELP name help" and "# TYPE name counter|gauge". */
void pt_family(struct afile *af, const char *name, enum pt_type type, const char *help);
/* One sample: name{labels} value; labels is "" or NULL for none, else
 * preformatted `k="v",k2="v2"` (values through pt_label()). */
void pt_u64(struct afile *af, const char *name, const char *labels, unsigned long long v);
void pt_int(struct afile *af, const char *name, const char *labels, long long v);
/* value printed with `decimals` digits after the point */
void pt_double(struct afile *af, const char *name, const char *labels, double v, int decimals);
/* A family of one unlabelled sample: pt_family() then pt_u64(). */
void pt_one(struct afile *af, const char *name, enum pt_type type, const char *help,
    unsigned long long v);
/* PREFIX_build_info{version="NK_VERSION"} 1, with its HELP and TYPE. */
void pt_build_info(struct afile *af, const char *prefix);
/* Append `name="value"` (value escaped) to out (a NUL-terminated string
 * of size len), with a comma before it unless out is empty. False if it
 * does not fit (out is then left as it was). */
bool pt_label(char *out, size_t len, const char *name, const char *value);

#endif
