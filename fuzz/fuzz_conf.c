// FUZZ-SOURCES: lib/conf.c lib/atomicfile.c lib/xalloc.c lib/rdfile.c
/* libFuzzer target: lib/conf.c. The input is a configuration text for a
 * few dummy keys using every value helper (number, yes/no, duration,
 * free text). Never crash; an error message is a terminated string
 * starting with the file name; a text that parses, printed back in
 * normalised form and parsed again, gives the same settings. Seeds:
 * fuzz/corpus/conf/ (fuzz/make-wire-seeds.py). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

struct dummy {
	uint64_t port;
	int flag;
	uint64_t interval_ms;
	char name[64];
	unsigned n_set;
};

static int
set_port(void *cfg, const char *v, char *err, size_t errlen)
{
	struct dummy *d = cfg;

	d->n_set++;
	return conf_uint(v, 1, 65535, &d->port, err, errlen);
}

static int
set_flag(void *cfg, const char *v, char *err, size_t errlen)
{
	struct dummy *d = cfg;

	d->n_set++;
	return conf_bool(v, &d->flag, err, errlen);
}

static int
set_interval(void *cfg, const char *v, char *err, size_t errlen)
{
	struct dummy *d = cfg;

	d->n_set++;
	return conf_duration_ms(v, 1, 7ull * 86400 * 1000, &d->interval_ms, err, errlen);
}

static int
set_name(void *cfg, const char *v, char *err, size_t errlen)
{
	struct dummy *d = cfg;

	d->n_set++;
	if (v[0] == '\0' || strlen(v) >= sizeof(d->name)) {
		snprintf(err, errlen, "name must be 1..%zu characters", sizeof(d->name) - 1);
		return -1;
	}
	strcpy(d->name, v);
	return 0;
}

static const struct conf_key keys[] = {
	{ "port", set_port },
	{ "flag", set_flag },
	{ "interval", set_interval },
	{ "name", set_name },
	{ NULL, NULL },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[4096];
	struct dummy a, b;
	char err[256], err2[256];
	int rc, n;

	memset(&a, 0, sizeof(a));
	memset(err, 0x55, sizeof(err));
	rc = conf_parse_text("fuzz.conf", (const char *)data, size, keys, &a, err, sizeof(err));
	CHECK(rc == 0 || rc == -1);
	if (rc == -1) {
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		CHECK(strncmp(err, "fuzz.conf:", 10) == 0);
		return 0;
	}
	/* Normalised form of what was set (port and interval 0 = never set). */
	n = snprintf(text, sizeof(text), "# normalised\nflag %s\n", a.flag ? "yes" : "no");
	if (a.port)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "port %llu\n",
		    (unsigned long long)a.port);
	if (a.interval_ms)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "interval %llums\n",
		    (unsigned long long)a.interval_ms);
	if (a.name[0])
		n += snprintf(text + n, sizeof(text) - (size_t)n, "name %s\n", a.name);
	CHECK(n > 0 && (size_t)n < sizeof(text));
	memset(&b, 0, sizeof(b));
	rc = conf_parse_text("normalised", text, (size_t)n, keys, &b, err2, sizeof(err2));
	CHECK(rc == 0);
	CHECK(a.port == b.port && a.flag == b.flag && a.interval_ms == b.interval_ms);
	CHECK(strcmp(a.name, b.name) == 0);
	return 0;
}
