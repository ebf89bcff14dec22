/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_nd_xlat.c — nat64d's packet path through the fake packet device:
 * RFC 7915 header translation both ways, RFC 6146 mapping/filtering, ICMP
 * errors (own and translated, with the quoted packet), MTU handling,
 * fragments, hairpinning, malformed input. Expected header bytes are
 * written out from the RFCs; checksums are verified from scratch. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "addr.h"
#include "nd_testutil.h"

#define CLIENT	"2001:db8:1::2"
#define CLIENT2	"2001:db8:1::3"
#define SERVER6	"2001:db8:64::c000:202"	/* 2001:db8:64::192.0.2.2 */
#define SERVER4	"192.0.2.2"
#define POOL	"198.51.100.1"

/* client:40000 -> server:53 "hello" through the gateway; returns the
 * mapped port. */
static uint16_t
udp_out(struct t_gw *t, const char *client, uint16_t sport)
{
	uint8_t l4[64], pkt[256], out[256];
	size_t n = t_udp(l4, sport, 53, "hello");
	size_t len = t_ip6(pkt, client, SERVER6, 17, 64, l4, n, 6);
	ssize_t m;

	t_in(t, pkt, len);
	m = t_recv(t, out, sizeof(out));
	assert_int_equal(m, 20 + 13);
	return t_get16(out + 20);
}

static void
test_udp_6to4_header(void **state)
{
	struct t_gw t;
	uint8_t l4[64], pkt[256], out[256], pool[4], srv[4];
	size_t len;
	ssize_t m;
	/* RFC 7915 §5.1: version 4, IHL 5, TOS = traffic class (0), total
	 * length = payload length + 20, ID generated (DF clear: <= 1260),
	 * TTL = hop limit - 1, protocol 17. */
	static const uint8_t want[12] = { 0x45, 0x00, 0x00, 0x21, 0x12, 0x34, 0x00, 0x00, 63, 17 };

	(void)state;
	t_gw_open(&t, false, NULL);
	len = t_ip6(pkt, CLIENT, SERVER6, 17, 64, l4, t_udp(l4, 40000, 53, "hello"), 6);
	t_in(&t, pkt, len);
	m = t_recv(&t, out, sizeof(out));
	assert_int_equal(m, 33);
	assert_memory_equal(out, want, 10);
	assert_int_equal(t_fold(t_sum(0, out, 20)), 0);		/* header checksum */
	t_a4(POOL, pool);
	t_a4(SERVER4, srv);
	assert_memory_equal(out + 12, pool, 4);
	assert_memory_equal(out + 16, srv, 4);
	assert_in_range(t_get16(out + 20), 2000, 2063);		/* port-range */
	assert_int_equal(t_get16(out + 22), 53);
	assert_int_equal(t_get16(out + 24), 13);
	assert_int_equal(t_l4ck4(out, 17, out + 20, 13), 0);	/* UDP checksum */
	assert_memory_equal(out + 28, "hello", 5);
	assert_int_equal(t.gw->st.n_bib, 1);
	assert_int_equal(t.gw->st.n_sess, 1);
	t_gw_close(&t);
}

static void
test_udp_4to6_reply_and_filtering(void **state)
{
	struct t_gw t;
	uint8_t l4[64], pkt[256], out[256], a[16];
	size_t len;
	ssize_t m;
	uint16_t port;

	(void)state;
	t_gw_open(&t, false, NULL);
	port = udp_out(&t, CLIENT, 40000);
	len = t_ip4(pkt, SERVER4, POOL, 17, 64, false, l4, t_udp(l4, 53, port, "world!"), 6);
	t_in(&t, pkt, len);
	m = t_recv(&t, out, sizeof(out));
	assert_int_equal(m, 40 + 14);
	/* RFC 7915 §4.1: version 6, traffic class = TOS, flow label 0,
	 * payload length = total - IHL, next header 17, hop limit = TTL - 1. */
	assert_int_equal(out[0], 0x60);
	assert_int_equal(t_get16(out + 4), 14);
	assert_int_equal(out[6], 17);
	assert_int_equal(out[7], 63);
	t_a6(SERVER6, a);
	assert_memory_equal(out + 8, a, 16);
	t_a6(CLIENT, a);
	assert_memory_equal(out + 24, a, 16);
	assert_int_equal(t_get16(out + 40), 53);
	assert_int_equal(t_get16(out + 42), 40000);
	assert_int_equal(t_l4ck6(out, 17, out + 40, 14), 0);

	/* Endpoint-independent filtering: another IPv4 host reaches the mapping. */
	len = t_ip4(pkt, "203.0.113.9", POOL, 17, 64, false, l4, t_udp(l4, 7777, port, "x"), 6);
	t_in(&t, pkt, len);
	m = t_recv(&t, out, sizeof(out));
	assert_int_equal(m, 40 + 9);
	assert_int_equal(t.gw->st.n_sess, 2);

	/* No mapping: dropped and counted. */
	len = t_ip4(pkt, SERVER4, POOL, 17, 64, false, l4, t_udp(l4, 53, port == 2000 ? 2001 : 2000, "x"), 6);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 0);
	assert_int_equal(t.gw->c.drop_no_bib, 1);
	/* Not our pool. */
	len = t_ip4(pkt, SERVER4, "198.51.100.77", 17, 64, false, l4, t_udp(l4, 53, port, "x"), 6);
	t_in(&t, pkt, len);
	assert_int_equal(t.gw->c.drop_not_pool, 1);
	t_gw_close(&t);
}

