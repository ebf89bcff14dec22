#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# scripts/licence-lines.sh [--check] — every source file of the tree (C,
# shell, Lua, Python, make, man pages; git's file list) carries the line
#   Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# in its first three lines, in its comment syntax, after a "#!" or
# "// FUZZ-SOURCES:" first line. Without --check it adds the line where it is
# missing; with --check it lists those files and exits 1 if there are any.
set -euo pipefail
cd "$(dirname "$0")/.."
TEXT='Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).'
check=0
[ "${1:-}" = --check ] && check=1
missing=0
while IFS= read -r f; do
	[ -f "$f" ] || continue
	case "$f" in
	fuzz/corpus/*|tests/golden/*|tests/healthd/*) continue ;;
	*.c|*.h) line="/* $TEXT */" ;;
	*.sh|*.inc|*.py|*.mk|Makefile|*/Makefile|.ci/*|debian/rules) line="# $TEXT" ;;
	*.lua) line="-- $TEXT" ;;
	man/*.[1-8]) line=".\\\" $TEXT" ;;
	*) continue ;;
	esac
	head -n 3 "$f" | grep -q 'SPDX-License-Identifier: ISC' && continue
	missing=$((missing + 1))
	if [ $check = 1 ]; then
		echo "$f"
		continue
	fi
	first=$(head -n 1 "$f")
	tmp=$f.licence.$$
	case "$first" in
	'#!'*|'// FUZZ-SOURCES:'*) { printf '%s\n%s\n' "$first" "$line"; tail -n +2 "$f"; } >"$tmp" ;;
	*) { printf '%s\n' "$line"; cat "$f"; } >"$tmp" ;;
	esac
	chmod --reference="$f" "$tmp"
	mv -f "$tmp" "$f"
	echo "licence line added: $f"
done < <(git ls-files -co --exclude-standard)
[ $check = 0 ] || [ $missing = 0 ]
