#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64-handoffd configuration, golden-file style (OpenBSD's N.in -> -nv ->
# N.ok): every tests/golden/handoffd/N.conf checked with -n must print
# exactly N.ok; every eN.conf must be refused with exactly eN.err (the
# file:line message) and exit 1. Also: the command line overrides the
# file, a damaged token file is reported by -n, and bad options exit 2.
# Needs no root and no network.
set -u
cd "$(dirname "$0")/../.."
BIN=${BUILD:-build}/nat64-handoffd
G=tests/golden/handoffd
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for c in "$G"/[0-9]*.conf; do
	n=$(basename "$c" .conf)
	(cd "$G" && "../../../$BIN" -f "$n.conf" -n -s "$T/state-$n") >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = 0 ] || { fail "$n.conf: -n exits $rc"; cat "$T/err"; }
	out=$(sed "s|$T/state-$n|STATE|" "$T/out")
	# the -s override replaces state-dir: compare with it substituted
	want=$(sed "s|^state-dir .*|state-dir STATE|" "$G/$n.ok")
	[ "$out" = "$want" ] || { fail "$n.conf"; diff <(echo "$want") <(echo "$out"); }
	# what -n prints parses again to the same thing
	(cd "$G" && "../../../$BIN" -f "$n.conf" -n -s "$T/state-$n") 2>/dev/null >"$T/again.conf"
	again=$("$BIN" -f "$T/again.conf" -n -s "$T/state-$n" 2>/dev/null | sed "s|$T/state-$n|STATE|")
	[ "$again" = "$out" ] || fail "$n.conf: normalised output does not re-parse to itself"
done
for c in "$G"/e*.conf; do
	n=$(basename "$c" .conf)
	out=$(cd "$G" && "../../../$BIN" -f "$n.conf" -n 2>&1)
	rc=$?
	[ $rc -eq 1 ] || fail "$n.conf: exit $rc, want 1"
	[ "$out" = "nat64-handoffd: $(cat "$G/$n.err")" ] || fail "$n.conf: got '$out'"
done

# command line beats the file
out=$(cd "$G" && "../../../$BIN" -f 1.conf -p 7100 -t 64 -n -s "$T/s" 2>/dev/null) || fail "-n with options exits $?"
echo "$out" | grep -qx 'port 7100' || fail "-p does not override the file"
echo "$out" | grep -qx 'table-size 64' || fail "-t does not override the file"

# a damaged token file is reported (and the exit status says so)
mkdir -p "$T/bad"
printf 'nat64-handoffd-tokens 1\ntoken 192.0.2.1 192.0.2.7 1 5 zz -\nend\n' >"$T/bad/tokens"
out=$("$BIN" -n -s "$T/bad" 2>&1 >/dev/null)
rc=$?
[ $rc -eq 1 ] || fail "-n on a damaged token file exits $rc"
echo "$out" | grep -q "tokens:2: bad token line" || fail "-n does not name the bad line: $out"

# -n replays every journal read-only: a damaged one is reported, untouched
mkdir -p "$T/j/channels"
printf 'not a journal at all' >"$T/j/channels/192.0.2.7-192.0.2.1.tbl"
out=$("$BIN" -n -s "$T/j" 2>&1 >/dev/null)
rc=$?
[ $rc -eq 1 ] || fail "-n on a damaged journal exits $rc"
echo "$out" | grep -q "192.0.2.7-192.0.2.1.tbl: bad header" || fail "-n does not name the bad journal: $out"
[ "$(cat "$T/j/channels/192.0.2.7-192.0.2.1.tbl")" = "not a journal at all" ] || fail "-n changed the journal"
rm "$T/j/channels/192.0.2.7-192.0.2.1.tbl"
out=$("$BIN" -n -s "$T/j" 2>&1 >/dev/null) || fail "-n on an empty channels dir: $out"
echo "$out" | grep -q "0 channels, 0 entries" || fail "-n summary: $out"

# -n runs a start's checks: an unknown user fails it (exit 1), as a start
out=$("$BIN" -n -s "$T/u" -u nosuchuser-nk 2>&1 >/dev/null)
rc=$?
[ $rc -eq 1 ] || fail "-n with an unknown user exits $rc"
echo "$out" | grep -q "unknown user 'nosuchuser-nk'" || fail "-n unknown user: $out"
out=$("$BIN" -s "$T/u" -u nosuchuser-nk 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q "unknown user 'nosuchuser-nk'" || fail "start with an unknown user: $out"
# a check that fails prints no configuration, only the reason
printf 'control-group nosuchgroup-nk\n' >"$T/g.conf"
"$BIN" -n -f "$T/g.conf" -s "$T/g" -c "$T/ctl" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 1 ] || fail "-n with an unknown control-group exits $rc"
[ -s "$T/out" ] && fail "-n printed the configuration although a check failed: $(head -3 "$T/out")"
[ "$(cat "$T/err")" = "nat64-handoffd: $T/g.conf:1: control-group: unknown group 'nosuchgroup-nk'" ] ||
    fail "-n unknown control-group: $(cat "$T/err")"
# the listen address must be this host's: -n binds a throwaway socket to it
"$BIN" -n -s "$T/l" -l 192.0.2.1 >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 1 ] || fail "-n with a listen address not on this host exits $rc"
[ -s "$T/out" ] && fail "-n printed the configuration although the address cannot be bound"
[ "$(cat "$T/err")" = "nat64-handoffd: --listen: 192.0.2.1: cannot bind to it: Cannot assign requested address" ] ||
    fail "-n listen: $(cat "$T/err")"
"$BIN" -n -s "$T/l" -l 127.0.0.1 >/dev/null 2>&1 || fail "-n -l 127.0.0.1 refused"
[ -e "$T/l" ] && fail "-n created the state directory"
# a bad option value is a usage error (exit 2), named by its option
out=$("$BIN" -n -t 8 2>&1)
[ $? -eq 2 ] || fail "-t 8 does not exit 2"
echo "$out" | grep -q -- "--table-size: 8 is out of range 16..64508" || fail "-t 8: $out"

# usage errors
"$BIN" --no-such-option >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown option does not exit 2"
"$BIN" extra-arg >/dev/null 2>&1; [ $? -eq 2 ] || fail "stray argument does not exit 2"
"$BIN" --help | grep -q -- '--state-dir' || fail "--help does not list --state-dir"
"$BIN" -V | grep -Eq '^nat64-handoffd [0-9]' || fail "-V"
for p in nat64d nat64-healthd update-dns64 handoff-sim; do
	"${BUILD:-build}/$p" --version | grep -qx "$p $(cat VERSION)" || fail "$p --version"
done

[ $fails -eq 0 ] || exit 1
echo PASS