static void
test_udp_zero_checksum_from_ipv4(void **state)
{
	struct t_gw t;
	uint8_t l4[64], pkt[256], out[256];
	size_t len;
	uint16_t port;

	(void)state;
	t_gw_open(&t, false, NULL);
	port = udp_out(&t, CLIENT, 40000);
	len = t_ip4(pkt, SERVER4, POOL, 17, 64, false, l4, t_udp(l4, 53, port, "zero"), -1);
	assert_int_equal(t_get16(pkt + 26), 0);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 40 + 12);
	assert_int_not_equal(t_get16(out + 46), 0);		/* RFC 7915 §4.5 */
	assert_int_equal(t_l4ck6(out, 17, out + 40, 12), 0);
	/* The same as a fragment: cannot be computed, dropped, and the
	 * sender told: Destination Unreachable, code 13 (RFC 7915 §4.4). */
	len = t_ip4(pkt, SERVER4, POOL, 17, 64, false, l4, t_udp(l4, 53, port, "zero"), -1);
	pkt[6] = 0x20;	/* MF */
	t_put16(pkt + 10, 0);
	t_put16(pkt + 10, t_fold(t_sum(0, pkt, 20)));
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 28 + len);
	assert_int_equal(out[9], 1);
	assert_int_equal(out[20], 3);
	assert_int_equal(out[21], 13);
	assert_memory_equal(out + 16, pkt + 12, 4);	/* to the sender */
	assert_memory_equal(out + 28, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 0);
	assert_int_equal(t.gw->c.drop_udp0_frag, 1);
	t_gw_close(&t);
}

static void
test_eim_and_paired_ports(void **state)
{
	struct t_gw t;
	uint8_t l4[64], pkt[256], out[256];
	size_t len;
	uint16_t p1, p2;

	(void)state;
	t_gw_open(&t, false, NULL);
	p1 = udp_out(&t, CLIENT, 40000);
	/* Same source, other destination: same mapping (RFC 6146 EIM). */
	len = t_ip6(pkt, CLIENT, "2001:db8:64::cb00:7109", 17, 64, l4, t_udp(l4, 40000, 53, "hello"), 6);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 33);
	assert_int_equal(t_get16(out + 20), p1);
	assert_int_equal(t.gw->st.n_bib, 1);
	assert_int_equal(t.gw->st.n_sess, 2);
	/* Another source port: another mapping. */
	p2 = udp_out(&t, CLIENT, 40001);
	assert_int_not_equal(p1, p2);
	assert_int_equal(t.gw->st.n_bib, 2);
	t_gw_close(&t);
}

static void
test_port_exhaustion(void **state)
{
	struct t_gw t;
	uint8_t l4[64], pkt[256], out[512];
	size_t len;
	int i;

	(void)state;
	t_gw_open(&t, false, NULL);
	for (i = 0; i < 64; i++)
		udp_out(&t, CLIENT, (uint16_t)(30000 + i));
	assert_int_equal(t.gw->st.n_bib, 64);
	/* The 65th mapping has no port left: ICMPv6 Destination Unreachable,
	 * Address Unreachable (RFC 6146 §3.5.1.1). */
	len = t_ip6(pkt, CLIENT, SERVER6, 17, 64, l4, t_udp(l4, 31000, 53, "hello"), 6);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 40 + 8 + 40 + 13);
	assert_int_equal(out[40], 1);
	assert_int_equal(out[41], 3);
	assert_int_equal(t.gw->st.c.ports_exhausted, 1);
	assert_int_equal(t.gw->c.drop_state_full, 1);
	t_gw_close(&t);
}

