#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64d configuration, golden-file style (N.conf -> nat64d -n -v -> N.ok):
# every tests/golden/nat64d/N.conf must print exactly N.ok and re-parse to
# the same (a state-dir is replaced by one under the test's directory, as
# -n checks that it is usable); every eN.conf must be refused with exactly
# "nat64d: " + eN.err and exit 1. Also --help, a bad option (exit 2), a
# missing file, and command-line errors named by their option.
# Needs no root and no network.
set -u
cd "$(dirname "$0")/../.."
BIN=$PWD/${BUILD:-build}/nat64d
G=tests/golden/nat64d
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
[ -x "$BIN" ] || { echo "FAIL: $BIN not built"; exit 1; }
fails=0 passes=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { passes=$((passes + 1)); }

for c in "$G"/[0-9]*.conf; do
	n=$(basename "$c" .conf)
	sd=()
	grep -q '^state-dir ' "$c" && mkdir -p "$T/state" && sd=(--state-dir "$T/state")
	out=$(cd "$G" && "$BIN" -n -v -f "$n.conf" "${sd[@]}" 2>&1)
	rc=$?
	[ $rc -eq 0 ] || fail "$n.conf: -n exits $rc: $out"
	want=$(sed "s|^state-dir .*|state-dir $T/state|" "$G/$n.ok")
	if [ "$out" = "$want" ]; then pass; else fail "$n.conf"; diff <(echo "$want") <(echo "$out"); fi
	echo "$out" >"$T/again.conf"
	again=$("$BIN" -n -v -f "$T/again.conf" 2>&1)
	if [ "$again" = "$out" ]; then pass; else fail "$n.conf: -n -v output does not re-parse to itself"; fi
done
for c in "$G"/e*.conf; do
	n=$(basename "$c" .conf)
	out=$(cd "$G" && "$BIN" -n -f "$n.conf" 2>&1)
	rc=$?
	[ $rc -eq 1 ] || fail "$n.conf: exit $rc, want 1"
	if [ "$out" = "nat64d: $(cat "$G/$n.err")" ]; then pass; else fail "$n.conf: got '$out'"; fi
done
"$BIN" --help | grep -q '^usage: nat64d' && pass || fail "--help"
"$BIN" -x >/dev/null 2>&1; [ $? -eq 2 ] && pass || fail "bad option does not exit 2"
out=$("$BIN" -n -f "$T/missing.conf" 2>&1); [ $? -eq 1 ] && grep -q "missing.conf: No such file" <<<"$out" && pass ||
	fail "missing file: '$out'"
"$BIN" -n -f etc/nat64d.conf.example >/dev/null && pass || fail "etc/nat64d.conf.example"

# errors of settings given on the command line name the option, not the file
expect() {	# expect WANT ARGS...: a failure with exactly "nat64d: WANT" (+ " (see --help)")
	local want=$1 out; shift
	out=$("$BIN" -n "$@" 2>&1) && { fail "succeeded: $*"; return; }
	out=${out% (see --help)}
	[ "$out" = "nat64d: $want" ] && pass || fail "$*: got '$out', want 'nat64d: $want'"
}
expect "--ipv4-addr: must not be a pool4 address" -f "$G/1.conf" --ipv4-addr 198.51.100.1
expect "--user: unknown user 'nosuchuser-nk'" -f "$G/1.conf" --user nosuchuser-nk
expect "--state-dir: /etc/passwd: not a directory (a regular file)" -f "$G/3.conf" --state-dir /etc/passwd
expect "--tun-device: 'a#b': '#' is not allowed in a value (it starts a comment)" -f "$G/1.conf" \
    --tun-device 'a#b' --stderr
expect "--max-sessions: '99999999999999999999' is out of range (max 16777216)" -f "$G/1.conf" \
    --max-sessions 99999999999999999999
# the command line's prefix and pool4 replace the file's
out=$("$BIN" -n -v -f "$G/2.conf" --prefix 2001:db8:64::/96 --pool4 203.0.113.5 2>&1)
[ "$(grep -c '^prefix ' <<<"$out")" = 1 ] && grep -qx 'prefix 2001:db8:64::/96' <<<"$out" && pass ||
    fail "--prefix does not replace the file's: $(grep '^prefix ' <<<"$out")"
[ "$(grep -c '^pool4 ' <<<"$out")" = 1 ] && grep -qx 'pool4 203.0.113.5' <<<"$out" && pass ||
    fail "--pool4 does not replace the file's: $(grep '^pool4 ' <<<"$out")"

echo "nat64d_config: $passes passed, $fails failed"
[ $fails -eq 0 ]
