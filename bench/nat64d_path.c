/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nat64d_path.c — nat64d's packet path on the fake device, for counting
 * its instructions (bench/nat64d_path.sh): `nat64d-path KIND N` sends N
 * packets of one kind through nd_gw_input() and drains what comes out.
 *   udp64, udp46   64-octet UDP datagrams of one flow, 6->4 / 4->6
 *   tcp64, tcp46   60000-octet TCP super-packets (partial checksum, GSO)
 *   syn            TCP SYNs from new ports: a BIB entry and a session each
 *                  (500 from each client, every client in a /56 of its own)
 * Only the public gateway API and the unit tests' packet builders
 * (tests/unit/nd_testutil.h) are used, so the file builds against an
 * older tree as well. Addresses: documentation prefixes only, and the
 * packets never leave the socketpair. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>

#include "nd_testutil.h"

#define CLIENT	"2001:db8:1::2"
#define SERVER6	"2001:db8:64::c000:202"
#define SERVER4	"192.0.2.2"
#define POOL	"198.51.100.1"
#define PAY	60000

static uint8_t tmpl[PAY + 200], pkt[PAY + 200], out[PAY + 200];

static void
drain(struct t_gw *t)
{
	while (recv(t->peer, out, sizeof(out), MSG_DONTWAIT) > 0)
		continue;
}

/* The pool port of the translation just written (IPv4 UDP/TCP source). */
static uint16_t
mapped_port(struct t_gw *t)
{
	struct virtio_net_hdr vh;
	struct iovec iov[2] = { { &vh, sizeof(vh) }, { out, sizeof(out) } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	if (recvmsg(t->peer, &mh, MSG_DONTWAIT) < (ssize_t)sizeof(vh) + 24)
		abort();
	return t_get16(out + 20);
}

static void
run_syn(struct t_gw *t, long n)
{
	char client[64];
	uint8_t l4[64];
	size_t m, len;
	long i;

	for (i = 0; i < n; i++) {
		/* A new client in a new /56 every 500 SYNs: per-client quotas
		 * (where the tree has them) are never what is measured. */
		snprintf(client, sizeof(client), "2001:db8:%lx:%lx00::2", 1 + i / 500 / 256,
		    i / 500 % 256);
		m = t_tcp(l4, (uint16_t)(1024 + i % 60000), 80, 0x02, 0);
		len = t_ip6(pkt, client, SERVER6, 6, 64, l4, m, 16);
		nd_gw_input(t->gw, pkt, len, NULL, &t->now);
		drain(t);
	}
}

static void
run_udp(struct t_gw *t, bool to6, long n)
{
	static uint8_t l4[128];
	char pay[65];
	size_t m, len;
	uint16_t port;
	long i;

	memset(pay, 'u', 64);
	pay[64] = '\0';
	m = t_udp(l4, 40000, 53, pay);
	len = t_ip6(tmpl, CLIENT, SERVER6, 17, 64, l4, m, 6);
	memcpy(pkt, tmpl, len);
	nd_gw_input(t->gw, pkt, len, NULL, &t->now);
	port = mapped_port(t);
	if (to6) {
		m = t_udp(l4, 53, port, pay);
		len = t_ip4(tmpl, SERVER4, POOL, 17, 64, false, l4, m, 6);
	}
	for (i = 0; i < n; i++) {
		struct virtio_net_hdr vh = { 0 };

		memcpy(pkt, tmpl, len);
		nd_gw_input(t->gw, pkt, len, &vh, &t->now);
		if ((i & 31) == 31) {
			nd_gw_flush(t->gw);
			drain(t);
		}
	}
}

static void
run_tcp(struct t_gw *t, bool to6, long n)
{
	static uint8_t l4[PAY + 64];
	struct virtio_net_hdr vh = { 0 };
	size_t m, len;
	uint16_t port;
	uint32_t s;
	long i;

	/* SYN out, SYN-ACK back: an established session. */
	m = t_tcp(l4, 50000, 80, 0x02, 0);
	len = t_ip6(pkt, CLIENT, SERVER6, 6, 64, l4, m, 16);
	nd_gw_input(t->gw, pkt, len, NULL, &t->now);
	port = mapped_port(t);
	m = t_tcp(l4, 80, port, 0x12, 0);
	len = t_ip4(pkt, SERVER4, POOL, 6, 64, true, l4, m, 16);
	nd_gw_input(t->gw, pkt, len, NULL, &t->now);
	drain(t);
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.csum_offset = 16;
	vh.gso_size = 1440;
	if (!to6) {
		m = t_tcp(l4, 50000, 80, 0x10, PAY);
		len = t_ip6(tmpl, CLIENT, SERVER6, 6, 64, l4, m, -1);
		s = t_sum(0, tmpl + 8, 32) + 6 + (uint32_t)(m >> 16) + (uint32_t)(m & 0xffff);
		t_put16(tmpl + 40 + 16, (uint16_t)~t_fold(s));	/* pseudo-header sum */
		vh.csum_start = 40;
		vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
		vh.hdr_len = 60;
	} else {
		m = t_tcp(l4, 80, port, 0x10, PAY);
		len = t_ip4(tmpl, SERVER4, POOL, 6, 64, true, l4, m, -1);
		s = t_sum(0, tmpl + 12, 8) + 6 + (uint32_t)m;
		t_put16(tmpl + 20 + 16, (uint16_t)~t_fold(s));
		vh.csum_start = 20;
		vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		vh.hdr_len = 40;
	}
	memcpy(pkt, tmpl, len);
	for (i = 0; i < n; i++) {
		struct virtio_net_hdr v = vh;

		memcpy(pkt, tmpl, 128);		/* only the headers change */
		nd_gw_input(t->gw, pkt, len, &v, &t->now);
		drain(t);
	}
}

int
main(int argc, char **argv)
{
	struct t_gw t;
	const char *kind = argc == 3 ? argv[1] : "";
	long n = argc == 3 ? atol(argv[2]) : 0;
	bool syn = !strcmp(kind, "syn");

	if (!syn && strcmp(kind, "udp64") && strcmp(kind, "udp46") && strcmp(kind, "tcp64") &&
	    strcmp(kind, "tcp46")) {
		fprintf(stderr, "usage: nat64d-path udp64|udp46|tcp64|tcp46|syn N\n");
		return 2;
	}
	t_gw_open(&t, true, syn ? "port-range 1024-65535\n" : NULL);
	if (syn)
		run_syn(&t, n);
	else if (kind[0] == 'u')
		run_udp(&t, kind[3] == '4', n);
	else
		run_tcp(&t, kind[3] == '4', n);
	printf("%s %ld: tx4 %llu tx6 %llu drop_tx %llu bib %u\n", kind, n,
	    (unsigned long long)t.gw->c.tx4, (unsigned long long)t.gw->c.tx6,
	    (unsigned long long)t.gw->c.drop_tx, t.gw->st.n_bib);
	t_gw_close(&t);
	return 0;
}