static void
test_tcp_handshake_and_filter(void **state)
{
	struct t_gw t;
	uint8_t l4[128], pkt[256], out[256];
	size_t len;
	uint16_t port;
	struct nd_bib *b;
	struct nd_session *s;

	(void)state;
	t_gw_open(&t, false, NULL);
	/* A non-SYN with no state is dropped (RFC 6146 §3.5.2.2). */
	len = t_ip6(pkt, CLIENT, SERVER6, 6, 64, l4, t_tcp(l4, 50000, 80, 0x10, 0), 16);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 0);
	assert_int_equal(t.gw->c.drop_no_session, 1);

	len = t_ip6(pkt, CLIENT, SERVER6, 6, 64, l4, t_tcp(l4, 50000, 80, 0x02, 0), 16);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 40);
	assert_int_equal(t_l4ck4(out, 6, out + 20, 20), 0);
	assert_int_equal(out[6] & 0x40, 0);	/* small: DF clear */
	port = t_get16(out + 20);
	b = nd_bib_find4(&t.gw->st, 6, 0xc6336401, port);
	assert_non_null(b);
	s = b->sessions;
	assert_non_null(s);
	assert_int_equal(s->tcp_state, ND_TCP_V6_INIT);

	len = t_ip4(pkt, SERVER4, POOL, 6, 64, true, l4, t_tcp(l4, 80, port, 0x12, 0), 16);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 60);
	assert_int_equal(t_get16(out + 42), 50000);
	assert_int_equal(t_l4ck6(out, 6, out + 40, 20), 0);
	assert_int_equal(s->tcp_state, ND_TCP_ESTABLISHED);

	/* Data with a payload, both ways, checksums stay right. */
	len = t_ip6(pkt, CLIENT, SERVER6, 6, 64, l4, t_tcp(l4, 50000, 80, 0x18, 100), 16);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 140);
	assert_int_equal(t_l4ck4(out, 6, out + 20, 120), 0);

	/* An unsolicited non-SYN from another IPv4 host: filtered. */
	len = t_ip4(pkt, "203.0.113.50", POOL, 6, 64, true, l4, t_tcp(l4, 80, port, 0x10, 0), 16);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 0);
	assert_int_equal(t.gw->c.drop_no_session, 2);
	t_gw_close(&t);
}

static void
test_icmp_echo_both_ways(void **state)
{
	struct t_gw t;
	uint8_t l4[64] = { 128, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g' }, pkt[256], out[256];
	size_t len;
	uint16_t id4;

	(void)state;
	t_gw_open(&t, false, NULL);
	len = t_ip6(pkt, CLIENT, SERVER6, 58, 64, l4, 12, 2);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 32);
	assert_int_equal(out[9], 1);		/* ICMPv6 -> ICMP */
	assert_int_equal(out[20], 8);		/* echo request: 128 -> 8 */
	assert_int_equal(out[21], 0);
	id4 = t_get16(out + 24);
	assert_in_range(id4, 2000, 2063);
	assert_int_equal(t_get16(out + 26), 1);
	assert_int_equal(t_fold(t_sum(0, out + 20, 12)), 0);	/* no pseudo-header */

	/* The reply: 0 -> 129 with the pseudo-header back in the checksum. */
	l4[0] = 0;
	t_put16(l4 + 4, id4);
	len = t_ip4(pkt, SERVER4, POOL, 1, 64, false, l4, 12, 2);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 52);
	assert_int_equal(out[6], 58);
	assert_int_equal(out[40], 129);
	assert_int_equal(t_get16(out + 44), 0x1234);
	assert_int_equal(t_l4ck6(out, 58, out + 40, 12), 0);
	t_gw_close(&t);
}

static void
test_hop_limit_expiry(void **state)
{
	struct t_gw t;
	uint8_t l4[64], pkt[256], out[512], a[16];
	size_t len;
	ssize_t m;

	(void)state;
	t_gw_open(&t, false, NULL);
	len = t_ip6(pkt, CLIENT, SERVER6, 17, 1, l4, t_udp(l4, 40000, 53, "hello"), 6);
	t_in(&t, pkt, len);
	m = t_recv(&t, out, sizeof(out));
	/* ICMPv6 Time Exceeded (3/0) from the gateway (prefix + ipv4-addr),
	 * quoting the packet (RFC 4443 §3.3). */
	assert_int_equal(m, 40 + 8 + (ssize_t)len);
	assert_int_equal(out[6], 58);
	assert_int_equal(out[40], 3);
	assert_int_equal(out[41], 0);
	t_a6("2001:db8:64::cb00:7101", a);
	assert_memory_equal(out + 8, a, 16);
	t_a6(CLIENT, a);
	assert_memory_equal(out + 24, a, 16);
	assert_memory_equal(out + 48, pkt, len);
	assert_int_equal(t_l4ck6(out, 58, out + 40, (size_t)m - 40), 0);
	assert_int_equal(t.gw->st.n_bib, 0);	/* no state for an expired packet */
	t_gw_close(&t);
}

static void
test_ttl_expiry_ipv4(void **state)
{
	struct t_gw t;
	uint8_t l4[64], pkt[256], out[512], a[4];
	size_t len;
	uint16_t port;

	(void)state;
	t_gw_open(&t, false, NULL);
	port = udp_out(&t, CLIENT, 40000);
	len = t_ip4(pkt, SERVER4, POOL, 17, 1, false, l4, t_udp(l4, 53, port, "late"), 6);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 20 + 8 + (ssize_t)len);
	assert_int_equal(out[9], 1);
	assert_int_equal(out[20], 11);
	assert_int_equal(out[21], 0);
	t_a4("203.0.113.1", a);
	assert_memory_equal(out + 12, a, 4);
	t_a4(SERVER4, a);
	assert_memory_equal(out + 16, a, 4);
	assert_int_equal(t_fold(t_sum(0, out + 20, 8 + len)), 0);
	t_gw_close(&t);
}

