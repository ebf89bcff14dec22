/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ctl_server.c — see ctl_server.h. */
#include "ctl_server.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct ctls_conn {
	int fd;
	char in[CTL_LINE_MAX];
	size_t inlen;
	int discarding;			/* inside an oversized line */
	struct ctl_out out;
	size_t outoff;
	struct ctl_cursor cur;		/* a long answer under way */
	uint64_t active_ms;		/* last progress either way */
	struct ctls_conn *next;
	struct ctls *s;
};

struct ctls {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ev_loop *loop;
	struct ev_timer *sweep;
	ctls_serve_fn *fn;
	void *arg;
	size_t out_max;
	struct ctls_counters *c;
	struct ctls_conn *conns;
	unsigned nconns;
};

static void
ctls_conn_close(struct ctls_conn *cn)
{
	struct ctls *s = cn->s;
	struct ctls_conn **pp;

	for (pp = &s->conns; *pp; pp = &(*pp)->next)
		if (*pp == cn) {
			*pp = cn->next;
			break;
		}
	ev_fd_del(s->loop, cn->fd);
	close(cn->fd);
	ctl_out_free(&cn->out);
	free(cn);
	s->nconns--;
}

/* Write what the kernel takes now. -1 if the connection is gone. */
static int
ctls_conn_write(struct ctls_conn *cn, const struct clk_now *now)
{
	while (cn->outoff < cn->out.len) {
		ssize_t w = send(cn->fd, cn->out.p + cn->outoff, cn->out.len - cn->outoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0)
			return -1;
		cn->outoff += (size_t)w;
		cn->active_ms = now->mono_ms;
	}
	if (cn->outoff == cn->out.len) {
		cn->out.len = cn->outoff = 0;
		cn->out.err = false;
	}
	return 0;
}

static bool
ctls_busy(const struct ctls_conn *cn)
{
	return cn->out.len > 0 || cn->cur.more != NULL;
}

/* Write what is pending and, if there is room, make the next step of a
 * long answer (one step per call: the loop turns between steps). Then
 * wait for what is needed next. -1 to drop the connection. */
static int
ctls_conn_pump(struct ctls_conn *cn, const struct clk_now *now)
{
	struct ctls *s = cn->s;

	if (ctls_conn_write(cn, now) == -1)
		return -1;
	if (cn->cur.more && cn->out.len - cn->outoff < CTLS_OUT_LOW) {
		if (cn->outoff) {
			memmove(cn->out.p, cn->out.p + cn->outoff, cn->out.len - cn->outoff);
			cn->out.len -= cn->outoff;
			cn->outoff = 0;
		}
		if (cn->cur.more(s->arg, &cn->cur, &cn->out, now))
			cn->cur.more = NULL;
		if (cn->out.err) {
			s->c->overflows++;
			return -1;
		}
		if (ctls_conn_write(cn, now) == -1)
			return -1;
	}
	ev_fd_mod(s->loop, cn->fd, ctls_busy(cn) ? EPOLLOUT : EPOLLIN);
	return 0;
}

/* Answer the next complete line in the input buffer, if any and if the
 * last answer is out. Returns true if it answered one. */
static bool
ctls_conn_line(struct ctls_conn *cn, const struct clk_now *now)
{
	struct ctls *s = cn->s;
	char *nl;
	size_t n;

	if (ctls_busy(cn))
		return false;
	if ((nl = memchr(cn->in, '\n', cn->inlen)) == NULL) {
		if (cn->inlen < sizeof(cn->in))
			return false;
		/* no newline in CTL_LINE_MAX octets: answer now, drop the rest
		 * of that line */
		if (!cn->discarding) {
			ctl_put_error(&cn->out, "command longer than %d octets", CTL_LINE_MAX - 1);
			s->c->oversized++;
			s->c->errors++;
		}
		cn->discarding = 1;
		cn->inlen = 0;
		return cn->out.len > 0;
	}
	n = (size_t)(nl - cn->in);
	if (cn->discarding) {
		cn->discarding = 0;
	} else {
		s->fn(s->arg, cn->in, n, &cn->out, &cn->cur, now);
		if (cn->out.err) {
			cn->out.len = 0;
			cn->out.err = false;
			cn->cur.more = NULL;
			ctl_put_error(&cn->out, "answer larger than %zu octets; use a smaller limit=",
			    s->out_max);
			s->c->errors++;
		}
	}
	memmove(cn->in, nl + 1, cn->inlen - n - 1);
	cn->inlen -= n + 1;
	return true;
}

static void
ctls_conn_event(int fd, uint32_t events, void *arg, const struct clk_now *now)
{
	struct ctls_conn *cn = arg;

	(void)fd;
	if (events & (EPOLLERR | EPOLLHUP)) {
		ctls_conn_close(cn);
		return;
	}
	if (ctls_busy(cn)) {
		if (ctls_conn_pump(cn, now) == -1) {
			ctls_conn_close(cn);
			return;
		}
		if (ctls_busy(cn))
			return;		/* the client has not read the last answer yet */
		/* fall through: requests that came meanwhile */
	} else if (events & EPOLLIN) {
		ssize_t r = recv(cn->fd, cn->in + cn->inlen, sizeof(cn->in) - cn->inlen, MSG_DONTWAIT);

		if (r == 0 || (r == -1 && errno != EAGAIN && errno != EINTR)) {
			ctls_conn_close(cn);
			return;
		}
		if (r > 0) {
			cn->inlen += (size_t)r;
			cn->active_ms = now->mono_ms;
		}
	}
	/* Answer the complete lines in turn, each written before the next
	 * is read; stop when the kernel takes no more (EPOLLOUT resumes). */
	while (ctls_conn_line(cn, now)) {
		if (ctls_conn_pump(cn, now) == -1) {
			ctls_conn_close(cn);
			return;
		}
		if (ctls_busy(cn))
			return;
	}
}

