#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# tests/net/pkg_license.sh — the licence: LICENSE is the ISC licence,
# debian/copyright says so, and every source file (C, shell, Lua, Python,
# make, man pages) names it in its first three lines
# (scripts/licence-lines.sh --check; without --check it adds them).
set -u
cd "$(dirname "$0")/../.."
command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1 ||
	{ echo "SKIP: not a git checkout (the file list is git's)"; exit 77; }
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
check "LICENSE is the ISC licence" grep -q "^Permission to use, copy, modify, and distribute this software for any" LICENSE
check "debian/copyright: License: ISC" grep -qx "License: ISC" debian/copyright
missing=$(scripts/licence-lines.sh --check)
check "every source file names the licence in its first lines" test -z "$missing" || sed 's/^/    no licence line: /' <<<"$missing"
echo "$fails failure(s)"
[ $fails = 0 ]
