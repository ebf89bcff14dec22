/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_nd_handoff.c — nat64d's side of NAT64 handoff, wired in-process to
 * nat64-handoffd's real server logic (handoffd/server.c with its channel
 * registry, journal, validation and audit modules on a temporary
 * directory). The "network" is a loop: what nat64d writes to its fake
 * device towards server:6464 goes to srv_handle(), what the server answers
 * goes back into nat64d as an IPv4/UDP packet, other IPv4 packets are
 * "delivered" to the server host and IPv6 packets to the client. Time is
 * a fake clock. Also: the state file parser, key rotation, the cache. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "atomicfile.h"
#include "ho_audit.h"
#include "ho_ban.h"
#include "ho_channel.h"
#include "cksum.h"
#include "handoff_wire.h"
#include "ippkt.h"
#include "nd_ho_int.h"
#include "nd_state.h"
#include "nd_testutil.h"
#include "ho_server.h"
#include "ho_validate.h"

#define CLIENT	"2001:db8:1::2"
#define SERVER6	"2001:db8:64::c000:202"	/* 2001:db8:64::192.0.2.2 */
#define SERVER4	"192.0.2.2"
#define SRVA	0xc0000202u
#define POOLA	0xc6336401u		/* 198.51.100.1 */
#define MAXQ	64

static uint8_t live_map[LIVE_BITMAP_BYTES];

static int
fake_live(void *arg, uint32_t local, uint32_t nat64, uint8_t bitmap[LIVE_BITMAP_BYTES])
{
	(void)arg;
	(void)local;
	(void)nat64;
	memcpy(bitmap, live_map, LIVE_BITMAP_BYTES);
	return 0;
}

struct pq {
	uint8_t p[MAXQ][2048];
	size_t len[MAXQ];
	int n;
};

struct net {
	char dir[64];
	struct t_gw t;
	struct srv_ctx s;
	uint8_t txbuf[SRV_TX_MAX];
	struct pq to_client, to_server;
	int ctl_to_server, ctl_to_nat64;
	bool server_up;			/* false: handoff port closed (ICMP 3/3) */
	bool server_silent;		/* control packets vanish (firewall, hung) */
	bool drop_probes;		/* nat64d's probes (server:9 -> pool:9) vanish */
};

static void
pq_add(struct pq *q, const uint8_t *p, size_t n)
{
	if (q->n < MAXQ && n <= sizeof(q->p[0])) {
		memcpy(q->p[q->n], p, n);
		q->len[q->n++] = n;
	}
}

static void
net_open_gw(struct net *n, const char *extra)
{
	char cfg[512], err[256];

	snprintf(cfg, sizeof(cfg), "handoff yes\nstate-dir %s/nd\nhandoff-cache-timeout 10s\n%s",
	    n->dir, extra ? extra : "");
	t_gw_open(&n->t, false, cfg);
	assert_non_null(nd_ho_new(n->t.gw, &n->t.now, err, sizeof(err)));
}

static struct net *
net_open(const char *extra)
{
	struct net *n = calloc(1, sizeof(*n));
	char err[256], sub[96];

	snprintf(n->dir, sizeof(n->dir), "/tmp/nk-ndho-XXXXXX");
	assert_non_null(mkdtemp(n->dir));
	snprintf(sub, sizeof(sub), "%s/nd", n->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(audit_open(n->dir, 0, err, sizeof(err)), 0);
	n->s.reg = chan_reg_create(n->dir, 64, 8, fake_live, NULL, err, sizeof(err));
	assert_non_null(n->s.reg);
	n->s.vs = val_create(32);
	n->s.port = HW_DEFAULT_PORT;
	n->server_up = true;
	memset(live_map, 0, sizeof(live_map));
	net_open_gw(n, extra);
	return n;
}

static void
net_close(struct net *n)
{
	char cmd[128];

	t_gw_close(&n->t);
	chan_reg_destroy(n->s.reg, &n->t.now);
	val_destroy(n->s.vs);
	audit_close();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", n->dir);
	assert_int_equal(system(cmd), 0);
	free(n);
}

/* nat64d restarts: a new gateway, empty cache, same state directory. */
static void
net_restart_gw(struct net *n, const char *extra)
{
	nd_ho_flush_state(n->t.gw, &n->t.now);
	t_gw_close(&n->t);
	net_open_gw(n, extra);
}

/* Is this control payload nat64d's probe, [token, IPv4 UDP 9 -> 9]? */
static bool
is_probe(const uint8_t *payload, size_t len)
{
	struct hw_packet hp;
	struct ippkt4 ip;

	return hw_parse(payload, len, &hp) == HW_OK && hp.ip_version == 4 &&
	    ippkt_parse4(hp.ip.p, hp.ip.len, &ip) && ip.proto == 17 && ip.l4_len >= 8 &&
	    ip.sport == HW_DISCARD_PORT && ip.dport == HW_DISCARD_PORT;
}

/* Move packets until nothing moves. */
static void
net_run(struct net *n)
{
	uint8_t buf[70000], out[70000];
	ssize_t m;
	int guard = 0;

	while ((m = t_recv(&n->t, buf, sizeof(buf))) > 0 && guard++ < 1000) {
		struct ippkt4 ip;

		if ((buf[0] >> 4) == 6) {
			pq_add(&n->to_client, buf, (size_t)m);
			continue;
		}
		assert_true(ippkt_parse4(buf, (size_t)m, &ip));
		if (ip.proto == 17 && ip.dport == HW_DEFAULT_PORT && be32_load(ip.dst) == SRVA) {
			struct srv_tx tx = { .buf = n->txbuf };
			size_t k;

			n->ctl_to_server++;
			if (n->server_silent || (n->drop_probes && is_probe(ip.l4 + 8, ip.l4_len - 8)))
				continue;
			if (!n->server_up) {
				uint8_t me[4] = { 192, 0, 2, 2 };

				k = ippkt_icmp4_error(out, sizeof(out), me, ip.src, 3, 3, buf, (size_t)m);
				t_in(&n->t, out, k);
				continue;
			}
			if (srv_handle(&n->s, SRVA, be32_load(ip.src), ip.sport, ip.l4 + 8,
			    ip.l4_len - 8, &n->t.now, &tx) == 1) {
				uint8_t src[4], dst[4];

				chan_flush(n->s.reg);
				be32_store(src, tx.local);
				be32_store(dst, tx.dst);
				k = ippkt_udp4(out, sizeof(out), src, dst, HW_DEFAULT_PORT, tx.dport,
				    tx.buf, tx.len);
				assert_true(k > 0);
				n->ctl_to_nat64++;
				t_in(&n->t, out, k);
			}
			continue;
		}
		pq_add(&n->to_server, buf, (size_t)m);
	}
	audit_flush();
}

static char *
audit_text(struct net *n)
{
	unsigned char *text;
	size_t len;
	char path[128];

	audit_flush();
	snprintf(path, sizeof(path), "%s/%s", n->dir, AUDIT_FILE);
	if (afile_slurp(path, 1 << 24, &text, &len) == -1)
		return calloc(1, 1);
	return (char *)text;
}

static int
count(const char *hay, const char *needle)
{
	int c = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		c++;
		hay++;
	}
	return c;
}

/* client:sport -> server:53 UDP "hello". */
static void
udp6(struct net *n, uint16_t sport)
{
	uint8_t l4[64], pkt[256];
	size_t len = t_ip6(pkt, CLIENT, SERVER6, 17, 64, l4, t_udp(l4, sport, 53, "hello"), 6);

	t_in(&n->t, pkt, len);
}

/* server:53 -> pool:port UDP "reply". */
static void
udp4(struct net *n, uint16_t port)
{
	uint8_t l4[64], pkt[256];
	size_t len = t_ip4(pkt, SERVER4, "198.51.100.1", 17, 64, false, l4, t_udp(l4, 53, port, "reply"), 6);

	t_in(&n->t, pkt, len);
}

