/* audit.c — see audit.h. */
#include "audit.h"
#include "addr.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AUDIT_BUF	65536

static int audit_fd = -1;
static int audit_local;
static char *audit_path;
static uint64_t audit_errs;
static char audit_buf[AUDIT_BUF];
static size_t audit_len;

/* Open log_dir's audit file (or standard output). The current stream
 * stays in use until the new one is open: a failed reopen (SIGHUP with a
 * missing directory) keeps writing where we were, never nowhere. */
int
audit_open(const char *log_dir, int localtime, char *err, size_t errlen)
{
	char *path = NULL;
	int fd = STDOUT_FILENO;

	if (log_dir) {
		path = xmalloc(strlen(log_dir) + sizeof(AUDIT_FILE) + 2);
		sprintf(path, "%s/%s", log_dir, AUDIT_FILE);
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (fd == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(path);
			return -1;
		}
	}
	audit_flush();
	if (audit_fd > STDERR_FILENO)
		close(audit_fd);
	audit_fd = fd;
	audit_local = localtime;
	free(audit_path);
	audit_path = path;
	return 0;
}

int
audit_reopen(char *err, size_t errlen)
{
	int fd;

	if (audit_path == NULL)
		return 0;
	fd = open(audit_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", audit_path, strerror(errno));
		return -1;
	}
	audit_flush();
	if (audit_fd > STDERR_FILENO)
		close(audit_fd);
	audit_fd = fd;
	return 0;
}

void
audit_flush(void)
{
	size_t off = 0;

	while (off < audit_len && audit_fd != -1) {
		ssize_t w = write(audit_fd, audit_buf + off, audit_len - off);

		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			audit_errs++;
			break;
		}
		off += (size_t)w;
	}
	audit_len = 0;
}

void
audit_close(void)
{
	audit_flush();
	if (audit_fd > STDERR_FILENO)
		close(audit_fd);
	audit_fd = -1;
}

static void
audit_write(const struct clk_now *now, const char *event)
{
	char stamp[40], line[256];
	int n;

	if (audit_fd == -1) {
		audit_errs++;	/* a line lost is counted, never silent */
		return;
	}
	clk_format_wall(now, audit_local, stamp, sizeof(stamp));
	n = snprintf(line, sizeof(line), "%s %s\n", stamp, event);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		audit_errs++;
		return;
	}
	if (audit_len + (size_t)n > AUDIT_BUF)
		audit_flush();
	memcpy(audit_buf + audit_len, line, (size_t)n);
	audit_len += (size_t)n;
}

void
audit_initialized(const struct clk_now *now, uint32_t nat64)
{
	char a[ADDR_STRLEN], ev[64];

	snprintf(ev, sizeof(ev), "Initialized %s", addr_fmt4(nat64, a, sizeof(a)));
	audit_write(now, ev);
}

static void
audit_entry(const struct clk_now *now, const char *what, uint32_t nat64, uint16_t port,
    const uint8_t client[16], uint16_t client_port)
{
	char a[ADDR_STRLEN], c[ADDR_STRLEN], ev[160];

	snprintf(ev, sizeof(ev), "%s %s:%u [%s]:%u", what, addr_fmt4(nat64, a, sizeof(a)), port,
	    addr_fmt6(client, c, sizeof(c)), client_port);
	audit_write(now, ev);
}

void
audit_created(const struct clk_now *now, uint32_t nat64, uint16_t port, const uint8_t client[16],
    uint16_t client_port)
{
	audit_entry(now, "Created", nat64, port, client, client_port);
}

void
audit_deleted(const struct clk_now *now, uint32_t nat64, uint16_t port, const uint8_t client[16],
    uint16_t client_port)
{
	audit_entry(now, "Deleted", nat64, port, client, client_port);
}

uint64_t
audit_errors(void)
{
	return audit_errs;
}
