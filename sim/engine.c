/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* engine.c — handoff-sim's run: phases over every simulated NAT64, a
 * window of outstanding requests, timeouts and retries, the port-9 bounce,
 * and the bookkeeping that checks each answer against what was asked.
 *
 * Phases, in order (each over all NAT64s, items interleaved round-robin):
 *   probe    the first IPv6 packet (flow 0): validation round trip, retries
 *   new      an IPv6 TCP SYN / UDP packet per (client, connection)
 *   lookup   an IPv4 packet to every known mapped port: entry of that client
 *   repeat   every known flow again: the same port
 *   miss     IPv4 packets to unused ports: returned to the NAT64 (§10)
 *   icmp4    IPv4 packets of another protocol (47): ICMP 3/2 from the NAT64
 *   echo     ICMPv6 echo requests: echo replies (§6 second pattern)
 *   adopt    NAT64-generated entries, single and §7 (no answer expected)
 *   adopted  IPv4 lookups of those ports: the adopted clients
 *   garbage  malformed packets: no answer expected to any
 *   fuzz     randomly mutated requests: anything may come back, but the
 *            server must stay up (checked by the next phase)
 *   alive    one echo request per NAT64 after the garbage
 *   forge    spoofed packets through a raw socket (alone, with --forge)
 * Time comes from the loop's `now`; nothing here reads the clock.
 */
#include "sim.h"
#include "buf.h"
#include "addr.h"
#include "evloop.h"
#include "cksum.h"
#include "ippkt.h"
#include "rdfile.h"
#include "xalloc.h"

#include <errno.h>
#include <sys/epoll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum sim_phase {
	PH_PROBE, PH_NEW, PH_LOOKUP, PH_REPEAT, PH_MISS, PH_ICMP4, PH_ECHO, PH_ADOPT, PH_ADOPTED,
	PH_GARBAGE, PH_FUZZ, PH_ALIVE, PH_FORGE, PH_DONE
};

static const char *const sim_phase_names[] = {
	"probe", "new", "lookup", "repeat", "miss", "icmp4", "echo", "adopt", "adopted", "garbage",
	"fuzz", "alive", "forge", "done"
};

struct sim_slot {
	uint8_t pending;
	uint8_t tries;
};

struct sim_flow {
	uint16_t port;		/* mapped port, 0 = unknown */
	uint8_t seen;		/* answered with an entry in this run */
	struct sim_slot sl;
};

struct sim_aux {
	uint16_t key;		/* port (miss, adopted) or echo sequence */
	struct sim_slot sl;
};

struct sim_nat {
	struct sim *s;
	uint32_t addr;
	struct sim_ident id;
	int fd, fd9;
	uint16_t cport;
	bool validated;		/* we bounced a validation packet */
	bool resend_probe;
	uint32_t probe_flow;	/* flow of the first packet (a recorded one with --verify) */
	struct sim_flow *flows;
	uint32_t *port_flow;	/* port -> flow + 1 (lazy, 65536) */
	struct sim_aux *aux;
	struct hw_entry *adopted;
	unsigned n_adopted;
	unsigned multi_next;
	uint8_t client0[16];
};

struct sim_tq {
	uint64_t deadline;
	uint32_t nat;
	uint32_t item;
	uint8_t tries;
	uint8_t phase;
};

struct sim {
	struct sim_opts o;
	struct ev_loop *loop;
	struct sim_io *io;
	struct sim_nat *nat;
	uint32_t n_flows;
	unsigned n_aux;
	int raw;
	FILE *rec;
	struct sim_counters k;
	enum sim_phase phase;
	uint64_t cursor, total;
	uint64_t outstanding;
	uint64_t start_ms, phase_start_ms, phase_sent, settle_until;
	uint64_t phase_sent_base;
	bool done, stopped, settling;
	unsigned printed_bad;
	/* timeout queue, in send order (constant timeout: deadlines ascend) */
	struct sim_tq *tq;
	size_t tq_cap, tq_head, tq_len;
	struct ev_timer *tick;
	uint8_t pkt[65536];
};

static void sim_pump(struct sim *s, const struct clk_now *now);

/* ---- small helpers ---- */

static void
sim_bad(struct sim *s, const struct sim_nat *n, const char *why, uint16_t port)
{
	char a[ADDR_STRLEN];

	s->k.c[SIM_C_bad]++;
	if (s->o.quiet || (s->printed_bad >= 20 && s->o.verbose == 0))
		return;
	s->printed_bad++;
	fprintf(stderr, "BAD nat64 %s phase %s port %u: %s\n",
	    n ? addr_fmt4(n->addr, a, sizeof(a)) : "-", sim_phase_names[s->phase], port, why);
}

static bool
sim_flow_tcp(const struct sim *s, uint32_t f)
{
	if (s->o.tcp_only)
		return true;
	if (s->o.udp_only)
		return false;
	return f % 2 == 0;
}

static void
sim_flow_client(const struct sim *s, const struct sim_nat *n, uint32_t f, uint8_t client[16],
    uint16_t *cport)
{
	sim_client_addr(SIM_KIND_FLOW, n->addr, s->o.client_base + f / s->o.conns, client);
	*cport = (uint16_t)(SIM_CPORT_BASE + f % s->o.conns);
}

/* Flow index of (client, cport), or -1 if it is not one of ours. */
static int64_t
sim_flow_of(const struct sim *s, const struct sim_nat *n, unsigned want_kind,
    const uint8_t client[16], uint16_t cport)
{
	unsigned kind;
	uint16_t natlo;
	uint32_t c;

	if (!sim_client_decode(client, &kind, &natlo, &c) || kind != want_kind ||
	    natlo != (uint16_t)n->addr || c < s->o.client_base ||
	    cport < SIM_CPORT_BASE || (uint32_t)(cport - SIM_CPORT_BASE) >= s->o.conns)
		return -1;
	return (int64_t)(c - s->o.client_base) * s->o.conns + (cport - SIM_CPORT_BASE);
}

static void
sim_set_port(struct sim_nat *n, uint32_t f, uint16_t port)
{
	if (n->port_flow == NULL)
		n->port_flow = xcalloc(65536, sizeof(uint32_t));
	if (n->flows[f].port != 0 && n->port_flow[n->flows[f].port] == f + 1)
		n->port_flow[n->flows[f].port] = 0;
	n->flows[f].port = port;
	n->port_flow[port] = f + 1;
}

