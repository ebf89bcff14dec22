/* config.c — see config.h. */
#include "config.h"
#include "addr.h"
#include "conf.h"
#include "conntable.h"
#include "handoff_wire.h"

#include <stdio.h>
#include <string.h>

void
hcfg_defaults(struct hcfg *c)
{
	memset(c, 0, sizeof(*c));
	c->port = HW_DEFAULT_PORT;
	c->listen = 0;
	snprintf(c->state_dir, sizeof(c->state_dir), "%s", HCFG_DEFAULT_STATE_DIR);
	c->table_size = CT_MAX_CAPACITY;
	c->max_channels = HCFG_DEFAULT_MAX_CHAN;
	c->status_interval_ms = 5000;
	c->control_mode = 0660;
}

static int
hcfg_port(void *cfg, const char *v, char *err, size_t errlen)
{
	uint64_t n;

	if (conf_uint(v, 1, 65535, &n, err, errlen) == -1)
		return -1;
	if (n == HW_TEREDO_PORT) {
		snprintf(err, errlen, "3544 is reserved for Teredo");
		return -1;
	}
	((struct hcfg *)cfg)->port = (uint16_t)n;
	return 0;
}

static int
hcfg_listen(void *cfg, const char *v, char *err, size_t errlen)
{
	if (addr_parse4(v, &((struct hcfg *)cfg)->listen) == -1) {
		snprintf(err, errlen, "'%s' is not an IPv4 address", v);
		return -1;
	}
	return 0;
}

static int
hcfg_path(char *dst, size_t dstlen, const char *v, int allow_empty, char *err, size_t errlen)
{
	size_t n = strlen(v);

	if (n == 0 && allow_empty) {
		dst[0] = '\0';
		return 0;
	}
	if (n == 0 || v[0] != '/' || n >= dstlen) {
		snprintf(err, errlen, "'%s' must be an absolute path shorter than %zu", v, dstlen);
		return -1;
	}
	memcpy(dst, v, n + 1);
	while (n > 1 && dst[n - 1] == '/')
		dst[--n] = '\0';
	return 0;
}

static int
hcfg_state_dir(void *cfg, const char *v, char *err, size_t errlen)
{
	struct hcfg *c = cfg;

	return hcfg_path(c->state_dir, sizeof(c->state_dir), v, 0, err, errlen);
}

static int
hcfg_log_dir(void *cfg, const char *v, char *err, size_t errlen)
{
	struct hcfg *c = cfg;

	return hcfg_path(c->log_dir, sizeof(c->log_dir), v, 1, err, errlen);
}

static int
hcfg_table_size(void *cfg, const char *v, char *err, size_t errlen)
{
	uint64_t n;

	if (conf_uint(v, 16, CT_MAX_CAPACITY, &n, err, errlen) == -1)
		return -1;
	((struct hcfg *)cfg)->table_size = (uint32_t)n;
	return 0;
}

static int
hcfg_max_channels(void *cfg, const char *v, char *err, size_t errlen)
{
	uint64_t n;

	if (conf_uint(v, 1, 1000000, &n, err, errlen) == -1)
		return -1;
	((struct hcfg *)cfg)->max_channels = (uint32_t)n;
	return 0;
}

/* A user or group name. */
static int
hcfg_name(char *dst, size_t dstlen, const char *v, const char *what, char *err, size_t errlen)
{
	size_t n = strlen(v), i;

	if (n >= dstlen) {
		snprintf(err, errlen, "%s name too long", what);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
		    (v[i] >= '0' && v[i] <= '9') || v[i] == '_' || v[i] == '-' || v[i] == '.')) {
			snprintf(err, errlen, "'%s' is not a %s name", v, what);
			return -1;
		}
	memcpy(dst, v, n + 1);
	return 0;
}

static int
hcfg_user(void *cfg, const char *v, char *err, size_t errlen)
{
	struct hcfg *c = cfg;

	return hcfg_name(c->user, sizeof(c->user), v, "user", err, errlen);
}

static int
hcfg_localtime(void *cfg, const char *v, char *err, size_t errlen)
{
	return conf_bool(v[0] ? v : "yes", &((struct hcfg *)cfg)->localtime, err, errlen);
}

static int
hcfg_verbose(void *cfg, const char *v, char *err, size_t errlen)
{
	uint64_t n;

	if (conf_uint(v, 0, 3, &n, err, errlen) == -1)
		return -1;
	((struct hcfg *)cfg)->verbose = (int)n;
	return 0;
}

static int
hcfg_status_interval(void *cfg, const char *v, char *err, size_t errlen)
{
	return conf_duration_ms(v, 100, 3600000, &((struct hcfg *)cfg)->status_interval_ms, err, errlen);
}

