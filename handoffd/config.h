/* config.h — nat64-handoffd settings: built-in defaults, then the config
 * file (-f), then command-line options, which are the same settings under
 * the same names (each option is applied through the config-file setter,
 * so both are validated by one piece of code). SIGHUP rebuilds a new
 * config the same way and swaps it in only if it parses.
 */
#ifndef NK_HANDOFFD_CONFIG_H
#define NK_HANDOFFD_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HCFG_DEFAULT_STATE_DIR	"/var/lib/nat64-handoffd"
#define HCFG_DEFAULT_MAX_CHAN	1024
#define HCFG_MAX_OVERRIDES	32
#define HCFG_CONTROL_SOCKET	"/run/nat64-handoffd/control"	/* the usual path */

struct hcfg {
	uint16_t port;
	uint32_t listen;		/* host order; 0 = all local addresses */
	char state_dir[1024];
	char log_dir[1024];		/* "" = audit lines to standard output */
	uint32_t table_size;
	uint32_t max_channels;
	char user[64];			/* "" = keep the starting user */
	int localtime;
	int verbose;
	uint64_t status_interval_ms;
	char control_socket[108];	/* "" = no control socket */
	char control_group[64];		/* "" = the group the server runs as */
	unsigned control_mode;		/* permission bits of the socket file */
	int audit_json;			/* audit-format json */
};

/* Command-line settings remembered for reloads: (key, value) pairs. */
struct hcfg_overrides {
	int n;
	const char *key[HCFG_MAX_OVERRIDES];
	const char *value[HCFG_MAX_OVERRIDES];
};

void hcfg_defaults(struct hcfg *c);
int  hcfg_set(struct hcfg *c, const char *key, const char *value, char *err, size_t errlen);
/* defaults + file (if path) + overrides. 0, or -1 with err. */
int  hcfg_build(struct hcfg *c, const char *path, const struct hcfg_overrides *ov,
    char *err, size_t errlen);
/* Print the configuration normalised, one "key value" per line. */
void hcfg_print(const struct hcfg *c, FILE *f);

#endif
