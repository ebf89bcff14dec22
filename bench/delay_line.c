/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* delay-line — a fixed one-way delay for every packet routed through a TUN
 * device, for a kernel without netem (bench/nat64d_handoff.sh). The kernel
 * routes packets into TUN IFNAME; each is written back into the same device
 * DELAY_US microseconds after it was read, and policy routing on "iif
 * IFNAME" sends it on its way. FIFO: the delay is constant, so the queue
 * is in due order. Packets beyond the queue are dropped (counted).
 *
 * usage: delay-line -i IFNAME -d DELAY_US     (prints READY once the device exists)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define QLEN	8192
#define PKTMAX	2048

struct slot {
	uint64_t due;
	uint16_t len;
	uint8_t data[PKTMAX];
};

static volatile sig_atomic_t quit;

static void
on_signal(int signo)
{
	(void)signo;
	quit = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	static struct slot q[QLEN];
	struct ifreq ifr;
	struct sigaction sa;
	const char *name = NULL;
	uint64_t delay_ns = 0, head = 0, tail = 0, fwd = 0, dropped = 0;
	int fd, ch;

	while ((ch = getopt(argc, argv, "i:d:")) != -1) {
		switch (ch) {
		case 'i': name = optarg; break;
		case 'd': delay_ns = (uint64_t)strtoull(optarg, NULL, 10) * 1000u; break;
		default: goto usage;
		}
	}
	if (!name || strlen(name) >= IFNAMSIZ)
		goto usage;
	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK)) == -1) {
		perror("/dev/net/tun");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		perror("TUNSETIFF");
		return 1;
	}
	prctl(PR_SET_TIMERSLACK, 1UL);	/* ppoll wakes within 1 ns + scheduling, not 50 µs */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("READY\n");
	fflush(stdout);
	while (!quit) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct timespec ts, *tp = NULL;
		uint64_t t = now_ns();

		while (head != tail && q[head % QLEN].due <= t) {
			struct slot *s = &q[head % QLEN];

			if (write(fd, s->data, s->len) == s->len)
				fwd++;
			else
				dropped++;
			head++;
		}
		if (head != tail) {
			uint64_t w = q[head % QLEN].due - t;

			ts.tv_sec = (time_t)(w / 1000000000u);
			ts.tv_nsec = (long)(w % 1000000000u);
			tp = &ts;
		}
		if (ppoll(&p, 1, tp, NULL) <= 0)
			continue;
		for (;;) {
			struct slot *s = &q[tail % QLEN];
			ssize_t r;

			if (tail - head == QLEN) {
				uint8_t junk[PKTMAX];

				if (read(fd, junk, sizeof(junk)) < 0)
					break;
				dropped++;
				continue;
			}
			r = read(fd, s->data, sizeof(s->data));
			if (r <= 0) {
				if (r == -1 && errno != EAGAIN && errno != EINTR)
					perror("read");
				break;
			}
			s->len = (uint16_t)r;
			s->due = now_ns() + delay_ns;
			tail++;
		}
	}
	fprintf(stderr, "delay-line: forwarded %llu dropped %llu\n", (unsigned long long)fwd,
	    (unsigned long long)dropped);
	return 0;
usage:
	fprintf(stderr, "usage: delay-line -i IFNAME -d DELAY_US\n");
	return 2;
}