static bool
sim_port_used(const struct sim *s, const struct sim_nat *n, uint16_t p)
{
	return p < 1024 || p == HW_TEREDO_PORT || p == s->o.port || p == n->cport ||
	    (n->port_flow != NULL && n->port_flow[p] != 0);
}

static void
sim_record(struct sim *s, const struct sim_nat *n, const uint8_t client[16], uint16_t cport,
    uint16_t port)
{
	struct sim_record r;
	char line[160];

	if (s->rec == NULL)
		return;
	r.nat64 = n->addr;
	r.port = port;
	memcpy(r.client, client, 16);
	r.cport = cport;
	sim_record_format(&r, line, sizeof(line));
	fputs(line, s->rec);
}

/* ---- timeouts ---- */

static void
sim_tq_push(struct sim *s, uint64_t deadline, uint32_t nat, uint32_t item, uint8_t tries)
{
	struct sim_tq *t;

	if (s->tq_len == s->tq_cap) {
		size_t ncap = s->tq_cap ? s->tq_cap * 2 : 1024, i;
		struct sim_tq *nq = xreallocarray(NULL, ncap, sizeof(*nq));

		for (i = 0; i < s->tq_len; i++)
			nq[i] = s->tq[(s->tq_head + i) % s->tq_cap];
		free(s->tq);
		s->tq = nq;
		s->tq_cap = ncap;
		s->tq_head = 0;
	}
	t = &s->tq[(s->tq_head + s->tq_len) % s->tq_cap];
	t->deadline = deadline;
	t->nat = nat;
	t->item = item;
	t->tries = tries;
	t->phase = (uint8_t)s->phase;
	s->tq_len++;
}

static struct sim_slot *
sim_slot(struct sim *s, struct sim_nat *n, uint32_t item)
{
	switch (s->phase) {
	case PH_PROBE: case PH_NEW: case PH_LOOKUP: case PH_REPEAT:
		return item < s->n_flows ? &n->flows[item].sl : NULL;
	default:
		return item < s->n_aux ? &n->aux[item].sl : NULL;
	}
}

static bool sim_send_item(struct sim *s, struct sim_nat *n, uint32_t j, uint8_t tries,
    const struct clk_now *now);

/* The request in sl is settled (answered, timed out or dropped). */
static void
sim_unpend(struct sim *s, struct sim_slot *sl)
{
	sl->pending = 0;
	s->outstanding--;
}

/* An answer to the request in sl: a duplicate if none is pending, else
 * the request is settled and the answer counted (also under `also`,
 * unless SIM_C__COUNT). */
static void
sim_answered(struct sim *s, struct sim_slot *sl, enum sim_counter also)
{
	if (!sl->pending) {
		s->k.c[SIM_C_dup]++;
		return;
	}
	sim_unpend(s, sl);
	s->k.c[SIM_C_answers_ok]++;
	if (also != SIM_C__COUNT)
		s->k.c[also]++;
}

static void
sim_expire(struct sim *s, const struct clk_now *now)
{
	while (s->tq_len > 0) {
		struct sim_tq t = s->tq[s->tq_head];
		struct sim_nat *n;
		struct sim_slot *sl;
		unsigned max;

		if (t.deadline > now->mono_ms)
			break;
		s->tq_head = (s->tq_head + 1) % s->tq_cap;
		s->tq_len--;
		if (t.phase != s->phase)
			continue;
		n = &s->nat[t.nat];
		sl = sim_slot(s, n, t.item);
		if (sl == NULL || !sl->pending || sl->tries != t.tries)
			continue;
		if (s->phase == PH_GARBAGE) {
			sim_unpend(s, sl);
			s->k.c[SIM_C_garbage_dropped]++;
			continue;
		}
		max = s->phase == PH_PROBE ? s->o.probe_retries : s->o.retries;
		if (sl->tries < max && !s->stopped) {
			s->k.c[SIM_C_retries]++;
			sim_send_item(s, n, t.item, (uint8_t)(sl->tries + 1), now);
			continue;
		}
		sim_unpend(s, sl);
		s->k.c[SIM_C_timeouts]++;
		if (s->o.verbose > 0 && !s->o.quiet) {
			char a[ADDR_STRLEN];

			fprintf(stderr, "TIMEOUT nat64 %s phase %s item %u\n",
			    addr_fmt4(n->addr, a, sizeof(a)), sim_phase_names[s->phase], t.item);
		}
	}
}

/* ---- sending ---- */

static void
sim_out(struct sim *s, struct sim_nat *n, size_t len)
{
	sim_io_queue(s->io, n->fd, s->pkt, len);
	s->k.c[SIM_C_sent]++;
	s->phase_sent++;
}

static void
sim_pend(struct sim *s, struct sim_slot *sl, uint32_t nat, uint32_t item, uint8_t tries,
    const struct clk_now *now)
{
	if (!sl->pending)
		s->outstanding++;
	sl->pending = 1;
	sl->tries = tries;
	sim_tq_push(s, now->mono_ms + s->o.timeout_ms, nat, item, tries);
}

static size_t
sim_build_flow(struct sim *s, struct sim_nat *n, uint32_t f, uint8_t tries)
{
	struct sim_req6 r;

	sim_flow_client(s, n, f, r.client, &r.cport);
	r.prefix = s->o.prefix;
	r.server = s->o.server;
	r.tcp = sim_flow_tcp(s, f);
	r.sport = r.tcp ? 80 : 53;
	r.seq = 1000u + tries;
	r.hint = s->o.hint_base ? (uint16_t)(s->o.hint_base + f) : 0;
	return sim_build_v6(s->pkt, sizeof(s->pkt), &n->id, &r);
}

static size_t
sim_build_echo_item(struct sim *s, struct sim_nat *n, uint16_t seq)
{
	return sim_build_echo(s->pkt, sizeof(s->pkt), &n->id, s->o.prefix, s->o.server,
	    n->client0, (uint16_t)n->addr, seq);
}

/* Send item j of the current phase for NAT64 n. Returns false when the item
 * is skipped (nothing to do for it). */
