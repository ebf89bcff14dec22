/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nat64-handoffd — the NAT64 handoff server (draft-dupont-6man-nat64handoff-00).
 *
 * main() reads top to bottom: options and config, the audit log, the
 * socket (bound before privileges are dropped), the persisted state, then
 * the event loop. Shutdown runs the same modules in reverse.
 */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "atomicfile.h"
#include "ho_audit.h"
#include "ho_ban.h"
#include "ho_channel.h"
#include "ho_config.h"
#include "ho_control.h"
#include "daemon.h"
#include "evloop.h"
#include "ho_journal.h"
#include "ho_livecheck.h"
#include "log.h"
#include "rdfile.h"
#include "ho_server.h"
#include "ho_status.h"
#include "ho_udpio.h"
#include "ho_validate.h"

struct handoffd {
	struct hcfg cfg;
	struct conf_cmdline cl;		/* the command line, applied again at reload */
	struct ev_loop *loop;
	struct uio *uio;
	struct ctl_server *ctl;		/* NULL without control-socket */
	struct srv_ctx srv;
	char tokens_path[1100], status_path[1100], bans_path[1100];
	volatile int quit;
};

/* -n: replay every channel journal read-only; report each bad one and
 * a summary line "channels N entries N" on standard error. */
static int
check_journals(struct handoffd *d)
{
	uint8_t key[16] = { 0 };
	char dir[1100], path[1400], err[4600];
	unsigned long nchan = 0, nentries = 0;
	struct jr_load_result res;
	struct dirent *de;
	int rc = 0;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/channels", d->cfg.state_dir);
	if ((dp = opendir(dir)) == NULL)
		return 0;	/* nothing persisted yet */
	while ((de = readdir(dp)) != NULL) {
		size_t n = strlen(de->d_name);
		struct ct_table *t;

		if (n < 5 || strcmp(de->d_name + n - 4, ".tbl") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		t = ct_create(CT_MAX_CAPACITY, key);
		if (jr_verify(path, t, &res, err, sizeof(err)) == -1) {
			fprintf(stderr, "nat64-handoffd: %s\n", err);
			rc = 1;
		}
		nchan++;
		nentries += ct_count(t);
		ct_destroy(t);
	}
	closedir(dp);
	fprintf(stderr, "nat64-handoffd: %s: %lu channels, %lu entries\n", dir, nchan, nentries);
	return rc;
}

/* Is c's listen address one of this host's? A throwaway socket on an
 * ephemeral port (the port itself may be a running server's). 0, or -1
 * with "where: ADDR: why" in msg. */
static int
check_listen(const struct handoffd *d, const struct hcfg *c, char *msg, size_t len)
{
	char err[256], where[1200], a[ADDR_STRLEN];

	if (c->listen == 0 || uio_probe_addr(c->listen, err, sizeof(err)) == 0)
		return 0;
	snprintf(msg, len, "%s: %s: %s", conf_where(&hcfg_table, &d->cl, "listen", where,
	    sizeof(where)), addr_fmt4(c->listen, a, sizeof(a)), err);
	return -1;
}

/* -n: is the configuration usable, and is the state readable? The
 * configuration is printed only when all of it is. */
static int
check_config(struct handoffd *d)
{
	struct val_state *vs;
	char err[1024], where[1200];
	const char *key = NULL;
	struct stat st;
	int rc = 0;

	if (hcfg_check(&d->cfg, &key, err, sizeof(err)) == -1) {
		log_errx("%s: %s",
		    conf_where(&hcfg_table, &d->cl, key, where, sizeof(where)), err);
		return 1;
	}
	if (check_listen(d, &d->cfg, where, sizeof(where)) == -1) {
		fprintf(stderr, "nat64-handoffd: %s\n", where);
		return 1;
	}
	if (rf_shared_dir(d->cfg.state_dir, err, sizeof(err)) ||
	    (d->cfg.log_dir[0] && rf_shared_dir(d->cfg.log_dir, err, sizeof(err)))) {
		fprintf(stderr, "nat64-handoffd: %s (refused at start)\n", err);
		return 1;
	}
	if (stat(d->cfg.state_dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			fprintf(stderr, "nat64-handoffd: %s: not a directory\n", d->cfg.state_dir);
			rc = 1;
		}
		vs = val_create(1);
		if (val_load(vs, d->tokens_path, err, sizeof(err)) == -1 && errno != ENOENT) {
			fprintf(stderr, "nat64-handoffd: %s (would be set aside at start)\n", err);
			rc = 1;
		}
		val_destroy(vs);
	} else if (errno != ENOENT) {
		fprintf(stderr, "nat64-handoffd: %s: %s\n", d->cfg.state_dir, strerror(errno));
		rc = 1;
	}
	if (check_journals(d) != 0)
		rc = 1;
	if (d->cfg.log_dir[0] && access(d->cfg.log_dir, W_OK) == -1) {
		if (errno == ENOENT)
			fprintf(stderr, "nat64-handoffd: log directory %s does not exist yet; "
			    "it will be created at start\n", d->cfg.log_dir);
		else {
			fprintf(stderr, "nat64-handoffd: log directory %s: %s\n", d->cfg.log_dir,
			    strerror(errno));
			rc = 1;
		}
	}
	if (rc == 0)
		conf_print(&hcfg_table, &d->cfg, stdout);
	return rc;
}

static void
save_tokens(struct handoffd *d)
{
	char err[1024];

	if (!val_dirty(d->srv.vs))
		return;
	if (val_save(d->srv.vs, d->tokens_path, err, sizeof(err)) == -1)
		log_errx("%s", err);
}

/* Bans that ended (Unbanned lines), ports whose quarantine is over, and
 * the file if anything changed (once a second). */
static void
ban_tick(struct handoffd *d, const struct clk_now *now)
{
	struct ban ended[64];
	char err[1200];
	uint32_t i, n;

	n = ban_expire(d->srv.bans, now->wall.tv_sec, ended, 64);
	for (i = 0; i < n; i++)
		audit_unbanned(now, ended[i].pfx, ended[i].len, true);
	ban_clock(d->srv.bans, now->wall.tv_sec, now->mono_ms);
	ban_release(d->srv.bans, now->wall.tv_sec, live_query_kernel, NULL);
	if (ban_dirty(d->srv.bans) && ban_save(d->srv.bans, err, sizeof(err)) == -1)
		log_warnx("%s", err);
}

static void
write_status(struct handoffd *d, const struct clk_now *now)
{
	char err[1024];

	if (status_write(d->status_path, &d->srv, now, d->cfg.port, err, sizeof(err)) == -1)
		log_errx("%s", err);
	if (d->cfg.metrics_file[0] &&
	    status_write_metrics(d->cfg.metrics_file, &d->srv, now, err, sizeof(err)) == -1)
		log_errx("metrics file: %s", err);
}

/* The packet path: receive a batch, handle each, make the journal durable
 * in the kernel, then answer. */
static void
on_socket(int fd, uint32_t events, void *arg, const struct clk_now *now)
{
	struct handoffd *d = arg;
	struct uio_rx rx[UIO_BATCH];
	struct srv_tx tx[UIO_BATCH];
	int rounds, i, n, ntx;

	(void)fd;
	(void)events;
	for (rounds = 0; rounds < 16; rounds++) {
		n = uio_recv(d->uio, rx);
		d->srv.c[SRV_C_drop_rx_unusable] = uio_rx_dropped(d->uio);
		if (n <= 0) {
			if (n == -1)
				log_warn("recvmmsg");
			break;
		}
		for (i = 0, ntx = 0; i < n; i++) {
			tx[ntx].buf = uio_txbuf(d->uio, ntx);
			if (srv_handle(&d->srv, rx[i].local, rx[i].src, rx[i].sport, rx[i].data,
			    rx[i].len, now, &tx[ntx]))
				ntx++;
		}
		/* The persistence contract: audit lines and journal records
		 * written, or the answers carrying them held back. */
		ntx = srv_commit(&d->srv, tx, ntx, now);
		/* Tokens are saved by the 1 s timer, never here: nothing
		 * answered depends on them (a bounce is consumed, not
		 * answered), and a peer must not be able to make us fsync
		 * per packet (type-5 rotations need no round trip). */
		if (ntx)
			d->srv.c[SRV_C_tx_errors] += (uint64_t)(ntx - uio_send(d->uio, tx, ntx));
		if (n < UIO_BATCH)
			break;
	}
}

static int64_t
on_maintenance(void *arg, const struct clk_now *now)
{
	struct handoffd *d = arg;

	ban_tick(d, now);
	chan_maintenance(d->srv.reg, now);
	if (val_rotate_due(d->srv.vs, now))
		log_debug("validation key rotated");
	save_tokens(d);
	return 1000;
}

static int64_t
on_status(void *arg, const struct clk_now *now)
{
	struct handoffd *d = arg;

	write_status(d, now);
	return (int64_t)d->cfg.status_interval_ms;
}

static void
on_reload(int signo, void *arg, const struct clk_now *now)
{
	struct handoffd *d = arg;
	struct hcfg nc;
	char err[1024], where[1200];
	const char *key = NULL;

	(void)signo;
	daemon_notify("RELOADING=1");
	if (conf_build(&hcfg_table, &nc, &d->cl, err, sizeof(err)) == -1) {
		log_errx("reload: %s; keeping the running configuration", err);
	} else if (hcfg_check(&nc, &key, err, sizeof(err)) == -1) {
		/* what a start would refuse is refused here too */
		log_errx("reload: %s: %s; keeping the running configuration",
		    conf_where(&hcfg_table, &d->cl, key, where, sizeof(where)), err);
	} else if (nc.listen != d->cfg.listen && check_listen(d, &nc, where, sizeof(where)) == -1) {
		/* the next start could not bind it (a running one has its own) */
		log_errx("reload: %s; keeping the running configuration", where);
	} else {
		conf_reload(&hcfg_table, &d->cfg, &nc, err, sizeof(err));
		if (err[0])
			log_warnx("reload: restart to change %s; keeping the running values", err);
		if (nc.log_dir[0] && rf_shared_dir(nc.log_dir, err, sizeof(err))) {
			log_errx("reload: log-dir %s; audit lines keep going to the previous file", err);
			memcpy(nc.log_dir, d->cfg.log_dir, sizeof(nc.log_dir));
		} else if (audit_open(nc.log_dir[0] ? nc.log_dir : NULL, nc.localtime, err, sizeof(err)) == -1) {
			/* audit_open() swaps only on success: the old file
			 * (even if moved away by logrotate) keeps the lines. */
			log_errx("reload: %s; audit lines keep going to the previous file", err);
			memcpy(nc.log_dir, d->cfg.log_dir, sizeof(nc.log_dir));
		}
		d->cfg = nc;
		audit_set_json(nc.audit_json);
		log_setverbose(nc.verbose);
		chan_set_limits(d->srv.reg, nc.table_size, nc.max_channels);
		chan_set_expiry(d->srv.reg, nc.channel_idle_ms, nc.memory_limit);
		ban_set_limits(d->srv.bans, nc.max_bans, (uint32_t)(nc.ban_quarantine_ms / 1000));
		log_info("configuration reloaded");
	}
	write_status(d, now);
	daemon_notify("READY=1");
}

static void
on_usr1(int signo, void *arg, const struct clk_now *now)
{
	(void)signo;
	write_status(arg, now);
}

static void
on_quit(int signo, void *arg, const struct clk_now *now)
{
	struct handoffd *d = arg;

	(void)now;
	log_info("signal %d: shutting down", signo);
	d->quit = 1;
}

/* Make dir (like mkdir -p). When starting as root with a user to become,
 * only a directory created here is handed to that user (never anything
 * that was there before, never recursively): an existing directory must
 * already be the user's, which check_dir() says loudly after the drop. */
static void
prepare_dir(const char *what, const char *dir, const char *user)
{
	struct passwd *pw;
	char *p, path[1100];
	bool created;

	snprintf(path, sizeof(path), "%s", dir);
	for (p = path + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(path, 0755) == -1 && errno != EEXIST)
				fatal("%s %s", what, path);
			*p = '/';
		}
	created = mkdir(dir, 0750) == 0;
	if (!created && errno != EEXIST)
		fatal("%s %s", what, dir);
	if (!created || user[0] == '\0' || geteuid() != 0)
		return;
	if ((pw = getpwnam(user)) == NULL)
		fatalx("unknown user '%s'", user);
	if (chown(dir, pw->pw_uid, pw->pw_gid) == -1)
		fatal("%s %s: cannot hand it to user %s", what, dir, user);
}

