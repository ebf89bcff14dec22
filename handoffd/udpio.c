/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* udpio.c — see ho_udpio.h. */
#include "ho_udpio.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define UIO_RXBUF	65536
#define UIO_CTL		CMSG_SPACE(sizeof(struct in_pktinfo))

struct uio {
	int fd;
	uint64_t rx_dropped;		/* truncated, or without IP_PKTINFO / not IPv4 */
	uint8_t *rxbuf;			/* UIO_BATCH * UIO_RXBUF */
	uint8_t *txbuf;			/* UIO_BATCH * SRV_TX_MAX */
	struct mmsghdr rmsg[UIO_BATCH], smsg[UIO_BATCH];
	struct iovec riov[UIO_BATCH], siov[UIO_BATCH];
	struct sockaddr_in rname[UIO_BATCH], sname[UIO_BATCH];
	union {
		char buf[UIO_CTL];
		struct cmsghdr align;
	} rctl[UIO_BATCH], sctl[UIO_BATCH];
};

int
uio_probe_addr(uint32_t addr, char *err, size_t errlen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = 0,
	    .sin_addr.s_addr = htonl(addr) };
	int fd, e;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		e = errno;
		snprintf(err, errlen, "cannot bind to it: %s", strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

struct uio *
uio_open(uint32_t addr, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
	    .sin_addr.s_addr = htonl(addr) };
	int one = 1, rcvbuf = 4 << 20, fd;
	struct uio *u;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return NULL;
	}
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		snprintf(err, errlen, "bind to port %u: %s", port, strerror(errno));
		close(fd);
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &rcvbuf, sizeof(rcvbuf));
	u = xcalloc(1, sizeof(*u));
	u->fd = fd;
	u->rxbuf = xmalloc((size_t)UIO_BATCH * UIO_RXBUF);
	u->txbuf = xmalloc((size_t)UIO_BATCH * SRV_TX_MAX);
	return u;
}

void
uio_close(struct uio *u)
{
	if (u == NULL)
		return;
	close(u->fd);
	free(u->rxbuf);
	free(u->txbuf);
	free(u);
}

int
uio_fd(const struct uio *u)
{
	return u->fd;
}

uint8_t *
uio_txbuf(struct uio *u, int i)
{
	return u->txbuf + (size_t)i * SRV_TX_MAX;
}

int
uio_recv(struct uio *u, struct uio_rx *rx)
{
	int i, n, k = 0;

	for (i = 0; i < UIO_BATCH; i++) {
		struct msghdr *m = &u->rmsg[i].msg_hdr;

		u->riov[i].iov_base = u->rxbuf + (size_t)i * UIO_RXBUF;
		u->riov[i].iov_len = UIO_RXBUF;
		memset(m, 0, sizeof(*m));
		m->msg_name = &u->rname[i];
		m->msg_namelen = sizeof(u->rname[i]);
		m->msg_iov = &u->riov[i];
		m->msg_iovlen = 1;
		m->msg_control = u->rctl[i].buf;
		m->msg_controllen = UIO_CTL;
	}
	n = recvmmsg(u->fd, u->rmsg, UIO_BATCH, MSG_DONTWAIT, NULL);
	if (n == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
	for (i = 0; i < n; i++) {
		struct msghdr *m = &u->rmsg[i].msg_hdr;
		struct cmsghdr *c;
		uint32_t local = 0;

		if (m->msg_flags & MSG_TRUNC) {
			u->rx_dropped++;	/* cannot happen: the buffer holds 65536 */
			continue;
		}
		for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c))
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;

				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				local = ntohl(pi.ipi_addr.s_addr);
			}
		if (local == 0 || u->rname[i].sin_family != AF_INET) {
			u->rx_dropped++;
			continue;
		}
		rx[k].local = local;
		rx[k].src = ntohl(u->rname[i].sin_addr.s_addr);
		rx[k].sport = ntohs(u->rname[i].sin_port);
		rx[k].data = u->riov[i].iov_base;
		rx[k].len = u->rmsg[i].msg_len;
		k++;
	}
	return k;
}

int
uio_send(struct uio *u, const struct srv_tx *tx, int n)
{
	int i, sent = 0, done = 0;

	for (i = 0; i < n; i++) {
		struct msghdr *m = &u->smsg[i].msg_hdr;
		struct cmsghdr *c;
		struct in_pktinfo pi;

		memset(m, 0, sizeof(*m));
		memset(&pi, 0, sizeof(pi));
		u->sname[i].sin_family = AF_INET;
		u->sname[i].sin_addr.s_addr = htonl(tx[i].dst);
		u->sname[i].sin_port = htons(tx[i].dport);
		u->siov[i].iov_base = tx[i].buf;
		u->siov[i].iov_len = tx[i].len;
		m->msg_name = &u->sname[i];
		m->msg_namelen = sizeof(u->sname[i]);
		m->msg_iov = &u->siov[i];
		m->msg_iovlen = 1;
		m->msg_control = u->sctl[i].buf;
		m->msg_controllen = UIO_CTL;
		c = CMSG_FIRSTHDR(m);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		pi.ipi_spec_dst.s_addr = htonl(tx[i].local);
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	while (done < n) {
		int r = sendmmsg(u->fd, u->smsg + done, (unsigned)(n - done), 0);

		if (r == -1) {
			if (errno == EINTR)
				continue;
			/* Skip the datagram the kernel refused (no route, a
			 * full socket buffer): the caller counts it. */
			done++;
			continue;
		}
		done += r;
		sent += r;
	}
	return sent;
}

uint64_t
uio_rx_dropped(const struct uio *u)
{
	return u->rx_dropped;
}