/* An ICMPv4 error from a router about a TCP segment we translated becomes
 * an ICMPv6 error about the segment as the client sent it. */
static void
test_frag_needed_to_packet_too_big(void **state)
{
	struct t_gw t;
	uint8_t l4[1600], pkt[1700], out[1700], icmp[1700], a[16], sent[1700];
	size_t len, slen, ilen;
	ssize_t m;

	(void)state;
	t_gw_open(&t, false, NULL);
	len = t_ip6(pkt, CLIENT, SERVER6, 6, 64, l4, t_tcp(l4, 50000, 80, 0x02, 0), 16);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 40);
	len = t_ip6(pkt, CLIENT, SERVER6, 6, 64, l4, t_tcp(l4, 50000, 80, 0x10, 1440), 16);
	t_in(&t, pkt, len);
	m = t_recv(&t, sent, sizeof(sent));
	assert_int_equal(m, 1480);
	assert_int_equal(sent[6] & 0x40, 0x40);		/* > 1260: DF set */
	slen = (size_t)m;

	/* Router 192.0.2.1: 3/4, next-hop MTU 1400, quoting IP header + 8. */
	memset(icmp, 0, 8);
	icmp[0] = 3;
	icmp[1] = 4;
	t_put16(icmp + 6, 1400);
	memcpy(icmp + 8, sent, 28);
	ilen = t_ip4(pkt, "192.0.2.1", POOL, 1, 64, false, icmp, 36, 2);
	(void)slen;
	t_in(&t, pkt, ilen);
	m = t_recv(&t, out, sizeof(out));
	assert_int_equal(m, 40 + 8 + 40 + 8);
	assert_int_equal(out[40], 2);			/* Packet Too Big */
	assert_int_equal(out[41], 0);
	assert_int_equal(t_get32(out + 44), 1420);	/* 1400 + 20 */
	t_a6("2001:db8:64::c000:201", a);
	assert_memory_equal(out + 8, a, 16);
	t_a6(CLIENT, a);
	assert_memory_equal(out + 24, a, 16);
	/* The quoted packet is the client's: its addresses and ports. */
	assert_int_equal(out[48], 0x60);
	assert_int_equal(t_get16(out + 52), 1460);	/* original payload length */
	assert_memory_equal(out + 48 + 8, a, 16);
	t_a6(SERVER6, a);
	assert_memory_equal(out + 48 + 24, a, 16);
	assert_int_equal(t_get16(out + 88), 50000);
	assert_int_equal(t_get16(out + 90), 80);
	assert_int_equal(t_l4ck6(out, 58, out + 40, (size_t)m - 40), 0);
	assert_int_equal(t.gw->c.icmp_err_xlat4to6, 1);
	t_gw_close(&t);
}

static void
test_packet_too_big_to_frag_needed(void **state)
{
	struct t_gw t;
	uint8_t l4[1600], pkt[1700], out[1700], icmp[1700], a[4];
	size_t len;
	ssize_t m;
	uint16_t port;

	(void)state;
	t_gw_open(&t, false, NULL);
	len = t_ip6(pkt, CLIENT, SERVER6, 6, 64, l4, t_tcp(l4, 50000, 80, 0x02, 0), 16);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 40);
	port = t_get16(out + 20);
	len = t_ip4(pkt, SERVER4, POOL, 6, 64, true, l4, t_tcp(l4, 80, port, 0x12, 1440), 16);
	t_in(&t, pkt, len);
	m = t_recv(&t, out, sizeof(out));
	assert_int_equal(m, 1500);
	/* An IPv6 router (not in the prefix): PTB 1400 quoting 1232 octets. */
	memset(icmp, 0, 8);
	icmp[0] = 2;
	icmp[4] = 0;
	icmp[6] = 1400 >> 8;
	icmp[7] = 1400 & 0xff;
	memcpy(icmp + 8, out, 1232 - 8 - 40);
	len = t_ip6(pkt, "2001:db8:1::1", SERVER6, 58, 64, icmp, 1232 - 40, 2);
	t_in(&t, pkt, len);
	m = t_recv(&t, out, sizeof(out));
	assert_true(m > 56);
	assert_int_equal(out[20], 3);
	assert_int_equal(out[21], 4);
	assert_int_equal(t_get16(out + 26), 1380);	/* 1400 - 20 */
	t_a4(POOL, a);			/* from the session's pool4 address (RFC 6146 §3.6.1) */
	assert_memory_equal(out + 12, a, 4);
	t_a4(SERVER4, a);
	assert_memory_equal(out + 16, a, 4);
	assert_int_equal(t_fold(t_sum(0, out + 20, (size_t)m - 20)), 0);
	/* inner: the server's segment as it sent it */
	assert_int_equal(out[28], 0x45);
	t_a4(POOL, a);
	assert_memory_equal(out + 28 + 16, a, 4);
	assert_int_equal(t_get16(out + 48), 80);
	assert_int_equal(t_get16(out + 50), port);
	assert_true(m <= 576);
	t_gw_close(&t);
}

