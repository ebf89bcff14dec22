/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ho_validate.h — §9 token validation: the server's MAC keys, the
 * attenuation counter, and the store of authenticated (server address,
 * NAT64 address, NAT64 port, token) combinations.
 *
 * The MAC is keyed BLAKE2b (libsodium crypto_generichash), 16 octets,
 * over token || NAT64 IPv4 || NAT64 port (network order). Two keys:
 * current and previous; the current one is replaced 30 s after it was
 * last used to send a validation packet, and a bounce verifies against
 * either. Until a combination is validated, nothing here allocates.
 */
#ifndef NK_VALIDATE_H
#define NK_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"

#define VAL_MAC_LEN		16
#define VAL_KEY_LEN		32
#define VAL_ROTATE_MS		30000
#define VAL_MAX_TOKEN		510
/* Store size per allowed channel: a token costs about 64 octets plus its
 * length (twice while rotated), so 1024 channels x 64 = 65536 tokens of 16
 * octets take about 6 MiB at most. */
#define VAL_TOKENS_PER_CHANNEL	64

struct val_state;

/* max_tokens bounds the authenticated-token store. A NAT64 may keep any
 * number of control ports while there is room; when the store is full,
 * the NAT64 holding the most ports loses its least recently seen one, so
 * one host cannot push other NAT64s' tokens out. */
struct val_state *val_create(uint32_t max_tokens);
void val_destroy(struct val_state *vs);

/* The MAC for a validation packet; marks the current key used at now. */
void val_mac(struct val_state *vs, const struct clk_now *now, const uint8_t *token,
    size_t tlen, uint32_t nat64, uint16_t port, uint8_t out[VAL_MAC_LEN]);
/* Does mac match under the current or previous key? Constant time. */
bool val_mac_ok(const struct val_state *vs, const uint8_t *token, size_t tlen,
    uint32_t nat64, uint16_t port, const uint8_t *mac, size_t maclen);
/* Replace the current key if it was last used >= 30 s ago. Returns true
 * if keys changed (the caller persists them). */
bool val_rotate_due(struct val_state *vs, const struct clk_now *now);

/* §9 attenuation for a packet with an unknown token: true = go on
 * (send a validation packet), false = drop silently. */
bool val_attenuate(struct val_state *vs);

/* Is (local, nat64, port, token) authenticated (current or previous)? */
bool val_token_known(struct val_state *vs, uint32_t local, uint32_t nat64, uint16_t port,
    const uint8_t *token, size_t tlen, const struct clk_now *now);
/* Store token as the current one for (local, nat64, port). */
void val_token_add(struct val_state *vs, uint32_t local, uint32_t nat64, uint16_t port,
    const uint8_t *token, size_t tlen, const struct clk_now *now);
/* Type 5: if old is known for (local, nat64, port), make token current
 * (old becomes previous) and return true. */
bool val_token_rotate(struct val_state *vs, uint32_t local, uint32_t nat64, uint16_t port,
    const uint8_t *token, size_t tlen, const uint8_t *old, size_t oldlen,
    const struct clk_now *now);
uint32_t val_token_count(const struct val_state *vs);
/* Did the store change since the last val_save()? */
bool val_dirty(const struct val_state *vs);

/* Persistence: a versioned text file, rewritten atomically. val_load
 * validates every field; on any error it keeps what it has loaded so
 * far only if the header was good, and returns -1 with a message. */
int val_save(struct val_state *vs, const char *path, char *err, size_t errlen);
int val_load(struct val_state *vs, const char *path, char *err, size_t errlen);

/* Test hook: force the attenuation counter. */
void val_set_attenuation(struct val_state *vs, int counter);

#endif
