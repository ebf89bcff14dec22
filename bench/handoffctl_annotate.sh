#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# bench/handoffctl_annotate.sh — nat64-handoffctl annotate on one core:
# access-log lines per second against a 1,000,000-line audit log, each
# line answered through the time index (target: >= 200,000 lines/s),
# with the plain tools over the same access log in the same run as the
# yardstick: cat (reading and writing), and awk appending a field to
# every line (the least a line-by-line enricher does). Every figure is
# the median of RUNS runs, the programs alternated; the index build (the
# audit log read and sorted) is measured alone and included in the
# annotate figure.
#
# usage: make && bench/handoffctl_annotate.sh        (no root needed)
# env:   BUILD (build), AUDIT_LINES (1000000), ACCESS_LINES (1000000),
#        RUNS (3), CPU (0)
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
AUDIT_LINES=${AUDIT_LINES:-1000000}
ACCESS_LINES=${ACCESS_LINES:-1000000}
RUNS=${RUNS:-3}
CPU=${CPU:-0}
CTL=$PWD/$BUILD/nat64-handoffctl
[ -x "$CTL" ] || { echo "bench: $CTL missing: make BUILD=$BUILD"; exit 1; }
W=$(mktemp -d /tmp/nk-bench-annotate.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
mkdir -p "$W/log"
printf 'log-dir %s/log\nstate-dir %s/state\n' "$W" "$W" >"$W/conf"

# The audit log: four NAT64 addresses with full tables churning, every
# new entry evicting the oldest (Deleted, then Created on its port), one
# event every 10 us on average; the access log: requests at random times,
# each from a port in the middle of one entry's lifetime.
awk -v n="$AUDIT_LINES" -v m="$ACCESS_LINES" -v alog="$W/log/nat64-handoff.log" \
    -v wlog="$W/access.log" 'BEGIN {
	srand(1); t0 = 1764547200; t = 0; ports = 64508
	for (i = 0; lines < n; i++) {
		nat = "198.51.100." (1 + i % 4); p = 1024 + int(i / 4) % ports
		t += 2e-5 * rand()
		sec = t0 + int(t); us = int((t - int(t)) * 1e6)
		stamp = strftime("%Y-%m-%d %H:%M:%S", sec, 1) sprintf(".%06d", us)
		if (i >= 4 * ports) {
			j = i - 4 * ports
			printf "%s Deleted %s:%d [2001:db8:%x:%x::1]:%d\n", stamp, nat, p, int(j / 65536), j % 65536, 20000 + j % 40000 > alog
			lines++
		}
		printf "%s Created %s:%d [2001:db8:%x:%x::1]:%d\n", stamp, nat, p, int(i / 65536), i % 65536, 20000 + i % 40000 > alog
		lines++
	}
	nev = i
	for (j = 0; j < m; j++) {
		i = int(rand() * (nev - 4 * ports))	# entry i lives ~4 * ports events
		nat = "198.51.100." (1 + i % 4); p = 1024 + int(i / 4) % ports
		printf "%s %d %.3f \"GET /item/%d HTTP/1.1\" 200 %d\n", nat, p, t0 + t * (i + 2 * ports + 0.5) / nev, j, 100 + j % 900 > wlog
	}
}'
alines=$(wc -l <"$W/log/nat64-handoff.log")
echo "audit log: $alines lines ($(du -h "$W/log/nat64-handoff.log" | cut -f1)), access log: $ACCESS_LINES lines ($(du -h "$W/access.log" | cut -f1))"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; figures are CPU seconds on core $CPU, median of $RUNS"

taskset -cp "$CPU" $$ >/dev/null	# this shell and all it runs: one core
# secs 'COMMAND': CPU seconds (user + system) of the shell command and
# its children, output discarded. CPU time, not wall time: on a shared
# machine a process pinned to a core still waits for it, and the wait is
# not its cost.
secs() {
	/usr/bin/time -f '%U %S' -o "$W/tm" bash -c "$1" >/dev/null 2>"$W/err" || { cat "$W/err"; exit 1; }
	awk '{ printf "%.3f\n", $1 + $2 }' "$W/tm"
}
median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] }'; }
run_annotate="'$CTL' -f '$W/conf' annotate <'$W/access.log'"
run_index="'$CTL' -f '$W/conf' annotate </dev/null"
run_cat="cat '$W/access.log'"
run_awk="awk '{ print \$0, \"real_client=x\" }' '$W/access.log'"

: >"$W/t.annotate"; : >"$W/t.index"; : >"$W/t.cat"; : >"$W/t.awk"
for r in $(seq "$RUNS"); do
	secs "$run_annotate" >>"$W/t.annotate"
	secs "$run_cat" >>"$W/t.cat"
	secs "$run_index" >>"$W/t.index"
	secs "$run_awk" >>"$W/t.awk"
done
bash -c "$run_annotate" 2>&1 >/dev/null | sed 's/^/check: /'
ta=$(median <"$W/t.annotate") ti=$(median <"$W/t.index") tc=$(median <"$W/t.cat") tw=$(median <"$W/t.awk")
rate() { echo "$ACCESS_LINES / $1" | bc -l | awk '{ printf "%.0f", $1 }'; }
printf 'annotate          %7.3f s  %9s lines/s  (index of %d audit lines: %.3f s of it)\n' "$ta" "$(rate "$ta")" "$alines" "$ti"
printf 'annotate, lookups %7.3f s  %9s lines/s  (without the index build)\n' "$(echo "$ta - $ti" | bc -l)" "$(rate "$(echo "$ta - $ti" | bc -l)")"
printf 'cat               %7.3f s  %9s lines/s\n' "$tc" "$(rate "$tc")"
printf 'awk (append)      %7.3f s  %9s lines/s\n' "$tw" "$(rate "$tw")"
printf 'ratios: annotate/awk %.2f  annotate/cat %.3f  (rate over rate; target >= 200000 lines/s: %s)\n' \
    "$(echo "$tw / $ta" | bc -l)" "$(echo "$tc / $ta" | bc -l)" \
    "$(awk -v r="$(rate "$ta")" 'BEGIN { print (r >= 200000 ? "met" : "MISSED") }')"
