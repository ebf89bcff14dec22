#!/usr/bin/env bash
# tests/run-tests.sh [TIER...] — run nat64kit's test tiers and print one
# closing line "check: N passed, N failed, N skipped".
#
# Tiers (default: all, in this order):
#   unit   every $BUILD/tests/test_* (cmocka; counted per test case; a
#          skipped cmocka test, e.g. a listed expected failure of the
#          conformance tier, counts as skipped)
#   net    every tests/net/*.sh: real sockets, TUN devices, namespaces,
#          BIND. Each script exits 0 (pass), 77 (skip: needs root or a
#          tool) or anything else (fail). Scripts that need root skip
#          themselves when not root.
# Environment: BUILD (default build), TEST_FILTER (substring of test
# names to run), TEST_LOGS (default $BUILD/test-logs).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
LOGS=${TEST_LOGS:-$BUILD/test-logs}
mkdir -p "$LOGS"
FILTER=${TEST_FILTER:-}
tiers=("$@")
[ ${#tiers[@]} -gt 0 ] || tiers=(unit net)

pass=0 fail=0 skip=0
failed_names=()

run_unit() {
	local t name log rc p f s
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		[[ -z "$FILTER" || "$name" == *"$FILTER"* ]] || continue
		log="$LOGS/$name.log"
		"$t" >"$log" 2>&1
		rc=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		s=$(sed -n 's/^\[  SKIPPED \] \([0-9][0-9]*\) test.*/\1/p' "$log" | tail -1)
		p=${p:-0} f=${f:-0} s=${s:-0}
		if [ $rc -ne 0 ] && [ "$f" = 0 ]; then f=1; fi
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
		if [ $rc -eq 0 ] && [ "$f" = 0 ]; then
			if [ "$s" = 0 ]; then
				printf 'unit  %-40s %3d passed\n' "$name" "$p"
			else
				printf 'unit  %-40s %3d passed %d skipped (log: %s)\n' "$name" "$p" "$s" "$log"
			fi
		else
			printf 'unit  %-40s %3d passed %d FAILED (log: %s)\n' "$name" "$p" "$f" "$log"
			tail -n 30 "$log" | sed 's/^/    | /'
			failed_names+=("$name")
		fi
	done
}

run_net() {
	local t name log rc start secs
	for t in tests/net/*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		[[ -z "$FILTER" || "$name" == *"$FILTER"* ]] || continue
		log="$LOGS/net-$name.log"
		start=$(date +%s)
		timeout --kill-after=10 900 bash "$t" >"$log" 2>&1
		rc=$?
		secs=$(( $(date +%s) - start ))
		if [ $rc -eq 0 ]; then
			pass=$((pass + 1))
			printf 'net   %-40s pass (%ss)\n' "$name" "$secs"
		elif [ $rc -eq 77 ]; then
			skip=$((skip + 1))
			printf 'net   %-40s skip: %s\n' "$name" "$(grep -m1 '^SKIP' "$log" || echo 'see log')"
		else
			fail=$((fail + 1))
			failed_names+=("$name")
			printf 'net   %-40s FAIL rc=%d (%ss, log: %s)\n' "$name" "$rc" "$secs" "$log"
			tail -n 40 "$log" | sed 's/^/    | /'
		fi
	done
}

for tier in "${tiers[@]}"; do
	case "$tier" in
	unit) run_unit ;;
	net) run_net ;;
	*) echo "unknown tier: $tier" >&2; exit 2 ;;
	esac
done

[ ${#failed_names[@]} -eq 0 ] || echo "failed: ${failed_names[*]}"
echo "check: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
