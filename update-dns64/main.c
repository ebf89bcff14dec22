/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* update-dns64 — write the resolver's DNS64 prefixes and apply them.
 *
 *	update-dns64 [options] PREFIX...
 *
 * BIND (default): renders one dns64 block per prefix into the include file
 * (default /var/lib/bind/dns64.conf), validates it with named-checkconf
 * wrapped in options { include ...; }, replaces the file atomically, runs
 * rndc reconfig, and puts the previous file back if BIND refuses, the
 * time limit passes or a signal stops it. Never writes an empty set; when
 * there was no file, leaves one that changes nothing (so an include of it
 * never stops named from starting). Commands run in their own process
 * group, killed as a whole at the time limit. rndc and named-checkconf
 * are found in the sbin directories even when PATH lacks them (`su -`).
 * Unbound and PowerDNS Recursor take one prefix.
 * Exit 0 on success, 1 when the resolver or the checker refused (reason on
 * stderr), 2 on bad arguments. See update-dns64(8).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addr.h"
#include "atomicfile.h"
#include "clock.h"
#include "daemon.h"
#include "log.h"
#include "rdfile.h"
#include "ud_render.h"
#include "ud_config.h"
#include "xalloc.h"

#define UD_MAXFILE	(1024 * 1024)
#define UD_KILL_MS	1000	/* TERM, then KILL this much later: less than
				 * nat64-healthd waits before its KILL */

static const char *prog = "update-dns64";
static volatile sig_atomic_t ud_signal;	/* TERM, INT or HUP received */
static uint64_t ud_deadline_ms;		/* the whole run's time limit */

static void
ud_on_signal(int signo)
{
	ud_signal = signo;
}

/* TERM/INT/HUP interrupt the child's wait (no SA_RESTART) so the previous
 * file can be put back before exiting. */
static void
ud_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ud_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static uint64_t
ud_now_ms(void)
{
	struct clk_now now;

	clk_read(&now);
	return now.mono_ms;
}