/* After the privilege drop: a state or log directory this process cannot
 * write is a start-up error, never a server that answers nothing. */
static void
check_dir(const char *what, const char *dir)
{
	char err[1200];
	int fd = rf_open(dir, RF_DIR, err, sizeof(err));

	if (fd == -1 && errno != EACCES)
		fatalx("%s %s", what, err);
	if (fd != -1)
		close(fd);
	if (fd == -1 || access(dir, R_OK | W_OK | X_OK) == -1)
		fatalx("%s %s: not usable by uid %u: %s%s", what, dir, (unsigned)geteuid(),
		    strerror(errno), errno == EACCES ? " (it must belong to the user the server "
		    "runs as)" : "");
}

/* --status: the status file, and whether its writer still runs. */
static int
show_status(const char *path)
{
	unsigned char *text;
	char err[1200];
	size_t len;
	long pid = 0;

	if (rf_slurp(path, RF_NOFOLLOW, 64u << 20, &text, &len, err, sizeof(err)) == -1) {
		fprintf(stderr, "nat64-handoffd: %s (is the server running with this state directory?)\n",
		    err);
		return 1;
	}
	fwrite(text, 1, len, stdout);
	if (sscanf((const char *)text, "nat64-handoffd-status 1\npid %ld", &pid) == 1 &&
	    pid > 0 && kill((pid_t)pid, 0) == -1 && errno == ESRCH) {
		fprintf(stderr, "nat64-handoffd: pid %ld is not running; this status is stale\n", pid);
		free(text);
		return 3;
	}
	free(text);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct handoffd d;
	struct hcfg_run run = { 0 };
	struct clk_now now;
	char err[1024];
	int rc;

	/* stderr until the configuration names the destination: a start
	 * refused for its options or file is an error (<3> in the journal) */
	log_init("nat64-handoffd", LOG_TO_STDERR, 0);
	if ((rc = conf_cmdline(&hcfg_table, &run, &d.cl, argc, argv, stdout, err, sizeof(err))) != 0) {
		if (rc == 1)
			return 0;
		log_errx("%s (see --help)", err);
		return 2;
	}
	if (conf_build(&hcfg_table, &d.cfg, &d.cl, err, sizeof(err)) == -1) {
		log_errx("%s", err);
		return 1;
	}
	snprintf(d.tokens_path, sizeof(d.tokens_path), "%s/tokens", d.cfg.state_dir);
	snprintf(d.status_path, sizeof(d.status_path), "%s/status", d.cfg.state_dir);
	snprintf(d.bans_path, sizeof(d.bans_path), "%s/%s", d.cfg.state_dir, BAN_FILE);
	if (run.check)
		return check_config(&d);
	if (run.status)
		return show_status(d.status_path);
	{
		char where[1200];
		const char *key = NULL;

		if (hcfg_check(&d.cfg, &key, err, sizeof(err)) == -1) {
			log_errx("%s: %s",
			    conf_where(&hcfg_table, &d.cl, key, where, sizeof(where)), err);
			return 1;
		}
	}

	log_init("nat64-handoffd", run.syslog ? LOG_TO_SYSLOG : LOG_TO_STDERR, d.cfg.verbose);
	if (sodium_init() < 0)
		fatalx("libsodium failed to initialise");
	signal(SIGPIPE, SIG_IGN);

	/* 1. Files and the socket, while we may still hold privileges. */
	/* Never / or a directory other programs share: refused before
	 * anything is created or handed over. */
	if (rf_shared_dir(d.cfg.state_dir, err, sizeof(err)))
		fatalx("state-dir %s", err);
	if (d.cfg.log_dir[0] && rf_shared_dir(d.cfg.log_dir, err, sizeof(err)))
		fatalx("log-dir %s", err);
	prepare_dir("state-dir", d.cfg.state_dir, d.cfg.user);
	if (d.cfg.log_dir[0])
		prepare_dir("log-dir", d.cfg.log_dir, d.cfg.user);
	d.uio = uio_open(d.cfg.listen, d.cfg.port, err, sizeof(err));
	if (d.uio == NULL)
		fatalx("%s", err);
	if (d.cfg.control_socket[0] && (d.ctl = hctl_open(d.cfg.control_socket, d.cfg.control_mode,
	    d.cfg.user, d.cfg.control_group, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (d.cfg.user[0] && daemon_drop_privileges(d.cfg.user, err, sizeof(err)) == -1)
		fatalx("%s", err);
	check_dir("state-dir", d.cfg.state_dir);
	if (d.cfg.log_dir[0])
		check_dir("log-dir", d.cfg.log_dir);
	if (audit_open(d.cfg.log_dir[0] ? d.cfg.log_dir : NULL, d.cfg.localtime, err, sizeof(err)) == -1)
		fatalx("audit log: %s", err);
	audit_set_json(d.cfg.audit_json);

	/* Every loaded channel holds its journal open: make room for them. */
	{
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
			getrlimit(RLIMIT_NOFILE, &rl);
			if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)d.cfg.max_channels + 64)
				log_warnx("open file limit %llu is below max-channels %u + 64: channels "
				    "beyond it are refused until files free up (raise LimitNOFILE)",
				    (unsigned long long)rl.rlim_cur, d.cfg.max_channels);
		}
	}

	/* 2. Persistent state: keys and tokens, then the channels. */
	d.srv.port = d.cfg.port;
	d.srv.vs = val_create(d.cfg.max_channels * VAL_TOKENS_PER_CHANNEL);
	clk_read(&now);
	if (val_load(d.srv.vs, d.tokens_path, err, sizeof(err)) == -1 && errno != ENOENT) {
		char aside[1200], err2[2600];

		if (rf_set_aside(d.tokens_path, now.wall.tv_sec, aside, sizeof(aside), err2,
		    sizeof(err2)) == -1)
			fatalx("%s; %s", err, err2);
		log_errx("%s; set aside as %s, NAT64s will validate again", err, aside);
		val_destroy(d.srv.vs);
		d.srv.vs = val_create(d.cfg.max_channels * VAL_TOKENS_PER_CHANNEL);
	}
	save_tokens(&d);
	/* Bans before the channels: a channel applies them as it loads. */
	d.srv.bans = ban_create(d.bans_path, d.cfg.max_bans, (uint32_t)(d.cfg.ban_quarantine_ms / 1000));
	if (ban_load(d.srv.bans, err, sizeof(err)) == -1 && errno != ENOENT) {
		char aside[1200], err2[2600];

		if (errno != EINVAL)
			fatalx("%s", err);
		if (rf_set_aside(d.bans_path, now.wall.tv_sec, aside, sizeof(aside), err2,
		    sizeof(err2)) == -1)
			fatalx("%s; %s", err, err2);
		/* What could be read stays in force, in a new file. */
		log_warnx("%s; set aside as %s; kept %u bans and %u ports held back", err, aside,
		    ban_count(d.srv.bans), ban_quarantine_count(d.srv.bans));
		if (ban_save(d.srv.bans, err, sizeof(err)) == -1)
			log_warnx("%s", err);
	} else if (ban_count(d.srv.bans) || ban_quarantine_count(d.srv.bans))
		log_info("%u bans in force, %u ports held back", ban_count(d.srv.bans),
		    ban_quarantine_count(d.srv.bans));
	d.srv.reg = chan_reg_create(d.cfg.state_dir, d.cfg.table_size, d.cfg.max_channels,
	    live_query_kernel, NULL, err, sizeof(err));
	if (d.srv.reg == NULL)
		fatalx("state: %s", err);
	{
		char chans[1200];

		snprintf(chans, sizeof(chans), "%s/channels", d.cfg.state_dir);
		check_dir("state-dir", chans);
	}
	chan_set_expiry(d.srv.reg, d.cfg.channel_idle_ms, d.cfg.memory_limit);
	chan_set_bans(d.srv.reg, d.srv.bans);

	/* 3. The event loop. */
	d.loop = ev_create();
	if (d.loop == NULL)
		fatal("event loop");
	clk_read(&now);
	if (ev_fd_add(d.loop, uio_fd(d.uio), EPOLLIN, on_socket, &d) == -1 ||
	    ev_signal_add(d.loop, SIGHUP, on_reload, &d) == -1 ||
	    ev_signal_add(d.loop, SIGUSR1, on_usr1, &d) == -1 ||
	    ev_signal_add(d.loop, SIGTERM, on_quit, &d) == -1 ||
	    ev_signal_add(d.loop, SIGINT, on_quit, &d) == -1)
		fatal("event loop setup");
	if (d.ctl && hctl_attach(d.ctl, d.loop, &d.srv, &now) == -1)
		fatal("control socket setup");
	ev_timer_add(d.loop, &now, 1000, on_maintenance, &d);
	ev_timer_add(d.loop, &now, 0, on_status, &d);
	log_info("listening on %s:%u, state in %s, %u persisted channels, table size %u",
	    addr_fmt4(d.cfg.listen, err, sizeof(err)), d.cfg.port, d.cfg.state_dir,
	    chan_count(d.srv.reg), d.cfg.table_size);
	daemon_notify("READY=1");

	while (!d.quit) {
		if (ev_run_once(d.loop, &now, -1) == -1)
			fatal("epoll_wait");
		log_tick(&now);
	}

	/* 4. Shutdown, in reverse. */
	daemon_notify("STOPPING=1");
	clk_read(&now);
	chan_commit(d.srv.reg, &now);
	write_status(&d, &now);
	hctl_close(d.ctl);
	chan_reg_destroy(d.srv.reg, &now);
	save_tokens(&d);
	val_destroy(d.srv.vs);
	if (ban_dirty(d.srv.bans) && ban_save(d.srv.bans, err, sizeof(err)) == -1)
		log_warnx("%s", err);
	ban_destroy(d.srv.bans);
	ev_destroy(d.loop);
	uio_close(d.uio);
	audit_close();
	return 0;
}
