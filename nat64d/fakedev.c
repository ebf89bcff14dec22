/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* fakedev.c — the test double of tun.c: a SOCK_SEQPACKET socketpair keeps
 * one packet per message exactly like TUN, so the daemon's packet path
 * runs unchanged without root. nd_dev_recv/send/close are shared. */
#include "nd_pktdev.h"

#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
nd_fake_open(struct nd_dev *dev, bool vnet, int *peer)
{
	int sv[2];

	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	(void)fcntl(sv[0], F_SETFL, O_NONBLOCK);
	dev->fd = sv[0];
	dev->vnet = vnet;
	strcpy(dev->name, "fake0");
	*peer = sv[1];
	return 0;
}