static bool
sim_send_item(struct sim *s, struct sim_nat *n, uint32_t j, uint8_t tries,
    const struct clk_now *now)
{
	uint32_t ni = (uint32_t)(n - s->nat);
	struct sim_flow *fl;
	struct sim_aux *ax;
	size_t len, used;

	switch (s->phase) {
	case PH_PROBE:
		j = n->probe_flow;
		fl = &n->flows[j];
		if (tries == 0 && (fl->seen || fl->sl.pending))
			return false;
		len = sim_build_flow(s, n, j, tries);
		break;
	case PH_NEW:
		fl = &n->flows[j];
		if (tries == 0 && (fl->port != 0 || fl->sl.pending))
			return false;
		len = sim_build_flow(s, n, j, tries);
		break;
	case PH_REPEAT:
		fl = &n->flows[j];
		if (fl->port == 0)
			return false;
		len = sim_build_flow(s, n, j, tries);
		break;
	case PH_LOOKUP:
		fl = &n->flows[j];
		if (fl->port == 0)
			return false;
		len = sim_build_v4(s->pkt, sizeof(s->pkt), &n->id, s->o.server, n->addr,
		    sim_flow_tcp(s, j) ? 80 : 53, fl->port, sim_flow_tcp(s, j));
		break;
	case PH_MISS:
		ax = &n->aux[j];
		if (tries == 0) {
			uint16_t p = j == 0 ? 1024 : (uint16_t)(n->aux[j - 1].key + 1);

			while (sim_port_used(s, n, p) && p != 65535)
				p++;
			if (sim_port_used(s, n, p))
				return false;
			ax->key = p;
		}
		len = sim_build_v4(s->pkt, sizeof(s->pkt), &n->id, s->o.server, n->addr, 53,
		    ax->key, false);
		break;
	case PH_ICMP4: {
		/* an IPv4 packet of protocol 47 from the server to the NAT64,
		 * IP ID = item, so the quoted header in the ICMP error says
		 * which one it answers */
		uint8_t ip[128], s4[4], d4[4];
		size_t ilen;
		struct buf_wr w;

		be32_store(s4, s->o.server);
		be32_store(d4, n->addr);
		ilen = ippkt_udp4(ip, sizeof(ip), s4, d4, 1, 2, (const uint8_t *)"gre?", 4);
		if (ilen == 0)
			return false;
		ip[9] = 47;
		be16_store(ip + 4, (uint16_t)j);
		be16_store(ip + 10, 0);
		be16_store(ip + 10, cksum_finish(cksum_add(0, ip, 20)));
		buf_wr_init(&w, s->pkt, sizeof(s->pkt));
		hw_put_blob(&w, HW_T_TOKEN, n->id.token, SIM_MAC_LEN);
		hw_put_ip(&w, ip, ilen);
		len = w.err ? 0 : w.off;
		break;
	}
	case PH_FUZZ: {
		uint32_t r = (uint32_t)(j * 2654435761u) ^ (uint32_t)s->o.seed;
		unsigned k, flips;

		len = j % 3 == 0 ? sim_build_echo_item(s, n, (uint16_t)j) :
		    sim_build_flow(s, n, j % (s->n_flows ? s->n_flows : 1), 0);
		if (len == 0)
			return false;
		flips = 1 + r % 4;
		for (k = 0; k < flips; k++) {
			r = r * 1103515245u + 12345u;
			s->pkt[(r >> 8) % len] ^= (uint8_t)(1u << (r % 8));
		}
		r = r * 1103515245u + 12345u;
		if (r % 4 == 0)
			len = (r >> 4) % len;	/* truncated too */
		sim_out(s, n, len);
		return true;	/* anything may come back; not tracked */
	}
	case PH_ECHO:
	case PH_ALIVE:
		ax = &n->aux[j];
		ax->key = (uint16_t)(s->phase == PH_ALIVE ? 65535 : j);
		len = sim_build_echo_item(s, n, ax->key);
		break;
	case PH_ADOPT:
		if (j < s->o.adopt) {
			len = sim_build_entry(s->pkt, sizeof(s->pkt), &n->id, s->o.server,
			    &n->adopted[j]);
		} else {
			if (n->multi_next >= n->n_adopted)
				return false;
			len = sim_build_multi(s->pkt, sizeof(s->pkt), &n->id, s->o.server,
			    &n->adopted[n->multi_next], n->n_adopted - n->multi_next, &used);
			n->multi_next += (unsigned)used;
		}
		if (len == 0)
			return false;
		sim_out(s, n, len);
		s->k.c[SIM_C_adopted] += j < s->o.adopt ? 1 : used;
		return true;	/* no answer expected */
	case PH_ADOPTED:
		if (j >= n->n_adopted)
			return false;
		n->aux[j].key = n->adopted[j].mapped_port;
		len = sim_build_v4(s->pkt, sizeof(s->pkt), &n->id, s->o.server, n->addr, 53,
		    n->aux[j].key, false);
		break;
	case PH_GARBAGE:
		len = sim_build_garbage(s->pkt, sizeof(s->pkt), (enum sim_garbage)j, &n->id,
		    s->o.prefix, s->o.server, n->addr, n->client0);
		if (len == 0 && j != SIM_G_EMPTY)
			return false;
		sim_out(s, n, len);
		sim_pend(s, &n->aux[j].sl, ni, j, tries, now);
		return true;
	default:
		return false;
	}
	if (len == 0)
		return false;
	sim_out(s, n, len);
	sim_pend(s, sim_slot(s, n, j), ni, j, tries, now);
	return true;
}

/* --forge: everything a spoofer could send for NAT64 n, through the raw
 * socket, from an address where nothing listens. */
