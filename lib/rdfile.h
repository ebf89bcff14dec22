/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* rdfile.h — opening the files a program reads (configuration, prefix
 * files, journals, tokens, state) without trusting what sits at the path,
 * and the one way to set a damaged file aside.
 *
 * rf_open() opens with O_NONBLOCK, so a FIFO never blocks the open (nor a
 * read: it is refused before any), with O_NOFOLLOW when the caller says a
 * link is never legitimate (files the program itself creates), then
 * fstat()s: anything but a regular file (or, with RF_DIR, a directory) is
 * refused with "PATH: not a regular file (a FIFO)" and errno EINVAL. A
 * symbolic link under RF_NOFOLLOW is "not a regular file (a symbolic
 * link)", also EINVAL; ENOENT stays ENOENT, so callers can tell "absent"
 * from "unusable" from "unreadable now" (EACCES, EIO, EMFILE...).
 *
 * Library code: never logs; fills err.
 */
#ifndef NK_RDFILE_H
#define NK_RDFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RF_NOFOLLOW	0x1	/* a symbolic link is refused */
#define RF_DIR		0x2	/* a directory is wanted, not a file */
#define RF_APPEND	0x4	/* a log: O_WRONLY | O_APPEND | O_CREAT, mode 0640 */

/* A descriptor (O_RDONLY, O_CLOEXEC; with RF_APPEND a log file opened for
 * appending, created if absent), or -1 with errno and err. */
int rf_open(const char *path, int flags, char *err, size_t errlen);

/* The whole file (at most maxlen octets; EFBIG beyond) in a malloc'd
 * buffer with a NUL after the end. 0, or -1 with errno and err. */
int rf_slurp(const char *path, int flags, size_t maxlen, unsigned char **out, size_t *outlen,
    char *err, size_t errlen);

/* The name a damaged path is set aside under: PATH.corrupt-<now_s>. */
void rf_aside_name(const char *path, int64_t now_s, char *aside, size_t asidelen);
/* Rename path, whatever it is, to that name (which goes to aside). 0, or
 * -1 with err. */
int rf_set_aside(const char *path, int64_t now_s, char *aside, size_t asidelen, char *err,
    size_t errlen);

/* Is dir / or a directory other programs share (/usr, /etc, /var,
 * /var/log, /home, /tmp, ...), after resolving links, "." and ".."? Such a
 * directory must never be a program's state or log directory (its
 * contents are not ours to change). true with err filled. */
bool rf_shared_dir(const char *dir, char *err, size_t errlen);

#endif
