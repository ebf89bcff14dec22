/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_nd_gso.c — offload metadata: a TCP super-packet with a partial
 * checksum crosses the gateway once, with its virtio_net_hdr rewritten
 * (TCPV6 <-> TCPV4, csum_start, hdr_len) and its partial checksum
 * adjusted so that the checksum the kernel completes is right. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "nd_gso.h"
#include "nd_testutil.h"

#define CLIENT	"2001:db8:1::2"
#define SERVER6	"2001:db8:64::c000:202"
#define SERVER4	"192.0.2.2"
#define POOL	"198.51.100.1"
#define PAYLOAD	20000

static uint8_t pkt[PAYLOAD + 200], out[PAYLOAD + 200];

/* What the kernel does with NEEDS_CSUM: sum from csum_start to the end
 * (the field holds the pseudo-header sum), store the complement. */
static void
complete(const struct virtio_net_hdr *vh, uint8_t *p, size_t len)
{
	size_t st = vh->csum_start, off = vh->csum_offset;

	t_put16(p + st + off, t_fold(t_sum(0, p + st, len - st)));
}

static size_t
send_vnet(struct t_gw *t, struct virtio_net_hdr *vh, uint8_t *p, size_t len)
{
	struct virtio_net_hdr v = *vh;

	nd_gw_input(t->gw, p, len, &v, &t->now);
	return 0;
}

