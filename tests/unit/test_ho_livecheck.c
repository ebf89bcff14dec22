/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* handoffd/livecheck.c against the real kernel (no root needed): a TCP
 * connection from 127.0.0.2:<port> to a listener on 127.0.0.1 must show
 * up as a live port for "NAT64" 127.0.0.2, and disappear once closed;
 * other addresses and ports must not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "ho_livecheck.h"

#define LO1 0x7f000001u
#define LO2 0x7f000002u

static void
test_live_ports(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, b = { .sin_family = AF_INET };
	uint8_t bm[LIVE_BITMAP_BYTES];
	socklen_t alen = sizeof(a);
	int l, c, s, one = 1, i, others = 0;
	uint16_t cport;

	(void)state;
	l = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(LO1);
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &alen), 0);
	assert_int_equal(listen(l, 4), 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	b.sin_addr.s_addr = htonl(LO2);
	assert_int_equal(bind(c, (struct sockaddr *)&b, sizeof(b)), 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	alen = sizeof(b);
	assert_int_equal(getsockname(c, (struct sockaddr *)&b, &alen), 0);
	cport = ntohs(b.sin_port);
	s = accept(l, NULL, NULL);
	assert_true(s >= 0);

	assert_int_equal(live_query_kernel(NULL, LO1, LO2, bm), 0);
	assert_int_equal(live_bit(bm, cport), 1);
	for (i = 0; i < 65536; i++)
		if (i != cport && live_bit(bm, (uint16_t)i))
			others++;
	assert_int_equal(others, 0);
	/* another "NAT64" address sees nothing of it */
	assert_int_equal(live_query_kernel(NULL, LO1, 0x7f000003u, bm), 0);
	assert_int_equal(live_bit(bm, cport), 0);
	/* nor does another local address */
	assert_int_equal(live_query_kernel(NULL, 0x7f000009u, LO2, bm), 0);
	assert_int_equal(live_bit(bm, cport), 0);
	/* closed on both sides: the server side is in TIME-WAIT or gone */
	close(c);
	close(s);
	usleep(50000);
	assert_int_equal(live_query_kernel(NULL, LO1, LO2, bm), 0);
	assert_int_equal(live_bit(bm, cport), 0);
	close(l);
}

/* An IPv4 connection accepted on a dual-stack AF_INET6 listener (Go, Node,
 * Java, Apache "Listen 80") is live too: the kernel reports it with a
 * v4-mapped remote address. */
static void
test_live_dual_stack(void **state)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a = { .sin_family = AF_INET };
	uint8_t bm[LIVE_BITMAP_BYTES];
	socklen_t sl = sizeof(s6);
	int l6, c, acc, one = 1, zero = 0;
	uint16_t cport;

	(void)state;
	l6 = socket(AF_INET6, SOCK_STREAM, 0);
	if (l6 == -1)
		skip();
	setsockopt(l6, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	assert_int_equal(bind(l6, (struct sockaddr *)&s6, sizeof(s6)), 0);
	assert_int_equal(getsockname(l6, (struct sockaddr *)&s6, &sl), 0);
	assert_int_equal(listen(l6, 4), 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_addr.s_addr = htonl(0x7f000007);
	assert_int_equal(bind(c, (struct sockaddr *)&a, sizeof(a)), 0);
	sl = sizeof(a);
	assert_int_equal(getsockname(c, (struct sockaddr *)&a, &sl), 0);
	cport = ntohs(a.sin_port);
	a.sin_addr.s_addr = htonl(LO1);
	a.sin_port = s6.sin6_port;
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	acc = accept(l6, NULL, NULL);
	assert_true(acc >= 0);
	assert_int_equal(live_query_kernel(NULL, LO1, 0x7f000007u, bm), 0);
	assert_int_equal(live_bit(bm, cport), 1);
	assert_int_equal(live_query_kernel(NULL, LO1, 0x7f000008u, bm), 0);
	assert_int_equal(live_bit(bm, cport), 0);
	close(acc);
	close(c);
	close(l6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_ports),
		cmocka_unit_test(test_live_dual_stack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
