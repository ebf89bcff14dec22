/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_state.h — RFC 6146 state: the Binding Information Base (bib.c) and the
 * session table with its TCP state machine and timers (session.c).
 *
 * A BIB entry maps (proto, IPv6 address, port-or-ICMP-id) <-> (proto,
 * pool IPv4 address, port). Mapping and filtering are endpoint-independent:
 * one BIB entry per IPv6 transport address whatever the destination, and
 * any IPv4 peer may reach it once it exists. A session is one BIB entry
 * used with one IPv4 peer (address, port); sessions carry the timers and
 * the TCP state. Everything is bounded (max-bib, max-sessions) and counted.
 *
 * A BIB entry has an owner: ND_OWN_LOCAL (allocated here; it goes with its
 * last session) or ND_OWN_STATIC (bib-static, nd_state_set_static(): never
 * expired, evicted or refused for a full table; max-bib counts them).
 * Entries that handoff servers allocate are not BIB entries: they
 * live in the handoff cache (nd_handoff.h, hocache.c), keyed per server.
 * For handoff, the sessions of a local entry are its "used with server X"
 * records (nd_bib_used_with()), and the allocator can be told to avoid
 * the ports of a handoff cache (reserved) and to give an endpoint one port
 * for TCP and UDP.
 *
 * The BIB and session hash tables are their own, not lib/htab: they chain
 * through the records' own pointers (8 octets a link, no stored hash) and
 * are looked up for every translated packet (bench/nat64d_path.sh). A
 * lookup costs what a lib/htab lookup of the same key costs.
 *
 * Time is always the caller's `now`; nothing here reads a clock or logs.
 */
#ifndef ND_STATE_H
#define ND_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"

enum nd_owner { ND_OWN_LOCAL = 0, ND_OWN_STATIC = 1 };

/* Timeout classes, one expiry list each (a class has one timeout, so each
 * list stays sorted by touching = moving to the tail). */
enum nd_tclass { ND_TC_UDP, ND_TC_ICMP, ND_TC_TCP_EST, ND_TC_TCP_TRANS, ND_TC_TCP_SYN, ND_TC_N };

/* RFC 6146 §3.5.2 TCP states. */
enum nd_tcp_state {
	ND_TCP_CLOSED = 0, ND_TCP_V6_INIT, ND_TCP_V4_INIT, ND_TCP_ESTABLISHED,
	ND_TCP_V4_FIN_RCV, ND_TCP_V6_FIN_RCV, ND_TCP_V4_FIN_V6_FIN_RCV, ND_TCP_TRANS,
};

#define ND_TCPF_FIN	0x01
#define ND_TCPF_SYN	0x02
#define ND_TCPF_RST	0x04


struct nd_session;
struct nd_hocache;
struct nd_quota;
struct nd_qrec;

struct nd_bib {
	struct nd_bib *next6, *next4;	/* hash chains */
	uint8_t v6[16];
	uint32_t v4;			/* host order */
	uint16_t port6, port4;
	uint8_t proto;			/* 6, 17, or 1 for ICMP queries (ids) */
	uint8_t owner;			/* enum nd_owner */
	bool logged;			/* its Created line is written */
	bool retired;			/* a removed static entry: keeps its sessions, takes no new one from IPv4 */
	uint32_t n_sessions;
	struct nd_session *sessions;	/* this entry's peers */
	struct nd_qrec *q;		/* the client it is charged to (nd_quota.h) */
	uint64_t created_ms;		/* monotonic; 0 if inserted without a time */
};

#define ND_SESS_FROM4	0x01	/* opened by an IPv4 peer (nd_quota.h) */

struct nd_session {
	struct nd_session *hnext;	/* session hash chain */
	struct nd_session *bnext, **bprev;	/* the BIB entry's list */
	struct nd_session *lprev, *lnext;	/* expiry list of its class */
	struct nd_bib *bib;
	uint32_t raddr;			/* IPv4 peer (host order) */
	uint16_t rport;			/* peer port; 0 for ICMP */
	uint8_t tcp_state;
	uint8_t tclass;
	uint8_t flags;			/* ND_SESS_* */
	uint8_t pfx;			/* index of the prefix the IPv6 side used */
	uint64_t expires_ms;
};

struct nd_state_params {
	const uint32_t *pool4;
	int n_pool4;
	uint16_t port_min, port_max;
	uint64_t timeout_ms[ND_TC_N];
	uint32_t max_bib, max_sessions;
	uint16_t reserved_port;		/* never allocated (handoff control port); 0 none */
};

struct nd_state_counters {
	uint64_t bib_created, bib_deleted, sess_created, sess_expired;
	uint64_t bib_full, sess_full, ports_exhausted;
	uint64_t static_added, static_removed, static_replaced;
};

/* Called for every local BIB entry created or deleted (mapping log): the
 * Created call comes when its first session is committed, so an entry
 * refused on the way (a full session table) is never logged; an entry
 * that stops being static is "created" as a local one then, one that
 * becomes static "deleted". */
typedef void nd_bib_event_fn(void *arg, const struct nd_bib *b, bool created,
    const struct clk_now *now);

struct nd_state {
	struct nd_state_params p;
	uint32_t pool4[64];
	struct nd_bib **h6, **h4;
	uint32_t bmask;
	struct nd_session **hs;
	uint32_t smask;
	struct nd_session lists[ND_TC_N];	/* sentinels */
	uint32_t n_bib, n_sess, n_static;
	uint8_t hkey[16];
	struct nd_state_counters c;
	nd_bib_event_fn *on_bib;
	void *on_bib_arg;
	/* Handoff: ports the allocator must not hand out (held by a server's
	 * cached entry), and one port per client endpoint across TCP and UDP
	 * (a handoff entry has no protocol, draft §4). */
	const struct nd_hocache *reserved;
	bool joint_ports;
	/* Per-client accounting: local entries and their sessions are charged
	 * to their client's record (NULL: none). */
	struct nd_quota *quota;
};

