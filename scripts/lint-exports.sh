#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# scripts/lint-exports.sh — every external symbol a program defines is used
# outside its own object file; otherwise it should be static (or go).
#
# The rule (docs/HACKING.md, "Exports"): each symbol an object of DIR
# defines (nm: T, D, B, R; DIR is lib/ or a program's directory) must be
# referenced (nm: U) by another object that is linked with it: the other
# objects of DIR and of every program whose module.mk links DIR's library
# (nat64-handoffctl links handoffd's); lib/'s symbols by any program's.
# `main` is exempt. A unit test (tests/unit) or a fuzz target counts as a
# user: the seams they drive (parsers, fake clock and devices, counters)
# are part of a module's contract. Code nobody calls is reported, except
# the symbols scripts/lint-exports.keep lists with the reason they stay.
# -v also lists the symbols only tests or fuzz targets use.
#
# usage: scripts/lint-exports.sh [-v] [BUILD]   (`make lint-exports` builds first)
# Prints each unused export as "DIR/FILE.o: SYMBOL" and exits 1 if any.
set -eu
cd "$(dirname "$0")/.."
verbose=0
if [ "${1:-}" = -v ]; then verbose=1; shift; fi
BUILD=${1:-${BUILD:-build}}
OBJ=$BUILD/obj

dirs=(lib)
for mk in */module.mk; do
	d=${mk%/module.mk}
	[ "$d" != lib ] && grep -q 'nk_program' "$mk" && dirs+=("$d")
done
for d in "${dirs[@]}"; do
	[ -n "$(ls "$OBJ/$d"/*.o 2>/dev/null)" ] ||
		{ echo "lint-exports: no objects in $OBJ/$d (make progs first)" >&2; exit 2; }
done

# "DIR USER" lines: the program directories whose objects may use DIR's.
links() {
	local d u mk
	for d in "${dirs[@]}"; do
		if [ "$d" = lib ]; then
			for u in "${dirs[@]}"; do echo "lib $u"; done
			continue
		fi
		echo "$d $d"
		for mk in */module.mk; do
			u=${mk%/module.mk}
			grep -q "obj/$d/lib" "$mk" && echo "$d $u"
		done
	done
	return 0
}

# "OBJECT D|U SYMBOL" for every product object; "test U SYMBOL" for the
# unit tests (their objects) and fuzz targets (their binaries, whose
# undefined symbols are only libc's: their own nm -u is of no use, so
# every symbol named in a fuzz source counts as used by it).
syms() {
	local o
	for o in "${dirs[@]/#/$OBJ/}"; do
		for o in "$o"/*.o; do
			# (names with "." or a leading "__" are the compiler's,
			# e.g. ASan's __odr_asan.NAME)
			nm -g --defined-only "$o" |
			    awk -v o="$o" '$2 ~ /^[TDBR]$/ && $3 !~ /^__|\./ {print o, "D", $3}'
			nm -u "$o" | awk -v o="$o" '{print o, "U", $NF}'
		done
	done
	for o in "$OBJ"/tests/unit/*.o; do
		[ -e "$o" ] && nm -u "$o" | awk '{print "test U", $NF}'
	done
	cat fuzz/*.c fuzz/*.h 2>/dev/null | grep -oE '\b[a-z][a-z0-9_]*\b' | sort -u |
	    awk '{print "test U", $1}'
	return 0
}

awk -v obj="$OBJ/" -v verbose=$verbose '
	FILENAME == ARGV[1] { if ($1 !~ /^#/ && NF) keep[$1] = 1; next }
	FILENAME == ARGV[2] { link[$1 " " $2] = 1; next }
	{
		o = $1; sub("^" obj, "", o)
		if ($2 == "D") { def[o " " $3] = 1; next }
		if (o == "test") { tested[$3] = 1; next }
		users[$3] = users[$3] " " o
	}
	END {
		bad = 0
		for (k in def) {
			split(k, a, " "); o = a[1]; s = a[2]
			if (s == "main") continue
			d = o; sub("/[^/]*$", "", d)
			used = 0
			n = split(users[s], u, " ")
			for (i = 1; i <= n; i++) {
				ud = u[i]; sub("/[^/]*$", "", ud)
				if (u[i] != o && ((d " " ud) in link)) { used = 1; break }
			}
			if (used) {
				if (s in keep)
					print "lint-exports: " s " is used now: drop it from lint-exports.keep" > "/dev/stderr"
				continue
			}
			if (s in keep) continue
			if (s in tested) {
				if (verbose) print o ": " s " (tests only)"
				continue
			}
			print o ": " s
			bad = 1
		}
		exit bad
	}' scripts/lint-exports.keep <(links) <(syms) | sort
exit "${PIPESTATUS[0]}"
