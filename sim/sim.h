/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* sim.h — handoff-sim: plays one or many handoff-capable NAT64s against a
 * nat64-handoffd over real UDP and checks every answer (draft §6, §9,
 * docs/protocol-decisions.txt).
 *
 * Concerns, one file each:
 *   opts.c     command line -> struct sim_opts, expectations
 *   ident.c    keys, tokens, authenticators, synthetic client addresses
 *   build.c    control packets the NAT64 sends (requests, entries, bounce,
 *              malformed ones)
 *   check.c    verdicts on what the server sends back (pure functions)
 *   record.c   the record file of entries the server answered
 *   engine.c   phases, outstanding requests, retries, timeouts, counters
 *   io.c       sockets, sendmmsg/recvmmsg batching, the raw forging socket
 *   summary.c  counters, summary line, expectation evaluation
 * Every public name starts with sim_.
 */
#ifndef NK_SIM_H
#define NK_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clock.h"
#include "conf.h"
#include "handoff_wire.h"

#define SIM_MAC_LEN		16
#define SIM_MAX_NAT64		4096
#define SIM_MAX_EXPECT		32
#define SIM_BATCH		64
#define SIM_PKT_MAX		2048	/* largest control packet we send/accept */
#define SIM_CPORT_BASE		20000	/* client port of connection 0 */
#define SIM_MAX_CONNS		40000
#define SIM_KIND_FLOW		0	/* client address kinds (see ident.c) */
#define SIM_KIND_ADOPT		1

/* ---- counters (summary.c) ---- */
#define SIM_COUNTERS(X) \
	X(sent) X(answers_ok) X(bad) X(validations) X(timeouts) X(entries) \
	X(retries) X(port9) X(bad_validation) X(unvalidated_answers) X(dup) \
	X(lookups_ok) X(returned) X(echo_ok) X(adopted) X(garbage_dropped) \
	X(forged) X(unexpected) X(icmp_errors) X(hints_honored)

enum sim_counter {
#define SIM_CENUM(n) SIM_C_##n,
	SIM_COUNTERS(SIM_CENUM)
#undef SIM_CENUM
	SIM_C__COUNT
};

enum sim_cmp { SIM_EQ, SIM_GE, SIM_LE, SIM_GT, SIM_LT };

struct sim_expect {
	enum sim_counter c;
	enum sim_cmp cmp;
	uint64_t v;
};

struct sim_counters {
	uint64_t c[SIM_C__COUNT];
};

/* "name=N", "name>=N", ... Returns 0 or -1 with a message in err. */
int  sim_expect_parse(const char *s, struct sim_expect *out, char *err, size_t errlen);
/* Evaluate expectations; the defaults bad=0 and timeouts=0 apply unless an
 * expectation names that counter. Writes one line per failure to f (may be
 * NULL). Returns the number of failures. */
int  sim_expect_eval(const struct sim_counters *k, const struct sim_expect *e, int n, FILE *f);
/* "SUMMARY sent=N answers_ok=N ..." (no newline) into buf. */
void sim_summary_line(const struct sim_counters *k, char *buf, size_t len);

/* ---- options (opts.c) ---- */
struct sim_opts {
	uint32_t server;		/* host order */
	uint16_t port;			/* server handoff port */
	uint32_t nat64_base;		/* first NAT64 address (host order) */
	unsigned n_nat64;
	uint32_t clients;		/* clients per NAT64 */
	uint32_t client_base;		/* index of the first client */
	uint32_t conns;			/* connections (client ports) per client */
	uint16_t control_port;		/* 0: ephemeral */
	uint8_t prefix[12];		/* NAT64 /96 prefix */
	unsigned window;		/* outstanding requests, all NAT64s */
	uint64_t rate;			/* requests per second, 0 = unlimited */
	uint64_t duration_ms;		/* hard bound on the run */
	uint64_t count;			/* max requests sent, 0 = unlimited */
	uint64_t timeout_ms;		/* per request */
	unsigned retries;		/* resends of a request after a timeout */
	unsigned probe_retries;		/* resends of the first packet */
	bool probe;			/* validation phase (default on) */
	bool do_new, repeat, lookups;
	unsigned misses;		/* IPv4 packets to unused ports, per NAT64 */
	unsigned echo;			/* ICMPv6 echo requests per NAT64 */
	unsigned adopt;			/* NAT64-generated entries per NAT64 (singles) */
	unsigned adopt_multi;		/* ... sent in §7 multi-entry packets */
	bool garbage;			/* malformed packets (each must be dropped) */
	bool adopt_conflict;		/* adopted entries take our flows' ports */
	bool adopt_move;		/* adopted entries move our flows to new ports */
	unsigned icmp4;			/* IPv4 non-TCP/UDP packets: ICMP 3/2 expected */
	unsigned fuzz;			/* randomly mutated requests */
	bool rotate;			/* token rotation from rotate_from's key */
	uint64_t rotate_from;
	uint32_t hint_base;		/* mapped port hint = base + flow, 0 = none */
	bool forge;			/* spoofed source, raw socket, no bounce */
	bool echo_target;		/* target is a plain UDP echo: count replies */
	bool udp_only, tcp_only;
	bool no_port9;			/* do not listen on port 9 */
	char record_path[1024];		/* "" = none */
	char verify_path[1024];		/* "" = none */
	uint64_t seed;
	struct sim_expect expect[SIM_MAX_EXPECT];
	int n_expect;
	int verbose;
	bool quiet;
	bool phase_lines;		/* print a PHASE line per phase */
};

