#!/bin/sh
# scripts/deps.sh — install what nat64kit needs on Debian 12 (run as root).
# Reads scripts/packages.txt; quiet unless something fails.
set -eu
cd "$(dirname "$0")/.."
pkgs=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' scripts/packages.txt | tr '\n' ' ')
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps.sh: missing packages:$missing (run as root to install)" >&2
		exit 1
	fi
	echo "deps.sh: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
