/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* runner.c — see hd_runner.h. */
#include "hd_runner.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define HD_RUN_OUT	1024
#define HD_RUN_KILL_MS	2000

struct hd_oprunner {
	struct hd_runner base;	/* first: the interface */
	struct ev_loop *loop;
	hd_runner_done_fn *done;
	void *done_arg;
	void (*after)(void *, const struct clk_now *);
	void *after_arg;
	pid_t pid;
	int pidfd, outfd;
	struct ev_timer *timer;
	bool termed;
	char name[32];		/* "command", "notify" */
	char out[HD_RUN_OUT];
	size_t outlen;
};

/* One read of the command's output; true if it read something. */
static bool
hd_run_read(struct hd_oprunner *r, int fd)
{
	char buf[HD_RUN_OUT / 2];
	ssize_t n;

	n = read(fd, buf, sizeof(buf));
	if (n > 0) {
		/* keep the tail: buf is half of out, so it always fits */
		if (r->outlen + (size_t)n >= sizeof(r->out)) {
			size_t drop = r->outlen + (size_t)n - (sizeof(r->out) - 1);

			memmove(r->out, r->out + drop, r->outlen - drop);
			r->outlen -= drop;
		}
		memcpy(r->out + r->outlen, buf, (size_t)n);
		r->outlen += (size_t)n;
		return true;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return false;
	ev_fd_del(r->loop, fd);
	close(fd);
	r->outfd = -1;
	return false;
}

static void
hd_run_out(int fd, uint32_t events, void *arg, const struct clk_now *now)
{
	(void)events;
	(void)now;
	hd_run_read(arg, fd);
}

/* The last non-empty line of the command's output. */
static void
hd_run_lastline(struct hd_oprunner *r, char *dst, size_t len)
{
	size_t e = r->outlen, b;

	while (e > 0 && (r->out[e - 1] == '\n' || r->out[e - 1] == '\r' || r->out[e - 1] == ' '))
		e--;
	for (b = e; b > 0 && r->out[b - 1] != '\n'; b--)
		;
	snprintf(dst, len, "%.*s", (int)(e - b), r->out + b);
}

static void
hd_run_reap(int fd, uint32_t events, void *arg, const struct clk_now *now)
{
	struct hd_oprunner *r = arg;
	char why[512], last[300];
	int st;

	(void)events;
	if (waitpid(r->pid, &st, WNOHANG) <= 0)
		return;
	ev_fd_del(r->loop, fd);
	close(fd);
	r->pidfd = -1;
	if (r->outfd != -1) {
		/* drain what is in the pipe now, its last line included (a
		 * process it left behind may keep writing: bounded) */
		for (int k = 0; k < 256 && r->outfd != -1 && hd_run_read(r, r->outfd); k++)
			;
		if (r->outfd != -1) {
			ev_fd_del(r->loop, r->outfd);
			close(r->outfd);
			r->outfd = -1;
		}
	}
	if (r->timer) {
		ev_timer_del(r->loop, r->timer);
		r->timer = NULL;
	}
	/* timed out: what it left behind in its group (children that
	 * ignore TERM) goes with it; a command that ended by itself may
	 * have started a server there, which stays */
	if (r->termed)
		kill(-r->pid, SIGKILL);
	r->pid = -1;
	hd_run_lastline(r, last, sizeof(last));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		if (last[0])
			log_info("%s: %s", r->name, last);
		r->done(r->done_arg, true, NULL, now);
	} else {
		if (r->termed)
			snprintf(why, sizeof(why), "command timed out and was killed%s%s",
			    last[0] ? ": " : "", last);
		else if (WIFEXITED(st))
			snprintf(why, sizeof(why), "command exited with status %d%s%s",
			    WEXITSTATUS(st), last[0] ? ": " : "", last);
		else
			snprintf(why, sizeof(why), "command killed by signal %d%s%s",
			    WTERMSIG(st), last[0] ? ": " : "", last);
		r->done(r->done_arg, false, why, now);
	}
	if (r->after)
		r->after(r->after_arg, now);
}

