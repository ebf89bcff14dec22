/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_handoff.h — nat64d as the NAT64 side of NAT64 handoff
 * (draft-dupont-6man-nat64handoff-00 §4–§9; docs/PROTOCOL.md §9 has every
 * decision).
 *
 * Three concerns, three files:
 *  - hocache.c: the bounded, purgeable cache of entries that handoff
 *    servers allocated (server, NAT64 address, mapped port) <-> (client
 *    IPv6 address, client port). One entry covers TCP and UDP towards
 *    every port of that server (§4 type 7 has no protocol). Idle entries
 *    expire; the least recently used one makes room.
 *  - hostate.c: the NAT64's secrets — token keys (current + most recently
 *    expired, for type 5) and authenticator keys (several generations, so
 *    an authenticator a server stored with an idle connection stays valid)
 *    — and the servers known to speak the protocol, persisted in
 *    STATE-DIR/handoff.state (a strict text format; a bad file is set aside).
 *  - handoff.c and the ho*.c files behind nd_ho_int.h: the control
 *    channel — the per-server table (unknown, supported, down),
 *    classification of packets subject to NAT (§8), forwarding over the
 *    control channel with packets held while a server is asked,
 *    announcements of the NAT64's own entries, the port-9 bounce, probes,
 *    the §7 resend, and every server→NAT64 pattern of §6.
 *
 * The control channel runs over the TUN device like all traffic: nat64d
 * writes IPv4/UDP packets from (pool address, control port) to (server,
 * handoff port) and recognises the answers in the IPv4 path. No socket.
 * Time is always the caller's `now`; nothing here logs except through the
 * counters, which the status file shows.
 */
#ifndef ND_HANDOFF_H
#define ND_HANDOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>

#include "clock.h"
#include "handoff_wire.h"
#include "nd_hocache.h"
#include "nd_xlat.h"
#include "htab.h"
#include "tbucket.h"

struct nd_gw;
struct nd_bib;
struct nd_pkt;

/* ------------------------------------------------------------ hostate.c */

#define ND_HO_KEYLEN		32
#define ND_HO_MACLEN		16
#define ND_HO_AUTH_KEYS		4	/* authenticator key generations kept */
#define ND_HO_MAX_SERVERS	1024
#define ND_HO_STATE_MAX		(64 * 1024)

struct nd_hokeys {
	uint8_t tok[ND_HO_KEYLEN], tok_prev[ND_HO_KEYLEN];
	bool have_prev;
	int64_t tok_born;			/* wall-clock seconds */
	uint8_t auth[ND_HO_AUTH_KEYS][ND_HO_KEYLEN];	/* [0] newest */
	int n_auth;
	int64_t auth_born;
};

void nd_hokeys_fresh(struct nd_hokeys *k, int64_t wall);
/* Rotate what is due; returns true if anything changed. */
bool nd_hokeys_rotate(struct nd_hokeys *k, int64_t wall, int64_t tok_life, int64_t auth_life);
/* MACs (keyed BLAKE2b, ND_HO_MACLEN octets). */
void nd_ho_token(const uint8_t key[ND_HO_KEYLEN], uint32_t server, uint8_t out[ND_HO_MACLEN]);
void nd_ho_auth(const uint8_t key[ND_HO_KEYLEN], uint32_t server, const uint8_t client[16],
    uint8_t out[ND_HO_MACLEN]);
bool nd_hokeys_token_ok(const struct nd_hokeys *k, uint32_t server, const uint8_t *t, size_t len);
bool nd_hokeys_auth_ok(const struct nd_hokeys *k, uint32_t server, const uint8_t client[16],
    const uint8_t *a, size_t len);

/* The state file: keys and the servers known to support the protocol.
 * Parse: 0, or -1 with "line N: what" in err (nothing of k/servers kept). */
int nd_hostate_parse(const char *text, size_t len, struct nd_hokeys *k, uint32_t *servers,
    int max_servers, int *n_servers, char *err, size_t errlen);
size_t nd_hostate_format(const struct nd_hokeys *k, const uint32_t *servers, int n_servers,
    char *buf, size_t len);
/* Load PATH (absent: fresh keys, 0); a file that does not parse is renamed
 * to PATH.corrupt-<unix time>, fresh keys are drawn, and 1 is returned
 * with the reason in err. -1 only for I/O errors other than ENOENT. */
/* Is dir usable as the state directory (a directory, not shared,
 * writable)? 0, or -1 with "DIR: why". No side effects. */
int nd_hostate_dir_check(const char *dir, char *err, size_t errlen);
int nd_hostate_load(const char *path, int64_t wall, struct nd_hokeys *k, uint32_t *servers,
    int max_servers, int *n_servers, char *err, size_t errlen);
int nd_hostate_save(const char *path, const struct nd_hokeys *k, const uint32_t *servers,
    int n_servers, char *err, size_t errlen);

/* ------------------------------------ handoff.c, hoclass.c, hoctl.c */