extern const struct conf_table sim_opts_table;
void sim_opts_defaults(struct sim_opts *o);
/* Parse argv. Returns 0 ok, 1 for --help or --version (printed to out),
 * -1 error (message in err). */
int  sim_opts_parse(struct sim_opts *o, int argc, char **argv, FILE *out, char *err, size_t errlen);

/* ---- identities (ident.c) ---- */
struct sim_ident {
	uint8_t key[32];
	uint8_t token[SIM_MAC_LEN];
	bool has_rot;			/* send a token rotation (type 5) too */
	uint8_t rot[SIM_MAC_LEN];	/* the previous key's token */
};

/* Deterministic per-NAT64 key from seed and its address (so a second run
 * presents the same token), and the token = MAC(server IPv4). */
void sim_ident_init(struct sim_ident *id, uint64_t seed, uint32_t nat64, uint32_t server);
/* Authenticator = MAC(server IPv4 || client IPv6). */
void sim_auth(const struct sim_ident *id, uint32_t server, const uint8_t client[16],
    uint8_t out[SIM_MAC_LEN]);
/* 2001:db8:KIND:NAT::CLIENT (NAT = low 16 bits of the NAT64 address). */
void sim_client_addr(unsigned kind, uint32_t nat64, uint32_t client, uint8_t out[16]);
/* Inverse; false if a is not one of ours. */
bool sim_client_decode(const uint8_t a[16], unsigned *kind, uint16_t *nat_lo, uint32_t *client);
/* prefix (12) + IPv4 -> IPv6 (RFC 6052 /96). */
void sim_embed(const uint8_t prefix[12], uint32_t v4, uint8_t out[16]);

/* ---- building (build.c) ---- */
struct sim_req6 {
	const uint8_t *prefix;		/* 12 */
	uint32_t server;
	uint8_t client[16];
	uint16_t cport;
	uint16_t sport;			/* server port the client connects to */
	bool tcp;
	uint32_t seq;
	uint16_t hint;			/* 0: none */
};

/* [token][auth][hint?][IPv6 TCP SYN or UDP]. Returns length or 0. */
size_t sim_build_v6(uint8_t *out, size_t cap, const struct sim_ident *id,
    const struct sim_req6 *r);
/* [token][auth][IPv6 ICMPv6 echo request]. */
size_t sim_build_echo(uint8_t *out, size_t cap, const struct sim_ident *id,
    const uint8_t prefix[12], uint32_t server, const uint8_t client[16],
    uint16_t echo_id, uint16_t echo_seq);
/* [token][IPv4 UDP (or TCP) from server:sport to nat64:port]. */
size_t sim_build_v4(uint8_t *out, size_t cap, const struct sim_ident *id, uint32_t server,
    uint32_t nat64, uint16_t sport, uint16_t port, bool tcp);
/* [ident][token][auth][entry]. */
size_t sim_build_entry(uint8_t *out, size_t cap, const struct sim_ident *id, uint32_t server,
    const struct hw_entry *e);
/* §7: [ident][token] then per distinct client [auth][entries...]; entries
 * must be sorted by client. Uses as many as fit in 1232 octets; returns the
 * length and sets *used. */
size_t sim_build_multi(uint8_t *out, size_t cap, const struct sim_ident *id, uint32_t server,
    const struct hw_entry *e, size_t n, size_t *used);
/* The bounce: [token][IPv4 UDP server:sport -> nat64:9 carrying payload]. */
size_t sim_build_bounce(uint8_t *out, size_t cap, const struct sim_ident *id, uint32_t server,
    uint16_t sport, uint32_t nat64, const uint8_t *payload, size_t len);

/* Malformed control packets, each of which the server must drop. */
enum sim_garbage {
	SIM_G_EMPTY, SIM_G_TRUNC_MSG, SIM_G_TRUNC_IP, SIM_G_OVERSIZED_LEN, SIM_G_DUP_TOKEN,
	SIM_G_DUP_AUTH_NOENTRY, SIM_G_FORMAT5, SIM_G_FORMAT0, SIM_G_BAD_IDENT,
	SIM_G_ENTRY_BADLEN, SIM_G_MULTI_TOO_BIG, SIM_G_NO_TOKEN, SIM_G_V6_NO_AUTH, SIM_G_HUGE,
	SIM_G_ENTRY_NO_IDENT,
	/* well-framed, refused by the server's rules (decisions) */
	SIM_G_WIRE_COUNT,
	SIM_G_WRONG_DST = SIM_G_WIRE_COUNT,	/* IPv6 to prefix + another IPv4 */
	SIM_G_V6_OTHER_PROTO,			/* IPv6 next header 47 */
	SIM_G_ENTRY_DISCARD,			/* adopted entry on port 9 (§9) */
	SIM_G_ENTRY_TEREDO,			/* adopted entry on 3544 */
	SIM_G_ENTRY_HANDOFF,			/* adopted entry on the default handoff port */
	SIM_G__COUNT
};
const char *sim_garbage_name(enum sim_garbage g);
/* Build garbage g; client/prefix provide plausible contents. */
size_t sim_build_garbage(uint8_t *out, size_t cap, enum sim_garbage g, const struct sim_ident *id,
    const uint8_t prefix[12], uint32_t server, uint32_t nat64, const uint8_t client[16]);