static ssize_t
recv_vnet(struct t_gw *t, struct virtio_net_hdr *vh, uint8_t *p, size_t cap)
{
	struct iovec iov[2] = { { vh, sizeof(*vh) }, { p, cap } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n = recvmsg(t->peer, &mh, MSG_DONTWAIT);

	return n < (ssize_t)sizeof(*vh) ? 0 : n - (ssize_t)sizeof(*vh);
}

static size_t
tcp6_partial(uint8_t *p, uint16_t sport, uint8_t flags, size_t datalen, struct virtio_net_hdr *vh)
{
	uint8_t l4[PAYLOAD + 40];
	size_t n = t_tcp(l4, sport, 80, flags, datalen), len;
	uint32_t s;

	len = t_ip6(p, CLIENT, SERVER6, 6, 64, l4, n, -1);
	s = t_sum(0, p + 8, 32) + 6 + (uint32_t)(n >> 16) + (uint32_t)(n & 0xffff);
	t_put16(p + 40 + 16, (uint16_t)~t_fold(s));	/* pseudo-header sum, not inverted */
	memset(vh, 0, sizeof(*vh));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = 40;
	vh->csum_offset = 16;
	if (datalen > 1440) {
		vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
		vh->gso_size = 1440;
		vh->hdr_len = 60;
	}
	return len;
}

static void
test_tso_super_packet_6to4(void **state)
{
	struct t_gw t;
	struct virtio_net_hdr vh, ov;
	size_t len;
	ssize_t m;
	uint8_t a[4];

	(void)state;
	t_gw_open(&t, true, NULL);
	len = tcp6_partial(pkt, 50000, 0x02, 0, &vh);
	send_vnet(&t, &vh, pkt, len);
	m = recv_vnet(&t, &ov, out, sizeof(out));
	assert_int_equal(m, 40);
	complete(&ov, out, (size_t)m);
	assert_int_equal(t_l4ck4(out, 6, out + 20, 20), 0);

	len = tcp6_partial(pkt, 50000, 0x10, PAYLOAD, &vh);
	send_vnet(&t, &vh, pkt, len);
	m = recv_vnet(&t, &ov, out, sizeof(out));
	assert_int_equal(m, 20 + 20 + PAYLOAD);			/* one write, not 14 */
	assert_int_equal(ov.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(ov.gso_size, 1440);
	assert_int_equal(ov.hdr_len, 40);
	assert_int_equal(ov.csum_start, 20);
	assert_int_equal(ov.csum_offset, 16);
	assert_true(ov.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(t_get16(out + 2), 20 + 20 + PAYLOAD);
	assert_int_equal(out[6] & 0x40, 0x40);			/* DF */
	assert_int_equal(t_fold(t_sum(0, out, 20)), 0);
	t_a4(POOL, a);
	assert_memory_equal(out + 12, a, 4);
	complete(&ov, out, (size_t)m);
	assert_int_equal(t_l4ck4(out, 6, out + 20, 20 + PAYLOAD), 0);
	assert_int_equal(t.gw->c.gso_rx, 1);
	t_gw_close(&t);
}

static void
test_tso_super_packet_4to6(void **state)
{
	struct t_gw t;
	struct virtio_net_hdr vh, ov;
	uint8_t l4[PAYLOAD + 40];
	size_t len, n;
	ssize_t m;
	uint16_t port;
	uint32_t s;

	(void)state;
	t_gw_open(&t, true, NULL);
	len = tcp6_partial(pkt, 50000, 0x02, 0, &vh);
	send_vnet(&t, &vh, pkt, len);
	assert_int_equal(recv_vnet(&t, &ov, out, sizeof(out)), 40);
	port = t_get16(out + 20);

	n = t_tcp(l4, 80, port, 0x12, 0);
	len = t_ip4(pkt, SERVER4, POOL, 6, 64, true, l4, n, 16);
	nd_gw_input(t.gw, pkt, len, NULL, &t.now);	/* plain packet on a vnet device */
	assert_int_equal(recv_vnet(&t, &ov, out, sizeof(out)), 60);
	assert_int_equal(t.gw->st.n_sess, 1);

	n = t_tcp(l4, 80, port, 0x10, PAYLOAD);
	len = t_ip4(pkt, SERVER4, POOL, 6, 64, true, l4, n, -1);
	s = t_sum(0, pkt + 12, 8) + 6 + (uint32_t)n;
	t_put16(pkt + 20 + 16, (uint16_t)~t_fold(s));
	memset(&vh, 0, sizeof(vh));
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.csum_start = 20;
	vh.csum_offset = 16;
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	vh.gso_size = 1440;
	vh.hdr_len = 40;
	send_vnet(&t, &vh, pkt, len);
	m = recv_vnet(&t, &ov, out, sizeof(out));
	assert_int_equal(m, 40 + 20 + PAYLOAD);
	assert_int_equal(ov.gso_type, VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN);
	assert_int_equal(ov.csum_start, 40);
	assert_int_equal(ov.hdr_len, 60);
	assert_int_equal(t_get16(out + 42), 50000);
	complete(&ov, out, (size_t)m);
	assert_int_equal(t_l4ck6(out, 6, out + 40, 20 + PAYLOAD), 0);

	/* Segments that would not fit the IPv6 MTU: Fragmentation Needed. */
	vh.gso_size = 1470;
	len = t_ip4(pkt, SERVER4, POOL, 6, 64, true, l4, n, -1);
	send_vnet(&t, &vh, pkt, len);
	m = recv_vnet(&t, &ov, out, sizeof(out));
	assert_int_equal(out[20], 3);
	assert_int_equal(out[21], 4);
	assert_int_equal(t_get16(out + 26), 1480);
	t_gw_close(&t);
}

static void
test_partial_udp_and_bad_vnet(void **state)
{
	struct t_gw t;
	struct virtio_net_hdr vh, ov;
	uint8_t l4[64];
	size_t len, n;
	ssize_t m;
	uint32_t s;

	(void)state;
	t_gw_open(&t, true, NULL);
	n = t_udp(l4, 40000, 53, "partial");
	len = t_ip6(pkt, CLIENT, SERVER6, 17, 64, l4, n, -1);
	s = t_sum(0, pkt + 8, 32) + 17 + (uint32_t)n;
	t_put16(pkt + 46, (uint16_t)~t_fold(s));
	memset(&vh, 0, sizeof(vh));
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.csum_start = 40;
	vh.csum_offset = 6;
	send_vnet(&t, &vh, pkt, len);
	m = recv_vnet(&t, &ov, out, sizeof(out));
	assert_int_equal(m, 20 + 15);
	complete(&ov, out, (size_t)m);
	assert_int_equal(t_l4ck4(out, 17, out + 20, 15), 0);

	/* csum_start/offset past the packet, GSO on UDP: dropped, counted. */
	vh.csum_start = 200;
	len = t_ip6(pkt, CLIENT, SERVER6, 17, 64, l4, n, 6);
	send_vnet(&t, &vh, pkt, len);
	vh.csum_start = 40;
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	vh.gso_size = 1000;
	send_vnet(&t, &vh, pkt, len);
	assert_int_equal(recv_vnet(&t, &ov, out, sizeof(out)), 0);
	assert_int_equal(t.gw->c.drop_gso, 2);
	t_gw_close(&t);
}

/* Five datagrams of one flow in one burst leave as one UDP super-packet;
 * split the way the kernel does, every segment's checksum verifies. */
static void
test_udp_train(void **state)
{
	struct t_gw t;
	struct virtio_net_hdr ov;
	uint8_t l4[64], seg[128];
	size_t len, n, off;
	ssize_t m;
	int i;

	(void)state;
	t_gw_open(&t, true, NULL);
	t.gw->coalesce = true;
	for (i = 0; i < 5; i++) {
		n = t_udp(l4, 40000, 53, i < 4 ? "0123456789abcdef" : "tail");
		l4[8] = (uint8_t)('A' + i);
		len = t_ip6(pkt, CLIENT, SERVER6, 17, 64, l4, n, 6);
		nd_gw_input(t.gw, pkt, len, NULL, &t.now);
	}
	/* a datagram with a bad checksum is not coalesced: it ends the train */
	n = t_udp(l4, 40000, 53, "corrupt");
	len = t_ip6(pkt, CLIENT, SERVER6, 17, 64, l4, n, 6);
	pkt[47] ^= 1;
	nd_gw_input(t.gw, pkt, len, NULL, &t.now);
	nd_gw_flush(t.gw);
	m = recv_vnet(&t, &ov, out, sizeof(out));
	assert_int_equal(m, 20 + 8 + 4 * 16 + 4);
	assert_int_equal(ov.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
	assert_int_equal(ov.gso_size, 16);
	assert_int_equal(ov.csum_start, 20);
	assert_int_equal(ov.csum_offset, 6);
	assert_int_equal(t_get16(out + 2), m);
	assert_int_equal(t_fold(t_sum(0, out, 20)), 0);
	for (i = 0, off = 28; off < (size_t)m; i++, off += 16) {
		size_t pl = (size_t)m - off < 16 ? (size_t)m - off : 16;

		memcpy(seg, out, 20);			/* segment = header + UDP + slice */
		t_put16(seg + 2, (uint16_t)(28 + pl));
		memcpy(seg + 20, out + 20, 8);
		t_put16(seg + 24, (uint16_t)(8 + pl));
		/* kernel: check = ~csum_fold(pseudo with the segment's length + data) */
		t_put16(seg + 26, (uint16_t)~t_fold(t_sum(0, seg + 12, 8) + 17 + (uint32_t)(8 + pl)));
		memcpy(seg + 28, out + off, pl);
		complete(&ov, seg, 28 + pl);
		assert_int_equal(t_l4ck4(seg, 17, seg + 20, 8 + pl), 0);
		assert_int_equal(seg[28], 'A' + i);
	}
	assert_int_equal(i, 5);
	m = recv_vnet(&t, &ov, out, sizeof(out));	/* then the bad one, alone */
	assert_int_equal(m, 20 + 8 + 7);
	assert_int_equal(ov.gso_type, 0);
	assert_int_not_equal(t_l4ck4(out, 17, out + 20, 15), 0);
	assert_int_equal(t.gw->c.udp_coalesced, 5);
	assert_int_equal(t.gw->c.udp_trains, 1);
	t_gw_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tso_super_packet_6to4),
		cmocka_unit_test(test_tso_super_packet_4to6),
		cmocka_unit_test(test_partial_udp_and_bad_vnet),
		cmocka_unit_test(test_udp_train),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
