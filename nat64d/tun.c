/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* tun.c — the Linux TUN driver behind nd_pktdev.h: IFF_TUN | IFF_NO_PI,
 * plus IFF_VNET_HDR and TUNSETOFFLOAD so the kernel hands us TCP
 * super-packets (TSO, up to 64 KB) with checksums left partial. */
#include "nd_pktdev.h"
#include "nd_gso.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_tun.h>

int
nd_tun_open(struct nd_dev *dev, const char *name, bool offload, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, hsz = (int)sizeof(struct virtio_net_hdr);

	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
	if ((fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK)) == -1) {
		snprintf(err, errlen, "/dev/net/tun: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0);
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		snprintf(err, errlen, "TUNSETIFF %s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	if (offload) {
		unsigned off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;

		/* UDP segmentation offload too where the kernel has it (6.2+). */
		if (ioctl(fd, TUNSETVNETHDRSZ, &hsz) == -1 ||
		    (ioctl(fd, TUNSETOFFLOAD, off | TUN_F_USO4 | TUN_F_USO6) == -1 &&
		    ioctl(fd, TUNSETOFFLOAD, off) == -1)) {
			/* Keep the vnet header (it is set), just without offloads. */
			(void)ioctl(fd, TUNSETOFFLOAD, 0);
		}
		dev->vnet = true;
	}
	snprintf(dev->name, sizeof(dev->name), "%s", ifr.ifr_name);
	dev->fd = fd;
	return 0;
}

ssize_t
nd_dev_recv(struct nd_dev *dev, struct virtio_net_hdr *vh, uint8_t *buf, size_t cap)
{
	struct iovec iov[2];
	ssize_t n;
	int i = 0;

	memset(vh, 0, sizeof(*vh));
	if (dev->vnet) {
		iov[i].iov_base = vh;
		iov[i++].iov_len = sizeof(*vh);
	}
	iov[i].iov_base = buf;
	iov[i++].iov_len = cap;
	n = readv(dev->fd, iov, i);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		dev->rx_err++;
		return -1;
	}
	if (dev->vnet) {
		if ((size_t)n < sizeof(*vh)) {
			dev->rx_err++;
			return 0;
		}
		n -= (ssize_t)sizeof(*vh);
	}
	if (n == 0)
		return 0;
	dev->rx++;
	return n;
}

int
nd_dev_send(struct nd_dev *dev, const struct virtio_net_hdr *vh,
    const uint8_t *hdr, size_t hdr_len, const uint8_t *body, size_t body_len)
{
	static const struct virtio_net_hdr zero;
	struct iovec iov[3];
	int i = 0;

	if (dev->vnet) {
		iov[i].iov_base = (void *)(vh ? vh : &zero);
		iov[i++].iov_len = sizeof(*vh);
	}
	if (hdr_len) {
		iov[i].iov_base = (void *)hdr;
		iov[i++].iov_len = hdr_len;
	}
	if (body_len) {
		iov[i].iov_base = (void *)body;
		iov[i++].iov_len = body_len;
	}
	if (writev(dev->fd, iov, i) == -1) {
		dev->tx_err++;
		return -1;
	}
	dev->tx++;
	return 0;
}

void
nd_dev_close(struct nd_dev *dev)
{
	if (dev->fd != -1)
		close(dev->fd);
	dev->fd = -1;
}
