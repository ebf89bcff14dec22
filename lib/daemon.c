/* daemon.c — see daemon.h. */
#include "daemon.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
daemon_user_check(const char *user, char *err, size_t errlen)
{
	if (getpwnam(user) == NULL) {
		snprintf(err, errlen, "unknown user '%s'", user);
		return -1;
	}
	return 0;
}

int
daemon_drop_privileges(const char *user, char *err, size_t errlen)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		snprintf(err, errlen, "unknown user '%s'", user);
		return -1;
	}
	if (setgroups(1, &pw->pw_gid) == -1 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		snprintf(err, errlen, "cannot become user '%s': %s", user, strerror(errno));
		return -1;
	}
	return 0;
}

int
daemon_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t plen;
	socklen_t slen;
	ssize_t n;
	int fd;

	if (path == NULL || path[0] == '\0')
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	slen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun, slen);
	close(fd);
	return n == (ssize_t)strlen(state) ? 0 : -1;
}

int
daemon_path_add_sbin(void)
{
	static const char *const dirs[] = { "/usr/local/sbin", "/usr/sbin", "/sbin" };
	const char *cur = getenv("PATH");
	char buf[4096];
	size_t i, n;

	if (cur == NULL || cur[0] == '\0')
		cur = "/usr/local/bin:/usr/bin:/bin";
	n = (size_t)snprintf(buf, sizeof(buf), "%s", cur);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && n < sizeof(buf); i++) {
		const char *p = buf;
		size_t dl = strlen(dirs[i]);
		int found = 0;

		while (*p) {	/* compare whole PATH elements */
			size_t el = strcspn(p, ":");

			if (el == dl && memcmp(p, dirs[i], dl) == 0)
				found = 1;
			p += el + (p[el] == ':');
		}
		if (!found)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, ":%s", dirs[i]);
	}
	if (n >= sizeof(buf))
		return 0;	/* an absurd PATH: leave it alone */
	return setenv("PATH", buf, 1);
}
