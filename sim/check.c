/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* check.c — verdicts on what the server sends a NAT64: §6's three answer
 * patterns (through hw_check_to_nat64), §10's port rules, and the port-9
 * validation packet of docs/protocol-decisions.txt. Pure functions: every
 * one returns NULL when fine, else a short reason for the report.
 */
#include "sim.h"
#include "buf.h"
#include "cksum.h"
#include "ippkt.h"

#include <string.h>

enum sim_ans
sim_classify(const uint8_t *p, size_t len, struct hw_packet *pkt, const char **why)
{
	enum hw_err e;

	*why = NULL;
	if ((e = hw_parse(p, len, pkt)) != HW_OK || (e = hw_check_to_nat64(pkt)) != HW_OK) {
		*why = hw_strerror(e);
		return SIM_A_BAD;
	}
	if (hw_has(pkt, HW_T_AUTH) && pkt->n_entries == 1)
		return SIM_A_ENTRY;
	if (pkt->n_entries > 1) {
		*why = "more than one entry in an answer";
		return SIM_A_BAD;
	}
	if (hw_has(pkt, HW_T_AUTH) && pkt->ip_version == 6)
		return SIM_A_V6;
	if (hw_has(pkt, HW_T_TOKEN) && pkt->ip_version == 4)
		return SIM_A_V4;
	*why = "no §6 pattern";
	return SIM_A_BAD;
}

const char *
sim_check_entry(const struct hw_entry *e, const uint8_t prefix[12], uint16_t handoff_port,
    uint16_t control_port)
{
	if (e->mapped_port < 1024)
		return "mapped port below 1024";
	if (e->mapped_port == HW_TEREDO_PORT)
		return "mapped port 3544 (Teredo)";
	if (e->mapped_port == handoff_port)
		return "mapped port is the handoff port";
	if (e->mapped_port == control_port)
		return "mapped port is the control packet's source port";
	if (memcmp(e->prefix, prefix, 12) != 0)
		return "entry prefix is not the NAT64's /96";
	return NULL;
}

const char *
sim_check_blob(const struct hw_blob *b, const uint8_t *want, size_t want_len, const char *what)
{
	if (b->len != want_len || (want_len > 0 && memcmp(b->p, want, want_len) != 0))
		return what;
	return NULL;
}

const char *
sim_check_v6_echoed(const struct hw_packet *pkt, const uint8_t client[16], uint16_t cport)
{
	struct ippkt6 ip;

	if (pkt->ip_version == 0)
		return NULL;	/* the packet is optional with an entry */
	if (pkt->ip_version != 6 || !ippkt_parse6(pkt->ip.p, pkt->ip.len, &ip))
		return "embedded packet is not IPv6";
	if (memcmp(ip.src, client, 16) != 0 || ip.sport != cport)
		return "embedded IPv6 packet is not the client's";
	return NULL;
}

const char *
sim_check_echo_reply(const struct hw_packet *pkt, const uint8_t prefix[12], uint32_t server,
    const uint8_t client[16], uint16_t echo_id, uint16_t echo_seq)
{
	static const char data[] = "handoff-sim";
	uint8_t src[16];
	struct ippkt6 ip;
	uint32_t sum;

	if (pkt->ip_version != 6 || !ippkt_parse6(pkt->ip.p, pkt->ip.len, &ip))
		return "echo: no IPv6 packet";
	sim_embed(prefix, server, src);
	if (ip.nh != IPPKT_PROTO_ICMP6 || ip.l4_len < 8)
		return "echo: not ICMPv6";
	if (memcmp(ip.src, src, 16) != 0 || memcmp(ip.dst, client, 16) != 0)
		return "echo: reply addresses are not server->client";
	if (ip.l4[0] != 129 || ip.l4[1] != 0)
		return "echo: not an echo reply";
	if (be16_load(ip.l4 + 4) != echo_id || be16_load(ip.l4 + 6) != echo_seq)
		return "echo: wrong id/seq";
	if (ip.l4_len != 8 + sizeof(data) - 1 || memcmp(ip.l4 + 8, data, sizeof(data) - 1) != 0)
		return "echo: data differs";
	sum = cksum_pseudo6(ip.src, ip.dst, IPPKT_PROTO_ICMP6, (uint32_t)ip.l4_len);
	if (cksum_finish(cksum_add(sum, ip.l4, ip.l4_len)) != 0)
		return "echo: bad ICMPv6 checksum";
	return NULL;
}

const char *
sim_check_validation(const uint8_t *p, size_t len, const uint8_t *want_auth, size_t want_auth_len)
{
	static const uint8_t zero[16];
	struct hw_packet pkt;
	struct ippkt6 ip;

	if (hw_parse(p, len, &pkt) != HW_OK)
		return "validation: does not parse";
	if (!hw_has(&pkt, HW_T_AUTH))
		return "validation: no authenticator";
	if (want_auth != NULL && sim_check_blob(&pkt.auth, want_auth, want_auth_len, "x") != NULL)
		return "validation: authenticator is not the triggering packet's";
	if (pkt.ip_version != 6 || !ippkt_parse6(pkt.ip.p, pkt.ip.len, &ip))
		return "validation: no IPv6 packet";
	if (ip.nh != IPPKT_PROTO_NONE6)
		return "validation: next header is not 59";
	if (memcmp(ip.dst, zero, 16) != 0)
		return "validation: destination is not ::";
	if (ip.l4_len != 16)
		return "validation: MAC is not 16 octets";
	return NULL;
}

const char *
sim_check_returned(const struct hw_packet *pkt, const struct sim_ident *id, uint32_t nat64,
    uint16_t port)
{
	struct ippkt4 ip;
	uint8_t d4[4];

	if (sim_check_blob(&pkt->token, id->token, SIM_MAC_LEN, "x") != NULL)
		return "returned: token is not ours";
	if (!ippkt_parse4(pkt->ip.p, pkt->ip.len, &ip))
		return "returned: no IPv4 packet";
	be32_store(d4, nat64);
	if (memcmp(ip.dst, d4, 4) != 0 || ip.dport != port)
		return "returned: not the packet we sent";
	return NULL;
}
