#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# tests/fuzz-smoke.sh BIN... — run each libFuzzer target for FUZZ_SECONDS
# (default 30) on a copy of its seed corpus fuzz/corpus/<name>/.
# New inputs go to a scratch directory, never into the tree.
set -u
secs=${FUZZ_SECONDS:-30}
rc=0
for bin in "$@"; do
	name=$(basename "$bin")
	seeds="fuzz/corpus/${name#fuzz_}"
	work=$(mktemp -d)
	[ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
	mkdir -p fuzz/artifacts
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=fuzz/artifacts/"$name"- "$work" >"$work.log" 2>&1; then
		echo "fuzz  $name: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$work.log" | awk '{print $2}') runs, no crash"
		grep -E '^#[0-9]+.*(DONE|pulse)' "$work.log" | tail -1
	else
		echo "fuzz  $name: CRASH"; tail -40 "$work.log"; rc=1
	fi
	rm -rf "$work" "$work.log"
	# state directories the target made for itself (fuzz_server, _journal, _tokens)
	rm -rf /tmp/nk-fuzz-"${name#fuzz_}"-??????
done
exit $rc