#define ND_HO_COUNTERS(X)						\
	X(ctl_rx) X(ctl_tx) X(fwd6) X(fwd4) X(fwd_echo6) X(fwd_stub)	\
	X(cache_hit6) X(cache_hit4) X(entries_cached) X(announced)	\
	X(announce_limited) X(bounced) X(probes) X(probe_answers)	\
	X(resent_entries) X(returned) X(delivered4) X(delivered6)	\
	X(reinjected) X(held) X(released) X(hold_expired)		\
	X(server_down) X(server_up) X(ctl_icmp) X(icmp_via_cache)	\
	X(fwd_limited) X(state_saves) X(server_silent) X(stub_answers)	\
	X(drop_pend_full) X(own_sessions_displaced) X(drop_returned_held)	\
	X(drop_ctl_fragment) X(resend_queued) X(drop_resend_full)	\
	X(drop_wire) X(drop_bad_token) X(drop_bad_auth)			\
	X(drop_bad_entry) X(drop_bad_packet) X(drop_hold_full)		\
	X(drop_returned_loop) X(drop_ctl_csum) X(drop_state_save)	\
	X(fwd_icmp4) X(icmp_answers) X(drop_icmp_limited) X(bounce_answers)

struct nd_ho_counters {
#define ND_HO_X(n) uint64_t n;
	ND_HO_COUNTERS(ND_HO_X)
#undef ND_HO_X
};

#define ND_HS_SUPPORT	0x01	/* a valid control packet came from it */
#define ND_HS_DOWN	0x02	/* port unreachable for our control packet */

struct nd_hosrv {
	uint32_t addr;
	struct htab_node hn;		/* in nd_ho.srvs, by address */
	uint8_t flags;
	bool used;
	uint64_t last_ms;		/* last packet to or from it */
	uint64_t probe_ms, probe_iv;	/* next probe while down, back-off */
	uint32_t unanswered;		/* questions since the last valid packet */
	uint64_t asked_ms;		/* when the first of them was asked */
	struct tbucket bucket;		/* announcements/forwards while unconfirmed */
	struct tbucket icmp;		/* ICMPv4 errors forwarded or held for it */
	uint64_t rx, tx, announced, fwd, downs;
};

/* Returned by the classification hooks. */
enum nd_ho_verdict { ND_HO_PASS, ND_HO_CACHED, ND_HO_TAKEN };

struct nd_ho;

/* Called by nd_gw_new()/nd_gw_free() when `handoff yes`. */
struct nd_ho *nd_ho_new(struct nd_gw *gw, const struct clk_now *now, char *err, size_t errlen);
void nd_ho_free(struct nd_ho *ho);
void nd_ho_reconfig(struct nd_gw *gw);

/* §8 for a packet subject to NAT (first fragment or whole packet) as the
 * packet path parsed it (nd_path.h). CACHED: *e is the server entry to
 * translate with; TAKEN: forwarded, held or dropped; PASS: the standard
 * path (the NAT64's own entries). */
enum nd_ho_verdict nd_ho_in6(struct nd_gw *gw, struct nd_pkt *p, struct nd_hoent **e);
enum nd_ho_verdict nd_ho_in4(struct nd_gw *gw, struct nd_pkt *p, struct nd_hoent **e);
/* Is this IPv4 packet a control packet (UDP handoff port -> control port)? */
bool nd_ho_is_control(const struct nd_gw *gw, const struct nd_p4 *in, const uint8_t *l4,
    size_t l4len);
void nd_ho_control_in(struct nd_gw *gw, struct nd_pkt *p);
/* A standard-path local entry b was used with server for the first time:
 * tell the server (rate-limited). */
void nd_ho_announce(struct nd_gw *gw, const struct nd_bib *b, int pfx, uint32_t server,
    const struct clk_now *now);
/* §8 for an ICMPv4 error whose quoted TCP/UDP packet (inner, parsed; its
 * source port port4; not a fragment, and from the pool address the error
 * was sent to) matches no entry: forwarded over the control channel
 * to the server it was sent to, when that server speaks the protocol (or
 * held behind an open question of that port; rate-limited by
 * handoff-icmp-rate). The server answers [auth, entry, the error]; the
 * entry is cached and the error goes through again. true: taken
 * (forwarded, held or dropped and counted: an error for a supported
 * server that cannot go to it too); false: not for handoff (the server
 * does not speak it). */
bool nd_ho_icmp4(struct nd_gw *gw, struct nd_pkt *p, const struct nd_p4 *inner, uint16_t port4);
/* An ICMPv4 error quoting our control packet (inner parsed): dropped;
 * 3/3 from the server with our token marks it down. */
bool nd_ho_icmp_control(struct nd_gw *gw, uint32_t from, uint8_t type, uint8_t code,
    const struct nd_p4 *inner, const struct clk_now *now);
/* Timers: cache, holds, probes, key rotation, state file. Returns ms
 * until the next deadline (capped by the caller). */
int64_t nd_ho_tick(struct nd_gw *gw, const struct clk_now *now);
/* Save now if anything changed (clean shutdown). */
void nd_ho_flush_state(struct nd_gw *gw, const struct clk_now *now);
size_t nd_ho_status(const struct nd_gw *gw, char *buf, size_t len);
const struct nd_ho_counters *nd_ho_counters(const struct nd_gw *gw);
const struct nd_hosrv *nd_ho_server(const struct nd_gw *gw, uint32_t addr);
/* Every server: slots 0..ND_HO_MAX_SERVERS-1, NULL for an unused one (or
 * without handoff); counts[slot] = its cached entries. */
const struct nd_hosrv *nd_ho_server_slot(const struct nd_gw *gw, int i);
void nd_ho_cached_per_server(const struct nd_gw *gw, uint32_t counts[ND_HO_MAX_SERVERS]);
struct nd_hocache *nd_ho_cache(struct nd_gw *gw);

#endif