/* Split a command string on blanks (no quoting: keep it simple). */
static char **
ud_split(const char *cmd, const char *extra)
{
	char *dup = xstrdup(cmd), *tok, *save = NULL;
	char **v = xcalloc(strlen(cmd) / 2 + 3, sizeof(*v));
	size_t n = 0;

	for (tok = strtok_r(dup, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
		v[n++] = xstrdup(tok);
	if (extra)
		v[n++] = xstrdup(extra);
	v[n] = NULL;
	free(dup);
	return v;
}

static void
ud_free_argv(char **v)
{
	size_t i;

	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

/* Append n bytes of output to out, keeping the last outlen - 1. */
static void
ud_keep(char *out, size_t outlen, size_t *have, const char *buf, size_t n)
{
	if (*have + n >= outlen) {
		size_t drop = *have + n - (outlen - 1);

		if (drop > *have)
			drop = *have;
		memmove(out, out + drop, *have - drop);
		*have -= drop;
	}
	if (n > outlen - 1 - *have)
		n = outlen - 1 - *have;
	memcpy(out + *have, buf, n);
	*have += n;
}

/* Wait for pid until it exits, the deadline passes or a signal comes;
 * then TERM its process group, KILL it UD_KILL_MS later. Output goes to
 * out (the last outlen - 1 bytes), what the command wrote just before it
 * exited included. Returns the wait status, or -1. */
static int
ud_wait(pid_t pid, int fd, char *out, size_t outlen, bool *killed)
{
	size_t have = 0;
	uint64_t kill_at = 0;
	bool termed = false, eof = false;
	char buf[512];
	int st, w;
	ssize_t n;

	for (;;) {
		uint64_t now = ud_now_ms();
		struct pollfd pfd = { fd, POLLIN, 0 };
		int wait_ms;

		if ((w = (int)waitpid(pid, &st, WNOHANG)) == pid) {
			/* what is in the pipe still: its last words (a
			 * process it left behind may hold the pipe open, so
			 * only what is there now) */
			struct pollfd rest = { fd, POLLIN, 0 };
			int k;

			for (k = 0; !eof && k < 128 && poll(&rest, 1, 0) == 1 &&
			    (n = read(fd, buf, sizeof(buf))) > 0; k++)
				ud_keep(out, outlen, &have, buf, (size_t)n);
			break;
		}
		if (!termed && (ud_signal || now >= ud_deadline_ms)) {
			kill(-pid, SIGTERM);
			termed = true;
			*killed = true;
			kill_at = now + UD_KILL_MS;
		} else if (termed && now >= kill_at) {
			kill(-pid, SIGKILL);
			kill_at = UINT64_MAX;
		}
		wait_ms = termed ? 100 : (int)(ud_deadline_ms - now < 100 ? ud_deadline_ms - now : 100);
		if (eof) {
			poll(NULL, 0, wait_ms > 0 ? wait_ms : 1);
			continue;
		}
		if (poll(&pfd, 1, wait_ms > 0 ? wait_ms : 1) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			if (n == 0 || errno != EINTR)
				eof = true;
			continue;
		}
		ud_keep(out, outlen, &have, buf, (size_t)n);
	}
	/* stopped: nothing of the group outlives it (children that ignore
	 * TERM); a command that ended by itself may have started a server */
	if (termed)
		kill(-pid, SIGKILL);
	out[have] = '\0';
	while (have && (out[have - 1] == '\n' || out[have - 1] == ' '))
		out[--have] = '\0';
	for (size_t i = 0; i < have; i++)
		if (out[i] == '\n')
			out[i] = ' ';
	return st;
}

/* Run argv in its own process group, capture its output (last 2 KiB)
 * into out. Returns the exit status (0 ok), 128+signal, 124 when killed
 * at the time limit or by our signal, or -1 if it could not run. */
static int
ud_run(char **argv, char *out, size_t outlen)
{
	bool killed = false;
	int pfd[2], st;
	pid_t pid;

	out[0] = '\0';
	if (argv[0] == NULL)
		return 0;
	if (pipe2(pfd, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);	/* both sides: no race with kill(-pid) */
	close(pfd[1]);
	st = ud_wait(pid, pfd[0], out, outlen, &killed);
	close(pfd[0]);
	if (killed) {
		snprintf(out, outlen, "%s", ud_signal ? "interrupted by a signal" :
		    "time limit reached, killed");
		return 124;
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

/* named-checkconf cannot parse a bare options fragment: write the
 * candidate and a wrapper next to the target and check the wrapper. */
static int
ud_check_bind(const char *checkcmd, const char *target, const char *text, char *why,
    size_t whylen)
{
	char *dir = xstrdup(target), cand[4096], wrap[4200], wtext[4400], out[2048];
	char err[512];
	char **argv;
	int rc;

	snprintf(cand, sizeof(cand), "%s/.update-dns64.%ld.candidate", dirname(dir),
	    (long)getpid());
	snprintf(wrap, sizeof(wrap), "%s.wrap", cand);
	free(dir);
	snprintf(wtext, sizeof(wtext), "options {\n\tinclude \"%s\";\n};\n", cand);
	if (afile_replace(cand, text, strlen(text), 0644, err, sizeof(err)) == -1 ||
	    afile_replace(wrap, wtext, strlen(wtext), 0644, err, sizeof(err)) == -1) {
		snprintf(why, whylen, "cannot write the check files: %s", err);
		unlink(cand);
		return -1;
	}
	argv = ud_split(checkcmd, wrap);
	rc = ud_run(argv, out, sizeof(out));
	ud_free_argv(argv);
	unlink(cand);
	unlink(wrap);
	if (rc == 124) {
		snprintf(why, whylen, "'%s' stopped: %s", checkcmd, out);
		return -1;
	}
	if (rc != 0) {
		snprintf(why, whylen, "%s rejected the new file (status %d): %s", checkcmd, rc,
		    out[0] ? out : "no output");
		return -1;
	}
	return 0;
}

static int
ud_check_file(const char *checkcmd, const char *target, const char *text, char *why,
    size_t whylen)
{
	char cand[4200], out[2048], err[512];
	char **argv;
	int rc;

	snprintf(cand, sizeof(cand), "%s.update-dns64-check", target);
	if (afile_replace(cand, text, strlen(text), 0644, err, sizeof(err)) == -1) {
		snprintf(why, whylen, "cannot write the check file: %s", err);
		return -1;
	}
	argv = ud_split(checkcmd, cand);
	rc = ud_run(argv, out, sizeof(out));
	ud_free_argv(argv);
	unlink(cand);
	if (rc == 124) {
		snprintf(why, whylen, "'%s' stopped: %s", checkcmd, out);
		return -1;
	}
	if (rc != 0) {
		snprintf(why, whylen, "%s rejected the new file (status %d): %s", checkcmd, rc,
		    out[0] ? out : "no output");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const char placeholder[] = "# Written by update-dns64: no DNS64 prefix applied "
	    "yet.\n# It exists so that an include of it never stops the resolver from "
	    "starting;\n# it changes nothing.\n";
	struct ud_cli cli;
	struct conf_cmdline cl;
	struct ud_opts o;
	struct ud_prefix act[UD_MAX_PREFIXES], old[UD_MAX_PREFIXES + UD_MAX_DRAINED];
	struct ud_prefix drained[UD_MAX_DRAINED];
	const char *out_path, *checkcmd, *reloadcmd;
	unsigned char *oldtext = NULL;
	size_t oldlen = 0, nact, nold = 0, ndr = 0;
	char err[2600], why[4200], rout[2048], clients[1024];
	bool dry, had_old, ula;
	char *text, **rargv;
	int rc;

	log_init(prog, LOG_TO_STDERR, 0);
	if ((rc = conf_cmdline(&ud_config_table, &cli, &cl, argc, argv, stdout, err, sizeof(err))) != 0) {
		if (rc == 1)
			return 0;
		log_errx("%s (see --help)", err);
		return 2;
	}
	ud_config_resolve(&cli, &o);
	out_path = cli.output;
	checkcmd = cli.check_cmd;
	reloadcmd = cli.reload_cmd;
	dry = cli.dry_run;
	if (ud_check_exclude(o.exclude, err, sizeof(err)) == -1 ||
	    ud_check_clients(o.clients, clients, sizeof(clients), err, sizeof(err)) == -1 ||
	    ud_parse_prefixes(argv + cl.first_arg, (size_t)(argc - cl.first_arg), &o, act, &nact,
	    err, sizeof(err)) == -1) {
		log_errx("%s", err);
		return 2;
	}
	o.clients = clients;
	for (size_t i = 0; i < nact; i++)
		if (addr_nat64_scope(act[i].a, act[i].len, &ula) == NULL && ula)
			log_warnx("warning: %s is a unique local address (fc00::/7): only "
			    "clients with a route to it reach that NAT64", argv[cl.first_arg + i]);
	ud_deadline_ms = ud_now_ms() + cli.timeout_ms;
	ud_signals();
	daemon_path_add_sbin();
	if (o.backend != UD_BIND && nact > 1)
		log_info("note: %s takes one prefix; using the first, %s",
		    o.backend == UD_UNBOUND ? "Unbound" : "PowerDNS Recursor", argv[cl.first_arg]);

	had_old = rf_slurp(out_path, 0, UD_MAXFILE, &oldtext, &oldlen, err, sizeof(err)) == 0;
	if (!had_old && errno != ENOENT) {
		log_errx("%s", err);
		return 1;
	}
	if (had_old && o.backend == UD_BIND && o.keep_reverse) {
		nold = ud_old_prefixes((const char *)oldtext, oldlen, old,
		    sizeof(old) / sizeof(old[0]));
		ndr = ud_drained(old, nold, act, nact, drained);
	}
	text = ud_render(&o, act, nact, drained, ndr);
	if (dry) {
		fputs(text, stdout);
		free(text);
		free(oldtext);
		return 0;
	}

	/* 1. validate */
	if (checkcmd[0]) {
		rc = o.backend == UD_BIND ? ud_check_bind(checkcmd, out_path, text, why, sizeof(why)) :
		    ud_check_file(checkcmd, out_path, text, why, sizeof(why));
		if (rc == -1) {
			log_errx("%s; %s left unchanged", why, out_path);
			if (!had_old && afile_replace(out_path, placeholder, strlen(placeholder), 0644,
			    err, sizeof(err)) == 0)
				log_info("wrote %s with no prefix so that an include of it "
				    "works", out_path);
			free(text);
			free(oldtext);
			return 1;
		}
	}
	/* 2. replace atomically */
	if (afile_replace(out_path, text, strlen(text), 0644, err, sizeof(err)) == -1) {
		log_errx("%s", err);
		free(text);
		free(oldtext);
		return 1;
	}
	/* 3. apply; on refusal put the previous file back */
	rargv = ud_split(reloadcmd, NULL);
	rc = ud_signal || ud_now_ms() >= ud_deadline_ms ? 124 : ud_run(rargv, rout, sizeof(rout));
	if (rc == 124 && rout[0] == '\0')
		snprintf(rout, sizeof(rout), "%s", ud_signal ? "interrupted by a signal" :
		    "time limit reached");
	ud_free_argv(rargv);
	if (rc != 0) {
		const char *restored = "restored the previous file";

		/* an include that exists, never an empty DNS64 set once one
		 * was applied: the previous file, or one that changes nothing */
		if (had_old) {
			if (afile_replace(out_path, oldtext, oldlen, 0644, err, sizeof(err)) == -1)
				restored = "COULD NOT restore the previous file";
		} else if (afile_replace(out_path, placeholder, strlen(placeholder), 0644, err,
		    sizeof(err)) == -1)
			restored = "could not replace the new file";
		else
			restored = "left a file with no prefix (there was none before)";
		log_errx("'%s' failed (status %d): %s; %s", reloadcmd, rc,
		    rout[0] ? rout : "no output", restored);
		free(text);
		free(oldtext);
		return 1;
	}
	printf("%s: %zu prefix%s applied", prog, o.backend == UD_BIND ? nact : 1,
	    (o.backend == UD_BIND ? nact : 1) == 1 ? "" : "es");
	if (ndr)
		printf(" (%zu drained kept for reverse DNS)", ndr);
	printf("\n");
	free(text);
	free(oldtext);
	return 0;
}