static void
test_mtu_df_and_fragmenting(void **state)
{
	struct t_gw t;
	uint8_t l4[1600], pkt[1700], out[1700];
	size_t len, total = 0;
	ssize_t m;
	uint16_t port;
	int n = 0;

	(void)state;
	t_gw_open(&t, false, "mtu6 1280\n");
	port = udp_out(&t, CLIENT, 40000);
	memset(l4, 'u', sizeof(l4));
	/* 1400-octet IPv4 datagram with DF: Fragmentation Needed, MTU 1260. */
	t_put16(l4, 53);
	t_put16(l4 + 2, port);
	t_put16(l4 + 4, 1380);
	len = t_ip4(pkt, SERVER4, POOL, 17, 64, true, l4, 1380, 6);
	t_in(&t, pkt, len);
	m = t_recv(&t, out, sizeof(out));
	assert_int_equal(m, 20 + 8 + 548);
	assert_int_equal(out[20], 3);
	assert_int_equal(out[21], 4);
	assert_int_equal(t_get16(out + 26), 1260);
	/* Without DF: IPv6 fragments of at most 1280 octets (RFC 7915 §4). */
	len = t_ip4(pkt, SERVER4, POOL, 17, 64, false, l4, 1380, 6);
	t_in(&t, pkt, len);
	while ((m = t_recv(&t, out, sizeof(out))) > 0) {
		assert_true(m <= 1280);
		assert_int_equal(out[6], 44);
		assert_int_equal(t_get32(out + 44), 0x4242);	/* identification */
		assert_int_equal(t_get16(out + 42) & 0xfff8, total);
		assert_int_equal(t_get16(out + 42) & 1, n == 0 ? 1 : 0);
		total += (size_t)m - 48;
		n++;
	}
	assert_int_equal(n, 2);
	assert_int_equal(total, 1380);
	t_gw_close(&t);
}

static void
test_ipv6_fragments(void **state)
{
	struct t_gw t;
	uint8_t body[64], l4[600], pkt[700], out[700];
	size_t len, n;
	uint16_t port4;

	(void)state;
	t_gw_open(&t, false, NULL);
	/* First fragment: fragment header + UDP header + 16 octets (of 40). */
	memset(body, 'f', sizeof(body));
	memset(l4, 0, 8);
	l4[0] = 17;				/* next header */
	t_put16(l4 + 2, 0 | 1);			/* offset 0, M */
	l4[4] = 0xde; l4[5] = 0xad; l4[6] = 0xbe; l4[7] = 0xef;
	n = t_udp(l4 + 8, 40000, 53, "0123456789abcdef0123456789abcdef");
	/* the UDP checksum covers the whole datagram: compute it on a copy */
	{
		uint8_t whole[256];
		size_t wl = t_ip6(whole, CLIENT, SERVER6, 17, 64, l4 + 8, n, 6);

		memcpy(l4 + 8, whole + 40, wl - 40);
	}
	len = t_ip6(pkt, CLIENT, SERVER6, 44, 64, l4, 8 + 24, -1);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 20 + 24);
	assert_int_equal(t_get16(out + 4), 0xbeef);	/* low 16 bits of the ID */
	assert_int_equal(t_get16(out + 6), 0x2000);	/* MF, offset 0, DF clear */
	port4 = t_get16(out + 20);
	assert_in_range(port4, 2000, 2063);
	/* Second fragment: offset 24, the last 16 octets; follows the first. */
	t_put16(l4 + 2, 24);
	memcpy(l4 + 8, "0123456789abcdef", 16);
	len = t_ip6(pkt, CLIENT, SERVER6, 44, 64, l4, 8 + 16, -1);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 20 + 16);
	assert_int_equal(t_get16(out + 4), 0xbeef);
	assert_int_equal(t_get16(out + 6), 3);		/* offset 24 / 8 */
	assert_int_equal(t.gw->c.frags_xlat, 2);
	/* A later fragment of a datagram not seen yet waits (RFC 6146 §3.4,
	 * out of order, bounded) and is dropped after 2 s. */
	l4[7] = 0x00;
	len = t_ip6(pkt, CLIENT, SERVER6, 44, 64, l4, 8 + 16, -1);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 0);
	assert_int_equal(t.gw->c.frag_held, 1);
	t.now = clk_fake(t.now.mono_ms + 2000, 1700000002);
	nd_gw_expire(t.gw, &t.now);
	assert_int_equal(t.gw->c.frag_expired, 1);
	assert_int_equal(t.gw->c.drop_frag_unknown, 0);
	t_gw_close(&t);
}

