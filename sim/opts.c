/* opts.c — handoff-sim's command line: one option table (lib/conf.h). */
#include "sim.h"
#include "addr.h"
#include "conf.h"

#include <string.h>

static int
set_prefix(void *cfg, const char *v, char *err, size_t errlen)
{
	uint8_t p16[16];
	int plen;

	if (addr_parse_prefix6(v, 96, p16, &plen) == -1 || plen != 96) {
		snprintf(err, errlen, "want an IPv6 /96 prefix: %s", v);
		return -1;
	}
	memcpy(((struct sim_opts *)cfg)->prefix, p16, 12);
	return 0;
}

static void
print_prefix(const struct conf_opt *o, const void *cfg, FILE *f)
{
	uint8_t p16[16] = { 0 };
	char a[ADDR_STRLEN];

	memcpy(p16, ((const struct sim_opts *)cfg)->prefix, 12);
	fprintf(f, "%s %s/96\n", o->name, addr_fmt6(p16, a, sizeof(a)));
}

/* --tcp and --udp: the last one given wins. */
static int
only_tcp(void *cfg, const char *v, char *err, size_t errlen)
{
	struct sim_opts *o = cfg;

	(void)v, (void)err, (void)errlen;
	if (o->tcp_only)
		o->udp_only = false;
	return 0;
}

static int
only_udp(void *cfg, const char *v, char *err, size_t errlen)
{
	struct sim_opts *o = cfg;

	(void)v, (void)err, (void)errlen;
	if (o->udp_only)
		o->tcp_only = false;
	return 0;
}

static int
parse_expect(void *elem, const char *v, char *err, size_t errlen)
{
	return sim_expect_parse(v, elem, err, errlen);
}

