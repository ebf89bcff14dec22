#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# scripts/update-handoffd.sh [--prefix DIR] [--dry-run] SRC_DIR
#
# Update nat64-handoffd from a git checkout: git pull --ff-only, make, make
# install. Used only by the opt-in drop-in that
# `install-handoffd.sh --update-on-restart SRC_DIR` installs (ExecStartPre=-+),
# so that it runs before each start of the service; off by default, see
# docs/INSTALL-handoffd.md.
#
# Safety: git and make run as the owner of SRC_DIR, not as root (a checkout
# owned by someone else is refused by git anyway); only `make install` runs
# as root. Nothing is installed unless the pull and the whole build
# succeeded; a failure exits non-zero and the installed code stays as it was.
# A pull that is not a fast-forward (rewritten history) is refused.
set -euo pipefail

PREFIX=${PREFIX:-/usr/local}
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
DRY=0
while [ $# -gt 0 ]; do
	case "$1" in
	--prefix) PREFIX=${2:?--prefix needs a directory}; shift 2 ;;
	--dry-run) DRY=1; shift ;;
	-h|--help) sed -n '3,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) echo "update-handoffd: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: update-handoffd.sh [--prefix DIR] [--dry-run] SRC_DIR" >&2; exit 2; }
SRC=$1
[ -e "$SRC/.git" ] || { echo "update-handoffd: $SRC is not a git checkout" >&2; exit 1; }

owner=$(stat -c %U "$SRC")
as_owner() {
	if [ "$DRY" = 1 ]; then
		printf '+ (as %s)' "$owner"; printf ' %q' "$@"; printf '\n'
	elif [ "$(id -un)" = "$owner" ]; then
		"$@"
	else
		runuser -u "$owner" -- "$@"
	fi
}
as_root() {
	if [ "$DRY" = 1 ]; then
		printf '+'; printf ' %q' "$@"; printf '\n'
	else
		"$@"
	fi
}

before=$(git -c safe.directory="$SRC" -C "$SRC" rev-parse HEAD 2>/dev/null || echo unknown)
as_owner git -C "$SRC" pull --ff-only --quiet
after=$(git -c safe.directory="$SRC" -C "$SRC" rev-parse HEAD 2>/dev/null || echo unknown)
echo "update-handoffd: $SRC at $after (was $before)"
as_owner "$MAKE" -C "$SRC" BUILD="$BUILD" all
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# The unit, configuration and user are install-handoffd.sh's: make install's
# copies are discarded.
as_root "$MAKE" -C "$SRC" BUILD="$BUILD" PREFIX="$PREFIX" UNITDIR="$scratch/units" \
	SYSCONFDIR="$scratch/etc" SYSUSERSDIR="$scratch/sysusers.d" TMPFILESDIR="$scratch/tmpfiles.d" install
echo "update-handoffd: installed into $PREFIX"
