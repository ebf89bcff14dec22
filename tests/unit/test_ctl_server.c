/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_ctl_server.c — the control socket layer both daemons use
 * (lib/ctl_server.c) on a real Unix socket and the real event loop: the
 * socket file's mode, an oversized line answered with one error and the
 * connection going on, a long answer made in steps that stop while a
 * client does not read (bounded memory, the loop never waits) while
 * another client is answered, more clients than allowed hear "busy", and
 * lib/ctl_client.c reading a streamed answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>
#include <cmocka.h>

#include "ctl_client.h"
#include "ctl_server.h"
#include "evloop.h"

#define T_ROWS		20000	/* rows of "big": ~2 MB, far beyond any buffer */

static int steps;

/* "big": T_ROWS rows of 100 octets, 50 rows a step; anything else: one row. */
static bool
t_more(void *arg, struct ctl_cursor *cur, struct ctl_out *o, const struct clk_now *now)
{
	char v[100];
	const char *vals[1] = { v };
	int i;

	(void)arg, (void)now;
	steps++;
	memset(v, 'v', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	for (i = 0; i < 50 && cur->rows < T_ROWS; i++, cur->rows++)
		ctl_put_row(o, vals, 1);
	if (cur->rows < T_ROWS)
		return false;
	ctl_put_end(o, cur->rows);
	return true;
}

static void
t_serve(void *arg, const char *line, size_t len, struct ctl_out *o, struct ctl_cursor *cur,
    const struct clk_now *now)
{
	const char *v[1] = { "pong" };

	(void)arg, (void)now;
	memset(cur, 0, sizeof(*cur));
	ctl_put_cols(o, "v:s");
	if (len == 3 && memcmp(line, "big", 3) == 0) {
		cur->more = t_more;
		return;
	}
	ctl_put_row(o, v, 1);
	ctl_put_end(o, 1);
}

struct fx {
	char dir[64], path[96];
	struct ev_loop *loop;
	struct ctls *s;
	struct ctls_counters c;
	struct clk_now now;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/nk-ctls-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/sub/control", f->dir);
	f->s = ctls_open(f->path, 0600, "", "", err, sizeof(err));
	if (f->s == NULL)
		fail_msg("%s", err);
	assert_non_null(f->loop = ev_create());
	clk_read(&f->now);
	assert_int_equal(ctls_attach(f->s, f->loop, t_serve, NULL, 256 * 1024, &f->c, &f->now), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char sub[128];

	ctls_close(f->s);
	ev_destroy(f->loop);
	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	rmdir(sub);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int
t_connect(const struct fx *f)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* Turn the loop until nothing happens for a while. */
static void
t_spin(struct fx *f)
{
	int idle = 0, i;

	for (i = 0; i < 200000 && idle < 3; i++)
		idle = ev_run_once(f->loop, &f->now, 5) == 0 ? idle + 1 : 0;
}

/* What fd has to read now, NUL-terminated (at most cap - 1 octets). */
static char *
t_read(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < cap && (r = recv(fd, buf + n, cap - 1 - n, MSG_DONTWAIT)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return buf;
}

static void
test_mode_and_oversized(void **state)
{
	struct fx *f = *state;
	char big[2000], buf[4096];
	struct stat st;
	int fd;

	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	fd = t_connect(f);
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	assert_int_equal(send(fd, big, sizeof(big), 0), (ssize_t)sizeof(big));
	assert_int_equal(send(fd, "ping\n", 5, 0), 5);
	t_spin(f);
	assert_string_equal(t_read(fd, buf, sizeof(buf)),
	    "error command longer than 511 octets\ncols v:s\nrow pong\nend 1\n");
	assert_int_equal(f->c.oversized, 1);
	close(fd);
}

static void
test_client_that_does_not_read(void **state)
{
	struct fx *f = *state;
	char buf[4096];
	int slow, other, i;

	slow = t_connect(f);
	assert_int_equal(send(slow, "big\n", 4, 0), 4);
	t_spin(f);
	/* the steps stopped: what the kernel and the 256 KiB buffer hold */
	assert_true(steps > 0);
	assert_true(steps < T_ROWS / 50);
	i = steps;
	t_spin(f);
	assert_int_equal(steps, i);
	/* another client is answered meanwhile */
	other = t_connect(f);
	assert_int_equal(send(other, "ping\n", 5, 0), 5);
	t_spin(f);
	assert_string_equal(t_read(other, buf, sizeof(buf)), "cols v:s\nrow pong\nend 1\n");
	assert_int_equal(ctls_nconns(f->s), 2);
	close(other);
	close(slow);
	t_spin(f);
	assert_int_equal(ctls_nconns(f->s), 0);
}

static void
test_busy(void **state)
{
	struct fx *f = *state;
	int fds[CTLS_MAX_CONNS + 2], i;
	char buf[256];

	for (i = 0; i < CTLS_MAX_CONNS + 2; i++) {
		fds[i] = t_connect(f);
		t_spin(f);	/* accepted one by one: the listen backlog is short */
	}
	assert_int_equal(ctls_nconns(f->s), CTLS_MAX_CONNS);
	assert_int_equal(f->c.refused_busy, 2);
	assert_string_equal(t_read(fds[CTLS_MAX_CONNS], buf, sizeof(buf)),
	    "error busy: too many control connections\n");
	for (i = 0; i < CTLS_MAX_CONNS + 2; i++)
		close(fds[i]);
}

/* lib/ctl_client.c against the socket, the loop in a child process. */
struct t_count {
	unsigned long rows;
};

static void
t_row(void *arg, const char *const *vals, int n)
{
	struct t_count *c = arg;

	assert_int_equal(n, 1);
	if (strcmp(vals[0], "pong") != 0)
		assert_int_equal(strlen(vals[0]), 99);
	c->rows++;
}

static void
test_client_reads_a_stream(void **state)
{
	struct fx *f = *state;
	struct t_count cnt = { 0 };
	const struct ctlc_sink sink = { NULL, t_row, NULL, &cnt };
	char more[64], msg[256];
	pid_t pid = fork();
	FILE *c;

	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			ev_run_once(f->loop, &f->now, 100);
	}
	c = ctlc_connect(f->path, 15);
	assert_non_null(c);
	assert_int_equal(ctlc_request(c, "big", &sink, more, sizeof(more), msg, sizeof(msg)), CTLC_OK);
	assert_int_equal(cnt.rows, T_ROWS);
	assert_int_equal(ctlc_request(c, "ping", &sink, more, sizeof(more), msg, sizeof(msg)), CTLC_OK);
	assert_int_equal(cnt.rows, T_ROWS + 1);
	fclose(c);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mode_and_oversized, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_that_does_not_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_reads_a_stream, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
