#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64-healthd and update-dns64 from the command line, no network, no root:
#  - `nat64-healthd -n` on tests/healthd/N.in (+ N.conf) matches N.ok;
#  - invalid prefix files and options give file:line / option errors;
#  - update-dns64 with the real named-checkconf: writes, keeps drained
#    prefixes for reverse DNS, rejects empty sets and duplicates, restores the
#    previous file when the reload command fails, leaves the file alone when
#    the checker refuses; Unbound / PowerDNS fragments (dry run: the real
#    servers are not installed, see docs/HEALTHD.md);
#  - the runner: COMMAND that fails, hangs (timeout) or does not exist;
#    a COMMAND that ignores TERM and forks children leaves no process
#    after the timeout, nor after the daemon's shutdown;
#  - update-dns64's own time limit and signals: the previous file is put
#    back and nothing of the reload command is left;
#  - every rejected prefix range gives its error (prefix file and
#    update-dns64); clients ACL injection is refused;
#  - probe sockets bounded below RLIMIT_NOFILE with a clear message;
#  - --status --json is one JSON object.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
HD=$PWD/$BUILD/nat64-healthd
UD=$PWD/$BUILD/update-dns64
for b in "$HD" "$UD"; do [ -x "$b" ] || { echo "FAIL: $b not built"; exit 1; }; done
command -v named-checkconf >/dev/null || { echo "SKIP: named-checkconf (bind9-utils) not installed"; exit 77; }
T=$(mktemp -d /tmp/nk-hdcli.XXXXXX)
: >"$T/none.conf"
# never the system's /etc/nat64kit/nat64-healthd.conf: an empty -f instead
HDF=("$HD" -f "$T/none.conf")
hd() { "${HDF[@]}" "$@"; }	# (in the background: "${HDF[@]}", so $! is the daemon)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
n=0

