/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_pktdev.h — the packet-device seam. nat64d reads and writes whole IP
 * packets, optionally prefixed by a struct virtio_net_hdr (IFF_VNET_HDR).
 * The real driver is a Linux TUN device (tun.c); tests use a
 * SOCK_SEQPACKET socketpair behind the same interface (fakedev.c), which
 * keeps packet boundaries exactly like TUN does.
 */
#ifndef ND_PKTDEV_H
#define ND_PKTDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/virtio_net.h>

struct nd_dev {
	int fd;			/* readable when packets are waiting */
	bool vnet;		/* packets carry a virtio_net_hdr */
	char name[16];
	uint64_t rx, tx, rx_err, tx_err;
};

/* tun.c: create or attach TUN device `name`; offload asks for IFF_VNET_HDR
 * and TUNSETOFFLOAD (TSO4/TSO6/CSUM), falling back without. 0 or -1 + err. */
int nd_tun_open(struct nd_dev *dev, const char *name, bool offload, char *err, size_t errlen);
/* fakedev.c: a socketpair; *peer is the test's end. */
int nd_fake_open(struct nd_dev *dev, bool vnet, int *peer);

/* Read one packet: *vh filled (zeroed if !vnet). Returns its length, 0 if
 * none is waiting (EAGAIN), -1 on error. */
ssize_t nd_dev_recv(struct nd_dev *dev, struct virtio_net_hdr *vh, uint8_t *buf, size_t cap);
/* Write one packet made of a header part and a body part; vh may be NULL. */
int nd_dev_send(struct nd_dev *dev, const struct virtio_net_hdr *vh,
    const uint8_t *hdr, size_t hdr_len, const uint8_t *body, size_t body_len);
void nd_dev_close(struct nd_dev *dev);

#endif
