#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64ctl.sh — nat64ctl against a real nat64d (handoff_common.inc's
# namespaces; nat64-handoffd on server4, none on server4b):
#  - an iperf3 flow from client6 to server4b: `nat64ctl bib` and
#    `sessions` show its BIB entry and session, --json parses with jq and
#    says the same, `lookup POOL:PORT` names the iperf3 client;
#  - `servers` shows server4 supported after a handoff curl;
#  - a user without access to the socket (nobody, by setpriv) is refused
#    by the socket's mode and group, and let in with the socket's group;
#  - malformed, non-ASCII and oversized requests, and more clients than
#    allowed, get clear errors while a ping through nat64d keeps working;
#  - a client that sends requests and never reads does not block nat64d
#    (ping, other clients) and is dropped when idle;
#  - exit codes: 1 nobody holds it, 2 usage, 3 no socket, 4 refused.
. "$(dirname "$0")/handoff_common.inc"
NC_BIN=${NC_BIN:-$PWD/$BUILD/nat64ctl}
for t in iperf3 jq setpriv ping; do
	command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
[ -x "$NC_BIN" ] || die "$NC_BIN not built"
SOCK=$W/nd-control
nc() { "$NC_BIN" -c "$SOCK" "$@"; }
jqq() { jq -e "$@" >/dev/null; }
CPORT=45001

ho_topology
servers_start S
ho_start S
ip netns exec "$NS_B" iperf3 -s -p 5201 >"$W/iperf3s.log" 2>&1 &
PIDS+=("$!")
nd_start
wait_for 10 test -S "$SOCK" || die "no control socket at $SOCK"
wait_for 10 eval 'nsx "$NS_B" ss -Hltn "sport = :5201" | grep -q 5201' || die "iperf3 -s did not start"

# ---- an iperf3 flow, seen by bib, sessions and lookup
nsx "$NS_C" timeout 60 iperf3 -6 -c "$T6B" -p 5201 --cport $CPORT -t 12 -b 20M -J \
	>"$W/iperf3.json" 2>&1 &
IPERF=$!
check "sessions --port $CPORT: the iperf3 data connection is there" \
	wait_for 20 eval 'nc sessions --proto tcp --port $CPORT >"$W/sess.txt" 2>/dev/null'
sed 's/^/    /' "$W/sess.txt"
check "sessions (text): [$CLIENT]:$CPORT via $POOL to 192.0.2.3:5201, ESTABLISHED" \
	awk -v c=$CLIENT -v p=$CPORT -v pool=$POOL 'NR > 1 && $1 == "tcp" && $2 == c && $3 == p &&
	    $4 == pool && $6 == "192.0.2.3" && $7 == 5201 && $9 == "ESTABLISHED" { f = 1 }
	    END { exit !f }' "$W/sess.txt"
nc --json sessions --proto tcp --port $CPORT >"$W/sess.json"
check "sessions --json parses with jq" jqq 'type == "array" and length == 1' "$W/sess.json"
check "sessions --json: the same flow" jqq --arg c $CLIENT --argjson p $CPORT --arg pool $POOL \
	'.[0] | .proto == "tcp" and .ipv6 == $c and .port6 == $p and .ipv4 == $pool and
	 .remote4 == "192.0.2.3" and .remote_port == 5201 and .remote6 == "64:ff9b::c000:203" and
	 .state == "ESTABLISHED" and (.expires | type == "number")' "$W/sess.json"
PORT4=$(jq -r '.[0].port4' "$W/sess.json")
check "sessions: text and JSON name the same pool port ($PORT4)" \
	awk -v p=$PORT4 'NR == 2 && $5 == p { f = 1 } END { exit !f }' "$W/sess.txt"

nc bib --proto tcp --addr $CLIENT --port $CPORT >"$W/bib.txt"
sed 's/^/    /' "$W/bib.txt"
check "bib (text): the flow's entry, dynamic, with its session" \
	awk -v c=$CLIENT -v p=$CPORT -v pool=$POOL -v p4=$PORT4 'NR > 1 && $1 == "tcp" && $2 == c &&
	    $3 == p && $4 == pool && $5 == p4 && $6 == "dynamic" && $8 >= 1 { f = 1 }
	    END { exit !f }' "$W/bib.txt"