static void
test_ipv6_fragments_out_of_order(void **state)
{
	struct t_gw t;
	uint8_t l4[600], pkt[700], out[700], first[700], whole[256];
	size_t len, flen, n, wl;

	(void)state;
	t_gw_open(&t, false, NULL);
	memset(l4, 0, 8);
	l4[0] = 17;
	t_put16(l4 + 2, 1);
	l4[4] = 0x11; l4[5] = 0x22; l4[6] = 0x33; l4[7] = 0x44;
	n = t_udp(l4 + 8, 40000, 53, "0123456789abcdef0123456789abcdef");
	wl = t_ip6(whole, CLIENT, SERVER6, 17, 64, l4 + 8, n, 6);
	memcpy(l4 + 8, whole + 40, wl - 40);
	flen = t_ip6(first, CLIENT, SERVER6, 44, 64, l4, 8 + 24, -1);
	/* the second fragment first */
	t_put16(l4 + 2, 24);
	memcpy(l4 + 8, "0123456789abcdef", 16);
	len = t_ip6(pkt, CLIENT, SERVER6, 44, 64, l4, 8 + 16, -1);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 0);
	t_in(&t, first, flen);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 20 + 24);	/* first, */
	assert_int_equal(t_get16(out + 6), 0x2000);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 20 + 16);	/* then the held one */
	assert_int_equal(t_get16(out + 6), 3);
	assert_int_equal(t_get16(out + 4), 0x3344);
	assert_int_equal(t.gw->c.frag_held, 1);
	assert_int_equal(t.gw->c.frag_released, 1);
	t_gw_close(&t);
}

static void
test_hairpin(void **state)
{
	struct t_gw t;
	uint8_t l4[64], pkt[256], out[256], a[16];
	size_t len;
	uint16_t pb;

	(void)state;
	t_gw_open(&t, false, NULL);
	pb = udp_out(&t, CLIENT2, 5353);	/* client2 has a mapping */
	/* client -> prefix + pool:pb reaches client2 from prefix + pool:pa. */
	len = t_ip6(pkt, CLIENT, "2001:db8:64::c633:6401", 17, 64, l4, t_udp(l4, 40000, pb, "hairpin"), 6);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 40 + 15);
	t_a6(CLIENT2, a);
	assert_memory_equal(out + 24, a, 16);
	t_a6("2001:db8:64::c633:6401", a);
	assert_memory_equal(out + 8, a, 16);
	assert_int_equal(t_get16(out + 42), 5353);
	assert_int_equal(t_l4ck6(out, 17, out + 40, 15), 0);
	assert_int_equal(t.gw->c.hairpin, 1);
	t_gw_close(&t);
}

static void
test_malformed_dropped(void **state)
{
	struct t_gw t;
	uint8_t l4[64], pkt[256], out[256];
	size_t len;

	(void)state;
	t_gw_open(&t, false, NULL);
	len = t_ip6(pkt, CLIENT, SERVER6, 17, 64, l4, t_udp(l4, 40000, 53, "hello"), 6);
	t_in(&t, pkt, 30);				/* truncated header */
	t_in(&t, pkt, len - 3);				/* payload length lies */
	assert_int_equal(t.gw->c.drop_malformed6, 2);
	len = t_ip6(pkt, CLIENT, "2001:db8:65::c000:202", 17, 64, l4, t_udp(l4, 40000, 53, "x"), 6);
	t_in(&t, pkt, len);
	assert_int_equal(t.gw->c.drop_not_prefix, 1);
	len = t_ip6(pkt, CLIENT, "2001:db8:64::7f00:1", 17, 64, l4, t_udp(l4, 40000, 53, "x"), 6);
	t_in(&t, pkt, len);					/* 127.0.0.1 */
	len = t_ip6(pkt, CLIENT, "2001:db8:64::e000:1", 17, 64, l4, t_udp(l4, 40000, 53, "x"), 6);
	t_in(&t, pkt, len);					/* multicast */
	len = t_ip6(pkt, "2001:db8:64::c000:299", SERVER6, 17, 64, l4, t_udp(l4, 40000, 53, "x"), 6);
	t_in(&t, pkt, len);					/* source in the prefix */
	assert_int_equal(t.gw->c.drop_bad_addr, 3);
	len = t_ip4(pkt, SERVER4, POOL, 17, 64, false, l4, t_udp(l4, 53, 2000, "x"), 6);
	pkt[10] ^= 0xff;				/* header checksum */
	t_in(&t, pkt, len);
	pkt[10] ^= 0xff;
	pkt[0] = 0x44;					/* IHL 4 */
	t_in(&t, pkt, len);
	assert_int_equal(t.gw->c.drop_malformed4, 2);
	len = t_ip6(pkt, CLIENT, SERVER6, 132, 64, l4, 12, -1);	/* SCTP */
	t_in(&t, pkt, len);
	assert_int_equal(t.gw->c.drop_proto, 1);
	/* discarded with Destination Unreachable, code 1 back (RFC 7915 §5.4) */
	assert_int_equal(t_recv(&t, out, sizeof(out)), 48 + len);
	assert_int_equal(out[6], 58);
	assert_int_equal(out[40], 1);
	assert_int_equal(out[41], 1);
	assert_memory_equal(out + 48, pkt, len);
	memset(l4, 0, 16);
	l4[0] = 135;					/* neighbour solicitation */
	len = t_ip6(pkt, CLIENT, SERVER6, 58, 64, l4, 16, 2);
	t_in(&t, pkt, len);
	assert_int_equal(t.gw->c.drop_icmp_type, 1);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 0);
	t_gw_close(&t);
}