/* bib.c */
void nd_state_init(struct nd_state *st, const struct nd_state_params *p);
/* New timeouts/limits (reload); pool and port range must not change. */
void nd_state_set_params(struct nd_state *st, const struct nd_state_params *p);
/* Handoff: the ports of `reserved` are never allocated; joint_ports gives
 * a client endpoint one port for TCP and UDP. */
void nd_state_reserve(struct nd_state *st, const struct nd_hocache *reserved, bool joint_ports);
void nd_state_free(struct nd_state *st);
bool nd_state_is_pool4(const struct nd_state *st, uint32_t a);
struct nd_bib *nd_bib_find6(const struct nd_state *st, uint8_t proto, const uint8_t v6[16], uint16_t port6);
struct nd_bib *nd_bib_find4(const struct nd_state *st, uint8_t proto, uint32_t v4, uint16_t port4);
/* Allocate a local entry (paired address, RFC 6056 random port). NULL when
 * the table is full or no port is free (counted). */
struct nd_bib *nd_bib_create(struct nd_state *st, uint8_t proto, const uint8_t v6[16],
    uint16_t port6, const struct clk_now *now);
/* Insert an entry with a given IPv4 side. */
struct nd_bib *nd_bib_insert(struct nd_state *st, uint8_t proto, const uint8_t v6[16],
    uint16_t port6, uint32_t v4, uint16_t port4, uint8_t owner, const struct clk_now *now);
void nd_bib_delete(struct nd_state *st, struct nd_bib *b, const struct clk_now *now);
/* "tcp [2001:db8::1]:40000 198.51.100.1:2048" for diagnostics; returns buf. */
char *nd_bib_fmt(const struct nd_bib *b, char *buf, size_t len);
/* Make the static entries those of list[n] (bib-static): entries no
 * longer listed become local ones marked retired, kept while they have
 * sessions (so connections through them go on; no new session from the
 * IPv4 side) and deleted with their last; new ones are inserted,
 * replacing any other entry that holds either of their transport
 * addresses (its sessions end), or taking over an entry that is the same
 * mapping (its sessions go on). Returns the entries added. */
struct nd_static;
unsigned nd_state_set_static(struct nd_state *st, const struct nd_static *list, int n,
    const struct clk_now *now);
/* The pool address paired with an IPv6 host (the one nd_bib_create tries first). */
uint32_t nd_state_pool_for(const struct nd_state *st, const uint8_t v6[16]);
/* Every BIB entry: nd_bib_iter_init, then nd_bib_next until NULL (no
 * entry may be deleted meanwhile). */
struct nd_bib_iter {
	uint32_t bucket;
	const struct nd_bib *next;
};
void nd_bib_iter_init(struct nd_bib_iter *it);
const struct nd_bib *nd_bib_next(const struct nd_state *st, struct nd_bib_iter *it);
uint32_t nd_state_hash(const struct nd_state *st, const void *p, size_t n);
/* A walk that can stop and resume while the table changes (the control
 * socket): bucket i's entries (follow next6; NULL if empty), for i below
 * nd_bib_buckets(). An entry never moves between buckets. */
uint32_t nd_bib_buckets(const struct nd_state *st);
const struct nd_bib *nd_bib_bucket(const struct nd_state *st, uint32_t i);
uint64_t nd_state_hash64(const struct nd_state *st, const void *p, size_t n);

/* session.c */
/* Has this local entry a session with this IPv4 peer (any port)? (§8 "used with") */
bool nd_bib_used_with(const struct nd_bib *b, uint32_t raddr);
/* Its session with this IPv4 peer (any port; the first), or NULL. */
const struct nd_session *nd_bib_session_with(const struct nd_bib *b, uint32_t raddr);
/* Its sessions: NULL starts, NULL ends. */
const struct nd_session *nd_bib_session_next(const struct nd_bib *b, const struct nd_session *s);
/* Delete its sessions with this IPv4 peer (a local entry goes with its
 * last one); returns how many. */
unsigned nd_bib_forget_peer(struct nd_state *st, struct nd_bib *b, uint32_t raddr,
    const struct clk_now *now);
struct nd_session *nd_session_find(const struct nd_state *st, const struct nd_bib *b,
    uint32_t raddr, uint16_t rport);
struct nd_session *nd_session_create(struct nd_state *st, struct nd_bib *b,
    uint32_t raddr, uint16_t rport, bool from4, const struct clk_now *now);
void nd_session_delete(struct nd_state *st, struct nd_session *s, const struct clk_now *now);
/* Refresh the timer of a UDP/ICMP session. */
void nd_session_touch(struct nd_state *st, struct nd_session *s, const struct clk_now *now);
/* TCP: run the state machine for a segment seen from the IPv6 (from6) or
 * IPv4 side with flags ND_TCPF_*; refreshes the timer. */
void nd_session_tcp(struct nd_state *st, struct nd_session *s, bool from6, uint8_t flags,
    const struct clk_now *now);
/* Delete expired sessions (and BIB entries left without any). Returns the
 * number removed; *next_ms is the next deadline (UINT64_MAX if none). */
unsigned nd_state_expire(struct nd_state *st, const struct clk_now *now, uint64_t *next_ms);
const char *nd_tcp_state_name(int s);

#endif