#define F(field)	CONF_FIELD(struct sim_opts, field)
static const struct conf_opt sim_opts_list[] = {
	{ "Where:", 0, CONF_HEADING, .help = "Where:" },
	{ "server", 's', CONF_ADDR4, F(server), .def = "127.0.0.1", .arg = "ADDR",
	  .help = "server IPv4 address" },
	{ "port", 'p', CONF_UINT, F(port), .min = 1, .max = 65535, .def = CONF_STR(HW_DEFAULT_PORT),
	  .arg = "PORT", .help = "server handoff port" },
	{ "nat64", 'a', CONF_ADDR4, F(nat64_base), .def = "127.0.0.2", .arg = "ADDR",
	  .help = "first simulated NAT64 address" },
	{ "nat64s", 'N', CONF_UINT, F(n_nat64), .min = 1, .max = SIM_MAX_NAT64, .def = "1",
	  .arg = "N", .help = "NAT64s at consecutive addresses" },
	{ "control-port", 'C', CONF_UINT, F(control_port), .max = 65535, .arg = "P",
	  .help = "every NAT64's control port (default: ephemeral); a fixed port lets a later run "
	  "reuse validated tokens" },
	{ "prefix", 0, CONF_CUSTOM, F(prefix), .set = set_prefix, .print = print_prefix,
	  .def = "64:ff9b::", .arg = "P", .help = "NAT64 /96 prefix" },
	{ "seed", 0, CONF_UINT, F(seed), .max = UINT64_MAX, .def = "1", .arg = "N",
	  .help = "key seed: same seed and address, same token" },
	{ "rotate-from", 0, CONF_UINT, F(rotate_from), CONF_SEEN(struct sim_opts, rotate),
	  .max = UINT64_MAX, .arg = "S", .help = "also send a token rotation (type 5) with seed S's token" },
	{ "Traffic", 0, CONF_HEADING, .help = "Traffic (per NAT64):" },
	{ "clients", 'c', CONF_UINT, F(clients), .max = 1u << 24, .def = "4", .arg = "N",
	  .help = "synthetic clients 2001:db8:0:NAT::I" },
	{ "client-base", 0, CONF_UINT, F(client_base), .max = 1u << 30, .def = "0", .arg = "N",
	  .help = "index of the first client" },
	{ "conns", 'k', CONF_UINT, F(conns), .min = 1, .max = SIM_MAX_CONNS, .def = "1", .arg = "N",
	  .help = "connections (client ports from " CONF_STR(SIM_CPORT_BASE) ") per client" },
	{ "hint", 0, CONF_UINT, F(hint_base), .min = 1024, .max = 65535, .arg = "P",
	  .help = "mapped port hint (type 8) P + connection index" },
	{ "tcp", 0, CONF_BOOL, F(tcp_only), .check = only_tcp,
	  .help = "IPv6 packets are TCP SYNs only (default: TCP and UDP, alternating)" },
	{ "udp", 0, CONF_BOOL, F(udp_only), .check = only_udp, .help = "IPv6 packets are UDP only" },
	{ "no-probe", 0, CONF_BOOL, F(probe), .flags = CONF_NEGATE, .def = "no",
	  .help = "skip the validation phase (first packet, bounce, retries)" },
	{ "no-new", 0, CONF_BOOL, F(do_new), .flags = CONF_NEGATE, .def = "no",
	  .help = "do not send the new-connection phase" },
	{ "repeat", 0, CONF_BOOL, F(repeat), .help = "send every connection again: same port expected" },
	{ "lookups", 0, CONF_BOOL, F(lookups),
	  .help = "IPv4 packet to every mapped port: the same client expected" },
	{ "misses", 0, CONF_UINT, F(misses), .max = 60000, .arg = "N",
	  .help = "N IPv4 packets to N unused ports: returned packets expected" },
	{ "echo", 0, CONF_UINT, F(echo), .max = 65535, .arg = "N",
	  .help = "N ICMPv6 echo requests: echo replies expected" },
	{ "adopt", 0, CONF_UINT, F(adopt), .max = 60000, .arg = "N",
	  .help = "N NAT64-generated entries (single format), then lookups" },
	{ "adopt-multi", 0, CONF_UINT, F(adopt_multi), .max = 60000, .arg = "N",
	  .help = "N entries in §7 multiple-entry packets, then lookups" },
	{ "adopt-conflict", 0, CONF_BOOL, F(adopt_conflict),
	  .help = "adopted entries take the ports of this run's connections: the newest claim must "
	  "win (Deleted + Created)" },
	{ "adopt-move", 0, CONF_BOOL, F(adopt_move),
	  .help = "adopted entries give this run's clients new ports: the server must move them "
	  "(Deleted old port + Created new)" },
	{ "icmp4", 0, CONF_UINT, F(icmp4), .max = 65535, .arg = "N",
	  .help = "N IPv4 packets of protocol 47: ICMP 3/2 from the NAT64 expected" },
	{ "garbage", 0, CONF_BOOL, F(garbage),
	  .help = "malformed packets: no answer expected to any; then alive check" },
	{ "fuzz", 0, CONF_UINT, F(fuzz), .max = 10000000, .arg = "N",
	  .help = "N randomly mutated requests (answers not checked); then alive check" },
	{ "forge", 0, CONF_BOOL, F(forge),
	  .help = "spoof the NAT64 source (raw socket, nothing listens there): requests, entries "
	  "and a fake bounce; nothing is expected" },
	{ "echo-target", 0, CONF_BOOL, F(echo_target),
	  .help = "the target is a plain UDP echo (bench): count replies only" },
	{ "no-port9", 0, CONF_BOOL, F(no_port9),
	  .help = "do not listen on port 9 (the bounce never happens)" },
	{ "record", 0, CONF_STRING, F(record_path), .arg = "FILE",
	  .help = "append every answered entry to FILE" },
	{ "verify", 0, CONF_STRING, F(verify_path), .arg = "FILE",
	  .help = "check the entries in FILE: lookups and repeats (no new phase)" },
	{ "Limits", 0, CONF_HEADING, .help = "Limits:" },
	{ "window", 'w', CONF_UINT, F(window), .min = 1, .max = 1u << 20, .def = "64", .arg = "N",
	  .help = "outstanding requests over all NAT64s" },
	{ "rate", 'r', CONF_UINT, F(rate), .max = 100000000, .arg = "N",
	  .help = "requests per second (default unlimited)" },
	{ "duration", 'd', CONF_DURATION, F(duration_ms), .min = 1, .max = 86400000, .def = "120s",
	  .arg = "T", .help = "stop after T" },
	{ "count", 'n', CONF_UINT, F(count), .max = UINT64_MAX, .arg = "N",
	  .help = "stop after N requests (default unlimited)" },
	{ "timeout", 'T', CONF_DURATION, F(timeout_ms), .min = 1, .max = 600000, .def = "500ms",
	  .arg = "T", .help = "wait per request" },
	{ "retries", 'R', CONF_UINT, F(retries), .max = 1000, .def = "2", .arg = "N",
	  .help = "resends after a timeout" },
	{ "probe-retries", 0, CONF_UINT, F(probe_retries), .max = 1000, .def = "10", .arg = "N",
	  .help = "resends of the first packet while validating" },
	{ "Result", 0, CONF_HEADING, .help = "Result:" },
	{ "expect", 'e', CONF_LIST, CONF_LIST_FIELD(struct sim_opts, expect, n_expect),
	  .parse = parse_expect, .arg = "EXPR",
	  .help = "COUNTER=N, COUNTER>=N, ... (repeatable); bad=0 and timeouts=0 are expected "
	  "unless named" },
	{ "phases", 0, CONF_BOOL, F(phase_lines), .help = "one PHASE line per phase (name, requests, ms)" },
	{ "quiet", 'q', CONF_BOOL, F(quiet), .help = "only the SUMMARY line" },
	{ "verbose", 'v', CONF_UINT, F(verbose), .max = 3, .flags = CONF_COUNT,
	  .help = "every bad answer in detail (repeat: every packet)" },
	CONF_END
};

