#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# tests/net/pkg_deps.sh — scripts/deps.sh's package sets (--list, nothing
# installed): build holds the compiler's libraries and not the test tools,
# test holds the resolvers, all is every line of scripts/packages.txt once,
# lines outside a set are test's, an unknown set is a usage error, every
# package is one apt knows; without root a missing package is reported, not
# installed.
set -u
cd "$(dirname "$0")/../.."
T=$(mktemp -d /tmp/nk-deps.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; return 0; fi
	bad "$what"
	return 1
}
has() { grep -qx "$2" "$T/$1"; }

for s in build run bench test all; do ./scripts/deps.sh --list $s >"$T/$s" || bad "--list $s exits 0"; done
./scripts/deps.sh --list >"$T/default"
check "build: libsodium-dev, zlib1g-dev, pkg-config, debhelper" \
	eval 'has build libsodium-dev && has build zlib1g-dev && has build pkg-config && has build debhelper'
check "build: no test tools (cmocka, bind9, lintian)" \
	eval '! has build libcmocka-dev && ! has build bind9 && ! has build lintian'
check "run: iproute2" has run iproute2
check "bench: tayga, iperf3" eval 'has bench tayga && has bench iperf3'
check "test: bind9, unbound, pdns-recursor, libcmocka-dev" \
	eval 'has test bind9 && has test unbound && has test pdns-recursor && has test libcmocka-dev'
check "test: not build-essential" eval '! has test build-essential'
check "no set argument means all" cmp -s "$T/all" "$T/default"
sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' -e '/^\[.*\]$/d' scripts/packages.txt | sort -u >"$T/lines"
check "all: every package line of packages.txt, once" cmp -s "$T/lines" <(sort "$T/all")
check "all: no duplicates" test "$(sort "$T/all" | uniq -d)" = ""
sort -u "$T/build" "$T/run" "$T/bench" "$T/test" >"$T/union"
check "all = build + run + bench + test" cmp -s "$T/union" <(sort "$T/all")
./scripts/deps.sh --list build test >"$T/bt"
check "two sets: their union" cmp -s <(sort -u "$T/build" "$T/test") <(sort "$T/bt")

printf 'pkg-before\n[build]\npkg-b # why\n[test]\npkg-t\n\n# appended later\npkg-late\n' >"$T/p.txt"
DEPS_PACKAGES=$T/p.txt ./scripts/deps.sh --list test >"$T/t2"
check "a line before any set and one appended at the end are in test" \
	test "$(tr '\n' ' ' <"$T/t2")" = "pkg-before pkg-t pkg-late "
DEPS_PACKAGES=$T/p.txt ./scripts/deps.sh --list build >"$T/b2"
check "comments and blanks are dropped" test "$(cat "$T/b2")" = pkg-b

./scripts/deps.sh bogus >/dev/null 2>&1
check "an unknown set exits 2" test $? = 2
./scripts/deps.sh --list bogus >/dev/null 2>&1
check "--list of an unknown set exits 2" test $? = 2

if command -v apt-cache >/dev/null; then
	# shellcheck disable=SC2046
	apt-cache show --no-all-versions $(cat "$T/all") 2>/dev/null | sed -n 's/^Package: //p' | sort -u >"$T/known"
	unknown=$(sort -u "$T/all" | comm -23 - "$T/known" | tr '\n' ' ')
	check "apt knows every package${unknown:+ (not: $unknown)}" test -z "$unknown"
fi

printf '[build]\nnk-no-such-package-%s\n' $$ >"$T/missing.txt"
chmod 0755 "$T" && chmod 0644 "$T/missing.txt"
if [ "$(id -u)" = 0 ]; then
	as() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
else
	as() { "$@"; }
fi
DEPS_PACKAGES=$T/missing.txt as ./scripts/deps.sh build >"$T/m.out" 2>&1
rc=$?
check "not root, a missing package: exit 1" test $rc = 1
check "and it is named" grep -q "missing packages: nk-no-such-package-$$" "$T/m.out"

echo "$fails failure(s)"
[ $fails = 0 ]
