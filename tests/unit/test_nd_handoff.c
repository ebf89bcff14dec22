/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_nd_handoff.c — nat64d's side of NAT64 handoff, wired in-process to
 * nat64-handoffd's real server logic (handoffd/server.c with its channel
 * registry, journal, validation and audit modules on a temporary
 * directory). The "network" is a loop: what nat64d writes to its fake
 * device towards server:6464 goes to srv_handle(), what the server answers
 * goes back into nat64d as an IPv4/UDP packet, other IPv4 packets are
 * "delivered" to the server host and IPv6 packets to the client. Time is
 * a fake clock. Also: the state file parser, key rotation, the cache. */
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
#include "audit.h"
#include "channel.h"
#include "handoff_wire.h"
#include "ippkt.h"
#include "nd_handoff.h"
#include "nd_testutil.h"
#include "server.h"
#include "validate.h"

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
			if (n->server_silent)
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
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
