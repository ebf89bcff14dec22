/* conf.c — see conf.h. */
#include "conf.h"
#include "rdfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONF_MAX_FILE	(1024 * 1024)
#define CONF_MAX_LINE	1024

static int
conf_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int
conf_parse_text(const char *name, const char *text, size_t len,
    const struct conf_key *keys, void *cfg, char *err, size_t errlen)
{
	size_t pos = 0;
	unsigned lineno = 0;

	while (pos < len) {
		char line[CONF_MAX_LINE + 1], msg[512];
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *k, *v, *end;
		const struct conf_key *ck;

		lineno++;
		if (n > CONF_MAX_LINE) {
			snprintf(err, errlen, "%s:%u: line longer than %d characters", name, lineno, CONF_MAX_LINE);
			return -1;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		if (memchr(line, '\0', n) != NULL) {
			snprintf(err, errlen, "%s:%u: NUL byte in line", name, lineno);
			return -1;
		}
		if ((k = strchr(line, '#')) != NULL)
			*k = '\0';
		for (k = line; conf_is_blank(*k); k++)
			;
		end = k + strlen(k);
		while (end > k && conf_is_blank(end[-1]))
			*--end = '\0';
		if (*k == '\0')
			continue;
		for (v = k; *v && !conf_is_blank(*v); v++)
			;
		if (*v) {
			*v++ = '\0';
			while (conf_is_blank(*v))
				v++;
		}
		for (ck = keys; ck->name; ck++)
			if (strcmp(ck->name, k) == 0)
				break;
		if (ck->name == NULL) {
			snprintf(err, errlen, "%s:%u: unknown setting '%s'", name, lineno, k);
			return -1;
		}
		msg[0] = '\0';
		if (ck->set(cfg, v, msg, sizeof(msg)) == -1) {
			snprintf(err, errlen, "%s:%u: %s: %s", name, lineno, k, msg[0] ? msg : "invalid value");
			return -1;
		}
	}
	return 0;
}

int
conf_parse_file(const char *path, const struct conf_key *keys, void *cfg,
    char *err, size_t errlen)
{
	unsigned char *text;
	size_t len;
	int rc;

	if (rf_slurp(path, 0, CONF_MAX_FILE, &text, &len, err, errlen) == -1)
		return -1;
	rc = conf_parse_text(path, (const char *)text, len, keys, cfg, err, errlen);
	free(text);
	return rc;
}

int
conf_uint(const char *value, uint64_t min, uint64_t max, uint64_t *out,
    char *err, size_t errlen)
{
	unsigned long long v;
	char *end;

	if (value[0] < '0' || value[0] > '9') {
		snprintf(err, errlen, "'%s' is not a number", value);
		return -1;
	}
	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno || *end != '\0') {
		snprintf(err, errlen, "'%s' is not a number", value);
		return -1;
	}
	if (v < min || v > max) {
		snprintf(err, errlen, "%llu is out of range %llu..%llu", v,
		    (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

int
conf_bool(const char *value, int *out, char *err, size_t errlen)
{
	if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "on") || !strcmp(value, "1"))
		*out = 1;
	else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "off") || !strcmp(value, "0"))
		*out = 0;
	else {
		snprintf(err, errlen, "'%s' is not yes/no", value);
		return -1;
	}
	return 0;
}

int
conf_duration_ms(const char *value, uint64_t min_ms, uint64_t max_ms,
    uint64_t *out, char *err, size_t errlen)
{
	unsigned long long v, mult = 1000;
	char *end;

	if (value[0] < '0' || value[0] > '9') {
		snprintf(err, errlen, "'%s' is not a duration", value);
		return -1;
	}
	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno) {
		snprintf(err, errlen, "'%s' is not a duration", value);
		return -1;
	}
	if (!strcmp(end, "ms"))
		mult = 1;
	else if (!strcmp(end, "") || !strcmp(end, "s"))
		mult = 1000;
	else if (!strcmp(end, "m"))
		mult = 60000;
	else if (!strcmp(end, "h"))
		mult = 3600000;
	else if (!strcmp(end, "d"))
		mult = 86400000;
	else {
		snprintf(err, errlen, "'%s': unknown unit (use ms, s, m, h or d)", value);
		return -1;
	}
	if (v > max_ms / mult || v * mult < min_ms || v * mult > max_ms) {
		snprintf(err, errlen, "'%s' is out of range %llums..%llums", value,
		    (unsigned long long)min_ms, (unsigned long long)max_ms);
		return -1;
	}
	*out = v * mult;
	return 0;
}
