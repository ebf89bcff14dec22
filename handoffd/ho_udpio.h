/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ho_udpio.h — the server's UDP socket: batched receive (recvmmsg) with the
 * local address each datagram reached (IP_PKTINFO), and batched send
 * (sendmmsg) from that same local address, so replies leave from the
 * address the request reached even when bound to 0.0.0.0.
 */
#ifndef NK_UDPIO_H
#define NK_UDPIO_H

#include <stddef.h>
#include <stdint.h>

#include "ho_server.h"

#define UIO_BATCH	32

struct uio;

struct uio_rx {
	uint32_t local, src;	/* host order */
	uint16_t sport;
	const uint8_t *data;
	size_t len;
};

/* -n: could the server bind to addr? A throwaway socket bound to addr on
 * an ephemeral port (so a running server's port never makes it fail),
 * closed at once. 0, or -1 with the reason in err. */
int uio_probe_addr(uint32_t addr, char *err, size_t errlen);
struct uio *uio_open(uint32_t addr, uint16_t port, char *err, size_t errlen);
void uio_close(struct uio *u);
int  uio_fd(const struct uio *u);
/* Receive up to UIO_BATCH datagrams; n >= 0, or -1 on error. Data stays
 * valid until the next uio_recv. */
int  uio_recv(struct uio *u, struct uio_rx *rx);
/* A send slot's SRV_TX_MAX-octet buffer, i < UIO_BATCH. */
uint8_t *uio_txbuf(struct uio *u, int i);
/* Send n datagrams; returns how many the kernel took (refused ones are
 * skipped, never retried). */
int  uio_send(struct uio *u, const struct srv_tx *tx, int n);
/* Datagrams received but unusable (truncated, no local address): counted. */
uint64_t uio_rx_dropped(const struct uio *u);

#endif
