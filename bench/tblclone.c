/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* tblclone — make N copies of one nat64-handoffd channel file for the
 * start-up benchmark, each for another NAT64 address: the same records,
 * the header's NAT64 address replaced and its CRC-32 recomputed. Follows
 * the layout documented in handoffd/ho_journal.h (32-octet header: magic 8,
 * version 4, NAT64 4, server 4, zero 8, CRC-32 of the first 28 octets 4).
 *
 * usage: tblclone SRC.tbl DIR FIRST-NAT64 N SERVER
 * writes DIR/<nat64>-<server>.tbl for nat64 = FIRST .. FIRST+N-1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int
main(int argc, char **argv)
{
	struct in_addr first, server, a;
	unsigned char *buf;
	long len;
	unsigned long i, n;
	FILE *f;
	char path[4096], na[INET_ADDRSTRLEN], sa[INET_ADDRSTRLEN];

	if (argc != 6 || inet_pton(AF_INET, argv[3], &first) != 1 ||
	    inet_pton(AF_INET, argv[5], &server) != 1) {
		fprintf(stderr, "usage: tblclone SRC.tbl DIR FIRST-NAT64 N SERVER\n");
		return 2;
	}
	n = strtoul(argv[4], NULL, 10);
	if ((f = fopen(argv[1], "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (len = ftell(f)) < 32 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "tblclone: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	buf = malloc((size_t)len);
	if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "tblclone: cannot read %s\n", argv[1]);
		return 1;
	}
	fclose(f);
	if (memcmp(buf, "NK64HOJ1", 8) != 0) {
		fprintf(stderr, "tblclone: %s is not a channel file\n", argv[1]);
		return 1;
	}
	inet_ntop(AF_INET, &server, sa, sizeof(sa));
	for (i = 0; i < n; i++) {
		uint32_t v = ntohl(first.s_addr) + (uint32_t)i, c;

		buf[12] = (unsigned char)(v >> 24);
		buf[13] = (unsigned char)(v >> 16);
		buf[14] = (unsigned char)(v >> 8);
		buf[15] = (unsigned char)v;
		memcpy(buf + 16, &server.s_addr, 4);
		c = (uint32_t)crc32(0, buf, 28);
		buf[28] = (unsigned char)(c >> 24);
		buf[29] = (unsigned char)(c >> 16);
		buf[30] = (unsigned char)(c >> 8);
		buf[31] = (unsigned char)c;
		a.s_addr = htonl(v);
		inet_ntop(AF_INET, &a, na, sizeof(na));
		snprintf(path, sizeof(path), "%s/%s-%s.tbl", argv[2], na, sa);
		if ((f = fopen(path, "wb")) == NULL || fwrite(buf, 1, (size_t)len, f) != (size_t)len ||
		    fclose(f) != 0) {
			fprintf(stderr, "tblclone: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	free(buf);
	return 0;
}
