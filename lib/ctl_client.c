/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ctl_client.c — see ctl_client.h. */
#include "ctl_client.h"
#include "ctl_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

FILE *
ctlc_connect(const char *path, int timeout_s)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_s };
	FILE *f;
	int fd, e;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if ((f = fdopen(fd, "r+")) == NULL) {
		e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

static int
ctlc_ncols(const char *cols)
{
	int n = 0;

	for (; *cols; cols++)
		if (*cols != ' ' && (cols[1] == ' ' || cols[1] == '\0'))
			n++;
	return n;
}

enum ctlc_result
ctlc_request(FILE *f, const char *req, const struct ctlc_sink *sink, char *more, size_t morelen,
    char *msg, size_t msglen)
{
	char *line = NULL, *rest, *fields[CTL_MAX_COLS];
	enum ctlc_result rc = CTLC_BROKEN;
	size_t cap = 0;
	ssize_t n;
	int ncols = -1, k;

	more[0] = '\0';
	msg[0] = '\0';
	if (fprintf(f, "%s\n", req) < 0 || fflush(f) != 0) {
		snprintf(msg, msglen, "control socket: %s", strerror(errno));
		return CTLC_BROKEN;
	}
	errno = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n') {
			snprintf(msg, msglen, "answer cut short");
			goto out;
		}
		line[--n] = '\0';
		switch (ctl_answer_line(line, &rest)) {
		case CTL_L_ERROR:
			snprintf(msg, msglen, "%s", rest);
			rc = CTLC_REFUSED;
			goto out;
		case CTL_L_COLS:
			ncols = ctlc_ncols(rest);
			if (sink->cols)
				sink->cols(sink->arg, rest);
			break;
		case CTL_L_ROW:
			if (ncols < 0 || (k = ctl_split(rest, '\t', fields, CTL_MAX_COLS)) != ncols) {
				snprintf(msg, msglen, "malformed answer line");
				goto out;
			}
			if (sink->row)
				sink->row(sink->arg, (const char *const *)fields, k);
			break;
		case CTL_L_NOTE:
			if (sink->note)
				sink->note(sink->arg, rest);
			break;
		case CTL_L_END:
			rc = CTLC_OK;
			goto out;
		case CTL_L_MORE:
			snprintf(more, morelen, "%s", rest);
			rc = CTLC_OK;
			goto out;
		case CTL_L_BAD:
			snprintf(msg, msglen, "malformed answer line");
			goto out;
		}
	}
	snprintf(msg, msglen, "the server closed the connection%s",
	    errno == EAGAIN ? " (no answer in time)" : "");
out:
	free(line);
	return rc;
}