nc --json bib --proto tcp --port $CPORT >"$W/bib.json"
check "bib --json: the same entry" jqq --arg c $CLIENT --argjson p $CPORT --argjson p4 "$PORT4" \
	'length == 1 and (.[0] | .ipv6 == $c and .port6 == $p and .port4 == $p4 and
	 .owner == "dynamic" and .sessions >= 1 and .age >= 0 and .expires > 0)' "$W/bib.json"
nc bib >"$W/bib-all.txt"
check "bib (all): the flow's entry among them" grep -Eq "^tcp +$CLIENT +$CPORT +$POOL +$PORT4 " \
	"$W/bib-all.txt"

out=$(nc lookup "$POOL:$PORT4"); rc=$?
echo "$out" | sed 's/^/    /'
check "lookup $POOL:$PORT4 names the iperf3 client [$CLIENT]:$CPORT (exit $rc)" \
	eval '[ $rc -eq 0 ] && awk -v c=$CLIENT -v p=$CPORT "NR == 2 && \$2 == c && \$3 == p { f = 1 } END { exit !f }" <<<"$out"'
check "lookup --json: the same client" eval 'nc --json lookup "$POOL:$PORT4" |
	jqq --arg c $CLIENT --argjson p $CPORT "length == 1 and .[0].ipv6 == \$c and .[0].port6 == \$p"'

# ---- handoff servers
body=$(ho_curl 42001)
check "curl through handoff to server4 ($body)" grep -q '^hello /p42001' <<<"$body"
# (the server's validation answer comes on its own time)
check "servers: $S4 supported" \
	wait_for 10 eval 'nc servers >"$W/servers.txt" && grep -Eq "^$S4 +supported " "$W/servers.txt"'
sed 's/^/    /' "$W/servers.txt"
# a second connection: an entry server4 allocated, in nat64d's cache
body=$(ho_curl 42002)
check "curl through handoff to server4 again" wait_for 10 has_created "$AUDIT" 42002
HOPORT=$(audit_port "$AUDIT" 42002)
check "servers --json: $S4 supported, cached >= 1" eval 'nc --json servers |
	jqq --arg s $S4 "map(select(.server == \$s))[0] | .state == \"supported\" and .cached >= 1"'
out=$(nc lookup "$POOL:$HOPORT")
echo "$out" | sed 's/^/    /'
check "lookup $POOL:$HOPORT: server4's entry for [$CLIENT]:42002" \
	awk -v c=$CLIENT -v s=$S4 'NR == 2 && $1 == "tcp+udp" && $2 == c && $3 == 42002 &&
	    $6 == "handoff" && $7 == s { f = 1 } END { exit !f }' <<<"$out"
check "stats --json: one object, bib_entries >= 1" eval 'nc --json stats | jqq ".bib_entries >= 1 and .control_commands >= 1"'

# ---- exit codes
nc lookup "$POOL:1" >/dev/null 2>&1
check "lookup of a free port exits 1" test $? -eq 1
nc bib --port 7 >/dev/null 2>&1
check "a filter that matches nothing exits 1" test $? -eq 1
nc bib extra >/dev/null 2>&1
check "a usage error exits 2" test $? -eq 2
"$NC_BIN" -c "$W/nosuch" stats >/dev/null 2>&1
check "no socket exits 3" test $? -eq 3
out=$(nc bib --proto sctp 2>&1); rc=$?
check "nat64d's refusal exits 4 with its message ($out)" \
	eval '[ $rc -eq 4 ] && grep -q "proto .sctp.: tcp, udp or icmp" <<<"$out"'

# ---- access by the socket's mode and group (root ignores modes: nobody)
chmod 0711 "$W"
mode=$(stat -c %a "$SOCK")
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$NC_BIN" -c "$SOCK" stats 2>&1); rc=$?
echo "    as nobody: $out"
check "nobody is refused by the socket's mode $mode (exit 3, EACCES)" \
	eval '[ $rc -eq 3 ] && grep -q "Permission denied" <<<"$out"'
gid=$(stat -c %g "$SOCK")
check "nobody in the socket's group ($gid) is let in" \
	eval 'setpriv --reuid=nobody --regid=$gid --clear-groups "$NC_BIN" -c "$SOCK" stats >/dev/null'

