#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# tests/net/pkg_exports.sh — every exported symbol of every program has a
# user (scripts/lint-exports.sh, the rule in docs/HACKING.md), and the
# check itself catches an unused export: an object defining one is added
# to a copy of the objects, and the check must fail naming it.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
command -v nm >/dev/null || { echo "SKIP: nm (binutils) missing"; exit 77; }
[ -d "$BUILD/obj/lib" ] || { echo "SKIP: $BUILD/obj not built"; exit 77; }
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

if out=$(scripts/lint-exports.sh "$BUILD" 2>&1); then
	ok "no unused exports in $BUILD"
else
	bad "unused exports in $BUILD:"
	sed 's/^/    /' <<<"$out"
fi

T=$(mktemp -d /tmp/nk-exports.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/obj"
cp -al "$BUILD/obj/." "$T/obj/" 2>/dev/null || cp -a "$BUILD/obj/." "$T/obj/"
printf 'int strv_planted_unused(void);\nint strv_planted_unused(void) { return 1; }\n' >"$T/planted.c"
${CC:-cc} -c -o "$T/obj/healthd/planted.o" "$T/planted.c"
out=$(scripts/lint-exports.sh "$T" 2>&1)
rc=$?
if [ $rc = 1 ] && grep -qx "healthd/planted.o: strv_planted_unused" <<<"$out"; then
	ok "a planted unused export is reported (exit 1)"
else
	bad "a planted unused export: exit $rc, output:"
	sed 's/^/    /' <<<"$out"
fi
echo "$fails failure(s)"
[ $fails = 0 ]
