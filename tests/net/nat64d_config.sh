#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64d configuration, golden-file style (N.conf -> nat64d -n -v -> N.ok):
# every tests/golden/nat64d/N.conf must print exactly N.ok and re-parse to
# the same; every eN.conf must be refused with exactly "nat64d: " + eN.err
# and exit 1. Also --help, a bad option (exit 2) and a missing file.
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
	out=$(cd "$G" && "$BIN" -n -v -f "$n.conf" 2>&1)
	rc=$?
	[ $rc -eq 0 ] || fail "$n.conf: -n exits $rc: $out"
	if [ "$out" = "$(cat "$G/$n.ok")" ]; then pass; else fail "$n.conf"; diff "$G/$n.ok" <(echo "$out"); fi
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

echo "nat64d_config: $passes passed, $fails failed"
[ $fails -eq 0 ]
