/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* io.c — handoff-sim's sockets: a connected control socket per NAT64, a
 * port-9 socket per NAT64 (the validation packet lands there), datagrams
 * queued and sent in batches with sendmmsg, received with recvmmsg, and a
 * raw socket to forge source addresses (--forge).
 */
#include "sim.h"
#include "buf.h"
#include "ippkt.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SIM_IO_QUEUE	SIM_BATCH

struct sim_io_fdq {
	int fd;
	unsigned n;
	struct mmsghdr msg[SIM_IO_QUEUE];
	struct iovec iov[SIM_IO_QUEUE];
	uint8_t *buf;		/* SIM_IO_QUEUE * SIM_PKT_MAX */
};

struct sim_io {
	/* One queue per fd seen, small linear list. Each queue is allocated on
	 * its own and never moves: its msg[] point into its iov[] and buf. */
	struct sim_io_fdq **q;
	unsigned nq, capq;
	uint8_t *big;		/* for datagrams larger than SIM_PKT_MAX */
};

struct sim_io *
sim_io_create(char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	return xcalloc(1, sizeof(struct sim_io));
}

static void
sim_sin(struct sockaddr_in *sin, uint32_t a, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(a);
	sin->sin_port = htons(port);
}

static int
sim_udp_socket(uint32_t a, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_in sin;
	int fd, one = 1, big = 4 << 20;
	char buf[INET_ADDRSTRLEN];

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_IP, IP_FREEBIND, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	sim_sin(&sin, a, port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		snprintf(err, errlen, "bind %s:%u: %s",
		    inet_ntop(AF_INET, &sin.sin_addr, buf, sizeof(buf)), port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
sim_io_control(uint32_t nat64, uint16_t cport, uint32_t server, uint16_t port, uint16_t *bound,
    char *err, size_t errlen)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd;

	if ((fd = sim_udp_socket(nat64, cport, err, errlen)) == -1)
		return -1;
	sim_sin(&sin, server, port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&sin, &sl) == -1) {
		snprintf(err, errlen, "getsockname: %s", strerror(errno));
		close(fd);
		return -1;
	}
	*bound = ntohs(sin.sin_port);
	return fd;
}

int
sim_io_port9(uint32_t nat64, char *err, size_t errlen)
{
	return sim_udp_socket(nat64, HW_DISCARD_PORT, err, errlen);
}

static struct sim_io_fdq *
sim_io_q(struct sim_io *io, int fd)
{
	struct sim_io_fdq *q;
	unsigned i;

	for (i = 0; i < io->nq; i++)
		if (io->q[i]->fd == fd)
			return io->q[i];
	if (io->nq == io->capq) {
		io->capq = io->capq ? io->capq * 2 : 8;
		io->q = xreallocarray(io->q, io->capq, sizeof(*io->q));
	}
	q = xcalloc(1, sizeof(*q));
	io->q[io->nq++] = q;
	q->fd = fd;
	q->buf = xmalloc((size_t)SIM_IO_QUEUE * SIM_PKT_MAX);
	return q;
}

static size_t
sim_io_flush_q(struct sim_io_fdq *q)
{
	unsigned off = 0;
	int n;

	while (off < q->n) {
		n = sendmmsg(q->fd, q->msg + off, q->n - off, 0);
		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			/* ENOBUFS/EAGAIN/ECONNREFUSED: the datagrams are lost,
			 * as on a network; the request times out. */
			off++;
			continue;
		}
		off += (unsigned)n;
	}
	n = (int)q->n;
	q->n = 0;
	return (size_t)n;
}

void
sim_io_queue(struct sim_io *io, int fd, const uint8_t *p, size_t len)
{
	struct sim_io_fdq *q;

	if (len > SIM_PKT_MAX) {	/* rare (garbage): send directly */
		while (send(fd, p, len, 0) == -1 && errno == EINTR)
			;
		return;
	}
	q = sim_io_q(io, fd);
	if (q->n == SIM_IO_QUEUE)
		sim_io_flush_q(q);
	memcpy(q->buf + (size_t)q->n * SIM_PKT_MAX, p, len);
	q->iov[q->n].iov_base = q->buf + (size_t)q->n * SIM_PKT_MAX;
	q->iov[q->n].iov_len = len;
	memset(&q->msg[q->n], 0, sizeof(q->msg[q->n]));
	q->msg[q->n].msg_hdr.msg_iov = &q->iov[q->n];
	q->msg[q->n].msg_hdr.msg_iovlen = 1;
	q->n++;
}

size_t
sim_io_flush(struct sim_io *io)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < io->nq; i++)
		if (io->q[i]->n > 0)
			n += sim_io_flush_q(io->q[i]);
	return n;
}

int
sim_io_recv(int fd, sim_io_rx_cb *cb, void *arg)
{
	static uint8_t bufs[SIM_BATCH][SIM_PKT_MAX];
	struct mmsghdr msg[SIM_BATCH];
	struct iovec iov[SIM_BATCH];
	struct sockaddr_in from[SIM_BATCH];
	int i, n;

	for (i = 0; i < SIM_BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		memset(&msg[i], 0, sizeof(msg[i]));
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
		msg[i].msg_hdr.msg_name = &from[i];
		msg[i].msg_hdr.msg_namelen = sizeof(from[i]);
	}
	n = recvmmsg(fd, msg, SIM_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return n;
	for (i = 0; i < n; i++) {
		if (msg[i].msg_hdr.msg_flags & MSG_TRUNC)
			continue;	/* larger than anything the server should send */
		cb(arg, bufs[i], msg[i].msg_len, ntohl(from[i].sin_addr.s_addr),
		    ntohs(from[i].sin_port));
	}
	return n;
}

int
sim_io_raw(char *err, size_t errlen)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);

	if (fd == -1)
		snprintf(err, errlen, "raw socket (needs root/CAP_NET_RAW): %s", strerror(errno));
	return fd;
}

int
sim_io_raw_send(int fd, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
    const uint8_t *payload, size_t len)
{
	static uint8_t pkt[65535];
	struct sockaddr_in sin;
	uint8_t s4[4], d4[4];
	size_t n;

	be32_store(s4, src);
	be32_store(d4, dst);
	if ((n = ippkt_udp4(pkt, sizeof(pkt), s4, d4, sport, dport, payload, len)) == 0)
		return -1;
	sim_sin(&sin, dst, 0);
	return sendto(fd, pkt, n, 0, (struct sockaddr *)&sin, sizeof(sin)) == (ssize_t)n ? 0 : -1;
}

void
sim_io_destroy(struct sim_io *io)
{
	unsigned i;

	if (io == NULL)
		return;
	for (i = 0; i < io->nq; i++) {
		free(io->q[i]->buf);
		free(io->q[i]);
	}
	free(io->q);
	free(io->big);
	free(io);
}
