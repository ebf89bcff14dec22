/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ud_config.h — update-dns64's command line: one option table
 * (lib/conf.h) for the options and --help. See update-dns64(8). */
#ifndef UD_CONFIG_H
#define UD_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "ud_render.h"

struct ud_cli {
	int backend;				/* enum ud_backend */
	char output[1024], exclude[512], clients[512];
	char check_cmd[1024], reload_cmd[1024];
	bool output_set, check_set, reload_set;	/* given: else per backend */
	bool keep_reverse, dry_run;
	uint64_t timeout_ms;			/* the whole run's time limit */
};

extern const struct conf_table ud_config_table;

/* The backend's file and commands where none were given; the render options. */
void ud_config_resolve(struct ud_cli *c, struct ud_opts *o);

#endif
