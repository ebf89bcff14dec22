/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* main.c — nat64d: a stateful NAT64 gateway over TUN (RFC 6146 + RFC 7915).
 *
 * Order: options, configuration, TUN device and control socket, privilege
 * drop, the gateway tables, signals and timers, then the visible event
 * loop. Teardown runs in reverse.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "atomicfile.h"
#include "clock.h"
#include "daemon.h"
#include "evloop.h"
#include "log.h"
#include "xalloc.h"

#include "nd_config.h"
#include "nd_control.h"
#include "nd_gw.h"
#include "nd_handoff.h"
#include "nd_maplog.h"
#include "nd_metrics.h"
#include "nd_pktdev.h"

#define ND_RXBUF	(65536 + 64)
#define ND_STATUS_MAX	(256 * 1024)

static volatile int quit;
static struct conf_cmdline cmdline;	/* applied again at every reload */
static struct nd_run run;		/* command-line-only switches (-v: at reload too) */
static struct nd_gw *gw;
static struct nd_dev dev;
static uint8_t *rxbuf;

/* The status file and the metrics file; the counters also go to the log
 * at -v (or when neither file is set), except for the periodic writes. */
static void
write_status(bool periodic)
{
	char *buf = xmalloc(ND_STATUS_MAX), err[256];
	size_t n = nd_gw_status(gw, buf, ND_STATUS_MAX);

	if (n >= ND_STATUS_MAX)
		n = ND_STATUS_MAX - 1;

	if (gw->cfg.status_file[0] &&
	    afile_replace(gw->cfg.status_file, buf, n, 0644, err, sizeof(err)) == -1)
		log_errx("status file: %s", err);
	if (gw->cfg.metrics_file[0] &&
	    nd_metrics_write(gw->cfg.metrics_file, buf, n, err, sizeof(err)) == -1)
		log_errx("metrics file: %s", err);
	if (!periodic &&
	    (log_getverbose() >= 1 || (!gw->cfg.status_file[0] && !gw->cfg.metrics_file[0]))) {
		char *line = buf, *nl;

		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			log_info("status: %s", line);
			line = nl + 1;
		}
	}
	free(buf);
}

static void
on_signal(int signo, void *arg, const struct clk_now *now)
{
	(void)arg;
	switch (signo) {
	case SIGHUP: {
		struct nd_config *nc = xmalloc(sizeof(*nc));
		char err[512], where[300];
		const char *key = NULL;

		if (conf_build(&nd_config_table, nc, &cmdline, err, sizeof(err)) == -1) {
			log_errx("reload failed, keeping the running configuration: %s", err);
		} else if (nd_config_check(nc, &key, err, sizeof(err)) == -1 ||
		    nd_config_check_start(nc, &key, err, sizeof(err)) == -1) {
			/* a file the next start would refuse is refused now */
			log_errx("reload failed, keeping the running configuration: %s: %s",
			    conf_where(&nd_config_table, &cmdline, key, where, sizeof(where)), err);
		} else {
			nd_config_run(nc, &run);
			conf_reload(&nd_config_table, &gw->cfg, nc, err, sizeof(err));
			if (err[0])
				log_warnx("reload: restart to change %s; applying the rest", err);
			nd_gw_reconfig(gw, nc, now);
			log_setverbose(nc->verbose);
			log_info("configuration reloaded");
		}
		if (nd_maplog_reopen(err, sizeof(err)) == -1)
			log_errx("mapping log: %s", err);
		free(nc);
		break;
	}
	case SIGUSR1:
		write_status(false);
		break;
	default:
		quit = 1;
		break;
	}
}

static void
on_tun(int fd, uint32_t events, void *arg, const struct clk_now *now)
{
	struct virtio_net_hdr vh;
	int i;

	(void)fd;
	(void)arg;
	if (events & (EPOLLERR | EPOLLHUP)) {
		log_errx("%s: device error", dev.name);
		quit = 1;
		return;
	}
	/* Batching: drain up to `batch` packets per wake-up. */
	for (i = 0; i < gw->cfg.batch; i++) {
		ssize_t n = nd_dev_recv(&dev, &vh, rxbuf, ND_RXBUF);

		if (n == -1) {
			if (errno == EBADFD || errno == ENODEV || errno == EIO) {
				log_err("%s: device gone", dev.name);
				quit = 1;
			} else if (dev.rx_err % 1000 == 1)
				log_warn("%s: read (%llu errors)", dev.name,
				    (unsigned long long)dev.rx_err);
			break;
		}
		if (n == 0)
			break;
		nd_gw_input(gw, rxbuf, (size_t)n, dev.vnet ? &vh : NULL, now);
	}
	nd_gw_flush(gw);
}

/* status-interval: a reload may start, change or stop it (checked every
 * second while it is 0). */
static int64_t
on_status_timer(void *arg, const struct clk_now *now)
{
	(void)arg, (void)now;
	if (gw->cfg.status_interval_ms == 0)
		return 1000;
	write_status(true);
	return (int64_t)gw->cfg.status_interval_ms;
}

static int64_t
on_expire(void *arg, const struct clk_now *now)
{
	(void)arg;
	return nd_gw_expire(gw, now);
}

