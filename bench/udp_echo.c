/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* udp-echo — the benchmark's yardstick: a bare UDP echo server doing what
 * any UDP server must do at the least (recvmmsg a batch, sendmmsg it back
 * to its sources), on one socket, one thread. bench/handoffd_rate.sh runs
 * handoff-sim against it and against nat64-handoffd with the same packets,
 * pinned to the same core, and reports the server's rate as a ratio.
 *
 * usage: udp-echo [-l ADDR] [-p PORT]   (default 127.0.0.1:6464)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH	64
#define BUFSZ	2048

static volatile sig_atomic_t quit;

static void
on_signal(int signo)
{
	(void)signo;
	quit = 1;
}

int
main(int argc, char **argv)
{
	static uint8_t bufs[BATCH][BUFSZ];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in from[BATCH], sin;
	const char *addr = "127.0.0.1";
	int port = 6464, fd, ch, i, n, big = 4 << 20;
	unsigned long long echoed = 0;

	while ((ch = getopt(argc, argv, "l:p:")) != -1) {
		switch (ch) {
		case 'l': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: udp-echo [-l ADDR] [-p PORT]\n");
			return 2;
		}
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "udp-echo: bad address %s\n", addr);
		return 2;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		fprintf(stderr, "udp-echo: %s:%d: %s\n", addr, port, strerror(errno));
		return 1;
	}
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;	/* no SA_RESTART: recvmmsg returns EINTR */
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}
	while (!quit) {
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = BUFSZ;
			memset(&msg[i], 0, sizeof(msg[i]));
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
			msg[i].msg_hdr.msg_name = &from[i];
			msg[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		n = recvmmsg(fd, msg, BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue;
		for (i = 0; i < n; i++)
			iov[i].iov_len = msg[i].msg_len;
		sendmmsg(fd, msg, (unsigned)n, 0);
		echoed += (unsigned)n;
	}
	fprintf(stderr, "udp-echo: %llu datagrams echoed\n", echoed);
	return 0;
}