static void
sim_forge(struct sim *s, struct sim_nat *n, uint32_t c)
{
	uint16_t sport = s->o.control_port ? s->o.control_port : 40000;
	uint8_t mac[16];
	struct hw_entry e;
	size_t len = 0, used;

	switch (c % 6) {
	case 0:
		len = sim_build_flow(s, n, c / 6 % s->n_flows, 0);
		break;
	case 1:
		len = sim_build_v4(s->pkt, sizeof(s->pkt), &n->id, s->o.server, n->addr, 53,
		    (uint16_t)(40000 + c % 20000), false);
		break;
	case 2:
		memset(&e, 0, sizeof(e));
		e.mapped_port = (uint16_t)(30000 + c % 20000);
		memcpy(e.prefix, s->o.prefix, 12);
		sim_client_addr(SIM_KIND_ADOPT, n->addr, c, e.client);
		e.client_port = SIM_CPORT_BASE;
		len = sim_build_entry(s->pkt, sizeof(s->pkt), &n->id, s->o.server, &e);
		if (c % 12 == 2)
			len = sim_build_multi(s->pkt, sizeof(s->pkt), &n->id, s->o.server, &e, 1,
			    &used);
		break;
	case 3:
		len = sim_build_echo_item(s, n, (uint16_t)c);
		break;
	case 4: {
		/* A bounce with a made-up MAC: must not validate anything. */
		uint8_t ip[128], dst[16], zero[16] = { 0 };
		struct buf_wr w;
		uint8_t inner[256];
		size_t ilen;

		memset(mac, 0xa5, sizeof(mac));
		memset(dst, 0, sizeof(dst));
		ilen = ippkt_ip6(ip, sizeof(ip), zero, dst, IPPKT_PROTO_NONE6, mac, sizeof(mac));
		buf_wr_init(&w, inner, sizeof(inner));
		hw_put_blob(&w, HW_T_AUTH, NULL, 0);
		hw_put_ip(&w, ip, ilen);
		if (!w.err)
			len = sim_build_bounce(s->pkt, sizeof(s->pkt), &n->id, s->o.server,
			    s->o.port, n->addr, inner, w.off);
		break;
	}
	default: {
		/* Token rotation claiming a token we never validated:
		 * [token X][rotation = our token][auth][IPv6 packet]. */
		uint8_t req[SIM_PKT_MAX], other[16];
		size_t rlen = sim_build_flow(s, n, 0, 0);
		struct buf_wr w;

		if (rlen < 2 + SIM_MAC_LEN)
			break;
		memcpy(req, s->pkt, rlen);
		memset(other, 0x5a, sizeof(other));
		buf_wr_init(&w, s->pkt, sizeof(s->pkt));
		hw_put_blob(&w, HW_T_TOKEN, other, sizeof(other));
		hw_put_blob(&w, HW_T_TOKEN_ROT, n->id.token, SIM_MAC_LEN);
		buf_put_bytes(&w, req + 2 + SIM_MAC_LEN, rlen - 2 - SIM_MAC_LEN);
		len = w.err ? 0 : w.off;
		break;
	}
	}
	if (len == 0)
		return;
	if (sim_io_raw_send(s->raw, n->addr, sport, s->o.server, s->o.port, s->pkt, len) == 0)
		s->k.c[SIM_C_forged]++;
	s->k.c[SIM_C_sent]++;
	s->phase_sent++;
}

/* ---- phases ---- */

static uint64_t
sim_phase_items(const struct sim *s)
{
	switch (s->phase) {
	case PH_PROBE: return s->n_flows > 0 ? 1 : 0;
	case PH_NEW: case PH_LOOKUP: case PH_REPEAT: return s->n_flows;
	case PH_MISS: return s->o.misses;
	case PH_ICMP4: return s->o.icmp4;
	case PH_FUZZ: return s->o.fuzz;
	case PH_ECHO: return s->o.echo;
	case PH_ADOPT: return (uint64_t)s->o.adopt + s->o.adopt_multi;
	case PH_ADOPTED: return (uint64_t)s->o.adopt + s->o.adopt_multi;
	case PH_GARBAGE: return SIM_G__COUNT;
	case PH_ALIVE: return 1;
	case PH_FORGE: return (uint64_t)(s->o.clients ? s->o.clients : 1) * 6;
	default: return 0;
	}
}

static bool
sim_phase_enabled(const struct sim *s, enum sim_phase p)
{
	const struct sim_opts *o = &s->o;

	if (o->forge)
		return p == PH_FORGE;
	switch (p) {
	case PH_PROBE: return o->probe && !o->echo_target;
	case PH_NEW: return o->do_new;
	case PH_LOOKUP: return o->lookups;
	case PH_REPEAT: return o->repeat;
	case PH_MISS: return o->misses > 0 && !o->echo_target;
	case PH_ECHO: return o->echo > 0 && !o->echo_target;
	case PH_ICMP4: return o->icmp4 > 0 && !o->echo_target;
	case PH_FUZZ: return o->fuzz > 0 && !o->echo_target;
	case PH_ADOPT: case PH_ADOPTED: return o->adopt + o->adopt_multi > 0 && !o->echo_target;
	case PH_GARBAGE: return o->garbage && !o->echo_target;
	case PH_ALIVE: return (o->garbage || o->fuzz > 0) && !o->echo_target;
	default: return false;
	}
}

static void
sim_phase_line(struct sim *s, const struct clk_now *now)
{
	uint64_t ms = now->mono_ms - s->phase_start_ms;

	if (!s->o.phase_lines || s->phase == PH_DONE)
		return;
	printf("PHASE name=%s sent=%llu ms=%llu rate=%llu\n", sim_phase_names[s->phase],
	    (unsigned long long)s->phase_sent, (unsigned long long)ms,
	    (unsigned long long)(ms ? s->phase_sent * 1000 / ms : 0));
	fflush(stdout);
}

static void
sim_prepare_adopted(struct sim *s)
{
	unsigned total = s->o.adopt + s->o.adopt_multi, i, j;
	uint16_t p;

	for (i = 0; i < s->o.n_nat64; i++) {
		struct sim_nat *n = &s->nat[i];

		n->adopted = xcalloc(total ? total : 1, sizeof(*n->adopted));
		n->n_adopted = 0;
		n->multi_next = s->o.adopt;
		p = 65535;
		for (j = 0; j < total; j++) {
			struct hw_entry *e = &n->adopted[j];

			if (s->o.adopt_move) {
				/* our flow j's client on a new free port: the
				 * server must move it (Deleted old, Created new) */
				uint16_t cport;

				if (j >= s->n_flows || n->flows[j].port == 0)
					break;
				while (sim_port_used(s, n, p) && p > 1024)
					p--;
				if (sim_port_used(s, n, p))
					break;
				e->mapped_port = p--;
				memcpy(e->prefix, s->o.prefix, 12);
				sim_flow_client(s, n, j, e->client, &cport);
				e->client_port = cport;
				sim_set_port(n, j, e->mapped_port);
				sim_record(s, n, e->client, cport, e->mapped_port);
				n->n_adopted++;
				continue;
			}
			if (s->o.adopt_conflict) {
				/* take the port of our flow j: the server must
				 * give it to the newest claim (Deleted, Created) */
				if (j >= s->n_flows || n->flows[j].port == 0)
					break;
				e->mapped_port = n->flows[j].port;
				n->port_flow[e->mapped_port] = 0;
				n->flows[j].port = 0;
			} else {
				while (sim_port_used(s, n, p) && p > 1024)
					p--;
				if (sim_port_used(s, n, p))
					break;
				e->mapped_port = p--;
			}
			memcpy(e->prefix, s->o.prefix, 12);
			sim_client_addr(SIM_KIND_ADOPT, n->addr, s->o.client_base + j / s->o.conns,
			    e->client);
			e->client_port = (uint16_t)(SIM_CPORT_BASE + j % s->o.conns);
			n->n_adopted++;
		}
	}
}

