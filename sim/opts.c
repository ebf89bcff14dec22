/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* opts.c — handoff-sim's command line. */
#include "sim.h"
#include "addr.h"
#include "conf.h"

#include <getopt.h>
#include <string.h>

static void
sim_usage(FILE *f)
{
	fprintf(f,
"usage: handoff-sim [options]\n"
"\n"
"Plays one or many handoff-capable NAT64s (draft-dupont-6man-nat64handoff-00)\n"
"against nat64-handoffd over real UDP and checks every answer.\n"
"\n"
"Where:\n"
"  -s, --server ADDR       server IPv4 address (default 127.0.0.1)\n"
"  -p, --port PORT         server handoff port (default %u)\n"
"  -a, --nat64 ADDR        first simulated NAT64 address (default 127.0.0.2)\n"
"  -N, --nat64s N          NAT64s at consecutive addresses (default 1)\n"
"  -C, --control-port P    every NAT64's control port (default: ephemeral);\n"
"                          a fixed port lets a later run reuse validated tokens\n"
"      --prefix P          NAT64 /96 prefix (default 64:ff9b::)\n"
"      --seed N            key seed: same seed and address, same token (default 1)\n"
"      --rotate-from S     also send a token rotation (type 5) with seed S's token\n"
"Traffic (per NAT64):\n"
"  -c, --clients N         synthetic clients 2001:db8:0:NAT::I (default 4)\n"
"      --client-base N     index of the first client (default 0)\n"
"  -k, --conns N           connections (client ports from %u) per client (default 1)\n"
"      --hint P            mapped port hint (type 8) P + connection index\n"
"      --tcp | --udp       IPv6 packets are TCP SYNs / UDP only (default: both, alternating)\n"
"      --no-probe          skip the validation phase (first packet, bounce, retries)\n"
"      --no-new            do not send the new-connection phase\n"
"      --repeat            send every connection again: same port expected\n"
"      --lookups           IPv4 packet to every mapped port: the same client expected\n"
"      --misses N          IPv4 packets to N unused ports: returned packets expected\n"
"      --echo N            N ICMPv6 echo requests: echo replies expected\n"
"      --adopt N           N NAT64-generated entries (single format), then lookups\n"
"      --adopt-multi N     N entries in §7 multiple-entry packets, then lookups\n"
"      --adopt-conflict    adopted entries take the ports of this run's connections:\n"
"                          the newest claim must win (Deleted + Created)\n"
"      --adopt-move        adopted entries give this run's clients new ports: the\n"
"                          server must move them (Deleted old port + Created new)\n"
"      --icmp4 N           N IPv4 packets of protocol 47: ICMP 3/2 from the NAT64 expected\n"
"      --garbage           malformed packets: no answer expected to any; then alive check\n"
"      --fuzz N            N randomly mutated requests (answers not checked); then alive check\n"
"      --forge             spoof the NAT64 source (raw socket, nothing listens there):\n"
"                          requests, entries and a fake bounce; nothing is expected\n"
"      --echo-target       the target is a plain UDP echo (bench): count replies only\n"
"      --no-port9          do not listen on port 9 (the bounce never happens)\n"
"      --record FILE       append every answered entry to FILE\n"
"      --verify FILE       check the entries in FILE: lookups and repeats (no new phase)\n"
"Limits:\n"
"  -w, --window N          outstanding requests over all NAT64s (default 64)\n"
"  -r, --rate N            requests per second (default unlimited)\n"
"  -d, --duration T        stop after T (default 120s)\n"
"  -n, --count N           stop after N requests (default unlimited)\n"
"  -T, --timeout T         wait per request (default 500ms)\n"
"  -R, --retries N         resends after a timeout (default 2)\n"
"      --probe-retries N   resends of the first packet while validating (default 10)\n"
"Result:\n"
"  -e, --expect EXPR       COUNTER=N, COUNTER>=N, ... (repeatable); bad=0 and\n"
"                          timeouts=0 are expected unless named\n"
"      --phases            one PHASE line per phase (name, requests, ms)\n"
"  -q, --quiet             only the SUMMARY line\n"
"  -v, --verbose           every bad answer in detail (repeat: every packet)\n"
"  -h, --help\n"
"\n"
"Counters: sent answers_ok bad validations timeouts entries retries port9\n"
"bad_validation unvalidated_answers dup lookups_ok returned echo_ok adopted\n"
"garbage_dropped forged unexpected icmp_errors hints_honored. Exit 0 if every expectation holds, 1 if not,\n"
"2 on a usage or setup error.\n",
	    HW_DEFAULT_PORT, SIM_CPORT_BASE);
}