static int64_t
hd_run_timeout(void *arg, const struct clk_now *now)
{
	struct hd_oprunner *r = arg;

	(void)now;
	if (r->pid <= 0)
		return -1;
	if (!r->termed) {
		log_warnx("%s (pid %d) timed out, terminating its process group", r->name,
		    (int)r->pid);
		kill(-r->pid, SIGTERM);
		r->termed = true;
		return HD_RUN_KILL_MS;
	}
	log_warnx("%s (pid %d) still there %d ms after TERM: killing its process group",
	    r->name, (int)r->pid, HD_RUN_KILL_MS);
	kill(-r->pid, SIGKILL);
	r->timer = NULL;
	return -1;
}

static int
hd_run_spawn(struct hd_runner *base, char *const argv[], char *const envp[], uint64_t timeout_ms,
    const struct clk_now *now, char *err, size_t errlen)
{
	struct hd_oprunner *r = (struct hd_oprunner *)base;
	int pfd[2], efd[2], e = 0;
	sigset_t all;
	ssize_t n;

	if (r->pid > 0) {
		snprintf(err, errlen, "a command is still running");
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC) == -1 || pipe2(efd, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	r->pid = fork();
	if (r->pid == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(pfd[0]); close(pfd[1]); close(efd[0]); close(efd[1]);
		return -1;
	}
	if (r->pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		/* its own process group: the timeout and shutdown kill all
		 * of it, children included */
		setpgid(0, 0);
		/* the loop blocked signals for signalfd: unblock for the child */
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		if (devnull != -1)
			dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		for (size_t i = 0; envp && envp[i]; i++)
			putenv(envp[i]);
		execvp(argv[0], argv);
		e = errno;
		if (write(efd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	setpgid(r->pid, r->pid);	/* both sides: no race with kill(-pid) */
	close(pfd[1]);
	close(efd[1]);
	n = read(efd[0], &e, sizeof(e));	/* EOF at exec: CLOEXEC */
	close(efd[0]);
	if (n == (ssize_t)sizeof(e)) {
		waitpid(r->pid, NULL, 0);
		r->pid = -1;
		close(pfd[0]);
		snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(e));
		return -1;
	}
	r->outlen = 0;
	r->termed = false;
	r->outfd = pfd[0];
	fcntl(r->outfd, F_SETFL, O_NONBLOCK);
	ev_fd_add(r->loop, r->outfd, EPOLLIN, hd_run_out, r);
	r->pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
	if (r->pidfd == -1 || ev_fd_add(r->loop, r->pidfd, EPOLLIN, hd_run_reap, r) == -1)
		fatal("pidfd_open");	/* Linux >= 5.3 */
	r->timer = ev_timer_add(r->loop, now, timeout_ms ? timeout_ms : 30000, hd_run_timeout, r);
	return 0;
}

struct hd_runner *
hd_runner_create(struct ev_loop *loop, const char *name)
{
	struct hd_oprunner *r = xcalloc(1, sizeof(*r));

	snprintf(r->name, sizeof(r->name), "%s", name);
	r->base.spawn = hd_run_spawn;
	r->loop = loop;
	r->pid = -1;
	r->pidfd = -1;
	r->outfd = -1;
	return &r->base;
}

void
hd_runner_bind(struct hd_runner *base, hd_runner_done_fn *done, void *done_arg,
    void (*after)(void *, const struct clk_now *), void *arg)
{
	struct hd_oprunner *r = (struct hd_oprunner *)base;

	r->done = done;
	r->done_arg = done_arg;
	r->after = after;
	r->after_arg = arg;
}

void
hd_runner_destroy(struct hd_runner *base)
{
	struct hd_oprunner *r = (struct hd_oprunner *)base;

	if (r == NULL)
		return;
	if (r->pid > 0) {
		/* TERM the group, KILL it after the deadline: a command that
		 * ignores TERM never holds up the exit */
		struct pollfd pfd = { r->pidfd, POLLIN, 0 };

		log_info("%s (pid %d) still running at exit: terminating its process group",
		    r->name, (int)r->pid);
		kill(-r->pid, SIGTERM);
		if (r->pidfd == -1 || poll(&pfd, 1, HD_RUN_KILL_MS) != 1) {
			log_warnx("%s (pid %d) still there %d ms after TERM: killing its process "
			    "group", r->name, (int)r->pid, HD_RUN_KILL_MS);
			kill(-r->pid, SIGKILL);
		}
		waitpid(r->pid, NULL, 0);
		kill(-r->pid, SIGKILL);
	}
	if (r->pidfd != -1)
		close(r->pidfd);
	if (r->outfd != -1)
		close(r->outfd);
	free(r);
}
