/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* atomicfile.c — see atomicfile.h. */
#include "atomicfile.h"
#include "rdfile.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct afile {
	int fd;
	int failed_errno;
	char *path;
	char *tmp;
};

struct afile *
afile_begin(const char *path, mode_t mode, char *err, size_t errlen)
{
	struct afile *af = xcalloc(1, sizeof(*af));
	size_t n = strlen(path) + 16;

	af->path = xstrdup(path);
	af->tmp = xmalloc(n);
	snprintf(af->tmp, n, "%s.tmpXXXXXX", path);
	af->fd = mkostemp(af->tmp, O_CLOEXEC);
	if (af->fd == -1) {
		snprintf(err, errlen, "%s: cannot create temporary file: %s", path, strerror(errno));
		free(af->tmp);
		free(af->path);
		free(af);
		return NULL;
	}
	if (fchmod(af->fd, mode) == -1)
		af->failed_errno = errno;
	return af;
}

int
afile_write(struct afile *af, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0 && af->failed_errno == 0) {
		ssize_t w = write(af->fd, c, n);

		if (w == -1) {
			if (errno == EINTR)
				continue;
			af->failed_errno = errno;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return af->failed_errno ? -1 : 0;
}

int
afile_printf(struct afile *af, const char *fmt, ...)
{
	char small[512], *big = NULL;
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		af->failed_errno = EINVAL;
		return -1;
	}
	if ((size_t)n < sizeof(small))
		return afile_write(af, small, (size_t)n);
	big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = afile_write(af, big, (size_t)n);
	free(big);
	return rc;
}

static void
afile_free(struct afile *af)
{
	free(af->tmp);
	free(af->path);
	free(af);
}

void
afile_abort(struct afile *af)
{
	if (af == NULL)
		return;
	close(af->fd);
	unlink(af->tmp);
	afile_free(af);
}

int
afile_commit(struct afile *af, char *err, size_t errlen)
{
	char *dircopy;
	int dfd, rc = -1;

	if (af->failed_errno) {
		snprintf(err, errlen, "%s: write failed: %s", af->path, strerror(af->failed_errno));
		goto fail;
	}
	if (fsync(af->fd) == -1) {
		snprintf(err, errlen, "%s: fsync failed: %s", af->path, strerror(errno));
		goto fail;
	}
	if (close(af->fd) == -1) {
		af->fd = -1;
		snprintf(err, errlen, "%s: close failed: %s", af->path, strerror(errno));
		goto fail;
	}
	af->fd = -1;
	if (rename(af->tmp, af->path) == -1) {
		snprintf(err, errlen, "%s: rename failed: %s", af->path, strerror(errno));
		goto fail;
	}
	dircopy = xstrdup(af->path);
	dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dircopy);
	if (dfd != -1) {
		fsync(dfd);
		close(dfd);
	}
	afile_free(af);
	return 0;
fail:
	if (af->fd != -1)
		close(af->fd);
	unlink(af->tmp);
	afile_free(af);
	return rc;
}

int
afile_replace(const char *path, const void *p, size_t n, mode_t mode, char *err, size_t errlen)
{
	struct afile *af = afile_begin(path, mode, err, errlen);

	if (af == NULL)
		return -1;
	afile_write(af, p, n);
	return afile_commit(af, err, errlen);
}

int
afile_slurp(const char *path, size_t maxlen, unsigned char **out, size_t *outlen)
{
	char err[16];

	return rf_slurp(path, 0, maxlen, out, outlen, err, sizeof(err));
}