static int
hcfg_control_socket(void *cfg, const char *v, char *err, size_t errlen)
{
	struct hcfg *c = cfg;

	if (strcmp(v, "none") == 0)
		v = "";
	return hcfg_path(c->control_socket, sizeof(c->control_socket), v, 1, err, errlen);
}

static int
hcfg_control_group(void *cfg, const char *v, char *err, size_t errlen)
{
	struct hcfg *c = cfg;

	return hcfg_name(c->control_group, sizeof(c->control_group), v, "group", err, errlen);
}

static int
hcfg_control_mode(void *cfg, const char *v, char *err, size_t errlen)
{
	unsigned long m = 0;
	size_t i, n = strlen(v);

	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '7' || n > 4) {
			snprintf(err, errlen, "'%s' is not an octal mode such as 0660", v);
			return -1;
		}
		m = m * 8 + (unsigned long)(v[i] - '0');
	}
	if (n == 0 || (m & ~0770ul) != 0 || (m & 0600) != 0600) {
		snprintf(err, errlen, "'%s': give the owner rw and no one else more than the group "
		    "(e.g. 0600 or 0660)", v);
		return -1;
	}
	((struct hcfg *)cfg)->control_mode = (unsigned)m;
	return 0;
}

static int
hcfg_audit_format(void *cfg, const char *v, char *err, size_t errlen)
{
	struct hcfg *c = cfg;

	if (strcmp(v, "text") == 0)
		c->audit_json = 0;
	else if (strcmp(v, "json") == 0)
		c->audit_json = 1;
	else {
		snprintf(err, errlen, "'%s': text or json", v);
		return -1;
	}
	return 0;
}

static const struct conf_key hcfg_keys[] = {
	{ "port", hcfg_port },
	{ "listen", hcfg_listen },
	{ "state-dir", hcfg_state_dir },
	{ "log-dir", hcfg_log_dir },
	{ "table-size", hcfg_table_size },
	{ "max-channels", hcfg_max_channels },
	{ "user", hcfg_user },
	{ "localtime", hcfg_localtime },
	{ "verbose", hcfg_verbose },
	{ "status-interval", hcfg_status_interval },
	{ "control-socket", hcfg_control_socket },
	{ "control-group", hcfg_control_group },
	{ "control-mode", hcfg_control_mode },
	{ "audit-format", hcfg_audit_format },
	{ NULL, NULL },
};

int
hcfg_set(struct hcfg *c, const char *key, const char *value, char *err, size_t errlen)
{
	const struct conf_key *k;
	char msg[256] = "";

	for (k = hcfg_keys; k->name; k++)
		if (strcmp(k->name, key) == 0) {
			if (k->set(c, value, msg, sizeof(msg)) == 0)
				return 0;
			snprintf(err, errlen, "%s: %s", key, msg);
			return -1;
		}
	snprintf(err, errlen, "unknown setting '%s'", key);
	return -1;
}

int
hcfg_build(struct hcfg *c, const char *path, const struct hcfg_overrides *ov, char *err,
    size_t errlen)
{
	int i;

	hcfg_defaults(c);
	if (path && conf_parse_file(path, hcfg_keys, c, err, errlen) == -1)
		return -1;
	for (i = 0; ov && i < ov->n; i++)
		if (hcfg_set(c, ov->key[i], ov->value[i], err, errlen) == -1)
			return -1;
	return 0;
}

void
hcfg_print(const struct hcfg *c, FILE *f)
{
	char a[ADDR_STRLEN];

	fprintf(f, "port %u\n", c->port);
	fprintf(f, "listen %s\n", addr_fmt4(c->listen, a, sizeof(a)));
	fprintf(f, "state-dir %s\n", c->state_dir);
	fprintf(f, "log-dir %s\n", c->log_dir[0] ? c->log_dir : "");
	fprintf(f, "table-size %u\n", c->table_size);
	fprintf(f, "max-channels %u\n", c->max_channels);
	fprintf(f, "user %s\n", c->user);
	fprintf(f, "localtime %s\n", c->localtime ? "yes" : "no");
	fprintf(f, "verbose %d\n", c->verbose);
	fprintf(f, "status-interval %llums\n", (unsigned long long)c->status_interval_ms);
	fprintf(f, "control-socket %s\n", c->control_socket[0] ? c->control_socket : "none");
	fprintf(f, "control-group %s\n", c->control_group);
	fprintf(f, "control-mode %04o\n", c->control_mode);
	fprintf(f, "audit-format %s\n", c->audit_json ? "json" : "text");
}
