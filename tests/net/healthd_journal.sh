#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# healthd_journal.sh — nat64-healthd and update-dns64 with standard error as
# "the journal" (JOURNAL_STREAM names the file their stderr is, as systemd
# does): every line starts with its sd-daemon(3) priority. nat64-healthd:
# <6> for the start and a prefix selected, <3> for a COMMAND that fails,
# -v (<7>) the rounds that are not all good, -vv each probe's result.
# update-dns64: <3> for a reload command that fails, <6> for a note, <4>
# for a warning. With --syslog the same priorities reach syslog(3): a
# datagram socket at /dev/log in a mount namespace of this test (root only;
# without root that part is skipped). No network (the probes go nowhere).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
HD=$PWD/$BUILD/nat64-healthd
UD=$PWD/$BUILD/update-dns64
for b in "$HD" "$UD"; do [ -x "$b" ] || { echo "FAIL: $b not built"; exit 1; }; done
T=$(mktemp -d /tmp/nk-hdj.XXXXXX)
: >"$T/none.conf"
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT
n=0 fails=0
check() { local what=$1; shift; if "$@"; then echo "ok   $what"; n=$((n + 1)); else echo "FAIL $what"; fails=$((fails + 1)); fi; }
wait_for() {
	local i; local k=$(($1 * 10)); shift
	for ((i = 0; i < k; i++)); do "$@" && return 0; sleep 0.1; done
	"$@"
}
js() { stat -c %d:%i "$1"; }

# nat64-healthd: probes to 2001:db8:64:N::192.0.2.2 have no route (down);
# COMMAND false fails every time
printf '2001:db8:64:1::\n2001:db8:64:2::\n' >"$T/pf"
: >"$T/log"
JOURNAL_STREAM=$(js "$T/log") "$HD" -f "$T/none.conf" -vv -s "$T/status" --verify none \
    --selection-file "$T/selection" -i 100ms -t 50ms --startup 200ms --apply-timeout 300ms \
    --backoff 100ms --backoff-max 200ms -p tcp:192.0.2.2:80 "$T/pf" -- false 2>"$T/log" &
PID=$!
check "nat64-healthd: a failing COMMAND at <3>" wait_for 10 grep -q '^<3>apply failed (' "$T/log"
check "nat64-healthd: the start at <6>" grep -q '^<6>watching 2 prefixes' "$T/log"
check "nat64-healthd: a prefix selected at <6>" grep -q '^<6>prefix 2001:db8:64:1::/96 selected' "$T/log"
check "nat64-healthd -v: a failed round at <7>" grep -q '^<7>prefix 2001:db8:64:1::/96: round with 0 of 1 probes ok' "$T/log"
check "nat64-healthd -vv: a probe's result at <7>" grep -q '^<7>prefix 2001:db8:64:1::/96: tcp probe of .* failed: ' "$T/log"
kill $PID; wait $PID 2>/dev/null; PID=
check "nat64-healthd: no line without a priority" eval '! grep -qv "^<[0-7]>" "$T/log"'
echo "    nat64-healthd:"; grep -v '^<7>' "$T/log" | head -n 6 | sed 's/^/      /'

# a COMMAND that says much and exits at once: its last line is the error's
# reason (the output waiting in the pipe at the exit is read, not only its
# first 512 bytes)
printf '#!/bin/sh\nhead -c 3000 /dev/zero | tr "\\\\0" x; echo; echo "the last words"; exit 3\n' \
    >"$T/talk"
chmod +x "$T/talk"
: >"$T/log2"
JOURNAL_STREAM=$(js "$T/log2") "$HD" -f "$T/none.conf" -s "$T/status2" --verify none \
    --selection-file none -i 100ms -t 50ms --startup 200ms --apply-timeout 2s \
    --backoff 100ms --backoff-max 200ms -p tcp:192.0.2.2:80 "$T/pf" -- "$T/talk" 2>"$T/log2" &
PID=$!
wait_for 10 eval '[ "$(grep -c "^<3>apply failed (" "$T/log2")" -ge 15 ]'
kill $PID; wait $PID 2>/dev/null; PID=
nf=$(grep -c '^<3>apply failed (' "$T/log2") nw=$(grep -c '^<3>apply failed (.*status 3: the last words; ' "$T/log2")
check "nat64-healthd: a talkative COMMAND's last line in each failure ($nw of $nf)" \
    test "$nf" -ge 15 -a "$nw" -eq "$nf"
grep '^<3>apply failed' "$T/log2" | head -n 2 | cut -c 1-120 | sed 's/^/      /'

# a start refused for its options, its config file or its prefix file is an
# error too
: >"$T/h2"
JOURNAL_STREAM=$(js "$T/h2") "$HD" -f "$T/none.conf" --rise 0 "$T/pf" -- false 2>"$T/h2"
check "nat64-healthd: an option refused ($?) at <3>" grep -q '^<3>.*rise' "$T/h2"
printf 'interval soon\n' >"$T/bad.conf"
: >"$T/h3"
JOURNAL_STREAM=$(js "$T/h3") "$HD" -f "$T/bad.conf" "$T/pf" -- false 2>"$T/h3"
check "nat64-healthd: a configuration refused ($?) at <3>" grep -q "^<3>$T/bad.conf:1: " "$T/h3"
: >"$T/h4"
JOURNAL_STREAM=$(js "$T/h4") "$HD" -f "$T/none.conf" --selection-file none "$T/missing" -- false \
    2>"$T/h4"