static const struct nd_ho_counters *
hc(struct net *n)
{
	return nd_ho_counters(n->t.gw);
}

static void
pq_clear(struct net *n)
{
	n->to_client.n = n->to_server.n = 0;
}

/* First contact: own entry, announcement, §9 validation (port 9 ->
 * bounce), probe -> supported, §7 resend -> the server adopts it. */
static uint16_t
first_contact(struct net *n)
{
	char *a;
	uint16_t port;
	char want[128];

	udp6(n, 40000);
	net_run(n);
	assert_int_equal(n->to_server.n, 1);			/* translated at once */
	port = t_get16(n->to_server.p[0] + 20);
	assert_int_equal(hc(n)->announced, 1);
	assert_int_equal(hc(n)->bounced, 1);
	assert_int_equal(hc(n)->probe_answers, 1);
	assert_int_equal(nd_ho_server(n->t.gw, SRVA)->flags, ND_HS_SUPPORT);
	assert_true(hc(n)->resent_entries >= 1);
	a = audit_text(n);
	assert_int_equal(count(a, "Initialized 198.51.100.1"), 1);
	snprintf(want, sizeof(want), "Created 198.51.100.1:%u [2001:db8:1::2]:40000", port);
	assert_non_null(strstr(a, want));
	free(a);
	pq_clear(n);
	return port;
}

static void
test_first_contact_and_server_allocation(void **state)
{
	struct net *n = net_open(NULL);
	uint16_t p1, p2;
	char *a, want[128];

	(void)state;
	p1 = first_contact(n);
	/* A new flow now goes over the control channel; the server picks the
	 * port, nat64d caches the entry and translates the returned packet. */
	udp6(n, 40001);
	net_run(n);
	assert_int_equal(hc(n)->fwd6, 1);
	assert_int_equal(hc(n)->entries_cached, 1);
	assert_int_equal(n->to_server.n, 1);
	p2 = t_get16(n->to_server.p[0] + 20);
	assert_int_not_equal(p2, p1);
	assert_int_equal(t_l4ck4(n->to_server.p[0], 17, n->to_server.p[0] + 20, 13), 0);
	a = audit_text(n);
	snprintf(want, sizeof(want), "Created 198.51.100.1:%u [2001:db8:1::2]:40001", p2);
	assert_non_null(strstr(a, want));
	free(a);
	/* The reply matches the cached entry: to the client's real port. */
	pq_clear(n);
	udp4(n, p2);
	net_run(n);
	assert_int_equal(n->to_client.n, 1);
	assert_int_equal(t_get16(n->to_client.p[0] + 42), 40001);
	assert_int_equal(t_l4ck6(n->to_client.p[0], 17, n->to_client.p[0] + 40, 13), 0);
	assert_int_equal(hc(n)->cache_hit4, 1);
	/* The own entry of the first flow still translates locally. */
	pq_clear(n);
	udp4(n, p1);
	net_run(n);
	assert_int_equal(n->to_client.n, 1);
	assert_int_equal(t_get16(n->to_client.p[0] + 42), 40000);
	net_close(n);
}

static void
test_restart_keeps_server_side_port(void **state)
{
	struct net *n = net_open(NULL);
	uint16_t p2;

	(void)state;
	first_contact(n);
	udp6(n, 40001);
	net_run(n);
	p2 = t_get16(n->to_server.p[0] + 20);
	pq_clear(n);
	/* nat64d restarts with an empty cache; keys and the server list come
	 * back from the state file. The server speaks first: its packet
	 * misses, goes over the control channel, comes back with the entry. */
	net_restart_gw(n, NULL);
	assert_int_equal(nd_ho_server(n->t.gw, SRVA)->flags, ND_HS_SUPPORT);
	udp4(n, p2);
	net_run(n);
	assert_int_equal(hc(n)->fwd4, 1);
	assert_int_equal(n->to_client.n, 1);
	assert_int_equal(t_get16(n->to_client.p[0] + 42), 40001);
	/* And the client's next packet uses the same server-side port. */
	pq_clear(n);
	udp6(n, 40001);
	net_run(n);
	assert_int_equal(n->to_server.n, 1);
	assert_int_equal(t_get16(n->to_server.p[0] + 20), p2);
	assert_int_equal(n->s.c[SRV_C_validation_sent], 1);	/* no new validation */
	net_close(n);
}

static void
test_tcp_segment_after_restart_without_state(void **state)
{
	struct net *n = net_open(NULL);
	uint8_t l4[64], pkt[256];
	size_t len;
	uint16_t p2;

	(void)state;
	first_contact(n);
	len = t_ip6(pkt, CLIENT, SERVER6, 6, 64, l4, t_tcp(l4, 40002, 80, 0x02, 0), 16);
	t_in(&n->t, pkt, len);
	net_run(n);
	assert_int_equal(n->to_server.n, 1);
	p2 = t_get16(n->to_server.p[0] + 20);
	pq_clear(n);
	/* Cache expired (10 s idle): an ACK of that connection goes over the
	 * control channel and comes out on the same port. */
	n->t.now = clk_fake(n->t.now.mono_ms + 11000, 1700000011);
	nd_gw_expire(n->t.gw, &n->t.now);
	assert_int_equal(nd_ho_cache(n->t.gw)->n, 0);
	len = t_ip6(pkt, CLIENT, SERVER6, 6, 64, l4, t_tcp(l4, 40002, 80, 0x10, 10), 16);
	t_in(&n->t, pkt, len);
	net_run(n);
	assert_int_equal(n->to_server.n, 1);
	assert_int_equal(t_get16(n->to_server.p[0] + 20), p2);
	assert_int_equal(t_l4ck4(n->to_server.p[0], 6, n->to_server.p[0] + 20, 30), 0);
	net_close(n);
}

static void
test_hold_while_asking(void **state)
{
	struct net *n = net_open(NULL);
	uint8_t l4[64], pkt[3][256], buf[2048];
	size_t len[3];
	int i;

	(void)state;
	first_contact(n);
	/* Three datagrams of a new flow arrive before the answer: the first
	 * is forwarded, the next two wait and leave in order after it. */
	for (i = 0; i < 3; i++) {
		char msg[8];

		snprintf(msg, sizeof(msg), "msg%d", i);
		len[i] = t_ip6(pkt[i], CLIENT, SERVER6, 17, 64, l4, t_udp(l4, 40005, 53, msg), 6);
		t_in(&n->t, pkt[i], len[i]);
	}
	assert_int_equal(hc(n)->fwd6, 1);
	assert_int_equal(hc(n)->held, 2);
	/* Deliver the control packet (the forwarded one) only now. */
	net_run(n);
	assert_int_equal(hc(n)->released, 2);
	assert_int_equal(n->to_server.n, 3);
	for (i = 0; i < 3; i++) {
		char msg[8];

		snprintf(msg, sizeof(msg), "msg%d", i);
		assert_memory_equal(n->to_server.p[i] + 28, msg, 4);
	}
	(void)buf;
	net_close(n);
}

