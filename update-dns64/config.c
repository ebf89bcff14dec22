/* config.c — update-dns64's option table; see ud_config.h. */
#include "ud_config.h"

#include <stdio.h>

static const struct conf_enum ud_backends[] = {
	{ "bind", UD_BIND }, { "unbound", UD_UNBOUND }, { "pdns", UD_PDNS },
	{ "powerdns", UD_PDNS }, { NULL, 0 }
};

#define F(field)	CONF_FIELD(struct ud_cli, field), .flags = CONF_CLI
#define SEEN(field)	CONF_SEEN(struct ud_cli, field)
static const struct conf_opt ud_opts_list[] = {
	{ "output", 'o', CONF_STRING, F(output), SEEN(output_set), .arg = "PATH",
	  .help = "file to write (default per backend: bind /var/lib/bind/dns64.conf, unbound "
	  "/etc/unbound/unbound.conf.d/dns64.conf, pdns /etc/powerdns/recursor.d/dns64.conf)" },
	{ "backend", 'b', CONF_ENUM, F(backend), .enums = ud_backends, .def = "bind", .arg = "NAME",
	  .help = "bind, unbound or pdns (one prefix: the first)" },
	{ "exclude", 'x', CONF_STRING, CONF_FIELD(struct ud_cli, exclude), .flags = CONF_CLI | CONF_EMPTY,
	  .def = "0::/3 4000::/2 8000::/1 2001:db8::/32", .arg = "LIST",
	  .help = "BIND exclude list; \"\" for none" },
	{ "clients", 'c', CONF_STRING, F(clients), .def = "any", .arg = "ACL",
	  .help = "BIND clients ACL: any, none, localhost, localnets, addresses, prefixes, ACL "
	  "names, each optionally negated with !, separated by ; , or blanks" },
	{ "no-keep-reverse", 0, CONF_BOOL, CONF_FIELD(struct ud_cli, keep_reverse),
	  .flags = CONF_CLI | CONF_NEGATE, .def = "no",
	  .help = "drop blocks of prefixes that are no longer selected (default: keep them with "
	  "clients { none; } so their ip6.arpa reverse zones keep answering)" },
	{ "check-cmd", 0, CONF_STRING, CONF_FIELD(struct ud_cli, check_cmd), SEEN(check_set),
	  .flags = CONF_CLI | CONF_EMPTY, .arg = "CMD",
	  .help = "validator (default: named-checkconf on a wrapper; unbound-checkconf; none for "
	  "pdns); \"\" skips it" },
	{ "reload-cmd", 0, CONF_STRING, CONF_FIELD(struct ud_cli, reload_cmd), SEEN(reload_set),
	  .flags = CONF_CLI | CONF_EMPTY, .arg = "CMD",
	  .help = "apply command (default rndc reconfig; unbound-control reload; systemctl restart "
	  "pdns-recursor); \"\" skips it; both found in the sbin directories if PATH lacks them" },
	{ "timeout", 'T', CONF_DURATION, F(timeout_ms), .min = 100, .max = 3600000, .def = "20s",
	  .arg = "DUR",
	  .help = "time limit for the whole run; the command running then is killed with its "
	  "process group and the previous file put back" },
	{ "dry-run", 'n', CONF_BOOL, F(dry_run),
	  .help = "check the prefixes, print the file that would be written and exit" },
	CONF_END
};

const struct conf_table ud_config_table = {
	.prog = "update-dns64",
	.usage = "[options] PREFIX...",
	.about =
"Writes the resolver's DNS64 prefixes, validates the file, applies it, and\n"
"puts the previous file back if the resolver refuses, the time limit passes or\n"
"a signal stops it. See update-dns64(8).\n",
	.max_args = -1,
	.opts = ud_opts_list,
};

void
ud_config_resolve(struct ud_cli *c, struct ud_opts *o)
{
	static const struct { const char *out, *check, *reload; } def[] = {
		[UD_BIND] = { "/var/lib/bind/dns64.conf", "named-checkconf", "rndc reconfig" },
		[UD_UNBOUND] = { "/etc/unbound/unbound.conf.d/dns64.conf", "unbound-checkconf",
		    "unbound-control reload" },
		[UD_PDNS] = { "/etc/powerdns/recursor.d/dns64.conf", "",
		    "systemctl restart pdns-recursor" },
	};

	if (!c->output_set)
		snprintf(c->output, sizeof(c->output), "%s", def[c->backend].out);
	if (!c->check_set)
		snprintf(c->check_cmd, sizeof(c->check_cmd), "%s", def[c->backend].check);
	if (!c->reload_set)
		snprintf(c->reload_cmd, sizeof(c->reload_cmd), "%s", def[c->backend].reload);
	o->backend = (enum ud_backend)c->backend;
	o->clients = c->clients;
	o->exclude = c->exclude;
	o->keep_reverse = c->keep_reverse;
}
