/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hd_persist.h — the selection and health kept across restarts.
 *
 * Not the status file (that is for people and shows everything): a small
 * state file rewritten atomically on every health change, selection
 * change and COMMAND outcome, read once at start so a restart goes on
 * with the same set (even one not in file order) without waiting for
 * rise, and without touching the resolver when it already serves it.
 *
 *	# nat64-healthd selection v1
 *	want 2001:db8:64:3::/96 2001:db8:64:1::/96	(the set, COMMAND's order)
 *	applied 2001:db8:64:3::/96 2001:db8:64:1::/96	(the last one applied)
 *	up 2001:db8:64:1::/96				(one line per healthy prefix)
 *
 * Every field is checked on load (prefixes in the prefix file's canonical
 * text, at most HD_PF_MAX of each); a bad file is reported and ignored,
 * never fatal. Library-style: never logs, fills err.
 */
#ifndef HD_PERSIST_H
#define HD_PERSIST_H

#include <stddef.h>

#include "hd_strv.h"

#define HD_PERSIST_MAGIC	"# nat64-healthd selection v1"

struct hd_saved {
	struct hd_strv want, applied, up;
};

/* 0 (out filled), or -1 with "name:line: why". */
int hd_persist_parse(const char *name, const char *text, size_t len, struct hd_saved *out,
    char *err, size_t errlen);
/* 0 (an absent file is an empty state), or -1 with a reason. */
int hd_persist_load(const char *path, struct hd_saved *out, char *err, size_t errlen);
int hd_persist_save(const char *path, const struct hd_saved *s, char *err, size_t errlen);
void hd_saved_free(struct hd_saved *s);

#endif
