/* daemon.h — process plumbing shared by the daemons: privilege drop and
 * the systemd readiness protocol (sd_notify, written here because it is
 * one datagram on a unix socket and not worth a library dependency). */
#ifndef NK_DAEMON_H
#define NK_DAEMON_H

#include <stddef.h>

/* Does user exist? 0, or -1 with "unknown user 'NAME'" in err (the
 * check -n runs, with no side effect). */
int daemon_user_check(const char *user, char *err, size_t errlen);
/* setgroups/setgid/setuid to user; 0, or -1 with a message in err. */
int daemon_drop_privileges(const char *user, char *err, size_t errlen);
/* Send state (e.g. "READY=1", "RELOADING=1", "STOPPING=1") to
 * $NOTIFY_SOCKET if set. Returns 0 if sent or not under systemd. */
int daemon_notify(const char *state);

/* Append /usr/local/sbin, /usr/sbin and /sbin to $PATH where missing, so
 * commands such as rndc are found when started through `su -` (whose PATH
 * has no sbin directory). Returns 0, or -1 if the environment is full. */
int daemon_path_add_sbin(void);

#endif