void
sim_opts_defaults(struct sim_opts *o)
{
	static const uint8_t wkp[12] = { 0, 0x64, 0xff, 0x9b };

	memset(o, 0, sizeof(*o));
	o->server = 0x7f000001;
	o->port = HW_DEFAULT_PORT;
	o->nat64_base = 0x7f000002;
	o->n_nat64 = 1;
	o->clients = 4;
	o->conns = 1;
	memcpy(o->prefix, wkp, 12);
	o->window = 64;
	o->duration_ms = 120000;
	o->timeout_ms = 500;
	o->retries = 2;
	o->probe_retries = 10;
	o->probe = true;
	o->do_new = true;
	o->seed = 1;
}

enum {
	O_PREFIX = 256, O_SEED, O_CBASE, O_TCP, O_UDP, O_NOPROBE, O_NONEW, O_REPEAT, O_LOOKUPS,
	O_MISSES, O_ECHO, O_ADOPT, O_ADOPTM, O_GARBAGE, O_FORGE, O_ECHOT, O_NOP9, O_RECORD,
	O_VERIFY, O_PRETRIES, O_PHASES, O_ACONFLICT, O_ICMP4, O_FUZZ, O_ROTATE, O_HINT, O_AMOVE,
};

static int
sim_num(const char *v, uint64_t min, uint64_t max, uint64_t *out, const char *what, char *err,
    size_t errlen)
{
	char e[200];

	if (conf_uint(v, min, max, out, e, sizeof(e)) == -1) {
		snprintf(err, errlen, "%s: %s", what, e);
		return -1;
	}
	return 0;
}

static int
sim_dur(const char *v, uint64_t min, uint64_t max, uint64_t *out, const char *what, char *err,
    size_t errlen)
{
	char e[200];

	if (conf_duration_ms(v, min, max, out, e, sizeof(e)) == -1) {
		snprintf(err, errlen, "%s: %s", what, e);
		return -1;
	}
	return 0;
}