int
main(int argc, char **argv)
{
	struct nd_config cfg;
	struct nd_ctl *ctl = NULL;	/* NULL with control-socket none */
	struct ev_loop *loop;
	struct clk_now now;
	char err[512], where[300];
	const char *key = NULL;
	int rc;

	/* stderr until the configuration names the destination: a start
	 * refused for its options or file is an error (<3> in the journal) */
	log_init("nat64d", LOG_TO_STDERR, 0);
	rc = conf_cmdline(&nd_config_table, &run, &cmdline, argc, argv, stdout, err, sizeof(err));
	if (rc != 0) {
		if (rc == 1)
			return 0;
		log_errx("%s (see --help)", err);
		return 2;
	}
	log_setverbose(run.verbose);

	/* 1. configuration, and what a start needs (-n checks the same) */
	if (conf_build(&nd_config_table, &cfg, &cmdline, err, sizeof(err)) == -1) {
		log_errx("%s", err);
		return 1;
	}
	if (nd_config_check(&cfg, &key, err, sizeof(err)) == -1 ||
	    nd_config_check_start(&cfg, &key, err, sizeof(err)) == -1) {
		log_errx("%s: %s",
		    conf_where(&nd_config_table, &cmdline, key, where, sizeof(where)), err);
		return 1;
	}
	if (run.check) {
		if (run.verbose)
			conf_print(&nd_config_table, &cfg, stdout);
		else
			printf("configuration OK\n");
		return 0;
	}
	nd_config_run(&cfg, &run);
	log_init("nat64d", cfg.syslog && !run.force_stderr ? LOG_TO_SYSLOG : LOG_TO_STDERR, cfg.verbose);

	/* 2. the TUN device, the mapping log, the control socket, then privileges */
	if (nd_tun_open(&dev, cfg.tun_name, cfg.offload, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (cfg.control_socket[0] && (ctl = nd_ctl_open(&cfg, err, sizeof(err))) == NULL)
		fatalx("control socket: %s (control-socket none: no socket)", err);
	if (cfg.mapping_log[0] && nd_maplog_open(cfg.mapping_log, err, sizeof(err)) == -1)
		fatalx("mapping log: %s", err);
	if (cfg.user[0] && daemon_drop_privileges(cfg.user, err, sizeof(err)) == -1)
		fatalx("%s", err);

	/* 3. tables, and the handoff keys and servers from the state directory */
	gw = nd_gw_new(&cfg, &dev);
	clk_read(&now);
	if (cfg.handoff) {
		if (nd_ho_new(gw, &now, err, sizeof(err)) == NULL)
			fatalx("handoff state: %s", err);
		if (err[0])
			log_errx("handoff state: %s", err);
		if (cfg.mapping_log[0]) {
			nd_ho_cache(gw)->on_event = nd_maplog_hoent;
			nd_ho_cache(gw)->on_event_arg = NULL;
		}
	}
	if (cfg.mapping_log[0])
		gw->st.on_bib = nd_maplog_event;
	rxbuf = xmalloc(ND_RXBUF);

	/* 4. event loop: device, control socket, expiry timer, signals */
	if ((loop = ev_create()) == NULL)
		fatal("event loop");
	clk_read(&now);
	if (ev_fd_add(loop, dev.fd, EPOLLIN, on_tun, NULL) == -1)
		fatal("epoll");
	if (ctl && nd_ctl_attach(ctl, loop, gw, &now) == -1)
		fatal("control socket");
	if (ev_timer_add(loop, &now, 1000, on_expire, NULL) == NULL ||
	    ev_timer_add(loop, &now, cfg.status_interval_ms ? cfg.status_interval_ms : 1000,
	    on_status_timer, NULL) == NULL)
		fatal("timer");
	if (ev_signal_add(loop, SIGHUP, on_signal, NULL) == -1 ||
	    ev_signal_add(loop, SIGUSR1, on_signal, NULL) == -1 ||
	    ev_signal_add(loop, SIGTERM, on_signal, NULL) == -1 ||
	    ev_signal_add(loop, SIGINT, on_signal, NULL) == -1)
		fatal("signals");
	signal(SIGPIPE, SIG_IGN);
	log_info("translating on %s (%s offload), %d prefix(es), %d pool address(es)", dev.name,
	    dev.vnet ? "with" : "without", cfg.n_prefix, cfg.n_pool4);
	if (cfg.handoff)
		log_info("NAT64 handoff: control port %u, servers' port %u, state %s", cfg.ho_ctl_port,
		    cfg.ho_port, cfg.state_dir[0] ? cfg.state_dir : "not kept (no state-dir)");
	daemon_notify("READY=1");

	while (!quit) {
		ev_run_once(loop, &now, -1);
		log_tick(&now);
	}

	/* teardown, in reverse */
	daemon_notify("STOPPING=1");
	clk_read(&now);
	nd_ho_flush_state(gw, &now);
	write_status(false);
	nd_ctl_close(ctl);
	ev_destroy(loop);
	free(rxbuf);
	nd_gw_free(gw);
	nd_maplog_close();
	nd_dev_close(&dev);
	log_info("stopped");
	return 0;
}