static void
ctls_accept(int fd, uint32_t events, void *arg, const struct clk_now *now)
{
	struct ctls *s = arg;
	struct ctls_conn *cn;
	int c;

	(void)events;
	while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
		if (s->nconns >= CTLS_MAX_CONNS) {
			static const char busy[] = "error busy: too many control connections\n";

			(void)!send(c, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(c);
			s->c->refused_busy++;
			continue;
		}
		cn = xcalloc(1, sizeof(*cn));
		cn->fd = c;
		cn->s = s;
		cn->active_ms = now->mono_ms;
		ctl_out_init(&cn->out, s->out_max);
		if (ev_fd_add(s->loop, c, EPOLLIN, ctls_conn_event, cn) == -1) {
			close(c);
			free(cn);
			continue;
		}
		cn->next = s->conns;
		s->conns = cn;
		s->nconns++;
		s->c->accepted++;
	}
}

/* Drop clients that made no progress for CTLS_IDLE_MS. */
static int64_t
ctls_sweep(void *arg, const struct clk_now *now)
{
	struct ctls *s = arg;
	struct ctls_conn *cn, *next;

	for (cn = s->conns; cn; cn = next) {
		next = cn->next;
		if (now->mono_ms - cn->active_ms >= CTLS_IDLE_MS) {
			s->c->timeouts++;
			ctls_conn_close(cn);
		}
	}
	return 1000;
}

static int
ctls_mkdir_parent(const char *path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) == 0) {
		/* ours: hand it to the daemon's user, who removes the socket
		 * at exit */
		if (uid != (uid_t)-1 && chown(dir, uid, gid) == -1) {
			snprintf(err, errlen, "chown %s: %s", dir, strerror(errno));
			return -1;
		}
	} else if (errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

struct ctls *
ctls_open(const char *path, unsigned mode, const char *user, const char *group, char *err,
    size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1, dir_gid = (gid_t)-1;
	struct ctls *s;
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path %s too long", path);
		return NULL;
	}
	if (user && user[0] && geteuid() == 0) {
		struct passwd *pw = getpwnam(user);

		if (pw == NULL) {
			snprintf(err, errlen, "unknown user '%s'", user);
			return NULL;
		}
		uid = pw->pw_uid;
		dir_gid = gid = pw->pw_gid;
	}
	if (group && group[0]) {
		struct group *gr = getgrnam(group);

		if (gr == NULL) {
			snprintf(err, errlen, "control-group: unknown group '%s'", group);
			return NULL;
		}
		gid = gr->gr_gid;
	}
	if (ctls_mkdir_parent(path, uid, dir_gid, err, errlen) == -1)
		return NULL;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return NULL;
	}
	/* A socket file left by a daemon that died is replaced; one that a
	 * running daemon answers on is not. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 || errno == EAGAIN) {
		snprintf(err, errlen, "%s: another server answers on this control socket", path);
		close(fd);
		return NULL;
	}
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return NULL;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	old = umask(0177);	/* no one but us until the mode is set */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		snprintf(err, errlen, "bind %s: %s", path, strerror(errno));
		umask(old);
		close(fd);
		return NULL;
	}
	umask(old);
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid) == -1) {
		snprintf(err, errlen, "chown %s: %s", path, strerror(errno));
		goto fail;
	}
	if (chmod(path, (mode_t)mode) == -1) {
		snprintf(err, errlen, "chmod %s: %s", path, strerror(errno));
		goto fail;
	}
	if (listen(fd, 16) == -1) {
		snprintf(err, errlen, "listen %s: %s", path, strerror(errno));
		goto fail;
	}
	s = xcalloc(1, sizeof(*s));
	s->fd = fd;
	memcpy(s->path, path, strlen(path) + 1);
	return s;
fail:
	unlink(path);
	close(fd);
	return NULL;
}

int
ctls_attach(struct ctls *s, struct ev_loop *loop, ctls_serve_fn *fn, void *arg, size_t out_max,
    struct ctls_counters *c, const struct clk_now *now)
{
	s->loop = loop;
	s->fn = fn;
	s->arg = arg;
	s->out_max = out_max < 2 * CTLS_OUT_LOW ? 2 * CTLS_OUT_LOW : out_max;
	s->c = c;
	if (ev_fd_add(loop, s->fd, EPOLLIN, ctls_accept, s) == -1)
		return -1;
	s->sweep = ev_timer_add(loop, now, 1000, ctls_sweep, s);
	return s->sweep ? 0 : -1;
}

void
ctls_close(struct ctls *s)
{
	if (s == NULL)
		return;
	while (s->conns)
		ctls_conn_close(s->conns);
	if (s->sweep)
		ev_timer_del(s->loop, s->sweep);
	if (s->loop)
		ev_fd_del(s->loop, s->fd);
	close(s->fd);
	unlink(s->path);
	free(s);
}

unsigned
ctls_nconns(const struct ctls *s)
{
	return s->nconns;
}