int
sim_opts_parse(struct sim_opts *o, int argc, char **argv, FILE *out, char *err, size_t errlen)
{
	static const struct option lopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'p' },
		{ "nat64", required_argument, NULL, 'a' },
		{ "nat64s", required_argument, NULL, 'N' },
		{ "control-port", required_argument, NULL, 'C' },
		{ "prefix", required_argument, NULL, O_PREFIX },
		{ "seed", required_argument, NULL, O_SEED },
		{ "clients", required_argument, NULL, 'c' },
		{ "client-base", required_argument, NULL, O_CBASE },
		{ "conns", required_argument, NULL, 'k' },
		{ "tcp", no_argument, NULL, O_TCP },
		{ "udp", no_argument, NULL, O_UDP },
		{ "no-probe", no_argument, NULL, O_NOPROBE },
		{ "no-new", no_argument, NULL, O_NONEW },
		{ "repeat", no_argument, NULL, O_REPEAT },
		{ "lookups", no_argument, NULL, O_LOOKUPS },
		{ "misses", required_argument, NULL, O_MISSES },
		{ "echo", required_argument, NULL, O_ECHO },
		{ "adopt", required_argument, NULL, O_ADOPT },
		{ "adopt-multi", required_argument, NULL, O_ADOPTM },
		{ "garbage", no_argument, NULL, O_GARBAGE },
		{ "adopt-conflict", no_argument, NULL, O_ACONFLICT },
		{ "adopt-move", no_argument, NULL, O_AMOVE },
		{ "icmp4", required_argument, NULL, O_ICMP4 },
		{ "fuzz", required_argument, NULL, O_FUZZ },
		{ "rotate-from", required_argument, NULL, O_ROTATE },
		{ "hint", required_argument, NULL, O_HINT },
		{ "forge", no_argument, NULL, O_FORGE },
		{ "echo-target", no_argument, NULL, O_ECHOT },
		{ "no-port9", no_argument, NULL, O_NOP9 },
		{ "record", required_argument, NULL, O_RECORD },
		{ "verify", required_argument, NULL, O_VERIFY },
		{ "window", required_argument, NULL, 'w' },
		{ "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "retries", required_argument, NULL, 'R' },
		{ "probe-retries", required_argument, NULL, O_PRETRIES },
		{ "expect", required_argument, NULL, 'e' },
		{ "phases", no_argument, NULL, O_PHASES },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint8_t p16[16];
	uint64_t v;
	int ch, plen;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "s:p:a:N:C:c:k:w:r:d:n:T:R:e:qvh", lopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (addr_parse4(optarg, &o->server) == -1)
				goto bad_addr;
			break;
		case 'a':
			if (addr_parse4(optarg, &o->nat64_base) == -1)
				goto bad_addr;
			break;
		case 'p':
			if (sim_num(optarg, 1, 65535, &v, "--port", err, errlen) == -1)
				return -1;
			o->port = (uint16_t)v;
			break;
		case 'N':
			if (sim_num(optarg, 1, SIM_MAX_NAT64, &v, "--nat64s", err, errlen) == -1)
				return -1;
			o->n_nat64 = (unsigned)v;
			break;
		case 'C':
			if (sim_num(optarg, 0, 65535, &v, "--control-port", err, errlen) == -1)
				return -1;
			o->control_port = (uint16_t)v;
			break;
		case O_PREFIX:
			if (addr_parse_prefix6(optarg, 96, p16, &plen) == -1 || plen != 96) {
				snprintf(err, errlen, "--prefix: want an IPv6 /96 prefix: %s", optarg);
				return -1;
			}
			memcpy(o->prefix, p16, 12);
			break;
		case O_SEED:
			if (sim_num(optarg, 0, UINT64_MAX, &o->seed, "--seed", err, errlen) == -1)
				return -1;
			break;
		case 'c':
			if (sim_num(optarg, 0, 1u << 24, &v, "--clients", err, errlen) == -1)
				return -1;
			o->clients = (uint32_t)v;
			break;
		case O_CBASE:
			if (sim_num(optarg, 0, 1u << 30, &v, "--client-base", err, errlen) == -1)
				return -1;
			o->client_base = (uint32_t)v;
			break;
		case 'k':
			if (sim_num(optarg, 1, SIM_MAX_CONNS, &v, "--conns", err, errlen) == -1)
				return -1;
			o->conns = (uint32_t)v;
			break;
		case O_TCP: o->tcp_only = true; o->udp_only = false; break;
		case O_UDP: o->udp_only = true; o->tcp_only = false; break;
		case O_NOPROBE: o->probe = false; break;
		case O_NONEW: o->do_new = false; break;
		case O_REPEAT: o->repeat = true; break;
		case O_LOOKUPS: o->lookups = true; break;
		case O_MISSES:
			if (sim_num(optarg, 0, 60000, &v, "--misses", err, errlen) == -1)
				return -1;
			o->misses = (unsigned)v;
			break;
		case O_ECHO:
			if (sim_num(optarg, 0, 65535, &v, "--echo", err, errlen) == -1)
				return -1;
			o->echo = (unsigned)v;
			break;
		case O_ADOPT:
			if (sim_num(optarg, 0, 60000, &v, "--adopt", err, errlen) == -1)
				return -1;
			o->adopt = (unsigned)v;
			break;
		case O_ADOPTM:
			if (sim_num(optarg, 0, 60000, &v, "--adopt-multi", err, errlen) == -1)
				return -1;
			o->adopt_multi = (unsigned)v;
			break;
		case O_GARBAGE: o->garbage = true; break;
		case O_ACONFLICT: o->adopt_conflict = true; break;
		case O_AMOVE: o->adopt_move = true; break;
		case O_ROTATE:
			if (sim_num(optarg, 0, UINT64_MAX, &o->rotate_from, "--rotate-from", err,
			    errlen) == -1)
				return -1;
			o->rotate = true;
			break;
		case O_HINT:
			if (sim_num(optarg, 1024, 65535, &v, "--hint", err, errlen) == -1)
				return -1;
			o->hint_base = (uint32_t)v;
			break;
		case O_ICMP4:
			if (sim_num(optarg, 0, 65535, &v, "--icmp4", err, errlen) == -1)
				return -1;
			o->icmp4 = (unsigned)v;
			break;
		case O_FUZZ:
			if (sim_num(optarg, 0, 10000000, &v, "--fuzz", err, errlen) == -1)
				return -1;
			o->fuzz = (unsigned)v;
			break;
		case O_FORGE: o->forge = true; break;
		case O_ECHOT: o->echo_target = true; break;
		case O_NOP9: o->no_port9 = true; break;
		case O_RECORD: o->record_path = optarg; break;
		case O_VERIFY: o->verify_path = optarg; break;
		case 'w':
			if (sim_num(optarg, 1, 1u << 20, &v, "--window", err, errlen) == -1)
				return -1;
			o->window = (unsigned)v;
			break;
		case 'r':
			if (sim_num(optarg, 0, 100000000, &o->rate, "--rate", err, errlen) == -1)
				return -1;
			break;
		case 'd':
			if (sim_dur(optarg, 1, 86400000, &o->duration_ms, "--duration", err, errlen) == -1)
				return -1;
			break;
		case 'n':
			if (sim_num(optarg, 0, UINT64_MAX, &o->count, "--count", err, errlen) == -1)
				return -1;
			break;
		case 'T':
			if (sim_dur(optarg, 1, 600000, &o->timeout_ms, "--timeout", err, errlen) == -1)
				return -1;
			break;
		case 'R':
			if (sim_num(optarg, 0, 1000, &v, "--retries", err, errlen) == -1)
				return -1;
			o->retries = (unsigned)v;
			break;
		case O_PRETRIES:
			if (sim_num(optarg, 0, 1000, &v, "--probe-retries", err, errlen) == -1)
				return -1;
			o->probe_retries = (unsigned)v;
			break;
		case 'e':
			if (o->n_expect >= SIM_MAX_EXPECT) {
				snprintf(err, errlen, "too many --expect");
				return -1;
			}
			if (sim_expect_parse(optarg, &o->expect[o->n_expect], err, errlen) == -1)
				return -1;
			o->n_expect++;
			break;
		case O_PHASES: o->phase_lines = true; break;
		case 'q': o->quiet = true; break;
		case 'v': o->verbose++; break;
		case 'h':
			sim_usage(out);
			return 1;
		default:
			snprintf(err, errlen, "unknown or incomplete option %s (see --help)",
			    argv[optind - 1]);
			return -1;
		}
	}
	if (optind != argc) {
		snprintf(err, errlen, "unexpected argument %s", argv[optind]);
		return -1;
	}
	if ((uint64_t)o->nat64_base + o->n_nat64 - 1 > UINT32_MAX) {
		snprintf(err, errlen, "--nat64s runs past 255.255.255.255");
		return -1;
	}
	if ((uint64_t)o->clients * o->conns > 1u << 24) {
		snprintf(err, errlen, "--clients x --conns above %u", 1u << 24);
		return -1;
	}
	if (o->verify_path != NULL)
		o->do_new = false;
	return 0;
bad_addr:
	snprintf(err, errlen, "not an IPv4 address: %s", optarg);
	return -1;
}
