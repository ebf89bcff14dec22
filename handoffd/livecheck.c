/* livecheck.c — see livecheck.h. */
#include "livecheck.h"

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

struct live_hostcond {
	struct inet_diag_bc_op op;
	struct inet_diag_hostcond cond;
	uint32_t addr;
};

struct live_req {
	struct nlmsghdr nlh;
	struct inet_diag_req_v2 r;
	struct nlattr nla;
	struct live_hostcond bc[2];
};

int
live_query_kernel(void *arg, uint32_t local, uint32_t nat64, uint8_t bitmap[LIVE_BITMAP_BYTES])
{
	struct live_req req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[16384];
	size_t nbc = local ? 2 : 1, bclen = nbc * sizeof(struct live_hostcond);
	int fd, done = 0, rc = -1;

	(void)arg;
	memset(bitmap, 0, LIVE_BITMAP_BYTES);
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = (uint32_t)(NLMSG_LENGTH(sizeof(req.r)) + NLA_HDRLEN + bclen);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = 1;
	req.r.sdiag_family = AF_INET;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = LIVE_STATES;
	req.nla.nla_type = INET_DIAG_REQ_BYTECODE;
	req.nla.nla_len = (uint16_t)(NLA_HDRLEN + bclen);
	/* op "yes" jumps to the next op (or the end: accept); "no" jumps
	 * 4 octets past the end of the program: reject. */
	req.bc[0].op.code = INET_DIAG_BC_D_COND;
	req.bc[0].op.yes = sizeof(struct live_hostcond);
	req.bc[0].op.no = (uint16_t)(bclen + 4);
	req.bc[0].cond.family = AF_INET;
	req.bc[0].cond.prefix_len = 32;
	req.bc[0].cond.port = -1;
	req.bc[0].addr = htonl(nat64);
	if (local) {
		req.bc[1].op.code = INET_DIAG_BC_S_COND;
		req.bc[1].op.yes = sizeof(struct live_hostcond);
		req.bc[1].op.no = (uint16_t)(sizeof(struct live_hostcond) + 4);
		req.bc[1].cond.family = AF_INET;
		req.bc[1].cond.prefix_len = 32;
		req.bc[1].cond.port = -1;
		req.bc[1].addr = htonl(local);
	}

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd == -1)
		return -1;
	if (sendto(fd, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		goto out;
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			const struct inet_diag_msg *m;
			uint16_t port;

			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR)
				goto out;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				continue;
			m = NLMSG_DATA(h);
			if (m->id.idiag_dst[0] != htonl(nat64))
				continue;
			port = ntohs(m->id.idiag_dport);
			bitmap[port >> 3] |= (uint8_t)(1u << (port & 7));
		}
	}
	rc = 0;
out:
	close(fd);
	return rc;
}