static void
test_forged_control_packets(void **state)
{
	struct net *n = net_open(NULL);
	uint8_t pay[512], pkt[700], src[4] = { 192, 0, 2, 2 }, dst[4] = { 198, 51, 100, 1 };
	uint8_t junk[16];
	struct buf_wr w;
	struct hw_entry e;
	size_t k;

	(void)state;
	first_contact(n);
	memset(junk, 0x42, sizeof(junk));
	/* Pattern 3 with a made-up authenticator: no cache entry. */
	buf_wr_init(&w, pay, sizeof(pay));
	hw_put_blob(&w, HW_T_AUTH, junk, sizeof(junk));
	memset(&e, 0, sizeof(e));
	e.mapped_port = 5555;
	memcpy(e.prefix, n->t.cfg.prefix[0].addr, 12);
	t_a6(CLIENT, e.client);
	e.client_port = 41000;
	hw_put_entry(&w, &e);
	k = ippkt_udp4(pkt, sizeof(pkt), src, dst, 6464, 6464, pay, w.off);
	t_in(&n->t, pkt, k);
	assert_int_equal(hc(n)->drop_bad_auth, 1);
	/* Pattern 1 with a wrong token. */
	buf_wr_init(&w, pay, sizeof(pay));
	hw_put_blob(&w, HW_T_TOKEN, junk, sizeof(junk));
	{
		uint8_t ip[64], d4[4] = { 198, 51, 100, 1 };
		size_t m = ippkt_udp4(ip, sizeof(ip), src, d4, 53, 5555, NULL, 0);

		hw_put_ip(&w, ip, m);
	}
	k = ippkt_udp4(pkt, sizeof(pkt), src, dst, 6464, 6464, pay, w.off);
	t_in(&n->t, pkt, k);
	assert_int_equal(hc(n)->drop_bad_token, 1);
	/* Garbage. */
	k = ippkt_udp4(pkt, sizeof(pkt), src, dst, 6464, 6464, junk, 5);
	t_in(&n->t, pkt, k);
	assert_int_equal(hc(n)->drop_wire, 1);
	/* A bad UDP checksum. */
	k = ippkt_udp4(pkt, sizeof(pkt), src, dst, 6464, 6464, junk, 4);
	pkt[27] ^= 1;
	t_in(&n->t, pkt, k);
	assert_int_equal(hc(n)->drop_ctl_csum, 1);
	assert_int_equal(nd_ho_cache(n->t.gw)->n, 0);
	net_run(n);
	assert_int_equal(n->to_client.n, 0);
	assert_int_equal(n->to_server.n, 0);
	net_close(n);
}

static void
test_server_down_and_back(void **state)
{
	struct net *n = net_open(NULL);
	int64_t i;
	uint16_t p2;
	char *a, want[128];

	(void)state;
	first_contact(n);
	udp6(n, 40001);
	net_run(n);
	p2 = t_get16(n->to_server.p[0] + 20);
	pq_clear(n);
	/* The server goes away: its port answers ICMP 3/3. */
	n->server_up = false;
	udp6(n, 40002);
	net_run(n);
	assert_int_equal(hc(n)->server_down, 1);
	assert_int_equal(nd_ho_server(n->t.gw, SRVA)->flags, ND_HS_SUPPORT | ND_HS_DOWN);
	/* Down: new flows get own entries again (the first packet was lost
	 * with the control packet; the retry translates locally). */
	udp6(n, 40002);
	net_run(n);
	assert_int_equal(n->to_server.n, 1);
	/* The cached entry keeps working. */
	pq_clear(n);
	udp6(n, 40001);
	net_run(n);
	assert_int_equal(t_get16(n->to_server.p[0] + 20), p2);
	/* Back: the next probe is answered, entries are resent (§7). */
	n->server_up = true;
	for (i = 0; i < 4 && (nd_ho_server(n->t.gw, SRVA)->flags & ND_HS_DOWN); i++) {
		n->t.now = clk_fake(n->t.now.mono_ms + 6000, n->t.now.wall.tv_sec + 6);
		nd_gw_expire(n->t.gw, &n->t.now);
		net_run(n);
	}
	assert_int_equal(nd_ho_server(n->t.gw, SRVA)->flags, ND_HS_SUPPORT);
	assert_int_equal(hc(n)->server_up, 2);
	a = audit_text(n);
	snprintf(want, sizeof(want), "[2001:db8:1::2]:40002");
	assert_non_null(strstr(a, want));		/* the own entry made while down */
	free(a);
	net_close(n);
}

static void
test_echo_over_control(void **state)
{
	struct net *n = net_open(NULL);
	uint8_t l4[64], pkt[256];
	size_t len;

	(void)state;
	first_contact(n);
	memset(l4, 0, sizeof(l4));
	l4[0] = 128;
	t_put16(l4 + 4, 0x77);
	t_put16(l4 + 6, 1);
	memcpy(l4 + 8, "pingdata", 8);
	len = t_ip6(pkt, CLIENT, SERVER6, 58, 64, l4, 16, 2);
	t_in(&n->t, pkt, len);
	net_run(n);
	assert_int_equal(hc(n)->fwd_echo6, 1);
	assert_int_equal(n->to_client.n, 1);
	assert_int_equal(n->to_client.p[0][40], 129);
	assert_memory_equal(n->to_client.p[0] + 48, "pingdata", 8);
	assert_int_equal(t_l4ck6(n->to_client.p[0], 58, n->to_client.p[0] + 40, 16), 0);
	assert_int_equal(n->s.c[SRV_C_echo_replies], 1);
	net_close(n);
}

/* A banned client: the server answers its new flow with an ICMPv6
 * administratively prohibited ([auth, IPv6], draft §6), which nat64d
 * writes to the client; nothing reaches the IPv4 side. Its flow that
 * nat64d already translates with its own mapping is not the server's to
 * stop. */
static void
test_banned_client_gets_prohibited(void **state)
{
	struct net *n = net_open(NULL);
	struct ban_table *bt;
	uint8_t c6[16], s6[16];
	char path[128];
	bool replaced;

	(void)state;
	first_contact(n);
	snprintf(path, sizeof(path), "%s/bans", n->dir);
	bt = ban_create(path, 8, 60);
	n->s.bans = bt;
	chan_set_bans(n->s.reg, bt);
	inet_pton(AF_INET6, CLIENT, c6);
	inet_pton(AF_INET6, SERVER6, s6);
	assert_int_equal(ban_add(bt, c6, 128, 0, "", n->t.now.wall.tv_sec, &replaced), BAN_OK);
	chan_purge_banned(n->s.reg, &n->t.now);
	udp6(n, 40002);
	net_run(n);
	assert_int_equal(hc(n)->fwd6, 1);
	assert_int_equal(n->to_server.n, 0);
	assert_int_equal(n->s.c[SRV_C_banned_prohibited], 1);
	assert_int_equal(hc(n)->delivered6, 1);
	assert_int_equal(n->to_client.n, 1);
	assert_int_equal(n->to_client.p[0][6], 58);
	assert_memory_equal(n->to_client.p[0] + 8, s6, 16);
	assert_memory_equal(n->to_client.p[0] + 24, c6, 16);
	assert_int_equal(n->to_client.p[0][40], 1);	/* destination unreachable */
	assert_int_equal(n->to_client.p[0][41], 1);	/* administratively prohibited */
	assert_int_equal(t_get16(n->to_client.p[0] + 48 + 40), 40002);	/* the quoted flow */
	assert_int_equal(t_l4ck6(n->to_client.p[0], 58, n->to_client.p[0] + 40,
	    t_get16(n->to_client.p[0] + 4)), 0);
	/* the own mapping of the first flow still translates locally */
	pq_clear(n);
	udp6(n, 40000);
	net_run(n);
	assert_int_equal(n->to_server.n, 1);
	n->s.bans = NULL;
	chan_set_bans(n->s.reg, NULL);
	ban_destroy(bt);
	net_close(n);
}

static void
test_legacy_server_no_support(void **state)
{
	struct net *n = net_open(NULL);

	(void)state;
	n->server_up = false;
	udp6(n, 40000);
	net_run(n);
	assert_int_equal(n->to_server.n, 1);
	assert_int_equal(hc(n)->announced, 1);
	assert_int_equal(hc(n)->ctl_icmp, 1);
	assert_int_equal(hc(n)->server_down, 0);	/* never supported */
	assert_int_equal(nd_ho_server(n->t.gw, SRVA)->flags, 0);
	net_close(n);
}

