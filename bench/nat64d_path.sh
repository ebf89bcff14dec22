#!/usr/bin/env bash
# bench/nat64d_path.sh — what nat64d's packet path costs per packet, in
# user-space instructions (callgrind), this tree against another revision
# built side by side: deterministic, so it resolves differences that the
# throughput benchmarks' noise on a shared machine hides. The kernel's
# part (TUN read and write) is not in it.
#
# For each workload of bench/nat64d_path.c (udp64 udp46 tcp64 tcp46 syn)
# the driver runs with 0 and with N packets under callgrind; the
# difference / N is the cost of one packet, driver's copy of it included.
#
# Usage: bench/nat64d_path.sh [REV]   (default REV: HEAD; the working tree
#        is always the other side)  Knobs: N [20000]
# Needs valgrind, gcc, git; no root.
set -euo pipefail
cd "$(dirname "$0")/.."
REV=${1:-HEAD}
N=${N:-20000}
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git archive "$REV" | tar -x -C "$tmp"
mkdir -p "$tmp/rev"
# Each tree: its own nat64d and lib archives and headers, the driver of this tree.
build() {	# tree build-dir out
	make -s -C "$1" -j2 BUILD="$2" "$2/obj/nat64d/libnat64d.a" "$2/lib/libnk.a" >/dev/null
	${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -g -I"$1/lib" -I"$1/nat64d" -I"$1/tests/unit" \
	    -o "$3" bench/nat64d_path.c "$1/$2/obj/nat64d/libnat64d.a" "$1/$2/lib/libnk.a" \
	    $(pkg-config --libs libsodium 2>/dev/null || echo -lsodium) -lz
}
build "$tmp" build "$tmp/rev/drive"
build "$PWD" build-path "$tmp/drive"
ir() {
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$@" >/dev/null 2>&1
	awk '/^(summary|totals):/ { print $2; exit }' "$tmp/cg.out"
}
echo "instructions per packet (user space), $REV ($(git rev-parse --short "$REV")) vs working tree"
printf '%-8s %10s %10s %8s\n' workload "$(git rev-parse --short "$REV")" tree ratio
for k in udp64 udp46 tcp64 tcp46 syn; do
	a0=$(ir "$tmp/rev/drive" $k 0); a=$(ir "$tmp/rev/drive" $k "$N")
	b0=$(ir "$tmp/drive" $k 0); b=$(ir "$tmp/drive" $k "$N")
	awk -v k=$k -v a=$(( (a - a0) / N )) -v b=$(( (b - b0) / N )) \
	    'BEGIN { printf "%-8s %10d %10d %8.3f\n", k, a, b, b / a }'
done
