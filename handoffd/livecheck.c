/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* livecheck.c — see ho_livecheck.h. */
#include "ho_livecheck.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* TCP states counted as live, numbered as in the kernel's
 * include/net/tcp_states.h (a uapi contract of inet_diag): every state
 * but TIME-WAIT (6), CLOSE (7) and LISTEN (10). */
enum {
	LIVE_ESTABLISHED = 1, LIVE_SYN_SENT = 2, LIVE_SYN_RECV = 3, LIVE_FIN_WAIT1 = 4,
	LIVE_FIN_WAIT2 = 5, LIVE_CLOSE_WAIT = 8, LIVE_LAST_ACK = 9, LIVE_CLOSING = 11,
};
#define LIVE_STATES ((1u << LIVE_ESTABLISHED) | (1u << LIVE_SYN_SENT) | (1u << LIVE_SYN_RECV) | \
	(1u << LIVE_FIN_WAIT1) | (1u << LIVE_FIN_WAIT2) | (1u << LIVE_CLOSE_WAIT) | \
	(1u << LIVE_LAST_ACK) | (1u << LIVE_CLOSING))

/* One host condition of the bytecode program: op, hostcond, IPv4 address.
 * Built in a byte buffer because inet_diag_hostcond ends in a flexible
 * array. "yes" jumps to the next op (or the end: accept); "no" jumps 4
 * octets past the end of the program: reject. */
#define LIVE_BC_OP_LEN (sizeof(struct inet_diag_bc_op) + sizeof(struct inet_diag_hostcond) + 4)

static size_t
live_hostcond(uint8_t *p, uint8_t code, size_t left, uint32_t addr)
{
	struct inet_diag_bc_op op = { .code = code, .yes = (uint8_t)LIVE_BC_OP_LEN,
	    .no = (uint16_t)(left + 4) };
	struct inet_diag_hostcond hc = { .family = AF_INET, .prefix_len = 32, .port = -1 };
	uint32_t a = htonl(addr);

	memcpy(p, &op, sizeof(op));
	memcpy(p + sizeof(op), &hc, sizeof(hc));
	memcpy(p + sizeof(op) + sizeof(hc), &a, 4);
	return LIVE_BC_OP_LEN;
}

/* Is this socket's remote address nat64 (IPv4, or v4-mapped IPv6)? */
static int
live_remote_is(const struct inet_diag_msg *m, uint32_t nat64)
{
	if (m->idiag_family == AF_INET)
		return m->id.idiag_dst[0] == htonl(nat64);
	return m->idiag_family == AF_INET6 && m->id.idiag_dst[0] == 0 &&
	    m->id.idiag_dst[1] == 0 && m->id.idiag_dst[2] == htonl(0xffff) &&
	    m->id.idiag_dst[3] == htonl(nat64);
}

/* One dump for one socket family (AF_INET, or AF_INET6 for IPv4
 * connections accepted on dual-stack sockets). */
static int
live_dump(int fd, uint8_t family, uint32_t local, uint32_t nat64,
    uint8_t bitmap[LIVE_BITMAP_BYTES])
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
		struct nlattr nla;
		uint8_t bc[2 * LIVE_BC_OP_LEN];
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	size_t bclen = (local ? 2 : 1) * LIVE_BC_OP_LEN;
	char buf[16384];
	int done = 0;

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = (uint32_t)(NLMSG_LENGTH(sizeof(req.r)) + NLA_HDRLEN + bclen);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = family;
	req.r.sdiag_family = family;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = LIVE_STATES;
	req.nla.nla_type = INET_DIAG_REQ_BYTECODE;
	req.nla.nla_len = (uint16_t)(NLA_HDRLEN + bclen);
	live_hostcond(req.bc, INET_DIAG_BC_D_COND, bclen, nat64);
	if (local)
		live_hostcond(req.bc + LIVE_BC_OP_LEN, INET_DIAG_BC_S_COND, LIVE_BC_OP_LEN, local);

	if (sendto(fd, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		return -1;
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			const struct inet_diag_msg *m;
			uint16_t port;

			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				continue;
			m = NLMSG_DATA(h);
			if (!live_remote_is(m, nat64))
				continue;
			port = ntohs(m->id.idiag_dport);
			bitmap[port >> 3] |= (uint8_t)(1u << (port & 7));
		}
	}
	return 0;
}

int
live_query_kernel(void *arg, uint32_t local, uint32_t nat64, uint8_t bitmap[LIVE_BITMAP_BYTES])
{
	int fd, rc;

	(void)arg;
	memset(bitmap, 0, LIVE_BITMAP_BYTES);
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd == -1)
		return -1;
	rc = live_dump(fd, AF_INET, local, nat64, bitmap);
	/* A host without IPv6 answers the second dump with an error: the
	 * IPv4 answer stands. */
	if (rc == 0)
		live_dump(fd, AF_INET6, local, nat64, bitmap);
	close(fd);
	return rc;
}