static void
sim_next_phase(struct sim *s, const struct clk_now *now)
{
	unsigned i;

	sim_phase_line(s, now);
	do {
		s->phase++;
	} while (s->phase < PH_DONE && !sim_phase_enabled(s, s->phase));
	s->cursor = 0;
	s->total = sim_phase_items(s) * s->o.n_nat64;
	s->phase_start_ms = now->mono_ms;
	s->phase_sent = 0;
	for (i = 0; i < s->o.n_nat64; i++)
		if (s->nat[i].aux != NULL)
			memset(s->nat[i].aux, 0, s->n_aux * sizeof(struct sim_aux));
	if (s->phase == PH_ADOPT)
		sim_prepare_adopted(s);
	if (s->phase == PH_DONE)
		s->done = true;
}

static void
sim_pump(struct sim *s, const struct clk_now *now)
{
	uint64_t allowed;

	if (s->done)
		return;
	if (now->mono_ms - s->start_ms >= s->o.duration_ms && !s->stopped) {
		s->stopped = true;
		s->settle_until = now->mono_ms + s->o.timeout_ms;
	}
	sim_expire(s, now);
	if (s->stopped) {
		/* Bounds reached: let outstanding requests answer or time out. */
		if (s->outstanding == 0 || now->mono_ms >= s->settle_until) {
			s->k.c[SIM_C_timeouts] += s->outstanding;
			s->outstanding = 0;
			sim_phase_line(s, now);
			s->phase = PH_DONE;
			s->done = true;
		}
		sim_io_flush(s->io);
		return;
	}
	while (s->cursor >= s->total && s->outstanding == 0) {
		bool quiet_phase = s->phase == PH_ADOPT || s->phase == PH_FORGE ||
		    s->phase == PH_FUZZ;

		/* Phases that expect no answers let the server take in what
		 * they sent (and stray answers arrive) before the next one. */
		if (quiet_phase && !s->settling) {
			s->settling = true;
			s->settle_until = now->mono_ms + (s->phase == PH_FUZZ ? 500 : 100);
		}
		if (s->settling && now->mono_ms < s->settle_until)
			break;
		s->settling = false;
		sim_io_flush(s->io);
		sim_next_phase(s, now);
		if (s->done)
			return;
	}
	allowed = UINT64_MAX;
	if (s->o.rate > 0) {
		uint64_t el = now->mono_ms - s->start_ms + 1;

		allowed = s->o.rate * el / 1000;
		allowed = allowed > s->k.c[SIM_C_sent] ? allowed - s->k.c[SIM_C_sent] : 0;
	}
	if (s->phase == PH_ADOPT || s->phase == PH_FORGE) {
		/* nothing comes back to pace us: one window per tick */
		uint64_t w = s->o.window;

		allowed = allowed < w ? allowed : w;
	}
	while (s->cursor < s->total && s->outstanding < s->o.window && allowed > 0) {
		uint32_t ni = (uint32_t)(s->cursor % s->o.n_nat64);
		uint32_t j = (uint32_t)(s->cursor / s->o.n_nat64);

		if (s->o.count > 0 && s->k.c[SIM_C_sent] >= s->o.count) {
			s->stopped = true;
			s->settle_until = now->mono_ms + s->o.timeout_ms * (s->o.retries + 1);
			break;
		}
		s->cursor++;
		if (s->phase == PH_FORGE) {
			sim_forge(s, &s->nat[ni], j);
			allowed--;
			continue;
		}
		if (sim_send_item(s, &s->nat[ni], j, 0, now))
			allowed--;
	}
	sim_io_flush(s->io);
}

/* ---- receiving ---- */