/* ---- checking (check.c) ---- */
/* What the server sent, by §6 pattern. */
enum sim_ans {
	SIM_A_BAD,		/* does not parse or matches no §6 pattern */
	SIM_A_ENTRY,		/* [auth][entry][ip?] */
	SIM_A_V6,		/* [auth][IPv6] (echo reply) */
	SIM_A_V4,		/* [token][IPv4] (returned / ICMP error) */
};
enum sim_ans sim_classify(const uint8_t *p, size_t len, struct hw_packet *pkt, const char **why);
/* The entry's port is allowed (1024-65535, not 3544, not the handoff port,
 * not the control port), its prefix is ours. NULL if fine, else a reason. */
const char *sim_check_entry(const struct hw_entry *e, const uint8_t prefix[12],
    uint16_t handoff_port, uint16_t control_port);
const char *sim_check_blob(const struct hw_blob *b, const uint8_t *want, size_t want_len,
    const char *what);
/* The embedded IPv6 packet of an entry answer is the request we sent. */
const char *sim_check_v6_echoed(const struct hw_packet *pkt, const uint8_t client[16],
    uint16_t cport);
/* Echo reply: src = prefix+server, dst = client, type 129, id/seq, checksum. */
const char *sim_check_echo_reply(const struct hw_packet *pkt, const uint8_t prefix[12],
    uint32_t server, const uint8_t client[16], uint16_t echo_id, uint16_t echo_seq);
/* The validation packet (port 9 payload, from the server): [auth][IPv6 nh
 * 59 src = client or ::, dst ::, payload 16-octet MAC]. want_auth may be
 * NULL (any). NULL if fine. */
const char *sim_check_validation(const uint8_t *p, size_t len, const uint8_t *want_auth,
    size_t want_auth_len);
/* A returned IPv4 packet [token][IPv4] carries our token and the packet we
 * sent to port; NULL if fine. */
const char *sim_check_returned(const struct hw_packet *pkt, const struct sim_ident *id,
    uint32_t nat64, uint16_t port);

/* ---- record file (record.c) ---- */
struct sim_record {
	uint32_t nat64;
	uint16_t port;
	uint8_t client[16];
	uint16_t cport;
};
/* "NAT64 PORT CLIENT CPORT" */
int  sim_record_format(const struct sim_record *r, char *buf, size_t len);
int  sim_record_parse(const char *line, struct sim_record *r);

/* ---- engine (engine.c) ---- */
struct sim;
struct ev_loop;
struct sim *sim_create(const struct sim_opts *o, struct ev_loop *loop, const struct clk_now *now,
    char *err, size_t errlen);
/* True once every phase is done or a bound was hit. */
bool sim_done(const struct sim *s);
/* Stop sending; what is outstanding counts as timed out. */
void sim_stop(struct sim *s, const struct clk_now *now);
const struct sim_counters *sim_counters(const struct sim *s);
void sim_destroy(struct sim *s);

/* ---- sockets (io.c) ---- */
struct sim_io;
struct sim_io *sim_io_create(char *err, size_t errlen);
/* Control socket on nat64:cport (0 = ephemeral), connected to server:port.
 * Returns the fd (and the bound port in *bound) or -1. */
int  sim_io_control(uint32_t nat64, uint16_t cport, uint32_t server, uint16_t port,
    uint16_t *bound, char *err, size_t errlen);
int  sim_io_port9(uint32_t nat64, char *err, size_t errlen);
/* Queue a datagram on a connected fd; flushed in batches with sendmmsg. */
void sim_io_queue(struct sim_io *io, int fd, const uint8_t *p, size_t len);
/* Send everything queued; returns datagrams sent. */
size_t sim_io_flush(struct sim_io *io);
/* Receive up to SIM_BATCH datagrams (recvmmsg); calls cb for each. */
typedef void sim_io_rx_cb(void *arg, const uint8_t *p, size_t len, uint32_t from,
    uint16_t from_port);
int  sim_io_recv(int fd, sim_io_rx_cb *cb, void *arg);
/* Raw socket for forged sources (root). */
int  sim_io_raw(char *err, size_t errlen);
int  sim_io_raw_send(int fd, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
    const uint8_t *payload, size_t len);
void sim_io_destroy(struct sim_io *io);

#endif