# golden files
for in in tests/healthd/*.in; do
	b=${in%.in}
	args=()
	[ -f "$b.conf" ] && args=(-f "$b.conf")
	[ -f "$b.conf" ] || args=(-f "$T/none.conf")
	"$HD" -n "${args[@]}" -s /run/nat64-healthd/status -t 500ms -p icmp:192.0.2.2 "$in" -- \
	    update-dns64 -o /var/lib/bind/dns64.conf \
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
expect_err "$T/dup:4: 2001:db8:64:1::/96 duplicates line 1" hd -n -p tcp:192.0.2.2:80 "$T/dup" -- true
printf '2001:db8:64:1::/80\n' >"$T/len"
expect_err "$T/len:1: 2001:db8:64:1::/80: prefix length must be 32, 40, 48, 56, 64 or 96" \
    hd -n -p tcp:192.0.2.2:80 "$T/len" -- true
printf '2001:db8:64:1::\n2001:db8:1:2:ff00::/64\n' >"$T/bits"
expect_err "$T/bits:2: 2001:db8:1:2:ff00::/64: bits 64 to 71 must be zero" \
    hd -n -p tcp:192.0.2.2:80 "$T/bits" -- true
printf '64:ff9b::\nfoo\n' >"$T/junk"
expect_err "$T/junk:2: 'foo' is not an IPv6 prefix" hd -n -p tcp:192.0.2.2:80 "$T/junk" -- true
printf '# nothing\n' >"$T/empty"
expect_err "$T/empty: no prefixes" hd -n -p tcp:192.0.2.2:80 "$T/empty" -- true
expect_err "$T/missing: No such file" hd -n -p tcp:192.0.2.2:80 "$T/missing" -- true
# no probe anywhere: the built-in resolvers, each through every prefix
hd -n tests/healthd/1.in -- true >"$T/out" || fail "-n without probes"
[ "$(grep '^probe ' "$T/out" | tr '\n' ' ')" = "probe dns:8.8.8.8:53:. probe dns:1.1.1.1:53:. probe dns:9.9.9.9:53:. " ] ||
    fail "default probes: $(grep '^probe ' "$T/out")"
n=$((n + 1))
# every range that is not a NAT64 prefix, in the prefix file and in update-dns64
while IFS='|' read -r pfx want; do
	printf '2001:db8:64:1::/96\n%s\n' "$pfx" >"$T/range"
	expect_err "$T/range:2: $pfx: $want" hd -n -p tcp:192.0.2.2:80 "$T/range" -- true
	expect_err "update-dns64: $pfx: $want" "$UD" -n "$pfx"
	echo "rejected $pfx: $want"
done <<'EOF2'
ff02::/96|a multicast address (ff00::/8), not a NAT64 prefix
fe80::/96|a link-local address (fe80::/10), not a NAT64 prefix
fec0::/96|a site-local address (fec0::/10, deprecated), not a NAT64 prefix
::/96|the IPv4-compatible range (::/96, deprecated), not a NAT64 prefix
::1/128|the loopback address (::1), not a NAT64 prefix
::/64|the unspecified address (::), not a NAT64 prefix
::ffff:0:0/96|the IPv4-mapped range (::ffff:0:0/96), not a NAT64 prefix
100::/64|not global unicast (2000::/3), ULA (fc00::/7) or 64:ff9b::/96
64:ff9b::/64|the Well-Known Prefix is 64:ff9b::/96 only (RFC 6052 §2.1)
2001::/32|the Teredo prefix (2001::/32, RFC 4380), not a NAT64 prefix
2002:c000:201::/48|a 6to4 address (2002::/16, RFC 3056), not a NAT64 prefix
EOF2
# one prefix inside another
printf '2001:db8:100::/40\n2001:db8:100:1::/64\n' >"$T/nest"
expect_err "$T/nest:2: 2001:db8:100:1::/64 overlaps 2001:db8:100::/40 (line 1)" \
    hd -n -p tcp:192.0.2.2:80 "$T/nest" -- true
# ULA: accepted with a warning; the well-known prefixes accepted
printf 'fd00:64::/96\n64:ff9b::/96\n64:ff9b:1::/48\n' >"$T/ula"
hd -n -p tcp:192.0.2.2:80 "$T/ula" -- true >/dev/null || fail "ULA / well-known prefixes refused"
"$UD" -n fd00:64::/96 64:ff9b::/96 2>"$T/err" >/dev/null || fail "update-dns64 refused a ULA"
grep -q 'warning: fd00:64::/96 is a unique local address' "$T/err" || fail "no ULA warning"
n=$((n + 2))
# the clients ACL is an address-match list, nothing else
expect_err "clients ACL: character '}' is not allowed" "$UD" -n -c '}; allow-recursion { any; };' 2001:db8:64:1::
expect_err "clients ACL: character '\"' is not allowed" "$UD" -n -c 'any; "x"' 2001:db8:64:1::
"$UD" -n -c 'localnets; !192.0.2.0/24, 2001:db8::/32' 2001:db8:64:1:: |
    grep -q '^	clients { localnets; !192.0.2.0/24; 2001:db8::/32; };$' || fail "ACL list not normalised"
n=$((n + 1))
expect_err "--probe: bad probe 'udp:1.2.3.4:5'" hd -n -p udp:1.2.3.4:5 "$T/dup" -- true
expect_err "--rise: 0 is out of range" hd -n -r 0 -p tcp:192.0.2.2:80 "$T/dup" -- true
expect_err "--max: 1 is below min 2" hd -n -M 1 -p tcp:192.0.2.2:80 tests/healthd/1.in -- true
# the rule names the setting that was given, not the default it clashes with
expect_err "--min: 4 is above max 3" hd -n -m 4 -p tcp:192.0.2.2:80 tests/healthd/1.in -- true
printf 'probe tcp:192.0.2.2:80\nmax 1\n' >"$T/mx.conf"
expect_err "--min: 2 is above max 1" hd -n -f "$T/mx.conf" -m 2 tests/healthd/1.in -- true
# the same rules on settings from a file name its file:line
printf 'probe tcp:192.0.2.2:80\nmin 2\nmax 1\n' >"$T/mm.conf"
expect_err "$T/mm.conf:3: max: 1 is below min 2" hd -n -f "$T/mm.conf" tests/healthd/1.in -- true
printf 'probe tcp:192.0.2.2:80\nverify [::1]:0\n' >"$T/v.conf"
"$HD" -n -f "$T/v.conf" tests/healthd/1.in -- true >"$T/out" 2>&1 && fail "verify [::1]:0 accepted"
grep -q "^nat64-healthd: $T/v.conf:2: verify: " "$T/out" || fail "verify error without file:line: $(cat "$T/out")"
n=$((n + 1))
expect_err "--verify: " hd -n --verify '[::1]:0' -p tcp:192.0.2.2:80 tests/healthd/1.in -- true
printf 'probe tcp:192.0.2.2:80\nuser nosuchuser-nk\n' >"$T/u.conf"
expect_err "$T/u.conf:2: user: unknown user 'nosuchuser-nk'" hd -n -f "$T/u.conf" tests/healthd/1.in -- true
# a scalar setting given twice in the file is an error
printf 'rise 2\nrise 3\n' >"$T/dup.conf"
expect_err "$T/dup.conf:2: rise: already set on line 1 (give it once)" hd -n -f "$T/dup.conf" tests/healthd/1.in -- true
# -p on the command line replaces the file's probes (the command line wins)
"$HD" -n -f tests/healthd/1.conf -p icmp:192.0.2.9 tests/healthd/1.in -- true >"$T/out" 2>&1 ||
    fail "-n with -p: $(cat "$T/out")"
[ "$(grep '^probe ' "$T/out" | tr '\n' ' ')" = "probe icmp:192.0.2.9 " ] ||
    fail "-p does not replace the file's probes: $(grep '^probe ' "$T/out")"
"$HD" -n -f tests/healthd/1.conf tests/healthd/1.in -- true >"$T/out" 2>&1
[ "$(grep -c '^probe ' "$T/out")" = 2 ] || fail "the file's probes without -p: $(grep '^probe ' "$T/out")"
n=$((n + 2))
printf 'probe tcp:192.0.2.2:80\nintervall 5s\n' >"$T/bad.conf"
expect_err "$T/bad.conf:2: unknown setting 'intervall'" hd -n -f "$T/bad.conf" tests/healthd/1.in -- true
expect_err "no COMMAND after --" hd -p tcp:192.0.2.2:80 tests/healthd/1.in --
# -n runs the checks a start runs: COMMAND present, the user exists
expect_err "no COMMAND after --" hd -n -p tcp:192.0.2.2:80 tests/healthd/1.in --
expect_err "unknown user 'nosuchuser-nk'" hd -n -u nosuchuser-nk -p tcp:192.0.2.2:80 tests/healthd/1.in -- true
# each type's errors, named by option (command line) or file:line
expect_err "--interval: '5y': unknown unit (use ms, s, m, h or d)" hd -n -i 5y -p tcp:192.0.2.2:80 "$T/dup" -- true
expect_err "--timeout: '5ms' is out of range 10ms..600000ms" hd -n -t 5ms -p tcp:192.0.2.2:80 "$T/dup" -- true
expect_err "--jitter: 51 is out of range 0..50" hd -n --jitter 51 -p tcp:192.0.2.2:80 "$T/dup" -- true
expect_err "--state-file: 'status' must be an absolute path" hd -n -s status -p tcp:192.0.2.2:80 "$T/dup" -- true
expect_err "--user: 'b@d' is not a user name" hd -n -u 'b@d' -p tcp:192.0.2.2:80 "$T/dup" -- true
expect_err "--probe: at most 8 allowed" hd -n -p icmp:192.0.2.1 -p icmp:192.0.2.2 -p icmp:192.0.2.3 \
    -p icmp:192.0.2.4 -p icmp:192.0.2.5 -p icmp:192.0.2.6 -p icmp:192.0.2.7 -p icmp:192.0.2.8 \
    -p icmp:192.0.2.9 "$T/dup" -- true
expect_err "option '--interval' needs a value" hd -n -p tcp:192.0.2.2:80 --interval
printf 'probe tcp:192.0.2.2:80\nrtt-margin 61s\n' >"$T/bad2.conf"
expect_err "$T/bad2.conf:2: rtt-margin: '61s' is out of range 0ms..60000ms" hd -n -f "$T/bad2.conf" tests/healthd/1.in -- true
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
# the output of a command that exits at once is never lost, however soon
# it exits (it is still in the pipe when the command is reaped)
for i in $(seq 200); do
	"$UD" -o "$O" --check-cmd '' --reload-cmd "$T/rndc-down" 2001:db8:64:2:: 2>&1 |
	    grep -q 'connection refused; restored the previous file' || fail "run $i lost the reload command's output"
done
n=$((n + 1))
# no file before: one that changes nothing is left, so that an include of
# it never stops named from starting
expect_err "left a file with no prefix (there was none before)" "$UD" -o "$T/new.conf" --reload-cmd "$T/rndc-down" 2001:db8:64:2::
grep -q '^dns64' "$T/new.conf" && fail "the file left behind has a prefix"
printf 'options {\n\tinclude "%s";\n};\n' "$T/new.conf" >"$T/wrap.conf"
named-checkconf "$T/wrap.conf" || fail "the file left behind is not valid"
rm -f "$T/new.conf"
expect_err "named-checkconf rejected the new file" "$UD" -o "$T/new.conf" --reload-cmd true -c 'bogus acl' 2001:db8:64:1::
[ -f "$T/new.conf" ] && ! grep -q '^dns64' "$T/new.conf" || fail "no placeholder after a refused first write"
# update-dns64's own time limit, and a signal: a reload command that
# ignores TERM and forks a child that does too; the previous file comes
# back and nothing of the command is left
cat >"$T/stubborn" <<EOF2
#!/bin/sh
# \$1: where to write the pids
trap '' TERM
sleep 300 &
echo \$! >>"\$1"
echo \$\$ >>"\$1"
wait
EOF2
chmod +x "$T/stubborn"
# gone PIDFILE: none of them runs (a zombie whose parent is gone counts as
# gone: the init of a container may be slow to reap it)
gone() {
	local p st
	for p in $(cat "$1" 2>/dev/null); do
		st=$(ps -o stat= -p "$p" 2>/dev/null) || continue
		case $st in Z*) ;; *) return 1 ;; esac
	done
	return 0
}
cp "$O" "$T/before"
rm -f "$T/pids"
t0=$(date +%s%N)
expect_err "time limit reached, killed; restored the previous file" "$UD" -T 500ms -o "$O" \
    --check-cmd "" --reload-cmd "$T/stubborn $T/pids" 2001:db8:64:5::
echo "update-dns64 -T 500ms: returned after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
cmp -s "$O" "$T/before" || fail "previous file not restored after the time limit"
[ -s "$T/pids" ] && gone "$T/pids" || fail "reload command left processes after the time limit"
rm -f "$T/pids"
"$UD" -o "$O" --check-cmd "" --reload-cmd "$T/stubborn $T/pids" 2001:db8:64:6:: >"$T/out" 2>&1 &
UPID=$!
for i in $(seq 50); do [ "$(cat "$T/pids" 2>/dev/null | wc -l)" = 2 ] && break; sleep 0.1; done
grep -q '2001:db8:64:6::' "$O" || fail "new file not in place while reloading"
kill -TERM $UPID
wait $UPID && fail "update-dns64 succeeded although interrupted"
grep -q 'interrupted by a signal; restored the previous file' "$T/out" || fail "signal: $(cat "$T/out")"
cmp -s "$O" "$T/before" || fail "previous file not restored after a signal"
gone "$T/pids" || fail "reload command left processes after a signal"
n=$((n + 3))
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
	"${HDF[@]}" -s "$T/status" --verify none --selection-file none -i 100ms -t 50ms --startup 200ms \
	    --apply-timeout 300ms --backoff 100ms --backoff-max 200ms -p tcp:192.0.2.2:80 "$T/pf" -- \
	    $cmd >"$T/log" 2>&1 &
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
# a COMMAND that ignores TERM and forks children that do too: nothing of
# it is left after the timeout (TERM to the group, KILL 2 s later), nor
# after the daemon's shutdown
for when in timeout shutdown; do
	rm -f "$T/pids"
	: >"$T/log"
	to=300ms; [ $when = shutdown ] && to=60s
	"${HDF[@]}" -s "$T/status" --verify none --selection-file none -i 100ms -t 50ms --startup 200ms \
	    --apply-timeout $to --backoff 10s -p tcp:192.0.2.2:80 "$T/pf" -- "$T/stubborn" "$T/pids" \
	    >"$T/log" 2>&1 &
	PID=$!
	for i in $(seq 50); do [ "$(cat "$T/pids" 2>/dev/null | wc -l)" -ge 2 ] && break; sleep 0.1; done
	[ "$(cat "$T/pids" 2>/dev/null | wc -l)" -ge 2 ] || fail "$when: the command did not start: $(cat "$T/log")"
	t0=$(date +%s%N)
	[ $when = shutdown ] && kill -TERM $PID
	for i in $(seq 100); do gone "$T/pids" && break; sleep 0.1; done
	gone "$T/pids" || fail "$when: processes of the command left: $(ps -o pid,pgid,stat,args -p "$(tr '\n' , <"$T/pids")")"
	echo "COMMAND ignoring TERM, with a child ($when): all gone $(( ($(date +%s%N) - t0) / 1000000 )) ms later"
	if [ $when = shutdown ]; then
		wait $PID || fail "shutdown: exit status $?"
		grep -q 'killing its process group' "$T/log" || fail "shutdown: no KILL logged: $(cat "$T/log")"
	else
		grep -q 'command timed out and was killed' "$T/log" || fail "timeout: $(cat "$T/log")"
		kill -0 $PID || fail "daemon died"
		kill $PID; wait $PID
	fi
	PID=
	n=$((n + 1))
done
# probe sockets bounded below the descriptor limit: 200 prefixes, 2 probes
# of 2 attempts each (800 sockets at a time) under a limit of 256: a clear
# message, the daemon keeps running and writes its status
for i in $(seq 200); do printf '2001:db8:64:%x::/96\n' "$i"; done >"$T/pf200"
: >"$T/log"
(ulimit -n 256; exec "${HDF[@]}" -s "$T/status" --verify none --selection-file none -i 300ms \
    -t 250ms --startup 500ms -p tcp:192.0.2.2:80 -p icmp:192.0.2.2 "$T/pf200" -- true) \
    >"$T/log" 2>&1 &
PID=$!
for i in $(seq 50); do grep -q 'sockets open, the bound' "$T/log" && break; sleep 0.1; done
grep -q 'probes: [0-9]* sockets open, the bound from the descriptor limit (RLIMIT_NOFILE minus 64)' "$T/log" ||
    fail "no descriptor-bound message: $(tail -3 "$T/log")"
[ "$(grep -c 'sockets open, the bound' "$T/log")" = 1 ] || fail "descriptor message repeated"
grep -q 'socket: not permitted' "$T/log" "$T/status" && fail "descriptor shortage reported as a permission problem"
sleep 1
kill -0 $PID || fail "daemon died at the descriptor limit"
grep -q 'last_error .*too_many_probes_in_flight' "$T/status" || fail "status: no reason for the bounded probes"
echo "descriptor limit 256: $(grep -m1 'sockets open' "$T/log" | sed 's/^nat64-healthd: //' | cut -c1-100)..."
kill $PID; wait $PID; PID=
n=$((n + 1))
# --status --json: one JSON object with the same content
"${HDF[@]}" -s "$T/status" --verify none --selection-file none -i 100ms -t 50ms --startup 200ms \
    -p tcp:192.0.2.2:80 "$T/pf" -- true >"$T/log" 2>&1 &
PID=$!
for i in $(seq 50); do grep -q '^prefix 2001:db8:64:2::/96 ' "$T/status" 2>/dev/null && break; sleep 0.1; done
"$HD" --status --json -s "$T/status" >"$T/json" || fail "--status --json"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = d["prefixes"]["2001:db8:64:2::/96"]
assert d["version"] == 1 and "time" in d and d["apply"]["runs"] >= 0, d
assert p["state"] == "down" and p["selected"] in (0, 1) and isinstance(p["rtt_ms"], float), p
' "$T/json" || fail "--status --json: $(cat "$T/json")"
kill $PID; wait $PID; PID=
n=$((n + 1))
# SIGHUP re-reads the prefix file even when stat() shows no change (same
# size, inode and mtime), and SIGUSR1 writes the status file
: >"$T/log"
rm -f "$T/status"	# a stale one from an earlier run would let us race the start
"${HDF[@]}" -s "$T/status" --verify none --selection-file none -i 100ms -t 50ms --startup 200ms \
    -p tcp:192.0.2.2:80 "$T/pf" -- true >"$T/log" 2>&1 &
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
	"${HDF[@]}" -u bind -s "$T/run/status" --verify none --selection-file none -i 100ms -t 50ms \
	    --startup 200ms -p tcp:192.0.2.2:80 "$T/pf" -- true >"$T/log" 2>&1 &
	PID=$!
	for i in $(seq 50); do [ -s "$T/run/status" ] && break; sleep 0.1; done
	[ "$(stat -c %U "$T/run/status" 2>/dev/null)" = bind ] || fail "-u bind: status not written as bind: $(cat "$T/log")"
	[ "$(ps -o user= -p $PID)" = bind ] || fail "-u bind: process not running as bind"
	kill $PID; wait $PID; PID=
	n=$((n + 1))
fi
echo "PASS ($n checks)"
