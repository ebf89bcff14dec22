/* update-dns64 — write the resolver's DNS64 prefixes and apply them.
 *
 *	update-dns64 [options] PREFIX...
 *
 * BIND (default): renders one dns64 block per prefix into the include file
 * (default /var/lib/bind/dns64.conf), validates it with named-checkconf
 * wrapped in options { include ...; }, replaces the file atomically, runs
 * rndc reconfig, and puts the previous file back if BIND refuses. Never
 * writes an empty set. Unbound and PowerDNS Recursor take one prefix.
 * Exit 0 on success, 1 when the resolver or the checker refused (reason on
 * stderr), 2 on bad arguments. See update-dns64(8).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomicfile.h"
#include "rdfile.h"
#include "render.h"
#include "ud_config.h"
#include "xalloc.h"

#define UD_MAXFILE	(1024 * 1024)

static const char *prog = "update-dns64";

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

/* Run argv, capture its output (last 2 KiB) into out. Returns the exit
 * status (0 ok), or -1 if it could not run. */
static int
ud_run(char **argv, char *out, size_t outlen)
{
	int pfd[2], st;
	size_t have = 0;
	ssize_t n;
	pid_t pid;
	char buf[512];

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
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], buf, sizeof(buf))) > 0 || (n == -1 && errno == EINTR)) {
		if (n <= 0)
			continue;
		if (have + (size_t)n >= outlen) {
			size_t drop = have + (size_t)n - (outlen - 1);

			if (drop > have)
				drop = have;
			memmove(out, out + drop, have - drop);
			have -= drop;
		}
		if ((size_t)n > outlen - 1 - have)
			n = (ssize_t)(outlen - 1 - have);
		memcpy(out + have, buf, (size_t)n);
		have += (size_t)n;
	}
	out[have] = '\0';
	while (have && (out[have - 1] == '\n' || out[have - 1] == ' '))
		out[--have] = '\0';
	for (size_t i = 0; i < have; i++)
		if (out[i] == '\n')
			out[i] = ' ';
	close(pfd[0]);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
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
	struct ud_cli cli;
	struct conf_cmdline cl;
	struct ud_opts o;
	struct ud_prefix act[UD_MAX_PREFIXES], old[UD_MAX_PREFIXES + UD_MAX_DRAINED];
	struct ud_prefix drained[UD_MAX_DRAINED];
	const char *out_path, *checkcmd, *reloadcmd;
	unsigned char *oldtext = NULL;
	size_t oldlen = 0, nact, nold = 0, ndr = 0;
	char err[2600], why[4200], rout[2048];
	bool dry, had_old;
	char *text, **rargv;
	int rc;

	if ((rc = conf_cmdline(&ud_config_table, &cli, &cl, argc, argv, stdout, err, sizeof(err))) != 0) {
		if (rc == 1)
			return 0;
		fprintf(stderr, "%s: %s (see --help)\n", prog, err);
		return 2;
	}
	ud_config_resolve(&cli, &o);
	out_path = cli.output;
	checkcmd = cli.check_cmd;
	reloadcmd = cli.reload_cmd;
	dry = cli.dry_run;
	if (ud_check_exclude(o.exclude, err, sizeof(err)) == -1 ||
	    ud_parse_prefixes(argv + cl.first_arg, (size_t)(argc - cl.first_arg), &o, act, &nact, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 2;
	}
	if (o.backend != UD_BIND && nact > 1)
		fprintf(stderr, "%s: note: %s takes one prefix; using the first, %s\n", prog,
		    o.backend == UD_UNBOUND ? "Unbound" : "PowerDNS Recursor", argv[cl.first_arg]);

	had_old = rf_slurp(out_path, 0, UD_MAXFILE, &oldtext, &oldlen, err, sizeof(err)) == 0;
	if (!had_old && errno != ENOENT) {
		fprintf(stderr, "%s: %s\n", prog, err);
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
			fprintf(stderr, "%s: %s; %s left unchanged\n", prog, why, out_path);
			free(text);
			free(oldtext);
			return 1;
		}
	}
	/* 2. replace atomically */
	if (afile_replace(out_path, text, strlen(text), 0644, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", prog, err);
		free(text);
		free(oldtext);
		return 1;
	}
	/* 3. apply; on refusal put the previous file back */
	rargv = ud_split(reloadcmd, NULL);
	rc = ud_run(rargv, rout, sizeof(rout));
	ud_free_argv(rargv);
	if (rc != 0) {
		const char *restored = "restored the previous file";

		if (had_old) {
			if (afile_replace(out_path, oldtext, oldlen, 0644, err, sizeof(err)) == -1)
				restored = "COULD NOT restore the previous file";
		} else if (unlink(out_path) == -1)
			restored = "could not remove the new file";
		else
			restored = "removed the new file (there was none before)";
		fprintf(stderr, "%s: '%s' failed (status %d): %s; %s\n", prog, reloadcmd, rc,
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
