/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ident.c — the simulated NAT64's secrets and synthetic clients.
 *
 * Each NAT64 has a key derived from the run's seed and its own address,
 * so a second handoff-sim run (after a server restart, say) presents the
 * same token and authenticators, as a real NAT64 keeping its key would.
 * Token = BLAKE2b-128(key; server IPv4); authenticator = BLAKE2b-128(key;
 * server IPv4 || client IPv6): MACs of at least 16 octets (§4).
 *
 * Clients are 2001:db8:KIND:NAT::HI:LO with NAT the low 16 bits of the
 * NAT64 address and HI:LO the 32-bit client index (documentation space).
 */
#include "sim.h"
#include "buf.h"

#include <sodium.h>
#include <string.h>

void
sim_ident_init(struct sim_ident *id, uint64_t seed, uint32_t nat64, uint32_t server)
{
	uint8_t in[11 + 8 + 4], s4[4];
	int i;

	memset(id, 0, sizeof(*id));
	memcpy(in, "handoff-sim", 11);
	for (i = 0; i < 8; i++)
		in[11 + i] = (uint8_t)(seed >> (56 - 8 * i));
	be32_store(in + 19, nat64);
	crypto_generichash(id->key, sizeof(id->key), in, sizeof(in), NULL, 0);
	be32_store(s4, server);
	crypto_generichash(id->token, SIM_MAC_LEN, s4, 4, id->key, sizeof(id->key));
}

void
sim_auth(const struct sim_ident *id, uint32_t server, const uint8_t client[16],
    uint8_t out[SIM_MAC_LEN])
{
	uint8_t in[20];

	be32_store(in, server);
	memcpy(in + 4, client, 16);
	crypto_generichash(out, SIM_MAC_LEN, in, sizeof(in), id->key, sizeof(id->key));
}

void
sim_client_addr(unsigned kind, uint32_t nat64, uint32_t client, uint8_t out[16])
{
	memset(out, 0, 16);
	out[0] = 0x20;
	out[1] = 0x01;
	out[2] = 0x0d;
	out[3] = 0xb8;
	out[4] = (uint8_t)(kind >> 8);
	out[5] = (uint8_t)kind;
	out[6] = (uint8_t)(nat64 >> 8);
	out[7] = (uint8_t)nat64;
	out[12] = (uint8_t)(client >> 24);
	out[13] = (uint8_t)(client >> 16);
	out[14] = (uint8_t)(client >> 8);
	out[15] = (uint8_t)client;
}

bool
sim_client_decode(const uint8_t a[16], unsigned *kind, uint16_t *nat_lo, uint32_t *client)
{
	static const uint8_t pfx[4] = { 0x20, 0x01, 0x0d, 0xb8 };
	static const uint8_t zero[4];

	if (memcmp(a, pfx, 4) != 0 || memcmp(a + 8, zero, 4) != 0)
		return false;
	*kind = (unsigned)a[4] << 8 | a[5];
	*nat_lo = (uint16_t)((unsigned)a[6] << 8 | a[7]);
	*client = (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 | (uint32_t)a[14] << 8 | a[15];
	return true;
}

void
sim_embed(const uint8_t prefix[12], uint32_t v4, uint8_t out[16])
{
	memcpy(out, prefix, 12);
	be32_store(out + 12, v4);
}
