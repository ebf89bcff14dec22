/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* conf.h — the shared configuration-file reader.
 *
 * Format (every nat64kit config file):
 *	# comment
 *	key value...
 * One setting per line; the value is the rest of the line with surrounding
 * blanks removed (it may contain spaces). Unknown keys, a key without a
 * value where one is required, and values that fail their setter are
 * errors reported as "file:line: message". Parsing fills the caller's
 * struct; a daemon parses into a fresh struct and swaps only on success,
 * so a bad reload never disturbs the running configuration.
 */
#ifndef NK_CONF_H
#define NK_CONF_H

#include <stddef.h>
#include <stdint.h>

/* Setter: returns 0, or -1 after writing a message (without file:line). */
typedef int conf_set_fn(void *cfg, const char *value, char *err, size_t errlen);

struct conf_key {
	const char *name;
	conf_set_fn *set;
};

/* Parse a file. Returns 0, or -1 with "path:line: message" in err. */
int conf_parse_file(const char *path, const struct conf_key *keys, void *cfg,
    char *err, size_t errlen);
/* Parse text already in memory (used by tests and the fuzz target). */
int conf_parse_text(const char *name, const char *text, size_t len,
    const struct conf_key *keys, void *cfg, char *err, size_t errlen);

/* Value helpers for setters. Return 0 or -1 with a message in err. */
int conf_uint(const char *value, uint64_t min, uint64_t max, uint64_t *out,
    char *err, size_t errlen);
int conf_bool(const char *value, int *out, char *err, size_t errlen);
/* Duration: a number with optional unit ms, s (default), m, h, d. */
int conf_duration_ms(const char *value, uint64_t min_ms, uint64_t max_ms,
    uint64_t *out, char *err, size_t errlen);

#endif
