/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* atomicfile.h — crash-safe file replacement (the redis recipe):
 * temp file in the same directory, full write, fsync, rename over the
 * target, fsync the directory. A reader sees the old file or the new one,
 * never a mix, even across kill -9 or power loss.
 *
 * Library code: never logs; on failure returns -1 and fills err.
 */
#ifndef NK_ATOMICFILE_H
#define NK_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

struct afile;

/* Start replacing path; returns NULL and fills err on failure. */
struct afile *afile_begin(const char *path, mode_t mode, char *err, size_t errlen);
int  afile_write(struct afile *af, const void *p, size_t n);
int  afile_printf(struct afile *af, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* fsync + rename + fsync(dir). Frees af whatever the outcome. */
int  afile_commit(struct afile *af, char *err, size_t errlen);
/* Remove the temp file and free af. */
void afile_abort(struct afile *af);

/* One-shot: replace path with exactly these bytes. */
int  afile_replace(const char *path, const void *p, size_t n, mode_t mode, char *err, size_t errlen);

/* rf_slurp() (rdfile.h) without the error text: 0, or -1 with errno
 * (ENOENT absent, EFBIG larger than maxlen, EINVAL not a regular file). */
int  afile_slurp(const char *path, size_t maxlen, unsigned char **out, size_t *outlen);

#endif
