/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* xalloc.h — allocation that cannot fail: out of memory aborts the daemon
 * (docs/HACKING.md, error policy). Use for our own bookkeeping only; sizes
 * driven by network input must be bounded before they get here. */
#ifndef NK_XALLOC_H
#define NK_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);

#endif
