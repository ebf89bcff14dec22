#!/usr/bin/env bash
# nat64-healthd and update-dns64 from the command line, no network, no root:
#  - `nat64-healthd -n` on tests/healthd/N.in (+ N.conf) matches N.ok;
#  - invalid prefix files and options give file:line / option errors;
#  - update-dns64 with the real named-checkconf: writes, keeps drained
#    prefixes for reverse DNS, rejects empty sets and duplicates, restores the
#    previous file when the reload command fails, leaves the file alone when
#    the checker refuses; Unbound / PowerDNS fragments (dry run: the real
#    servers are not installed, see docs/HEALTHD.md);
#  - the runner: COMMAND that fails, hangs (timeout) or does not exist.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
HD=$PWD/$BUILD/nat64-healthd
UD=$PWD/$BUILD/update-dns64
for b in "$HD" "$UD"; do [ -x "$b" ] || { echo "FAIL: $b not built"; exit 1; }; done
command -v named-checkconf >/dev/null || { echo "SKIP: named-checkconf (bind9-utils) not installed"; exit 77; }
T=$(mktemp -d /tmp/nk-hdcli.XXXXXX)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
n=0

# golden files
for in in tests/healthd/*.in; do
	b=${in%.in}
	args=()
	[ -f "$b.conf" ] && args=(-f "$b.conf")
	"$HD" -n "${args[@]}" -t 500ms -p icmp:192.0.2.2 "$in" -- update-dns64 -o /var/lib/bind/dns64.conf \
	    >"$T/out" 2>&1 || fail "$in: -n failed: $(cat "$T/out")"
	diff -u "$b.ok" "$T/out" || fail "$in: output differs from $b.ok"
	# what -n prints is a config file that reads back in to the same
	"$HD" -n -f "$T/out" "$in" -- update-dns64 -o /var/lib/bind/dns64.conf >"$T/again" 2>&1 ||
	    fail "$in: -n output does not read back in: $(cat "$T/again")"
	diff -u "$T/out" "$T/again" || fail "$in: -n output read back in differs"
	n=$((n + 2))
done

# errors: expect_err WANT-SUBSTRING ARGS...
expect_err() {
	local want=$1; shift
	if "$@" >"$T/out" 2>&1; then fail "succeeded: $*"; fi
	grep -qF -- "$want" "$T/out" || fail "'$*': wanted '$want', got: $(cat "$T/out")"
	n=$((n + 1))
}
printf '2001:db8:64:1::\n\n# x\n2001:db8:64:1::/96\n' >"$T/dup"
expect_err "$T/dup:4: 2001:db8:64:1::/96 duplicates line 1" "$HD" -n -p tcp:192.0.2.2:80 "$T/dup" -- true
printf '2001:db8:64:1::/80\n' >"$T/len"
expect_err "$T/len:1: 2001:db8:64:1::/80: prefix length must be 32, 40, 48, 56, 64 or 96" \
    "$HD" -n -p tcp:192.0.2.2:80 "$T/len" -- true
printf '2001:db8:64:1::\n2001:db8:1:2:ff00::/64\n' >"$T/bits"
expect_err "$T/bits:2: 2001:db8:1:2:ff00::/64: bits 64 to 71 must be zero" \
    "$HD" -n -p tcp:192.0.2.2:80 "$T/bits" -- true
printf '64:ff9b::\nfoo\n' >"$T/junk"
expect_err "$T/junk:2: 'foo' is not an IPv6 prefix" "$HD" -n -p tcp:192.0.2.2:80 "$T/junk" -- true
printf '# nothing\n' >"$T/empty"
expect_err "$T/empty: no prefixes" "$HD" -n -p tcp:192.0.2.2:80 "$T/empty" -- true
expect_err "$T/missing: No such file" "$HD" -n -p tcp:192.0.2.2:80 "$T/missing" -- true
expect_err "at least one --probe" "$HD" -n "$T/dup" -- true
expect_err "--probe: bad probe 'udp:1.2.3.4:5'" "$HD" -n -p udp:1.2.3.4:5 "$T/dup" -- true
expect_err "--rise: 0 is out of range" "$HD" -n -r 0 -p tcp:192.0.2.2:80 "$T/dup" -- true
expect_err "--max 1 is below --min 2" "$HD" -n -M 1 -p tcp:192.0.2.2:80 tests/healthd/1.in -- true
printf 'probe tcp:192.0.2.2:80\nintervall 5s\n' >"$T/bad.conf"
expect_err "$T/bad.conf:2: unknown setting 'intervall'" "$HD" -n -f "$T/bad.conf" tests/healthd/1.in -- true
expect_err "no COMMAND after --" "$HD" -p tcp:192.0.2.2:80 tests/healthd/1.in --
# -n runs the checks a start runs: COMMAND present, the user exists
expect_err "no COMMAND after --" "$HD" -n -p tcp:192.0.2.2:80 tests/healthd/1.in --
expect_err "unknown user 'nosuchuser-nk'" "$HD" -n -u nosuchuser-nk -p tcp:192.0.2.2:80 tests/healthd/1.in -- true
# each type's errors, named by option (command line) or file:line
expect_err "--interval: '5y': unknown unit (use ms, s, m, h or d)" "$HD" -n -i 5y -p tcp:192.0.2.2:80 "$T/dup" -- true
expect_err "--timeout: '5ms' is out of range 10ms..600000ms" "$HD" -n -t 5ms -p tcp:192.0.2.2:80 "$T/dup" -- true
expect_err "--jitter: 51 is out of range 0..50" "$HD" -n --jitter 51 -p tcp:192.0.2.2:80 "$T/dup" -- true
expect_err "--state-file: 'status' must be an absolute path" "$HD" -n -s status -p tcp:192.0.2.2:80 "$T/dup" -- true
expect_err "--user: 'b@d' is not a user name" "$HD" -n -u 'b@d' -p tcp:192.0.2.2:80 "$T/dup" -- true
expect_err "--probe: at most 8 allowed" "$HD" -n -p icmp:192.0.2.1 -p icmp:192.0.2.2 -p icmp:192.0.2.3 \
    -p icmp:192.0.2.4 -p icmp:192.0.2.5 -p icmp:192.0.2.6 -p icmp:192.0.2.7 -p icmp:192.0.2.8 \
    -p icmp:192.0.2.9 "$T/dup" -- true
expect_err "option '--interval' needs a value" "$HD" -n -p tcp:192.0.2.2:80 --interval
printf 'probe tcp:192.0.2.2:80\nrtt-margin 61s\n' >"$T/bad2.conf"
expect_err "$T/bad2.conf:2: rtt-margin: '61s' is out of range 0ms..60000ms" "$HD" -n -f "$T/bad2.conf" tests/healthd/1.in -- true
expect_err "--backend: 'bogus' is not one of bind, unbound, pdns, powerdns" "$UD" -n -b bogus 2001:db8:64:1::
expect_err "not a nat64-healthd status file" "$HD" --status -s "$T/bad.conf"
expect_err "is nat64-healthd running" "$HD" --status -s "$T/nonexistent"

# update-dns64 with the real named-checkconf and fake reload commands
O=$T/dns64.conf
"$UD" -o "$O" --reload-cmd true 2001:db8:64:1:: 2001:db8:64:2::/96 >/dev/null || fail "first write"
[ "$(grep -c '^dns64 ' "$O")" = 2 ] || fail "two blocks expected"
grep -q 'exclude { 0::/3; 4000::/2; 8000::/1; 2001:db8::/32; };' "$O" || fail "exclude list"
"$UD" -o "$O" --reload-cmd true 2001:db8:64:3:: | grep -q '1 prefix applied (2 drained kept for reverse DNS)' ||
    fail "drained message"
[ "$(grep -c 'clients { none; };' "$O")" = 2 ] || fail "drained blocks"
cp "$O" "$T/before"
expect_err "refusing to write an empty set" "$UD" -o "$O" --reload-cmd true
expect_err "2001:db8:64:1::/96 is given twice" "$UD" -o "$O" --reload-cmd true 2001:db8:64:1:: 2001:db8:64:1::/96
expect_err "named-checkconf rejected the new file" "$UD" -o "$O" --reload-cmd true -c 'bogus acl' 2001:db8:64:1::
cmp -s "$O" "$T/before" || fail "file changed although the checker refused"
printf '#!/bin/sh\necho "rndc: connect failed: 127.0.0.1#953: connection refused" >&2\nexit 1\n' >"$T/rndc-down"
chmod +x "$T/rndc-down"
expect_err "connection refused; restored the previous file" "$UD" -o "$O" --reload-cmd "$T/rndc-down" 2001:db8:64:2::
cmp -s "$O" "$T/before" || fail "previous file not restored"
expect_err "removed the new file (there was none before)" "$UD" -o "$T/new.conf" --reload-cmd "$T/rndc-down" 2001:db8:64:2::
[ ! -e "$T/new.conf" ] || fail "new file left behind"
"$UD" -n -o "$O" --no-keep-reverse 2001:db8:64:2:: | grep -q none && fail "--no-keep-reverse kept drained blocks"
"$UD" -n -b unbound -o "$T/u.conf" 2001:db8:64:2:: 2001:db8:64:1:: 2>"$T/err" | grep -q '^	dns64-prefix: 2001:db8:64:2::/96$' ||
    fail "unbound fragment"
grep -q 'takes one prefix; using the first' "$T/err" || fail "unbound: no note about one prefix"
"$UD" -n -b pdns -o "$T/p.conf" 2001:db8:64:2:: | grep -q '^dns64-prefix=2001:db8:64:2::/96$' || fail "pdns fragment"
expect_err "PowerDNS Recursor takes a /96 only" "$UD" -n -b pdns 2001:db8:100::/40
n=$((n + 6))

# the runner: a COMMAND that fails, hangs, or does not exist — the daemon
# keeps running and retries (probes go nowhere: 192.0.2.2 via a prefix
# without a route, so everything is down and min 2 is filled in file order)
printf '2001:db8:64:1::\n2001:db8:64:2::\n' >"$T/pf"
printf '#!/bin/sh\nexec sleep 30\n' >"$T/hang"
chmod +x "$T/hang"
for cmd in "false" "$T/hang" "/nonexistent/update-dns64"; do
	: >"$T/log"
	"$HD" -s "$T/status" -i 100ms -t 50ms --startup 200ms --apply-timeout 300ms --backoff 100ms \
	    --backoff-max 200ms -p tcp:192.0.2.2:80 "$T/pf" -- $cmd >"$T/log" 2>&1 &
	PID=$!
	for i in $(seq 60); do
		[ "$(grep -c 'apply failed' "$T/log")" -ge 2 ] && break
		sleep 0.1
	done
	kill -0 $PID 2>/dev/null || fail "daemon died with COMMAND '$cmd': $(tail -3 "$T/log")"
	grep -q 'apply failed (2 in a row)' "$T/log" || fail "no retry with '$cmd': $(cat "$T/log")"
	case $cmd in
	false) grep -q 'command exited with status 1' "$T/log" || fail "reason for false" ;;
	*hang) grep -q 'command timed out and was killed' "$T/log" || fail "reason for timeout" ;;
	*) grep -q 'cannot run /nonexistent/update-dns64: No such file' "$T/log" || fail "reason for exec" ;;
	esac
	kill $PID; wait $PID; PID=
	n=$((n + 1))
done
# SIGHUP re-reads the prefix file even when stat() shows no change (same
# size, inode and mtime), and SIGUSR1 writes the status file
: >"$T/log"
rm -f "$T/status"	# a stale one from an earlier run would let us race the start
"$HD" -s "$T/status" -i 100ms -t 50ms --startup 200ms -p tcp:192.0.2.2:80 "$T/pf" -- true \
    >"$T/log" 2>&1 &
PID=$!
for i in $(seq 50); do grep -q '^prefix 2001:db8:64:2::/96 ' "$T/status" 2>/dev/null && break; sleep 0.1; done
grep -q '^prefix 2001:db8:64:2::/96 ' "$T/status" || fail "status before SIGHUP"
touch -r "$T/pf" "$T/pf.time"
printf '2001:db8:64:1::\n2001:db8:64:9::\n' >"$T/pf.new"
# The daemon is stopped while the file changes, so its stat() poll can only
# see the end state: same inode, same size, same mtime.
kill -STOP $PID
dd if="$T/pf.new" of="$T/pf" conv=notrunc status=none	# same inode, same size, never empty
touch -r "$T/pf.time" "$T/pf"	# same mtime
kill -CONT $PID
sleep 1.5
grep -q '^prefix 2001:db8:64:9::/96 ' "$T/status" && fail "reloaded without SIGHUP (stat saw a change)"
kill -HUP $PID
for i in $(seq 30); do grep -q '^prefix 2001:db8:64:9::/96 ' "$T/status" 2>/dev/null && break; sleep 0.1; done
grep -q '^prefix 2001:db8:64:9::/96 ' "$T/status" || fail "SIGHUP did not reload: $(cat "$T/log")"
grep -q 'SIGHUP: 2 prefixes from' "$T/log" || fail "no SIGHUP log line"
kill $PID; wait $PID; PID=
printf '2001:db8:64:1::\n2001:db8:64:2::\n' >"$T/pf"
n=$((n + 1))

# -u bind: the daemon drops to the user (root only; the original ran as bind)
if [ "$(id -u)" = 0 ] && getent passwd bind >/dev/null; then
	mkdir -p "$T/run" && chown bind "$T/run" && chmod 755 "$T"
	"$HD" -u bind -s "$T/run/status" -i 100ms -t 50ms --startup 200ms -p tcp:192.0.2.2:80 \
	    "$T/pf" -- true >"$T/log" 2>&1 &
	PID=$!
	for i in $(seq 50); do [ -s "$T/run/status" ] && break; sleep 0.1; done
	[ "$(stat -c %U "$T/run/status" 2>/dev/null)" = bind ] || fail "-u bind: status not written as bind: $(cat "$T/log")"
	[ "$(ps -o user= -p $PID)" = bind ] || fail "-u bind: process not running as bind"
	kill $PID; wait $PID; PID=
	n=$((n + 1))
fi
echo "PASS ($n checks)"