static void
sim_answer_entry(struct sim *s, struct sim_nat *n, const struct hw_packet *pkt)
{
	const struct hw_entry *e = &pkt->entries[0];
	uint8_t auth[SIM_MAC_LEN];
	const char *why;
	int64_t f;
	unsigned kind;
	uint16_t natlo;
	uint32_t c;

	if ((why = sim_check_entry(e, s->o.prefix, s->o.port, n->cport)) != NULL) {
		sim_bad(s, n, why, e->mapped_port);
		return;
	}
	sim_auth(&n->id, s->o.server, e->client, auth);
	if ((why = sim_check_blob(&pkt->auth, auth, SIM_MAC_LEN,
	    "authenticator is not the client's")) != NULL) {
		sim_bad(s, n, why, e->mapped_port);
		return;
	}
	if (!sim_client_decode(e->client, &kind, &natlo, &c)) {
		sim_bad(s, n, "entry for a client we never sent", e->mapped_port);
		return;
	}
	if (kind == SIM_KIND_ADOPT) {
		uint32_t a;
		struct ippkt4 ip;

		f = sim_flow_of(s, n, SIM_KIND_ADOPT, e->client, e->client_port);
		if (s->phase != PH_ADOPTED || f < 0 || (uint64_t)f >= n->n_adopted) {
			s->k.c[SIM_C_unexpected]++;
			return;
		}
		a = (uint32_t)f;
		if (pkt->ip_version != 4 || !ippkt_parse4(pkt->ip.p, pkt->ip.len, &ip) ||
		    ip.dport != e->mapped_port) {
			sim_bad(s, n, "adopted lookup answer without our IPv4 packet", e->mapped_port);
			return;
		}
		if (n->adopted[a].mapped_port != e->mapped_port) {
			sim_bad(s, n, "adopted entry answered with another port", e->mapped_port);
			return;
		}
		sim_answered(s, &n->aux[a].sl, SIM_C_lookups_ok);
		return;
	}
	f = sim_flow_of(s, n, SIM_KIND_FLOW, e->client, e->client_port);
	if (f < 0 || (uint64_t)f >= s->n_flows) {
		/* Another run's client (e.g. before a restart): well-formed, not ours. */
		if (s->phase == PH_MISS) {
			s->k.c[SIM_C_answers_ok]++;
			return;
		}
		s->k.c[SIM_C_unexpected]++;
		return;
	}
	if (pkt->ip_version == 4) {
		/* Answer to an IPv4 lookup (or miss) by port. */
		struct ippkt4 ip;
		struct sim_flow *fl = &n->flows[f];

		if (!ippkt_parse4(pkt->ip.p, pkt->ip.len, &ip) || ip.dport != e->mapped_port) {
			sim_bad(s, n, "lookup answer: IPv4 packet is not ours for that port",
			    e->mapped_port);
			return;
		}
		if (s->phase == PH_MISS) {
			/* our "unused" port was in use by our own flow: lost track */
			sim_bad(s, n, "miss port maps to one of our flows", e->mapped_port);
			return;
		}
		if (fl->port != e->mapped_port) {
			sim_bad(s, n, "lookup by port returned another client", e->mapped_port);
			return;
		}
		if (s->phase == PH_ADOPTED && s->o.adopt_move && (uint64_t)f < s->n_aux &&
		    n->aux[f].sl.pending) {
			sim_answered(s, &n->aux[f].sl, SIM_C_lookups_ok);
			return;
		}
		if (s->phase != PH_LOOKUP) {
			s->k.c[SIM_C_dup]++;
			return;
		}
		sim_answered(s, &fl->sl, SIM_C_lookups_ok);
		return;
	}
	if (pkt->ip_version == 0) {
		sim_bad(s, n, "entry answer without the packet (decisions: auth, entry, packet)",
		    e->mapped_port);
		return;
	}
	{
		uint8_t client[16];
		uint16_t cport;
		struct sim_flow *fl = &n->flows[f];

		sim_flow_client(s, n, (uint32_t)f, client, &cport);
		if ((why = sim_check_v6_echoed(pkt, client, cport)) != NULL) {
			sim_bad(s, n, why, e->mapped_port);
			return;
		}
		if (!n->validated && s->o.probe)
			s->k.c[SIM_C_unvalidated_answers]++;
		if (fl->port != 0 && fl->port != e->mapped_port) {
			sim_bad(s, n, "same client got another port", e->mapped_port);
			return;
		}
		if (n->port_flow != NULL && n->port_flow[e->mapped_port] != 0 &&
		    n->port_flow[e->mapped_port] != f + 1) {
			/* The port moved to this client: legal only after an eviction. */
			n->flows[n->port_flow[e->mapped_port] - 1].port = 0;
		}
		if (fl->port == 0 || !fl->seen) {
			if (!fl->seen)
				s->k.c[SIM_C_entries]++;
			if (!fl->seen && s->o.hint_base != 0 &&
			    e->mapped_port == (uint16_t)(s->o.hint_base + (uint32_t)f))
				s->k.c[SIM_C_hints_honored]++;
			fl->seen = 1;
			sim_set_port(n, (uint32_t)f, e->mapped_port);
			sim_record(s, n, client, cport, e->mapped_port);
		}
		if (s->phase != PH_PROBE && s->phase != PH_NEW && s->phase != PH_REPEAT) {
			s->k.c[SIM_C_dup]++;
			return;
		}
		sim_answered(s, &fl->sl, SIM_C__COUNT);
	}
}

static void
sim_answer_v6(struct sim *s, struct sim_nat *n, const struct hw_packet *pkt)
{
	uint8_t auth[SIM_MAC_LEN];
	struct ippkt6 ip;
	struct sim_aux *ax;
	const char *why;
	uint16_t seq;
	uint32_t j;

	if (!ippkt_parse6(pkt->ip.p, pkt->ip.len, &ip) || ip.nh != IPPKT_PROTO_ICMP6 ||
	    ip.l4_len < 8) {
		sim_bad(s, n, "IPv6 answer without entry is not ICMPv6", 0);
		return;
	}
	seq = be16_load(ip.l4 + 6);
	if (s->phase == PH_ECHO)
		j = seq;
	else if (s->phase == PH_ALIVE && seq == 65535)
		j = 0;
	else {
		s->k.c[SIM_C_unexpected]++;
		return;
	}
	if (j >= s->n_aux) {
		s->k.c[SIM_C_unexpected]++;
		return;
	}
	sim_auth(&n->id, s->o.server, n->client0, auth);
	if ((why = sim_check_blob(&pkt->auth, auth, SIM_MAC_LEN,
	    "echo: authenticator is not the client's")) != NULL ||
	    (why = sim_check_echo_reply(pkt, s->o.prefix, s->o.server, n->client0,
	    (uint16_t)n->addr, seq)) != NULL) {
		sim_bad(s, n, why, 0);
		return;
	}
	ax = &n->aux[j];
	sim_answered(s, &ax->sl, SIM_C_echo_ok);
}

static void
sim_answer_v4(struct sim *s, struct sim_nat *n, const struct hw_packet *pkt)
{
	struct ippkt4 ip;
	const char *why;
	uint32_t j;

	if (!ippkt_parse4(pkt->ip.p, pkt->ip.len, &ip)) {
		sim_bad(s, n, "returned IPv4 packet does not parse", 0);
		return;
	}
	if (s->phase == PH_LOOKUP || s->phase == PH_ADOPTED) {
		sim_bad(s, n, "lookup of a mapped port came back without an entry (entry lost)",
		    ip.dport);
		return;
	}
	if (s->phase == PH_ICMP4) {
		uint8_t s4[4], d4[4];

		be32_store(s4, n->addr);
		be32_store(d4, s->o.server);
		if (sim_check_blob(&pkt->token, n->id.token, SIM_MAC_LEN, "x") != NULL ||
		    ip.proto != IPPKT_PROTO_ICMP || memcmp(ip.src, s4, 4) != 0 ||
		    memcmp(ip.dst, d4, 4) != 0 || ip.l4_len < 8 + 20) {
			sim_bad(s, n, "icmp4: answer is not [token][ICMP from the NAT64 to the sender]", 0);
			return;
		}
		if (ip.l4[0] != 3 || ip.l4[1] != 2) {
			sim_bad(s, n, "icmp4: not destination unreachable / protocol unreachable (3/2)", 0);
			return;
		}
		j = be16_load(ip.l4 + 8 + 4);	/* quoted IP ID */
		if (ip.l4[8 + 9] != 47 || j >= s->n_aux || j >= s->o.icmp4) {
			sim_bad(s, n, "icmp4: the ICMP error does not quote our packet", 0);
			return;
		}
		sim_answered(s, &n->aux[j].sl, SIM_C_icmp_errors);
		return;
	}
	if (s->phase != PH_MISS) {
		s->k.c[SIM_C_unexpected]++;
		return;
	}
	if ((why = sim_check_returned(pkt, &n->id, n->addr, ip.dport)) != NULL) {
		sim_bad(s, n, why, ip.dport);
		return;
	}
	for (j = 0; j < s->o.misses && j < s->n_aux; j++) {
		if (n->aux[j].key == ip.dport && n->aux[j].sl.pending) {
			sim_answered(s, &n->aux[j].sl, SIM_C_returned);
			return;
		}
	}
	s->k.c[SIM_C_dup]++;
}