# ---- garbage while translating
cat >"$W/garbage.py" <<'PYEOF'
# garbage.py SOCKET: oversized, non-ASCII and unknown requests, each
# answered by one error line; then more connections than allowed.
import random, socket, sys, time
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(20)
s.connect(path)
f = s.makefile("rb")
rnd = random.Random(7)
seen = {"longer than": 0, "printable ASCII": 0, "unknown command": 0}
for i in range(600):
    k = i % 3
    if k == 0:
        s.sendall(b"bib " + b"x" * rnd.randrange(600, 9000) + b"\n")
    elif k == 1:
        s.sendall(bytes(rnd.randrange(0x80, 0x100) for _ in range(40)) + b"\n")
    else:
        s.sendall(b"frobnicate a=b c=d\n")
    line = f.readline().decode(errors="replace")
    if not line.startswith("error "):
        sys.exit("request %d: answer %r" % (i, line))
    for key in seen:
        if key in line:
            seen[key] += 1
s.sendall(b"stats\n")
rows = 0
while True:
    line = f.readline().decode()
    if line.startswith("row "):
        rows += 1
    if line.startswith("end "):
        break
print("errors by kind:", seen, "then stats:", rows, "rows")
if min(seen.values()) == 0 or rows == 0:
    sys.exit(1)
# more clients than the socket takes: the extra ones hear "busy"
conns = []
for i in range(40):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(path)
    conns.append(c)
time.sleep(0.5)
busy = 0
for c in conns:
    c.setblocking(False)
    try:
        if c.recv(100).startswith(b"error busy"):
            busy += 1
    except BlockingIOError:
        pass
print("busy answers:", busy)
sys.exit(0 if busy >= 40 - 32 - 1 else 1)
PYEOF
"$PY" "$W/garbage.py" "$SOCK" >"$W/garbage.out" 2>&1 &
GARBAGE=$!
PIDS+=("$GARBAGE")
out=$(nsx "$NS_C" ping -6 -c 10 -i 0.2 -W 5 "$T6B" 2>&1)
check "ping through nat64d during the garbage ($(grep -o '[0-9]* received' <<<"$out"))" \
	grep -q ' 10 received' <<<"$out"
wait $GARBAGE; rc=$?
sed 's/^/    /' "$W/garbage.out"
check "every garbage request got a clear error; extra clients heard busy" test $rc -eq 0
check "nat64ctl still answers after the garbage" eval 'nc stats >/dev/null'

# ---- a client that never reads
cat >"$W/noread.py" <<'PYEOF'
# noread.py SOCKET SECONDS: send requests (stats: answers of some KiB, more
# than the kernel buffers take) until the socket takes no more,
# never read, hold the connection.
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.setblocking(False)
sent = 0
try:
    while sent < 50 * 1024 * 1024:
        sent += s.send(b"stats\n" * 1000)
except BlockingIOError:
    pass
print("sent", sent, "octets of requests; not reading", flush=True)
time.sleep(float(sys.argv[2]))
PYEOF
"$PY" "$W/noread.py" "$SOCK" 14 >"$W/noread.out" 2>&1 &
NOREAD=$!
PIDS+=("$NOREAD")
wait_for 10 grep -q sent "$W/noread.out"
sed 's/^/    /' "$W/noread.out"
out=$(nsx "$NS_C" ping -6 -c 5 -i 0.2 -W 5 "$T6B" 2>&1)
check "ping through nat64d while a client does not read ($(grep -o '[0-9]* received' <<<"$out"))" \
	grep -q ' 5 received' <<<"$out"
check "other clients are answered meanwhile" eval 'nc sessions --port $CPORT >/dev/null'
check "the client that does not read is dropped when idle (control_timeouts)" \
	wait_for 20 eval '[ "$(nc --json stats | jq .control_timeouts)" -ge 1 ]'
kill "$NOREAD" 2>/dev/null

wait $IPERF
check "iperf3 completed" jqq '.end.sum_received.bytes > 0' "$W/iperf3.json"
check "nat64d still running" kill -0 "$ND_PID"
ho_finish
