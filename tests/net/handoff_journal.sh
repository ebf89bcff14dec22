#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoff_journal.sh — nat64d and nat64-handoffd with standard error as "the
# journal" (JOURNAL_STREAM names the file their stderr is, as systemd does):
# every diagnostic line starts with its sd-daemon(3) priority, <3> for a
# file that cannot be written (a metrics file in a missing directory), a
# refused reload and a start that fails, <6> for the start; and -v (level 1) adds the per-server and per-channel events
# at <7>: nat64-handoffd's NAT64 validated and channel loaded, nat64d's
# handoff server up.
. "$(dirname "$0")/handoff_common.inc"

ND_CONF_EXTRA="verbose 1
metrics-file /nonexistent-nk-$$/nat64d.prom"

ho_topology
servers_start S
mkdir -p "$W/ho-s"
: >"$W/ho-s/err"
: >"$ND_LOG"
# what systemd sets: the device and inode of the stream stderr is
JOURNAL_STREAM=$(stat -c %d:%i "$W/ho-s/err") ho_start S -v --metrics-file "/nonexistent-nk-$$/h.prom"
JOURNAL_STREAM=$(stat -c %d:%i "$ND_LOG") nd_start

body=$(ho_curl 40001)
check "curl through the gateway" grep -q "^hello /p40001 from $S4" <<<"$body"
check "audit: Created for [client]:40001" wait_for 15 has_created "$AUDIT" 40001
nd_status	# SIGUSR1: the status file, and the metrics file that cannot be written
HE=$W/ho-s/err
check "nat64-handoffd: the start at <6>" grep -q '^<6>listening on ' "$HE"
check "nat64-handoffd: the unwritable metrics file at <3>" wait_for 10 grep -q '^<3>metrics file: .*nonexistent-nk' "$HE"
check "nat64-handoffd -v: the NAT64 validated at <7>" grep -q "^<7>NAT64 $POOL:6464 validated (server address $S4)" "$HE"
check "nat64-handoffd -v: the channel loaded at <7>" grep -q "^<7>channel $POOL loaded: " "$HE"
check "nat64-handoffd: no line without a priority" eval '! grep -qv "^<[0-7]>" "$HE"'
check "nat64-handoffd: no program name (the journal adds it)" eval '! grep -q "^<[0-7]>nat64-handoffd:" "$HE"'
check "nat64d: the start at <6>" grep -q '^<6>translating on ' "$ND_LOG"
check "nat64d: the unwritable metrics file at <3>" wait_for 5 grep -q '^<3>metrics file: .*nonexistent-nk' "$ND_LOG"
check "nat64d -v: the handoff server up at <7>" grep -q "^<7>handoff server $S4 up (speaks handoff)" "$ND_LOG"
check "nat64d: no line without a priority" eval '! grep -qv "^<[0-7]>" "$ND_LOG"'
# a start that fails is an error: a second nat64d on the same TUN device,
# a second nat64-handoffd on the same port
: >"$W/nd2.err"
JOURNAL_STREAM=$(stat -c %d:%i "$W/nd2.err") nsx "$NS_X" "$ND_BIN" -d -f "$ND_CONF" 2>"$W/nd2.err"
check "nat64d: a start that fails ($?) at <3>" grep -q "^<3>.*$TUN" "$W/nd2.err"
: >"$W/ho2.err"
JOURNAL_STREAM=$(stat -c %d:%i "$W/ho2.err") nsx "$NS_S" "$HO_BIN" -p 6464 -s "$W/ho2-state" 2>"$W/ho2.err"
check "nat64-handoffd: a start that fails ($?) at <3>" grep -q "^<3>.*6464" "$W/ho2.err"
# and so is a start refused for its configuration (what a unit's
# ExecStartPre=nat64d -n or a typo in an option meets first)
printf 'pool4 not-an-address\n' >"$W/bad.conf"
: >"$W/nd3.err"
JOURNAL_STREAM=$(stat -c %d:%i "$W/nd3.err") "$ND_BIN" -n -f "$W/bad.conf" 2>"$W/nd3.err"
check "nat64d: a configuration refused ($?) at <3>" grep -q "^<3>$W/bad.conf:1: pool4: " "$W/nd3.err"
: >"$W/nd4.err"
JOURNAL_STREAM=$(stat -c %d:%i "$W/nd4.err") "$ND_BIN" --no-such-option 2>"$W/nd4.err"
check "nat64d: an unknown option ($?) at <3>" grep -q "^<3>.*no-such-option.*(see --help)" "$W/nd4.err"
: >"$W/ho3.err"
JOURNAL_STREAM=$(stat -c %d:%i "$W/ho3.err") "$HO_BIN" -p 0 -s "$W/ho3-state" 2>"$W/ho3.err"
check "nat64-handoffd: an option refused ($?) at <3>" grep -q "^<3>--port: 0 is out of range" "$W/ho3.err"
printf 'table-size many\n' >"$W/bad-ho.conf"
: >"$W/ho4.err"
JOURNAL_STREAM=$(stat -c %d:%i "$W/ho4.err") "$HO_BIN" -f "$W/bad-ho.conf" -s "$W/ho3-state" 2>"$W/ho4.err"
check "nat64-handoffd: a configuration refused ($?) at <3>" grep -q "^<3>.*bad-ho.conf:1: " "$W/ho4.err"
for f in nd3 nd4 ho3 ho4; do
	check "$f: no line without a priority" eval '! grep -qv "^<[0-7]>" "$W/$f.err"'
done
sed 's/^/      /' "$W/nd2.err" "$W/ho2.err" "$W/nd3.err" "$W/nd4.err" "$W/ho3.err" "$W/ho4.err"
# a reload that is refused is an error too
sed -i 's/^pool4 .*/pool4 not-an-address/' "$ND_CONF"
kill -HUP "$ND_PID"
check "nat64d: a refused reload at <3>" wait_for 5 grep -q '^<3>reload failed, keeping the running configuration' "$ND_LOG"
echo "    nat64-handoffd:"; sed 's/^/      /' "$HE" | head -n 12
echo "    nat64d:"; grep -v '^<6>status: ' "$ND_LOG" | sed 's/^/      /' | head -n 12
ho_finish