/* --echo-target: the reply is our own request; match it, count it. */
static void
sim_answer_echoed(struct sim *s, struct sim_nat *n, const uint8_t *p, size_t len)
{
	struct hw_packet pkt;
	struct ippkt6 ip6;
	struct ippkt4 ip4;
	int64_t f = -1;

	if (hw_parse(p, len, &pkt) != HW_OK) {
		sim_bad(s, n, "echo target: reply does not parse", 0);
		return;
	}
	if (pkt.ip_version == 6 && ippkt_parse6(pkt.ip.p, pkt.ip.len, &ip6))
		f = sim_flow_of(s, n, SIM_KIND_FLOW, ip6.src, ip6.sport);
	else if (pkt.ip_version == 4 && ippkt_parse4(pkt.ip.p, pkt.ip.len, &ip4) &&
	    n->port_flow != NULL && n->port_flow[ip4.dport] != 0)
		f = n->port_flow[ip4.dport] - 1;
	if (f < 0 || (uint64_t)f >= s->n_flows || !n->flows[f].sl.pending) {
		s->k.c[SIM_C_dup]++;
		return;
	}
	if (s->phase == PH_NEW && n->flows[f].port == 0) {
		sim_set_port(n, (uint32_t)f, (uint16_t)(1024 + f % 64000));
		s->k.c[SIM_C_entries]++;
	}
	sim_answered(s, &n->flows[f].sl, s->phase == PH_LOOKUP ? SIM_C_lookups_ok : SIM_C__COUNT);
}

static void
sim_rx_control(void *arg, const uint8_t *p, size_t len, uint32_t from, uint16_t from_port)
{
	struct sim_nat *n = arg;
	struct sim *s = n->s;
	struct hw_packet pkt;
	const char *why;

	if (from != s->o.server || from_port != s->o.port) {
		sim_bad(s, n, "answer from the wrong address or port", from_port);
		return;
	}
	if (s->o.echo_target) {
		sim_answer_echoed(s, n, p, len);
		return;
	}
	if (s->phase == PH_GARBAGE) {
		sim_bad(s, n, "answer while only malformed packets were sent", 0);
		return;
	}
	if (s->phase == PH_FUZZ) {
		s->k.c[SIM_C_unexpected]++;
		return;
	}
	switch (sim_classify(p, len, &pkt, &why)) {
	case SIM_A_ENTRY:
		sim_answer_entry(s, n, &pkt);
		break;
	case SIM_A_V6:
		sim_answer_v6(s, n, &pkt);
		break;
	case SIM_A_V4:
		sim_answer_v4(s, n, &pkt);
		break;
	default:
		sim_bad(s, n, why ? why : "unparseable answer", 0);
		break;
	}
}

static void
sim_rx_port9(void *arg, const uint8_t *p, size_t len, uint32_t from, uint16_t from_port)
{
	struct sim_nat *n = arg;
	struct sim *s = n->s;
	static const uint8_t zero[16];
	uint8_t auth[SIM_MAC_LEN];
	struct hw_packet pkt;
	struct ippkt6 ip;
	const char *why;
	size_t blen;

	s->k.c[SIM_C_port9]++;
	if (s->phase == PH_FUZZ)
		return;	/* mutated tokens: not ours to bounce */
	if (from != s->o.server || from_port != s->o.port) {
		s->k.c[SIM_C_bad_validation]++;
		sim_bad(s, n, "port-9 packet not from the server's handoff port", from_port);
		return;
	}
	if ((why = sim_check_validation(p, len, NULL, 0)) != NULL) {
		s->k.c[SIM_C_bad_validation]++;
		sim_bad(s, n, why, 9);
		return;
	}
	/* The authenticator is the triggering packet's: ours for the
	 * client in the IPv6 source, or empty when the source is ::. */
	hw_parse(p, len, &pkt);
	ippkt_parse6(pkt.ip.p, pkt.ip.len, &ip);
	if (memcmp(ip.src, zero, 16) == 0) {
		if (pkt.auth.len != 0) {
			s->k.c[SIM_C_bad_validation]++;
			sim_bad(s, n, "validation: source :: but an authenticator", 9);
			return;
		}
	} else {
		sim_auth(&n->id, s->o.server, ip.src, auth);
		if (sim_check_blob(&pkt.auth, auth, SIM_MAC_LEN, "x") != NULL) {
			s->k.c[SIM_C_bad_validation]++;
			sim_bad(s, n, "validation: authenticator is not the source client's", 9);
			return;
		}
	}
	blen = sim_build_bounce(s->pkt, sizeof(s->pkt), &n->id, s->o.server, from_port, n->addr,
	    p, len);
	if (blen == 0) {
		s->k.c[SIM_C_bad_validation]++;
		sim_bad(s, n, "validation packet too big to bounce", 9);
		return;
	}
	sim_io_queue(s->io, n->fd, s->pkt, blen);
	n->validated = true;
	s->k.c[SIM_C_validations]++;
	/* Resend the pending first packet right behind the bounce. */
	if (s->phase == PH_PROBE && n->flows[n->probe_flow].sl.pending && !s->stopped)
		n->resend_probe = true;
}

static void
sim_fd_cb(int fd, uint32_t events, void *arg, const struct clk_now *now)
{
	struct sim_nat *n = arg;
	struct sim *s = n->s;
	int i, r;

	(void)events;
	for (i = 0; i < 16; i++) {
		r = sim_io_recv(fd, fd == n->fd ? sim_rx_control : sim_rx_port9, n);
		if (r < SIM_BATCH)
			break;
	}
	if (n->resend_probe) {
		n->resend_probe = false;
		s->k.c[SIM_C_retries]++;
		sim_send_item(s, n, n->probe_flow, (uint8_t)(n->flows[n->probe_flow].sl.tries + 1), now);
	}
	if (s->rec != NULL)
		fflush(s->rec);
	sim_pump(s, now);
}