check "nat64-healthd: a missing prefix file ($?) at <3>" grep -q "^<3>.*$T/missing" "$T/h4"
: >"$T/h5"
# one probe twice would be one series twice in the textfile: refused
JOURNAL_STREAM=$(js "$T/h5") "$HD" -n -f "$T/none.conf" --selection-file none \
    -p dns:192.0.2.53 -p tcp:192.0.2.2:80 -p dns:192.0.2.53:53 "$T/pf" -- false 2>"$T/h5" >/dev/null
check "nat64-healthd: a probe given twice refused ($?) at <3>" \
    grep -q '^<3>--probe: dns:192.0.2.53:53:[^ ]* given twice' "$T/h5"
check "nat64-healthd: no start failure without a priority" eval '! grep -hqv "^<[0-7]>" "$T/h3" "$T/h4" "$T/h5"'
sed 's/^/      /' "$T/h2" | head -n 2
sed 's/^/      /' "$T/h3" "$T/h4" "$T/h5"

# update-dns64 as a command under systemd (or run by nat64-healthd)
: >"$T/ud"
JOURNAL_STREAM=$(js "$T/ud") "$UD" -o "$T/dns64.conf" --check-cmd "" --reload-cmd false \
    2001:db8:64:6:: 2>"$T/ud" >/dev/null
check "update-dns64: a failing reload command at <3>" grep -q "^<3>'false' failed (status 1)" "$T/ud"
# a validator that says much and exits at once: its last words (written
# just before it exits) and the file left unchanged are in the error line,
# whole, every time (20 runs: reading stopped at the exit lost them often)
printf '#!/bin/sh\nhead -c 1500 /dev/zero | tr "\\\\0" x; echo; echo "line 9: syntax error"; exit 1\n' \
    >"$T/chk"
chmod +x "$T/chk"
whole=0
for i in $(seq 20); do
	: >"$T/ud"
	JOURNAL_STREAM=$(js "$T/ud") "$UD" -b unbound -o "$T/u.conf" --check-cmd "$T/chk" \
	    --reload-cmd "" 2001:db8:64:6:: 2>"$T/ud" >/dev/null
	grep -q "^<3>$T/chk rejected the new file (status 1): x*x line 9: syntax error; $T/u.conf left unchanged\$" \
	    "$T/ud" && whole=$((whole + 1))
done
check "update-dns64: a long validator error whole at <3> ($whole of 20)" test $whole -eq 20
: >"$T/ud"
JOURNAL_STREAM=$(js "$T/ud") "$UD" -n -b unbound fd00:64::/96 2001:db8:64:7::/96 2>"$T/ud" >/dev/null
check "update-dns64: a note at <6>" grep -q '^<6>note: Unbound takes one prefix' "$T/ud"
check "update-dns64: a warning at <4>" grep -q '^<4>warning: fd00:64::/96 is a unique local address' "$T/ud"
check "update-dns64: no line without a priority" eval '! grep -qv "^<[0-7]>" "$T/ud"'
: >"$T/ud"
"$UD" -o "$T/dns64.conf" --check-cmd "" --reload-cmd false 2001:db8:64:6:: 2>"$T/ud" >/dev/null
check "update-dns64: without the journal, the program's name and no priority" \
    grep -q "^update-dns64: 'false' failed (status 1)" "$T/ud"
# --syslog: the datagrams at /dev/log carry <facility * 8 + priority>,
# daemon (3): <27> error, <30> info
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v python3 >/dev/null; then
	mkdir "$T/dev"
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
f = open(sys.argv[2], "ab", buffering=0)
while True:
    f.write(s.recv(65536) + b"\n")
' "$T/dev/log" "$T/syslog" &
	RPID=$!
	wait_for 5 test -S "$T/dev/log"
	for d in null zero urandom random; do : >"$T/dev/$d"; done
	unshare -m --propagation private sh -c '
		for d in null zero urandom random; do mount --bind /dev/$d "$1/dev/$d"; done
		mount --bind "$1/dev" /dev && shift && exec "$@"' sh "$T" \
	    timeout 3 "$HD" --syslog -f "$T/none.conf" -s "$T/status" --verify none \
	    --selection-file "$T/selection" -i 100ms -t 50ms --startup 200ms --apply-timeout 300ms \
	    --backoff 100ms --backoff-max 200ms -p tcp:192.0.2.2:80 "$T/pf" -- false 2>"$T/sl.err"
	kill $RPID; wait $RPID 2>/dev/null
	check "nat64-healthd --syslog: the start at <30> (daemon.info)" \
	    grep -q '^<30>.* nat64-healthd\[[0-9]*\]: watching 2 prefixes' "$T/syslog"
	check "nat64-healthd --syslog: a failing COMMAND at <27> (daemon.err)" \
	    grep -q '^<27>.* nat64-healthd\[[0-9]*\]: apply failed (' "$T/syslog"
	check "nat64-healthd --syslog: nothing on standard error" test ! -s "$T/sl.err"
	head -n 3 "$T/syslog" | sed 's/^/      /'
else
	echo "SKIP (part) --syslog: needs root and unshare"
fi
echo "healthd_journal: $n passed, $fails failed"
[ $fails -eq 0 ]