static void
test_source_route_option(void **state)
{
	struct t_gw t;
	uint8_t l4[64], pkt[256], out[512];
	size_t n;
	uint16_t port;

	(void)state;
	t_gw_open(&t, false, NULL);
	port = udp_out(&t, CLIENT, 40000);
	/* IHL 7: LSRR (length 7, pointer 4: one hop still to go), end of options */
	n = t_udp(l4, 53, port, "sr");
	memset(pkt, 0, 28);
	pkt[0] = 0x47;
	t_put16(pkt + 2, (uint16_t)(28 + n));
	pkt[8] = 64;
	pkt[9] = 17;
	t_a4(SERVER4, pkt + 12);
	t_a4(POOL, pkt + 16);
	pkt[20] = 131;
	pkt[21] = 7;
	pkt[22] = 4;
	t_a4("203.0.113.77", pkt + 23);
	t_put16(pkt + 10, t_fold(t_sum(0, pkt, 28)));
	memcpy(pkt + 28, l4, n);
	t_in(&t, pkt, 28 + n);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 20 + 8 + 28 + (ssize_t)n);
	assert_int_equal(out[20], 3);
	assert_int_equal(out[21], 5);		/* source route failed */
	assert_int_equal(t.gw->c.drop_source_route, 1);
	/* an expired one (pointer past the addresses) is ignored like other options */
	pkt[22] = 8;
	pkt[10] = pkt[11] = 0;
	t_put16(pkt + 10, t_fold(t_sum(0, pkt, 28)));
	t_put16(pkt + 28 + 6, 0);
	t_put16(pkt + 28 + 6, t_l4ck4(pkt, 17, pkt + 28, n));
	t_in(&t, pkt, 28 + n);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 40 + (ssize_t)n);
	assert_int_equal(t_l4ck6(out, 17, out + 40, n), 0);
	t_gw_close(&t);
}

static void
test_routing_header(void **state)
{
	struct t_gw t;
	uint8_t l4[64], pkt[256], out[512];
	size_t n, len;

	(void)state;
	t_gw_open(&t, false, NULL);
	/* Routing header type 0... segments left 1: Parameter Problem, pointer 43 */
	memset(l4, 0, 8);
	l4[0] = 17;
	l4[1] = 0;
	l4[2] = 2;
	l4[3] = 1;
	n = t_udp(l4 + 8, 40000, 53, "rh");
	len = t_ip6(pkt, CLIENT, SERVER6, 43, 64, l4, 8 + n, -1);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 48 + (ssize_t)len);
	assert_int_equal(out[40], 4);
	assert_int_equal(out[41], 0);
	assert_int_equal(t_get32(out + 44), 43);
	/* segments left 0: skipped, translated */
	l4[3] = 0;
	len = t_ip6(pkt, CLIENT, SERVER6, 43, 64, l4, 8 + n, -1);
	{
		uint8_t whole[128];
		size_t wl = t_ip6(whole, CLIENT, SERVER6, 17, 64, l4 + 8, n, 6);

		memcpy(pkt + 48, whole + 40, wl - 40);
	}
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 20 + (ssize_t)n);
	assert_int_equal(t_l4ck4(out, 17, out + 20, n), 0);
	t_gw_close(&t);
}

/* A second, /40 prefix (RFC 6052 §2.2: octets 5-7 and 9, u octet zero):
 * the reply comes back under the prefix the client used. */