static int64_t
sim_tick(void *arg, const struct clk_now *now)
{
	struct sim *s = arg;

	sim_pump(s, now);
	if (s->done) {
		s->tick = NULL;
		return -1;
	}
	return 1;
}

/* ---- setup ---- */

static int
sim_load_verify(struct sim *s, char *err, size_t errlen)
{
	int fd = rf_open(s->o.verify_path, 0, err, errlen);
	FILE *f = fd == -1 ? NULL : fdopen(fd, "r");
	struct sim_record r;
	char line[256];
	unsigned lineno = 0;

	if (f == NULL) {
		if (fd != -1) {
			snprintf(err, errlen, "%s: %s", s->o.verify_path, strerror(errno));
			close(fd);
		}
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		uint64_t ni;
		int64_t fl;

		lineno++;
		if (sim_record_parse(line, &r) == -1) {
			snprintf(err, errlen, "%s:%u: bad record", s->o.verify_path, lineno);
			fclose(f);
			return -1;
		}
		ni = (uint64_t)r.nat64 - s->o.nat64_base;
		if (r.nat64 < s->o.nat64_base || ni >= s->o.n_nat64)
			continue;	/* another NAT64's */
		fl = sim_flow_of(s, &s->nat[ni], SIM_KIND_FLOW, r.client, r.cport);
		if (fl < 0 || (uint64_t)fl >= s->n_flows)
			continue;
		if (s->nat[ni].flows[fl].port == 0 && s->nat[ni].probe_flow == 0 &&
		    s->nat[ni].flows[0].port == 0)
			s->nat[ni].probe_flow = (uint32_t)fl;
		if (s->nat[ni].flows[fl].port == 0 || s->nat[ni].flows[fl].port != r.port) {
			/* the last record for a flow wins (eviction may move ports) */
			sim_set_port(&s->nat[ni], (uint32_t)fl, r.port);
		}
	}
	fclose(f);
	return 0;
}

struct sim *
sim_create(const struct sim_opts *o, struct ev_loop *loop, const struct clk_now *now,
    char *err, size_t errlen)
{
	struct sim *s = xcalloc(1, sizeof(*s));
	unsigned i;

	s->o = *o;
	s->loop = loop;
	s->raw = -1;
	s->n_flows = o->clients * o->conns;
	s->n_aux = SIM_G__COUNT;
	if (o->misses > s->n_aux) s->n_aux = o->misses;
	if (o->echo > s->n_aux) s->n_aux = o->echo;
	if (o->adopt + o->adopt_multi > s->n_aux) s->n_aux = o->adopt + o->adopt_multi;
	if (o->icmp4 > s->n_aux) s->n_aux = o->icmp4;
	s->io = sim_io_create(err, errlen);
	s->nat = xcalloc(o->n_nat64, sizeof(*s->nat));
	for (i = 0; i < o->n_nat64; i++) {
		struct sim_nat *n = &s->nat[i];

		n->s = s;
		n->addr = o->nat64_base + i;
		n->fd = n->fd9 = -1;
		sim_ident_init(&n->id, o->seed, n->addr, o->server);
		if (o->rotate) {
			struct sim_ident old;

			sim_ident_init(&old, o->rotate_from, n->addr, o->server);
			memcpy(n->id.rot, old.token, SIM_MAC_LEN);
			n->id.has_rot = true;
		}
		n->flows = xcalloc(s->n_flows ? s->n_flows : 1, sizeof(*n->flows));
		n->aux = xcalloc(s->n_aux, sizeof(*n->aux));
		sim_client_addr(SIM_KIND_FLOW, n->addr, o->client_base, n->client0);
	}
	if (o->forge) {
		if ((s->raw = sim_io_raw(err, errlen)) == -1)
			goto fail;
	} else {
		for (i = 0; i < o->n_nat64; i++) {
			struct sim_nat *n = &s->nat[i];

			n->fd = sim_io_control(n->addr, o->control_port, o->server, o->port,
			    &n->cport, err, errlen);
			if (n->fd == -1 || ev_fd_add(loop, n->fd, EPOLLIN, sim_fd_cb, n) == -1)
				goto fail;
			if (o->no_port9 || o->echo_target)
				continue;
			n->fd9 = sim_io_port9(n->addr, err, errlen);
			if (n->fd9 == -1 || ev_fd_add(loop, n->fd9, EPOLLIN, sim_fd_cb, n) == -1)
				goto fail;
		}
	}
	if (o->verify_path[0] && sim_load_verify(s, err, errlen) == -1)
		goto fail;
	if (o->record_path[0] && (s->rec = fopen(o->record_path, "a")) == NULL) {
		snprintf(err, errlen, "%s: %s", o->record_path, strerror(errno));
		goto fail;
	}
	s->start_ms = now->mono_ms;
	s->phase = (enum sim_phase)-1;
	s->phase_start_ms = now->mono_ms;
	s->o.phase_lines = false;	/* no line for the pseudo phase */
	sim_next_phase(s, now);
	s->o.phase_lines = o->phase_lines;
	s->tick = ev_timer_add(loop, now, 0, sim_tick, s);
	return s;
fail:
	sim_destroy(s);
	return NULL;
}

bool
sim_done(const struct sim *s)
{
	return s->done;
}

void
sim_stop(struct sim *s, const struct clk_now *now)
{
	s->stopped = true;
	s->settle_until = now->mono_ms;
	sim_pump(s, now);
}

const struct sim_counters *
sim_counters(const struct sim *s)
{
	return &s->k;
}

void
sim_destroy(struct sim *s)
{
	unsigned i;

	if (s == NULL)
		return;
	if (s->tick != NULL)
		ev_timer_del(s->loop, s->tick);
	for (i = 0; i < s->o.n_nat64; i++) {
		struct sim_nat *n = &s->nat[i];

		if (n->fd != -1) {
			ev_fd_del(s->loop, n->fd);
			close(n->fd);
		}
		if (n->fd9 != -1) {
			ev_fd_del(s->loop, n->fd9);
			close(n->fd9);
		}
		free(n->flows);
		free(n->port_flow);
		free(n->aux);
		free(n->adopted);
	}
	free(s->nat);
	if (s->raw != -1)
		close(s->raw);
	if (s->rec != NULL)
		fclose(s->rec);
	sim_io_destroy(s->io);
	free(s->tq);
	free(s);
}