const struct conf_table sim_opts_table = {
	.prog = "handoff-sim",
	.usage = "[options]",
	.about =
"Plays one or many handoff-capable NAT64s (draft-dupont-6man-nat64handoff-00)\n"
"against nat64-handoffd over real UDP and checks every answer.\n",
	.epilog =
"Counters: sent answers_ok bad validations timeouts entries retries port9\n"
"bad_validation unvalidated_answers dup lookups_ok returned echo_ok adopted\n"
"garbage_dropped forged unexpected icmp_errors hints_honored. Exit 0 if every\n"
"expectation holds, 1 if not, 2 on a usage or setup error.\n",
	.cfg_size = sizeof(struct sim_opts),
	.max_args = 0,
	.opts = sim_opts_list,
};

void
sim_opts_defaults(struct sim_opts *o)
{
	conf_defaults(&sim_opts_table, o);
}

int
sim_opts_parse(struct sim_opts *o, int argc, char **argv, FILE *out, char *err, size_t errlen)
{
	struct conf_cmdline cl;
	int rc;

	if ((rc = conf_cmdline(&sim_opts_table, NULL, &cl, argc, argv, out, err, errlen)) != 0)
		return rc;
	if (conf_build(&sim_opts_table, o, &cl, err, errlen) == -1)
		return -1;
	if ((uint64_t)o->nat64_base + o->n_nat64 - 1 > UINT32_MAX) {
		snprintf(err, errlen, "--nat64s runs past 255.255.255.255");
		return -1;
	}
	if ((uint64_t)o->clients * o->conns > 1u << 24) {
		snprintf(err, errlen, "--clients x --conns above %u", 1u << 24);
		return -1;
	}
	if (o->verify_path[0])
		o->do_new = false;
	return 0;
}