static void
test_rfc6052_40_prefix(void **state)
{
	struct t_gw t;
	uint8_t l4[64], pkt[256], out[256], a[16], pfx[16], srv4[4];
	char s40[64];
	size_t len;
	uint16_t port;

	(void)state;
	t_gw_open(&t, false, "prefix 2001:db8:100::/40\n");
	t_a6("2001:db8:100::", pfx);
	addr_rfc6052_embed(pfx, 40, 0xc0000202, a);
	assert_int_equal(a[5], 0xc0);
	assert_int_equal(a[8], 0);
	assert_int_equal(a[9], 2);
	inet_ntop(AF_INET6, a, s40, sizeof(s40));
	len = t_ip6(pkt, CLIENT, s40, 17, 64, l4, t_udp(l4, 40000, 53, "hello"), 6);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 33);
	t_a4(SERVER4, srv4);
	assert_memory_equal(out + 16, srv4, 4);
	port = t_get16(out + 20);
	len = t_ip4(pkt, SERVER4, POOL, 17, 64, false, l4, t_udp(l4, 53, port, "back"), 6);
	t_in(&t, pkt, len);
	assert_int_equal(t_recv(&t, out, sizeof(out)), 52);
	assert_memory_equal(out + 8, a, 16);
	assert_int_equal(t_l4ck6(out, 17, out + 40, 12), 0);
	t_gw_close(&t);
}

static void
test_icmp_maps(void **state)
{
	uint8_t t, c;

	(void)state;
	/* RFC 7915 §4.2 */
	assert_true(nd_icmp4to6_map(3, 1, &t, &c)); assert_int_equal(t, 1); assert_int_equal(c, 0);
	assert_true(nd_icmp4to6_map(3, 3, &t, &c)); assert_int_equal(t, 1); assert_int_equal(c, 4);
	assert_true(nd_icmp4to6_map(3, 2, &t, &c)); assert_int_equal(t, 4); assert_int_equal(c, 1);
	assert_true(nd_icmp4to6_map(3, 4, &t, &c)); assert_int_equal(t, 2); assert_int_equal(c, 0);
	assert_true(nd_icmp4to6_map(3, 13, &t, &c)); assert_int_equal(t, 1); assert_int_equal(c, 1);
	assert_true(nd_icmp4to6_map(11, 1, &t, &c)); assert_int_equal(t, 3); assert_int_equal(c, 1);
	assert_false(nd_icmp4to6_map(3, 14, &t, &c));
	assert_false(nd_icmp4to6_map(4, 0, &t, &c));	/* source quench */
	assert_false(nd_icmp4to6_map(5, 0, &t, &c));	/* redirect */
	assert_false(nd_icmp4to6_map(13, 0, &t, &c));	/* timestamp */
	assert_false(nd_icmp4to6_map(12, 1, &t, &c));
	/* RFC 7915 §5.2 */
	assert_true(nd_icmp6to4_map(1, 4, &t, &c)); assert_int_equal(t, 3); assert_int_equal(c, 3);
	assert_true(nd_icmp6to4_map(1, 1, &t, &c)); assert_int_equal(t, 3); assert_int_equal(c, 10);
	assert_true(nd_icmp6to4_map(4, 1, &t, &c)); assert_int_equal(t, 3); assert_int_equal(c, 2);
	assert_true(nd_icmp6to4_map(3, 0, &t, &c)); assert_int_equal(t, 11); assert_int_equal(c, 0);
	assert_false(nd_icmp6to4_map(4, 2, &t, &c));
	assert_false(nd_icmp6to4_map(130, 0, &t, &c));	/* MLD */
	/* pointer maps, Figures 3 and 6 */
	assert_int_equal(nd_ptr4to6(8), 7);
	assert_int_equal(nd_ptr4to6(9), 6);
	assert_int_equal(nd_ptr4to6(12), 8);
	assert_int_equal(nd_ptr4to6(16), 24);
	assert_int_equal(nd_ptr4to6(10), -1);
	assert_int_equal(nd_ptr6to4(7), 8);
	assert_int_equal(nd_ptr6to4(6), 9);
	assert_int_equal(nd_ptr6to4(4), 2);
	assert_int_equal(nd_ptr6to4(30), 16);
	assert_int_equal(nd_ptr6to4(2), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_6to4_header),
		cmocka_unit_test(test_udp_4to6_reply_and_filtering),
		cmocka_unit_test(test_udp_zero_checksum_from_ipv4),
		cmocka_unit_test(test_eim_and_paired_ports),
		cmocka_unit_test(test_port_exhaustion),
		cmocka_unit_test(test_tcp_handshake_and_filter),
		cmocka_unit_test(test_icmp_echo_both_ways),
		cmocka_unit_test(test_hop_limit_expiry),
		cmocka_unit_test(test_ttl_expiry_ipv4),
		cmocka_unit_test(test_frag_needed_to_packet_too_big),
		cmocka_unit_test(test_packet_too_big_to_frag_needed),
		cmocka_unit_test(test_mtu_df_and_fragmenting),
		cmocka_unit_test(test_ipv6_fragments),
		cmocka_unit_test(test_ipv6_fragments_out_of_order),
		cmocka_unit_test(test_hairpin),
		cmocka_unit_test(test_malformed_dropped),
		cmocka_unit_test(test_source_route_option),
		cmocka_unit_test(test_routing_header),
		cmocka_unit_test(test_rfc6052_40_prefix),
		cmocka_unit_test(test_icmp_maps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
