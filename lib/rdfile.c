/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* rdfile.c — see rdfile.h. */
#include "rdfile.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *
rf_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISREG(m))
		return "a regular file";
	return "an unknown kind of file";
}

static int
rf_open_st(const char *path, int flags, struct stat *stp, char *err, size_t errlen)
{
	int oflags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
	const char *want = flags & RF_DIR ? "a directory" : "a regular file";
	struct stat st;
	int fd, e;

	if (flags & RF_APPEND)
		oflags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
	if (flags & RF_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	if (flags & RF_DIR)
		oflags |= O_DIRECTORY;
	fd = open(path, oflags, 0640);
	if (fd == -1) {
		e = errno;
		/* O_NOFOLLOW met a link, or O_DIRECTORY a non-directory. */
		/* ENXIO: a FIFO without a reader, opened for writing;
		 * EISDIR: a directory opened for writing. */
		if (((e == ELOOP && flags & RF_NOFOLLOW) || (e == ENOTDIR && flags & RF_DIR) ||
		    e == ENXIO || e == EISDIR) &&
		    lstat(path, &st) == 0 && (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode) || e == EISDIR)) {
			snprintf(err, errlen, "%s: not %s (%s)", path, want,
			    S_ISLNK(st.st_mode) ? "a symbolic link" : rf_kind(st.st_mode));
			e = EINVAL;
		} else
			snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	if (flags & RF_DIR ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not %s (%s)", path, want, rf_kind(st.st_mode));
		close(fd);
		errno = EINVAL;
		return -1;
	}
	*stp = st;
	return fd;
}

int
rf_open(const char *path, int flags, char *err, size_t errlen)
{
	struct stat st;

	return rf_open_st(path, flags, &st, err, errlen);
}

int
rf_slurp(const char *path, int flags, size_t maxlen, unsigned char **out, size_t *outlen,
    char *err, size_t errlen)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0;
	int fd, e;

	if ((fd = rf_open_st(path, flags & ~RF_DIR, &st, err, errlen)) == -1)
		return -1;
	if ((size_t)st.st_size > maxlen) {
		snprintf(err, errlen, "%s: larger than %zu octets", path, maxlen);
		close(fd);
		errno = EFBIG;
		return -1;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			/* A read error is not a short file: callers must not
			 * mistake it for truncated content. */
			e = errno;
			snprintf(err, errlen, "%s: read: %s", path, strerror(e));
			free(buf);
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;	/* shrank while we read: what we have */
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*outlen = got;
	return 0;
}

void
rf_aside_name(const char *path, int64_t now_s, char *aside, size_t asidelen)
{
	snprintf(aside, asidelen, "%s.corrupt-%" PRId64, path, now_s);
}

int
rf_set_aside(const char *path, int64_t now_s, char *aside, size_t asidelen, char *err,
    size_t errlen)
{
	rf_aside_name(path, now_s, aside, asidelen);
	if (rename(path, aside) == -1) {
		snprintf(err, errlen, "%s: cannot be set aside as %s: %s", path, aside, strerror(errno));
		return -1;
	}
	return 0;
}

static const char *const rf_shared[] = {
	"/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32",
	"/media", "/mnt", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp",
	"/usr", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib64", "/usr/libexec", "/usr/local",
	"/usr/local/bin", "/usr/local/sbin", "/usr/local/lib", "/usr/share", "/usr/include",
	"/var", "/var/lib", "/var/log", "/var/cache", "/var/tmp", "/var/run", "/var/spool",
	"/var/mail", "/var/opt", "/var/local", "/var/backups", "/etc/systemd",
};

/* Lexically: collapse "//", drop "." and resolve ".." (the best we can
 * do for a path that does not exist yet). */
static void
rf_normalise(const char *in, char *out, size_t len)
{
	size_t n = 0;
	const char *p = in;

	if (len < 2)
		return;
	out[n++] = '/';
	while (*p) {
		const char *q;
		size_t cl;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		for (q = p; *q && *q != '/'; q++)
			;
		cl = (size_t)(q - p);
		if (cl == 1 && p[0] == '.') {
		} else if (cl == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 1 && out[n - 1] != '/')
				n--;
			if (n > 1)
				n--;
		} else if (n + cl + 2 < len) {
			if (n > 1)
				out[n++] = '/';
			memcpy(out + n, p, cl);
			n += cl;
		}
		p = q;
	}
	out[n] = '\0';
}

bool
rf_shared_dir(const char *dir, char *err, size_t errlen)
{
	char real[PATH_MAX], lex[PATH_MAX], cwd[PATH_MAX], abs[2 * PATH_MAX + 2];
	const char *cands[2];
	size_t i, k;

	if (dir[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL)
		snprintf(abs, sizeof(abs), "%s/%s", cwd, dir);
	else
		snprintf(abs, sizeof(abs), "%s", dir);
	rf_normalise(abs, lex, sizeof(lex));
	cands[0] = lex;
	cands[1] = realpath(dir, real) ? real : NULL;
	for (k = 0; k < 2; k++)
		for (i = 0; cands[k] && i < sizeof(rf_shared) / sizeof(rf_shared[0]); i++)
			if (strcmp(cands[k], rf_shared[i]) == 0) {
				snprintf(err, errlen, "%s: %s is a directory other programs share; "
				    "give this one a directory of its own", dir, rf_shared[i]);
				return true;
			}
	return false;
}