static void
test_state_file(void **state)
{
	struct nd_hokeys k, k2;
	uint32_t servers[4] = { SRVA, 0x0a000001u }, got[4];
	char buf[2048], err[128];
	size_t len;
	int n;
	static const char *bad[] = {
		"", "nat64d-handoff-state 2\n", "nat64d-handoff-state 1\n",
		"nat64d-handoff-state 1\ntoken-key zz 1\nauth-key 00 1\n",
		"nat64d-handoff-state 1\nserver 300.1.1.1\n",
	};
	size_t i;

	(void)state;
	nd_hokeys_fresh(&k, 1000);
	len = nd_hostate_format(&k, servers, 2, buf, sizeof(buf));
	assert_int_equal(nd_hostate_parse(buf, len, &k2, got, 4, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(got[0], SRVA);
	assert_memory_equal(k.tok, k2.tok, ND_HO_KEYLEN);
	assert_memory_equal(k.auth[0], k2.auth[0], ND_HO_KEYLEN);
	/* Truncation anywhere is refused. */
	for (i = 1; i < len; i++)
		assert_int_equal(nd_hostate_parse(buf, i, &k2, got, 4, &n, err, sizeof(err)), -1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(nd_hostate_parse(bad[i], strlen(bad[i]), &k2, got, 4, &n, err,
		    sizeof(err)), -1);
	/* Rotation: the token key moves to "previous"; authenticator keys
	 * accumulate up to ND_HO_AUTH_KEYS and old authenticators stay valid. */
	{
		uint8_t cl[16] = { 0x20, 0x01, 0x0d, 0xb8 }, a[16], t[16];

		nd_ho_auth(k.auth[0], SRVA, cl, a);
		nd_ho_token(k.tok, SRVA, t);
		assert_true(nd_hokeys_rotate(&k, 1000 + 3600, 3600, 7 * 86400));
		assert_true(k.have_prev);
		assert_true(nd_hokeys_token_ok(&k, SRVA, t, 16));
		assert_true(nd_hokeys_rotate(&k, 1000 + 7 * 86400, 3600, 7 * 86400));
		assert_int_equal(k.n_auth, 2);
		assert_true(nd_hokeys_auth_ok(&k, SRVA, cl, a, 16));
		assert_false(nd_hokeys_auth_ok(&k, SRVA + 1, cl, a, 16));
		for (i = 0; i < 5; i++)
			nd_hokeys_rotate(&k, 1000 + (int64_t)(i + 2) * 7 * 86400, 3600, 7 * 86400);
		assert_int_equal(k.n_auth, ND_HO_AUTH_KEYS);
		assert_false(nd_hokeys_auth_ok(&k, SRVA, cl, a, 16));	/* aged out */
	}
}

static void
test_corrupt_state_set_aside(void **state)
{
	char dir[] = "/tmp/nk-ndst-XXXXXX", path[128], err[256];
	struct nd_hokeys k;
	uint32_t got[4];
	int n;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/handoff.state", dir);
	assert_int_equal(afile_replace(path, "garbage\n", 8, 0600, err, sizeof(err)), 0);
	assert_int_equal(nd_hostate_load(path, 77, &k, got, 4, &n, err, sizeof(err)), 1);
	assert_non_null(strstr(err, "set aside"));
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/handoff.state.corrupt-77", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(k.n_auth, 1);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

static void
test_cache_lru_and_expiry(void **state)
{
	struct nd_hocache c;
	struct clk_now now = clk_fake(1000, 1700000000);
	uint8_t cl[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	uint64_t next;
	uint16_t i;

	(void)state;
	nd_hoc_init(&c, 16, 5000);
	for (i = 0; i < 20; i++) {
		cl[15] = (uint8_t)i;
		nd_hoc_put(&c, SRVA, POOLA, (uint16_t)(1000 + i), cl, 40000, 0, &now);
	}
	assert_int_equal(c.n, 16);
	assert_int_equal(c.evicted, 4);
	assert_null(nd_hoc_find4(&c, SRVA, POOLA, 1000));		/* oldest went */
	assert_non_null(nd_hoc_find4(&c, SRVA, POOLA, 1019));
	/* The server re-maps a port to another client: the newest wins. */
	cl[15] = 99;
	nd_hoc_put(&c, SRVA, POOLA, 1019, cl, 40000, 0, &now);
	assert_int_equal(c.replaced, 1);
	assert_memory_equal(nd_hoc_find4(&c, SRVA, POOLA, 1019)->client, cl, 16);
	cl[15] = 19;
	assert_null(nd_hoc_find6(&c, SRVA, cl, 40000));
	assert_int_equal(c.n, 16);
	now = clk_fake(7000, 1700000006);
	assert_int_equal(nd_hoc_expire(&c, &now, &next), 16);
	assert_int_equal(next, UINT64_MAX);
	nd_hoc_free(&c);
}

/* Edge cases: own ports beside server entries, a silent server, loops,
 * spoofed validation packets, late answers to stubs, the per-flow hold. */

static void
test_own_ports_avoid_server_ports(void **state)
{
	struct net *n = net_open(NULL);
	uint8_t cl[16];
	uint16_t p;

	(void)state;
	/* Server 192.0.2.2 handed out 2000..2062 (port-range is 2000-2063):
	 * an own mapping towards another host must get 2063. */
	t_a6("2001:db8:1::99", cl);
	for (p = 2000; p < 2063; p++)
		nd_hoc_put(nd_ho_cache(n->t.gw), SRVA, POOLA, p, cl, p, 0, &n->t.now);
	{
		uint8_t l4[64], pkt[256];
		size_t len = t_ip6(pkt, CLIENT, "2001:db8:64::cb00:7109", 17, 64, l4,
		    t_udp(l4, 40000, 53, "hello"), 6);

		t_in(&n->t, pkt, len);
	}
	net_run(n);
	/* The translated datagram, and its announcement to 203.0.113.9:6464. */
	assert_int_equal(n->to_server.n, 2);
	assert_int_equal(t_get16(n->to_server.p[0] + 22), 6464);	/* told first */
	assert_int_equal(t_get16(n->to_server.p[1] + 22), 53);
	assert_int_equal(t_get16(n->to_server.p[1] + 20), 2063);
	net_close(n);
}

static void
test_silent_server_goes_down(void **state)
{
	struct net *n = net_open(NULL);
	int i;

	(void)state;
	first_contact(n);
	n->server_silent = true;
	for (i = 0; i < 3; i++)
		udp6(n, (uint16_t)(40010 + i));
	net_run(n);
	assert_int_equal(n->to_server.n, 0);
	n->t.now = clk_fake(n->t.now.mono_ms + 2500, n->t.now.wall.tv_sec + 3);
	nd_gw_expire(n->t.gw, &n->t.now);
	assert_int_equal(hc(n)->server_silent, 1);
	assert_true(nd_ho_server(n->t.gw, SRVA)->flags & ND_HS_DOWN);
	/* The retry gets an own mapping and goes through. */
	udp6(n, 40010);
	net_run(n);
	assert_int_equal(n->to_server.n, 1);
	net_close(n);
}

static void
test_returned_echo_is_not_forwarded_again(void **state)
{
	struct net *n = net_open(NULL);
	uint8_t l4[64], echo[256], pay[512], pkt[700];
	uint8_t src[4] = { 192, 0, 2, 2 }, dst[4] = { 198, 51, 100, 1 };
	size_t len, k;
	struct buf_wr w;
	struct hw_entry e;
	const uint8_t *auth;
	ssize_t m;
	uint8_t ctl[2048];
	struct hw_packet hp;

	(void)state;
	first_contact(n);
	memset(l4, 0, sizeof(l4));
	l4[0] = 128;
	len = t_ip6(echo, CLIENT, SERVER6, 58, 64, l4, 16, 2);
	t_in(&n->t, echo, len);
	/* Take nat64d's control packet off the wire to learn the authenticator. */
	m = t_recv(&n->t, ctl, sizeof(ctl));
	assert_true(m > 28);
	assert_int_equal(hw_parse(ctl + 28, (size_t)m - 28, &hp), HW_OK);
	auth = hp.auth.p;
	/* A "minimal server" answers [auth, entry, the packet as received]. */
	buf_wr_init(&w, pay, sizeof(pay));
	hw_put_blob(&w, HW_T_AUTH, auth, hp.auth.len);
	memset(&e, 0, sizeof(e));
	e.mapped_port = 5555;
	memcpy(e.prefix, n->t.cfg.prefix[0].addr, 12);
	t_a6(CLIENT, e.client);
	e.client_port = 0;
	hw_put_entry(&w, &e);
	hw_put_ip(&w, echo, len);
	k = ippkt_udp4(pkt, sizeof(pkt), src, dst, 6464, 6464, pay, w.off);
	t_in(&n->t, pkt, k);
	net_run(n);
	assert_int_equal(hc(n)->fwd_echo6, 1);		/* not again: no loop */
	assert_int_equal(hc(n)->drop_bad_packet, 1);
	net_close(n);
}

static void
test_spoofed_validation_packets_limited(void **state)
{
	struct net *n = net_open(NULL);
	uint8_t pkt[256], src[4] = { 192, 0, 2, 2 }, dst[4] = { 198, 51, 100, 1 };
	uint64_t tx0;
	size_t k;
	int i;

	(void)state;
	first_contact(n);
	tx0 = hc(n)->ctl_tx;
	k = ippkt_udp4(pkt, sizeof(pkt), src, dst, 6464, 9, (const uint8_t *)"\x36\x00", 2);
	for (i = 0; i < 1000; i++)
		t_in(&n->t, pkt, k);
	/* At most the announce rate's burst, and no probes to a known server. */
	assert_true(hc(n)->ctl_tx - tx0 <= 101);
	assert_true(hc(n)->fwd_limited >= 899);
	assert_int_equal(hc(n)->probes, 1);
	net_close(n);
}

static void
test_late_answer_to_a_stub(void **state)
{
	struct net *n = net_open(NULL);
	uint8_t l4[1600], pkt[1700];
	size_t len;

	(void)state;
	first_contact(n);
	/* 1452 octets: a header-only copy is asked about, the original held. */
	memset(l4, 'z', sizeof(l4));
	len = t_ip6(pkt, CLIENT, SERVER6, 17, 64, l4, t_udp(l4, 40020, 53, ""), -1);
	t_put16(pkt + 4, 1412);
	t_put16(pkt + 44, 1412);
	len = 40 + 1412;
	t_put16(pkt + 46, 0);
	t_put16(pkt + 46, t_l4ck6(pkt, 17, pkt + 40, 1412));
	t_in(&n->t, pkt, len);
	assert_int_equal(hc(n)->fwd_stub, 1);
	/* The answer comes after the hold time: the original is gone, and the
	 * stub that comes back must not be translated as a packet. */
	n->t.now = clk_fake(n->t.now.mono_ms + 1500, n->t.now.wall.tv_sec + 2);
	nd_gw_expire(n->t.gw, &n->t.now);
	net_run(n);
	assert_int_equal(hc(n)->stub_answers, 1);
	assert_int_equal(n->to_server.n, 0);
	assert_int_equal(hc(n)->hold_expired, 1);
	net_close(n);
}

static void
test_hold_is_capped_per_flow(void **state)
{
	struct net *n = net_open(NULL);
	int i;

	(void)state;
	first_contact(n);
	for (i = 0; i < 100; i++)
		udp6(n, 40030);
	assert_int_equal(hc(n)->fwd6, 1);
	assert_int_equal(hc(n)->held, 64);
	assert_int_equal(hc(n)->drop_hold_full, 35);
	net_run(n);
	assert_int_equal(hc(n)->released, 64);
	assert_int_equal(n->to_server.n, MAXQ);		/* 65 translated; the queue keeps 64 */
	net_close(n);
}

/* ------------------------------------------------ ICMPv4 errors over the channel (§8, §10) */

#define ROUTER4	"203.0.113.7"		/* an IPv4 router on the server's path */
#define BIGDATA	1352			/* 1400 octets as IPv6, 1380 and DF as IPv4 */

/* client:sport -> server:53, BIGDATA octets of 'z'. */
static void
big6(struct net *n, uint16_t sport)
{
	uint8_t l4[1600], pkt[1700];
	size_t len;

	memset(l4, 'z', sizeof(l4));
	t_put16(l4, sport);
	t_put16(l4 + 2, 53);
	t_put16(l4 + 4, 8 + BIGDATA);
	len = t_ip6(pkt, CLIENT, SERVER6, 17, 64, l4, 8 + BIGDATA, 6);
	t_in(&n->t, pkt, len);
}

/* What a router on a link of mtu octets answers to the IPv4 packet sent
 * (sent, len): Fragmentation Needed (RFC 1191) from ROUTER4, quoting as
 * much as fits 576 octets in all (RFC 1812 §4.3.2.3), or quote octets. */
static size_t
frag_needed(uint8_t *out, const uint8_t *sent, size_t len, uint16_t mtu, size_t quote)
{
	uint8_t l4[1600];
	size_t q = quote ? quote : 576 - 28;

	if (q > len)
		q = len;
	memset(l4, 0, 8);
	l4[0] = 3;
	l4[1] = 4;
	t_put16(l4 + 6, mtu);
	memcpy(l4 + 8, sent, q);
	return t_ip4(out, ROUTER4, "198.51.100.1", 1, 64, false, l4, 8 + q, 2);
}

/* A flow over the control channel: its 1380-octet IPv4 packet as the
 * server's path saw it (copied to sent); returns the mapped port. */
static uint16_t
big_flow(struct net *n, uint16_t sport, uint8_t *sent)
{
	uint16_t port;

	pq_clear(n);
	big6(n, sport);
	net_run(n);
	assert_int_equal(n->to_server.n, 1);
	assert_int_equal(n->to_server.len[0], 20 + 8 + BIGDATA);
	assert_true(n->to_server.p[0][6] & 0x40);		/* DF: > 1260 (RFC 7915 §5.1) */
	memcpy(sent, n->to_server.p[0], n->to_server.len[0]);
	port = t_get16(sent + 20);
	pq_clear(n);
	return port;
}

/* RFC 7915 §4.2 and §4.3, written out (tests/conformance/pkt.py made the
 * octets from the rules, not from nat64d): the ICMPv6 Packet Too Big the
 * client must get for Fragmentation Needed, MTU 1280, from 203.0.113.7
 * quoting 548 octets of [client]:40001's 1400-octet datagram. */
static const uint8_t ptb_head[] = {
	/* IPv6: traffic class copied from the TOS (0), flow label 0, payload
	 * length 576, next header 58, hop limit the TTL 64 less one (§4.1) */
	0x60, 0x00, 0x00, 0x00, 0x02, 0x40, 0x3a, 0x3f,
	/* source: 203.0.113.7 in the /96 prefix (RFC 6052) */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xcb, 0x00, 0x71, 0x07,
	/* destination: the client of the entry */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	/* ICMPv6 type 2 code 0 (§4.2 "Translate to an ICMPv6 Packet Too Big
	 * message (Type 2) with Code set to 0"), checksum, MTU
	 * minimum(1280 + 20, mtu6 1500, mtu4 1500 + 20) = 1300 */
	0x02, 0x00, 0xf4, 0x68, 0x00, 0x00, 0x05, 0x14,
	/* inner IPv6 (§4.3): payload length 1360 from the quoted total
	 * length, next header 17, hop limit the quoted TTL 63 */
	0x60, 0x00, 0x00, 0x00, 0x05, 0x50, 0x11, 0x3f,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x02,
	/* inner UDP: the client's port 40001 back, the checksum the client's */
	0x9c, 0x41, 0x00, 0x35, 0x05, 0x50, 0xcf, 0x90,
};

static void
assert_ptb(const uint8_t *pkt, size_t len)
{
	size_t i;

	assert_int_equal(len, sizeof(ptb_head) + 520);
	assert_memory_equal(pkt, ptb_head, sizeof(ptb_head));
	for (i = sizeof(ptb_head); i < len; i++)
		assert_int_equal(pkt[i], 'z');
	assert_int_equal(t_l4ck6(pkt, 58, pkt + 40, len - 40), 0);
}

/* Path MTU discovery after nat64d lost its cache (a restart): the
 * Fragmentation Needed matches nothing, goes to the server, comes back
 * with the entry, and the client gets the Packet Too Big of RFC 7915
 * §4.2 octet for octet; then the same error meets the cached entry and
 * gives the same octets. */
static void
test_frag_needed_after_restart(void **state)
{
	struct net *n = net_open(NULL);
	uint8_t sent[1500], err[700];
	uint16_t port;
	size_t k;

	(void)state;
	first_contact(n);
	port = big_flow(n, 40001, sent);
	net_restart_gw(n, NULL);
	assert_int_equal(nd_ho_cache(n->t.gw)->n, 0);
	k = frag_needed(err, sent, sizeof(sent), 1280, 0);
	assert_int_equal(k, 576);
	t_in(&n->t, err, k);
	assert_int_equal(hc(n)->fwd_icmp4, 1);
	assert_int_equal(n->to_client.n, 0);		/* nothing before the answer */
	net_run(n);
	assert_int_equal(n->s.c[SRV_C_icmp_errors_matched], 1);
	assert_int_equal(hc(n)->icmp_answers, 1);
	assert_int_equal(hc(n)->entries_cached, 1);
	assert_non_null(nd_hoc_find4(nd_ho_cache(n->t.gw), SRVA, POOLA, port));
	assert_int_equal(n->to_client.n, 1);
	assert_ptb(n->to_client.p[0], n->to_client.len[0]);
	/* Cached now: translated at once, the same octets. */
	pq_clear(n);
	t_in(&n->t, err, k);
	assert_int_equal(n->to_client.n, 0);
	net_run(n);
	assert_int_equal(hc(n)->fwd_icmp4, 1);
	assert_int_equal(n->to_client.n, 1);
	assert_ptb(n->to_client.p[0], n->to_client.len[0]);
	/* The client's next packet keeps the server's port. */
	pq_clear(n);
	big6(n, 40001);
	net_run(n);
	assert_int_equal(n->to_server.n, 1);
	assert_int_equal(t_get16(n->to_server.p[0] + 20), port);
	net_close(n);
}

/* The cache expired (idle): the MTU rules of RFC 7915 §4.2 on the way
 * through the channel — 1400 -> 1420; 9000 -> mtu6 1500; 576 -> 1280
 * (§6: never below the IPv6 minimum); 0 -> the RFC 1191 plateau below
 * the quoted 1380 octets (1006) + 20, raised to 1280. A router that
 * quoted 972 octets has its error cut to 576 on the channel (checksums
 * redone: the error translates). */
static void
test_frag_needed_after_expiry(void **state)
{
	static const struct { uint16_t adv; uint32_t want; size_t quote; } t[] = {
		{ 1400, 1420, 0 }, { 9000, 1500, 0 }, { 576, 1280, 0 }, { 0, 1280, 0 },
		{ 1280, 1300, 972 },
	};
	struct net *n = net_open(NULL);
	uint8_t sent[1500], err[1100];
	size_t i, k;

	(void)state;
	first_contact(n);
	big_flow(n, 40001, sent);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		n->t.now = clk_fake(n->t.now.mono_ms + 11000, n->t.now.wall.tv_sec + 11);
		nd_gw_expire(n->t.gw, &n->t.now);
		assert_int_equal(nd_ho_cache(n->t.gw)->n, 0);
		pq_clear(n);
		k = frag_needed(err, sent, sizeof(sent), t[i].adv, t[i].quote);
		t_in(&n->t, err, k);
		net_run(n);
		assert_int_equal(hc(n)->fwd_icmp4, i + 1);
		assert_int_equal(n->to_client.n, 1);
		assert_int_equal(n->to_client.p[0][40], 2);
		assert_int_equal(t_get32(n->to_client.p[0] + 44), t[i].want);
		assert_int_equal(n->to_client.len[0], 616);	/* the quote as cut to 576 */
		assert_int_equal(t_l4ck6(n->to_client.p[0], 58, n->to_client.p[0] + 40, 576), 0);
	}
	assert_int_equal(hc(n)->icmp_answers, sizeof(t) / sizeof(t[0]));
	net_close(n);
}

/* A second error for the port waits behind the open question and is
 * translated with the answer; forwards (and held errors) beyond
 * handoff-icmp-rate are dropped and counted, and allowed again a second
 * later. */
static void
test_icmp_forward_held_and_limited(void **state)
{
	struct net *n = net_open("handoff-icmp-rate 3\n");
	uint8_t sent[3][1500], err[3][700];
	size_t k[3];
	int i;

	(void)state;
	first_contact(n);
	for (i = 0; i < 3; i++)
		big_flow(n, (uint16_t)(40001 + i), sent[i]);
	net_restart_gw(n, "handoff-icmp-rate 3\n");
	for (i = 0; i < 3; i++)
		k[i] = frag_needed(err[i], sent[i], sizeof(sent[i]), 1280, 0);
	t_in(&n->t, err[0], k[0]);
	t_in(&n->t, err[0], k[0]);
	assert_int_equal(hc(n)->fwd_icmp4, 1);
	assert_int_equal(hc(n)->held, 1);
	t_in(&n->t, err[1], k[1]);
	t_in(&n->t, err[2], k[2]);
	assert_int_equal(hc(n)->fwd_icmp4, 2);
	assert_int_equal(hc(n)->drop_icmp_limited, 1);
	net_run(n);
	assert_int_equal(hc(n)->icmp_answers, 2);
	assert_int_equal(hc(n)->released, 1);
	assert_int_equal(n->to_client.n, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(t_get16(n->to_client.p[i] + 88), i < 2 ? 40001 : 40002);
	pq_clear(n);
	n->t.now = clk_fake(n->t.now.mono_ms + 1000, n->t.now.wall.tv_sec + 1);
	t_in(&n->t, err[2], k[2]);
	net_run(n);
	assert_int_equal(hc(n)->fwd_icmp4, 3);
	assert_int_equal(n->to_client.n, 1);
	assert_int_equal(t_get16(n->to_client.p[0] + 88), 40003);
	net_close(n);
}

/* Errors held behind an open question pay handoff-icmp-rate as forwards
 * do: a flood of forged errors for one port cannot fill the hold queue
 * that packets of every flow share. */
static void
test_icmp_held_errors_limited(void **state)
{
	struct net *n = net_open("handoff-icmp-rate 3\n");
	uint8_t sent[1500], err[700];
	size_t k;
	int i;

	(void)state;
	first_contact(n);
	big_flow(n, 40001, sent);
	net_restart_gw(n, "handoff-icmp-rate 3\n");
	k = frag_needed(err, sent, sizeof(sent), 1280, 0);
	for (i = 0; i < 10; i++)
		t_in(&n->t, err, k);
	assert_int_equal(hc(n)->fwd_icmp4, 1);
	assert_int_equal(hc(n)->held, 2);
	assert_int_equal(hc(n)->drop_icmp_limited, 7);
	net_run(n);
	assert_int_equal(hc(n)->icmp_answers, 1);
	assert_int_equal(hc(n)->released, 2);
	assert_int_equal(n->to_client.n, 3);
	net_close(n);
}

/* handoff-icmp-rate is per server: forged errors about packets to one
 * server use up its budget, not another's (all servers together have ten
 * times the rate). */
static void
test_icmp_rate_per_server(void **state)
{
	struct net *n = net_open("handoff-icmp-rate 2\n");
	uint8_t sent[1500], other[1500], err[700];
	struct nd_hosrv *b;
	size_t k;
	int i;

	(void)state;
	first_contact(n);
	big_flow(n, 40001, sent);
	net_restart_gw(n, "handoff-icmp-rate 2\n");
	/* 192.0.2.3 speaks handoff too. */
	b = ho_srv_add(n->t.gw->ho, 0xc0000203u, &n->t.now);
	b->flags = ND_HS_SUPPORT;
	for (i = 0; i < 5; i++) {
		t_put16(sent + 20, (uint16_t)(5000 + i));
		k = frag_needed(err, sent, sizeof(sent), 1280, 0);
		t_in(&n->t, err, k);
	}
	assert_int_equal(hc(n)->fwd_icmp4, 2);
	assert_int_equal(hc(n)->drop_icmp_limited, 3);
	memcpy(other, sent, sizeof(other));
	t_a4("192.0.2.3", other + 16);
	k = frag_needed(err, other, sizeof(other), 1280, 0);
	t_in(&n->t, err, k);
	assert_int_equal(hc(n)->fwd_icmp4, 3);
	assert_int_equal(b->fwd, 1);
	/* All servers together: 20 a second. */
	for (i = 0; i < 40; i++) {
		b = ho_srv_add(n->t.gw->ho, 0xc0000264u + (uint32_t)i, &n->t.now);
		b->flags = ND_HS_SUPPORT;
		be32_store(other + 16, 0xc0000264u + (uint32_t)i);
		k = frag_needed(err, other, sizeof(other), 1280, 0);
		t_in(&n->t, err, k);
	}
	assert_int_equal(hc(n)->fwd_icmp4, 20);
	net_close(n);
}

/* Only errors the server can answer go over the channel: it drops one
 * quoting a fragment, and one not sent to the pool address the quoted
 * packet left from (§10 answers the NAT64 address of the channel).
 * Forwarded, either would open a question nobody answers, and the
 * server's own packet for that port, which it would answer with the
 * entry, would wait behind it until it expires. */
static void
test_icmp_not_forwarded_unanswerable(void **state)
{
	struct net *n = net_open(NULL);
	uint8_t sent[1500], frag[1500], err[700];
	uint32_t other;
	uint16_t port;
	size_t k;
	int pass;

	(void)state;
	first_contact(n);
	port = big_flow(n, 40001, sent);
	assert_int_equal(t_get32(sent + 12), POOLA);
	for (pass = 0; pass < 2; pass++) {
		/* (a second pool address after the restart) */
		net_restart_gw(n, pass ? "pool4 198.51.100.2\n" : NULL);
		memcpy(frag, sent, sizeof(frag));
		if (pass == 0)
			frag[6] |= 0x20;		/* MF: the first fragment */
		k = frag_needed(err, frag, sizeof(frag), 1280, 0);
		if (pass == 1) {		/* to the pool's other address */
			other = POOLA + 1;
			t_put16(err + 10, 0);
			err[16] = (uint8_t)(other >> 24);
			err[19] = (uint8_t)other;
			t_put16(err + 10, cksum_finish(cksum_add(0, err, 20)));
		}
		t_in(&n->t, err, k);
		udp4(n, port);
		net_run(n);
		assert_int_equal(hc(n)->fwd_icmp4, 0);
		assert_int_equal(hc(n)->held, 0);
		assert_int_equal(hc(n)->fwd4, 1);
		assert_int_equal(n->to_client.n, 1);
		assert_int_equal(t_get16(n->to_client.p[0] + 42), 40001);
		pq_clear(n);
	}
	net_close(n);
}

/* What is not forwarded, and a server without the entry: errors about
 * a port it never handed out are dropped there (no answer) and do not
 * make it look silent; about a host that is no handoff server, or with
 * handoff-icmp-rate 0, they are dropped as before (no match). */
static void
test_icmp_forward_limits(void **state)
{
	struct net *n = net_open(NULL);
	uint8_t sent[1500], other[1500], err[700];
	uint64_t nomatch;
	size_t k;
	int i;

	(void)state;
	first_contact(n);
	big_flow(n, 40001, sent);
	net_restart_gw(n, NULL);
	for (i = 0; i < 4; i++) {
		t_put16(sent + 20, (uint16_t)(5000 + i));	/* never handed out */
		k = frag_needed(err, sent, sizeof(sent), 1280, 0);
		t_in(&n->t, err, k);
	}
	net_run(n);
	assert_int_equal(hc(n)->fwd_icmp4, 4);
	assert_int_equal(n->s.c[SRV_C_drop_icmp_no_entry], 4);
	assert_int_equal(n->to_client.n, 0);
	n->t.now = clk_fake(n->t.now.mono_ms + 2500, n->t.now.wall.tv_sec + 3);
	nd_gw_expire(n->t.gw, &n->t.now);
	assert_int_equal(hc(n)->server_silent, 0);
	assert_int_equal(nd_ho_server(n->t.gw, SRVA)->flags, ND_HS_SUPPORT);
	/* To a host that never spoke handoff. */
	memcpy(other, sent, sizeof(other));
	t_a4("192.0.2.77", other + 16);
	nomatch = n->t.gw->c.drop_icmp_err_nomatch;
	k = frag_needed(err, other, sizeof(other), 1280, 0);
	t_in(&n->t, err, k);
	assert_int_equal(hc(n)->fwd_icmp4, 4);
	assert_int_equal(n->t.gw->c.drop_icmp_err_nomatch, nomatch + 1);
	/* Forwarding off. */
	net_restart_gw(n, "handoff-icmp-rate 0\n");
	k = frag_needed(err, sent, sizeof(sent), 1280, 0);
	t_in(&n->t, err, k);
	net_run(n);
	assert_int_equal(hc(n)->fwd_icmp4, 0);
	assert_int_equal(n->t.gw->c.drop_icmp_err_nomatch, 1);
	assert_int_equal(n->to_client.n, 0);
	net_close(n);
}

/* An answer's ICMP error must quote the entry's own port from the pool
 * address to the server: anything else is not translated (it would
 * reach a client the error is not about). */
static void
test_icmp_answer_checked(void **state)
{
	struct net *n = net_open(NULL);
	uint8_t l4[64], pkt[256], ctl[2048], pay[1400], ans[1500], sent[1500], err[700];
	uint8_t src[4] = { 192, 0, 2, 2 }, dst[4] = { 198, 51, 100, 1 };
	struct hw_packet hp;
	struct hw_entry e;
	struct buf_wr w;
	size_t len, k, m;
	ssize_t r;
	int pass;

	(void)state;
	first_contact(n);
	/* The authenticator for the client: from the forwarded packet of a
	 * new flow, taken off the wire. */
	len = t_ip6(pkt, CLIENT, SERVER6, 17, 64, l4, t_udp(l4, 40007, 53, "hello"), 6);
	t_in(&n->t, pkt, len);
	r = t_recv(&n->t, ctl, sizeof(ctl));
	assert_true(r > 28);
	assert_int_equal(hw_parse(ctl + 28, (size_t)r - 28, &hp), HW_OK);
	memset(sent, 0, sizeof(sent));
	len = t_ip4(sent, "198.51.100.1", SERVER4, 17, 63, true, l4, t_udp(l4, 5556, 53, "x"), 6);
	for (pass = 0; pass < 2; pass++) {
		/* [auth, entry 5555 <-> [client]:40007, an error quoting port 5556,
		 * then 5555] */
		t_put16(sent + 20, (uint16_t)(5556 - pass));
		k = frag_needed(err, sent, len, 1280, 0);
		buf_wr_init(&w, pay, sizeof(pay));
		hw_put_blob(&w, HW_T_AUTH, hp.auth.p, hp.auth.len);
		memset(&e, 0, sizeof(e));
		e.mapped_port = 5555;
		memcpy(e.prefix, n->t.cfg.prefix[0].addr, 12);
		t_a6(CLIENT, e.client);
		e.client_port = 40007;
		hw_put_entry(&w, &e);
		hw_put_ip(&w, err, k);
		m = ippkt_udp4(ans, sizeof(ans), src, dst, 6464, 6464, pay, w.off);
		t_in(&n->t, ans, m);
		net_run(n);
		if (pass == 0) {
			assert_int_equal(hc(n)->drop_bad_packet, 1);
			assert_int_equal(hc(n)->icmp_answers, 0);
			assert_int_equal(n->to_client.n, 0);
		}
	}
	assert_int_equal(hc(n)->icmp_answers, 1);
	assert_int_equal(n->to_client.n, 1);
	assert_int_equal(n->to_client.p[0][40], 2);
	assert_int_equal(t_get16(n->to_client.p[0] + 88), 40007);
	net_close(n);
}

/* Draft §8: an own mapping on the port that was never used with the
 * server is another client's; the error about the server's entry goes
 * to the server and reaches the entry's client, not that one. */
static void
test_icmp_not_for_the_own_mapping_on_the_port(void **state)
{
	struct net *n = net_open(NULL);
	uint8_t sent[1500], err[700], other[16];
	struct nd_bib *b;
	uint16_t port;
	size_t k;

	(void)state;
	first_contact(n);
	port = big_flow(n, 40001, sent);
	net_restart_gw(n, NULL);
	/* [2001:db8:1::3]:40500 got the port for talking to 192.0.2.77. */
	t_a6("2001:db8:1::3", other);
	b = nd_bib_insert(&n->t.gw->st, 17, other, 40500, POOLA, port, ND_OWN_LOCAL, &n->t.now);
	assert_non_null(b);
	assert_non_null(nd_session_create(&n->t.gw->st, b, 0xc000024du, 53, false, &n->t.now));
	k = frag_needed(err, sent, sizeof(sent), 1280, 0);
	t_in(&n->t, err, k);
	net_run(n);
	assert_int_equal(hc(n)->fwd_icmp4, 1);
	assert_int_equal(n->to_client.n, 1);
	assert_ptb(n->to_client.p[0], n->to_client.len[0]);
	net_close(n);
}

/* ... and when the error cannot go to the server (handoff-icmp-rate 0, or
 * it quotes a fragment), that own mapping still does not get it: the
 * server is authoritative for its ports, the error is dropped. */
static void
test_icmp_unforwarded_not_for_the_own_mapping(void **state)
{
	struct net *n = net_open(NULL);
	uint8_t sent[1500], err[700], other[16];
	struct nd_bib *b;
	uint16_t port;
	size_t k;
	int pass;

	(void)state;
	first_contact(n);
	port = big_flow(n, 40001, sent);
	t_a6("2001:db8:1::3", other);
	for (pass = 0; pass < 2; pass++) {
		net_restart_gw(n, pass ? NULL : "handoff-icmp-rate 0\n");
		b = nd_bib_insert(&n->t.gw->st, 17, other, 40500, POOLA, port, ND_OWN_LOCAL,
		    &n->t.now);
		assert_non_null(b);
		assert_non_null(nd_session_create(&n->t.gw->st, b, 0xc000024du, 53, false, &n->t.now));
		if (pass)
			sent[6] |= 0x20;		/* MF: the first fragment */
		k = frag_needed(err, sent, sizeof(sent), 1280, 0);
		t_in(&n->t, err, k);
		net_run(n);
		assert_int_equal(hc(n)->fwd_icmp4, 0);
		assert_int_equal(n->to_client.n, 0);
		assert_int_equal(n->t.gw->c.drop_icmp_err_nomatch, 1);
	}
	net_close(n);
}

/* The validation bounce is consumed by the server (returning it would
 * loop) and answered, so a NAT64 that waits for an answer gets one: with
 * nat64d's probe lost, the answer to the bounce alone confirms the
 * server, and the entry the validation consumed is sent again (§7). */
static void
test_bounce_answer_alone_confirms(void **state)
{
	struct net *n = net_open(NULL);
	char *a;

	(void)state;
	n->drop_probes = true;
	udp6(n, 40000);
	net_run(n);
	assert_int_equal(hc(n)->bounced, 1);
	assert_int_equal(hc(n)->probes, 1);
	assert_int_equal(hc(n)->probe_answers, 0);
	assert_int_equal(hc(n)->bounce_answers, 1);
	assert_int_equal(n->s.c[SRV_C_validated], 1);
	assert_int_equal(nd_ho_server(n->t.gw, SRVA)->flags, ND_HS_SUPPORT);
	assert_true(hc(n)->resent_entries >= 1);
	a = audit_text(n);
	assert_non_null(strstr(a, "[2001:db8:1::2]:40000"));
	free(a);
	net_close(n);
}

/* Not only Fragmentation Needed: a port unreachable from the server
 * itself and a time exceeded from a router, after the cache expired,
 * reach the client as RFC 7915 §4.2 maps them (3/3 -> 1/4, 11/0 -> 3/0). */
static void
test_other_errors_over_the_channel(void **state)
{
	static const struct { const char *from; uint8_t t4, c4, t6, c6; } t[] = {
		{ SERVER4, 3, 3, 1, 4 }, { ROUTER4, 11, 0, 3, 0 }, { ROUTER4, 3, 1, 1, 0 },
	};
	struct net *n = net_open(NULL);
	uint8_t sent[1500], l4[600], err[700];
	size_t i, k;

	(void)state;
	first_contact(n);
	big_flow(n, 40001, sent);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		n->t.now = clk_fake(n->t.now.mono_ms + 11000, n->t.now.wall.tv_sec + 11);
		nd_gw_expire(n->t.gw, &n->t.now);
		pq_clear(n);
		memset(l4, 0, 8);
		l4[0] = t[i].t4;
		l4[1] = t[i].c4;
		memcpy(l4 + 8, sent, 548);
		k = t_ip4(err, t[i].from, "198.51.100.1", 1, 64, false, l4, 8 + 548, 2);
		t_in(&n->t, err, k);
		net_run(n);
		assert_int_equal(hc(n)->fwd_icmp4, i + 1);
		assert_int_equal(n->to_client.n, 1);
		assert_int_equal(n->to_client.p[0][40], t[i].t6);
		assert_int_equal(n->to_client.p[0][41], t[i].c6);
		assert_int_equal(t_get16(n->to_client.p[0] + 88), 40001);
	}
	net_close(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_contact_and_server_allocation),
		cmocka_unit_test(test_restart_keeps_server_side_port),
		cmocka_unit_test(test_tcp_segment_after_restart_without_state),
		cmocka_unit_test(test_hold_while_asking),
		cmocka_unit_test(test_forged_control_packets),
		cmocka_unit_test(test_server_down_and_back),
		cmocka_unit_test(test_echo_over_control),
		cmocka_unit_test(test_banned_client_gets_prohibited),
		cmocka_unit_test(test_legacy_server_no_support),
		cmocka_unit_test(test_state_file),
		cmocka_unit_test(test_corrupt_state_set_aside),
		cmocka_unit_test(test_cache_lru_and_expiry),
		cmocka_unit_test(test_own_ports_avoid_server_ports),
		cmocka_unit_test(test_silent_server_goes_down),
		cmocka_unit_test(test_returned_echo_is_not_forwarded_again),
		cmocka_unit_test(test_spoofed_validation_packets_limited),
		cmocka_unit_test(test_late_answer_to_a_stub),
		cmocka_unit_test(test_hold_is_capped_per_flow),
		cmocka_unit_test(test_frag_needed_after_restart),
		cmocka_unit_test(test_frag_needed_after_expiry),
		cmocka_unit_test(test_icmp_forward_held_and_limited),
		cmocka_unit_test(test_icmp_held_errors_limited),
		cmocka_unit_test(test_icmp_rate_per_server),
		cmocka_unit_test(test_icmp_not_forwarded_unanswerable),
		cmocka_unit_test(test_icmp_forward_limits),
		cmocka_unit_test(test_icmp_answer_checked),
		cmocka_unit_test(test_icmp_not_for_the_own_mapping_on_the_port),
		cmocka_unit_test(test_icmp_unforwarded_not_for_the_own_mapping),
		cmocka_unit_test(test_bounce_answer_alone_confirms),
		cmocka_unit_test(test_other_errors_over_the_channel),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
