#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# §9 validation over real sockets: an unvalidated NAT64 receives the port-9
# validation packet, bounces it, and only then gets entries; forged packets
# from addresses that cannot receive the bounce (raw-socket spoofing, or a
# NAT64 with nothing on port 9) create no state and no audit line.
. "$(dirname "$0")/handoffd_common.inc"

start_server -L "$LOGDIR" -t 64
AUDIT=$LOGDIR/nat64-handoff.log

# 1. Spoofed sources: requests, entries, §7, echo, a made-up bounce and a
#    token rotation, for 3 NAT64 addresses nobody listens on.
out=$(sim --forge -a 127.0.0.101 -N 3 -c 20 -C 40001) || fail "forging sim: $out"
echo "$out"
forged=$(summary forged "$out")
[ "$forged" = 360 ] || fail "expected 360 forged packets sent, got '$forged'"

# 2. A real NAT64 that cannot receive the bounce (no port-9 socket).
out=$(sim -a 127.0.0.110 -c 3 --no-port9 --probe-retries 4 -T 200ms \
    -e answers_ok=0 -e validations=0 -e 'timeouts>=1')
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "NAT64 without port 9 got answers or validated"

fresh_status
rx=$(st rx_packets)
echo "status: rx_packets=$rx validation_sent=$(st validation_sent) bad_bounce=$(st bad_bounce) drop_attenuated=$(st drop_attenuated) channels=$(st channels) tokens=$(st tokens)"
[ "$rx" != MISSING ] && [ "$rx" -ge 360 ] || fail "server did not receive the forged packets (rx_packets=$rx): test is blind"
[ "$(st validation_sent)" -ge 1 ] || fail "no validation packet was sent for unknown tokens"
[ "$(st bad_bounce)" -ge 1 ] || fail "the forged bounce was not counted as bad_bounce"
[ "$(st channels)" = 0 ] || fail "forged/unbounced traffic created channels: $(st channels)"
[ "$(st tokens)" = 0 ] || fail "forged/unbounced traffic authenticated tokens: $(st tokens)"
if [ -s "$AUDIT" ]; then
	cat "$AUDIT"
	fail "forged/unbounced traffic produced audit lines"
fi
leftover=$(find "$STATE" -type f -newer "$T/notify.out" ! -name status ! -name '*.tmp*' 2>/dev/null |
    xargs -r grep -l -E '127\.0\.0\.1(0[1-3]|10)' 2>/dev/null)
[ -z "$leftover" ] || fail "state files mention forged addresses: $leftover"
ls "$STATE"/channels 2>/dev/null | grep -E '127\.0\.0\.1(0[1-3]|10)' && fail "channel files for forged addresses"

# 3. A real NAT64: port-9 packet, bounce, then entries (none before).
out=$(sim -a 127.0.0.2 -N 2 -c 5 -k 2 -C 40002 --lookups --record "$T/rec" \
    -e 'validations>=2' -e 'port9>=2' -e bad_validation=0 -e unvalidated_answers=0 \
    -e entries=20 -e lookups_ok=20)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "validated NAT64 run did not meet its expectations"
for n in 127.0.0.2 127.0.0.3; do
	init=$(grep -n " Initialized $n\$" "$AUDIT" | head -n1 | cut -d: -f1)
	first=$(grep -n " Created $n:" "$AUDIT" | head -n1 | cut -d: -f1)
	[ -n "$init" ] || fail "no Initialized line for $n"
	[ -n "$first" ] || fail "no Created line for $n"
	[ "$init" -lt "$first" ] || fail "Created before Initialized for $n"
	[ "$(grep -c " Initialized $n\$" "$AUDIT")" = 1 ] || fail "more than one Initialized for $n"
done
[ "$(grep -c ' Created ' "$AUDIT")" = 20 ] || fail "expected 20 Created lines, got $(grep -c ' Created ' "$AUDIT")"

# 4. The same NAT64s again (same address, control port, token): known, so
#    answered at once with no new validation.
out=$(sim -a 127.0.0.2 -N 2 -c 5 -k 2 -C 40002 --verify "$T/rec" --repeat --lookups \
    -e validations=0 -e port9=0 -e lookups_ok=20 -e 'answers_ok>=40')
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "an authenticated (address, port, token) was validated again"

# 5. A NAT64 whose first packet is an IPv4 one (no client address): the
#    validation packet carries source :: and an empty authenticator (the sim
#    checks), then the packets to unused ports come back as returned.
out=$(sim -a 127.0.0.7 -C 40007 -c 1 --no-probe --no-new --misses 3 -R 8 -T 200ms \
    -e 'validations>=1' -e bad_validation=0 -e returned=3 -e entries=0)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "validation triggered by an IPv4 packet"

fresh_status
[ "$(st channels)" = 3 ] || fail "expected 3 channels, status says $(st channels)"
check_audit_format "$AUDIT"
alive || fail "server died"
echo "PASS"
