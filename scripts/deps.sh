#!/bin/sh
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# scripts/deps.sh [--list] [build|run|bench|test|all ...] — install the
# Debian 12 packages of those sets of scripts/packages.txt (default: all);
# run as root. --list prints them, one per line, and installs nothing.
#   build  compile, make install, build the Debian packages
#   run    what the programs and scripts/demo.sh use at run time
#   bench  the peers and load generators of bench/
#   test   make check, clang, sanitizers, fuzzing, .ci/packaging
# The servers the test set installs (the resolvers bind9, unbound,
# pdns-recursor, and nginx) are disabled at boot and stopped right after
# installation: the tests start their own, and three resolvers on port 53
# would fight. One that was installed before is left as it was. Quiet unless
# something fails.
set -eu
cd "$(dirname "$0")/.."
PACKAGES=${DEPS_PACKAGES:-scripts/packages.txt}
list=0
if [ "${1:-}" = --list ]; then list=1; shift; fi
sets=${*:-all}
for s in $sets; do
	case "$s" in
	build|run|bench|test|all) ;;
	*) echo "usage: deps.sh [--list] [build|run|bench|test|all ...]" >&2; exit 2 ;;
	esac
done
# the packages of the sets asked for; lines before any header are "test"
pkgs=$(awk -v want=" $sets " '
	{ sub(/#.*/, ""); gsub(/[ \t]+/, "") }
	$0 == "" { next }
	/^\[[a-z]+\]$/ { set = substr($0, 2, length($0) - 2); next }
	{ s = set == "" ? "test" : set
	  if ((index(want, " all ") || index(want, " " s " ")) && !seen[$0]++) print }' "$PACKAGES")
if [ $list = 1 ]; then
	[ -z "$pkgs" ] || printf '%s\n' $pkgs
	exit 0
fi
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# Servers installed just now: not at boot, not running.
for p in $missing; do
	case "$p" in
	bind9) units="named.service" ;;
	unbound) units="unbound.service unbound-resolvconf.service" ;;
	pdns-recursor) units="pdns-recursor.service" ;;
	nginx) units="nginx.service" ;;
	*) continue ;;
	esac
	for u in $units; do
		[ -e "/lib/systemd/system/$u" ] || continue
		systemctl disable --quiet "$u" 2>/dev/null || true
		if [ -d /run/systemd/system ]; then
			systemctl stop "$u" 2>/dev/null || true
		fi
	done
	echo "deps.sh: $p: $units disabled at boot and stopped (the tests start their own)"
done
