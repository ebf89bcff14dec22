#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoffctl_socket.sh — nat64-handoffd's control socket: access is the
# socket file's mode and group (a non-root user without the group is
# refused, with it admitted); malformed, oversized and unknown commands
# get a clear "error ..." answer on a connection that keeps working, and
# are counted; an idle client, one that never reads and one that hangs up
# mid-answer do not stop the server from answering others or NAT64s, and
# a client that says nothing is disconnected after the idle timeout.
. "$(dirname "$0")/handoffd_common.inc"
command -v setpriv >/dev/null || { echo "SKIP: setpriv not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
getent group nogroup >/dev/null || { echo "SKIP: no group nogroup"; exit 77; }
# the unprivileged user must be able to reach the socket's directory and
# run the client: a copy of it, and a traversable temporary directory
chmod 0711 "$T"
mkdir -m 0755 "$T/bin"
cp "$PWD/$BUILD/nat64-handoffctl" "$T/bin/"
SOCK=$T/run/control
CTL() { "$T/bin/nat64-handoffctl" -c "$SOCK" "$@"; }
AS_NOBODY() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
PASSES=0 FAILS=0
ok() { echo "ok   $*"; PASSES=$((PASSES + 1)); }
bad() { echo "FAIL $*"; FAILS=$((FAILS + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

start_server -L "$LOGDIR" -t 64 -c "$SOCK"
sim -c 8 -e entries=8 >/dev/null || fail "sim run"
ls -l "$SOCK" | sed 's/^/    /'
check "socket file is srw-rw---- root root" eval '[ "$(stat -c "%A %U %G" "$SOCK")" = "srw-rw---- root root" ]'
check "root: stats answers" eval 'CTL stats | grep -q "^entries_created  *8$"'
out=$(AS_NOBODY "$T/bin/nat64-handoffctl" -c "$SOCK" stats 2>&1); rc=$?
echo "    as nobody: $out (exit $rc)"
check "nobody (not in the socket's group) is refused: exit 3" test $rc = 3
check "the refusal says why" grep -q "Permission denied" <<<"$out"

# the socket's group admits
stop_server
printf 'control-group nogroup\n' >"$T/srv.conf"
start_server -f "$T/srv.conf" -L "$LOGDIR" -t 64 -c "$SOCK"
check "control-group nogroup: socket file group nogroup" eval '[ "$(stat -c "%G" "$SOCK")" = nogroup ]'
out=$(AS_NOBODY "$T/bin/nat64-handoffctl" -c "$SOCK" channels 2>&1); rc=$?
check "nobody with group nogroup is admitted (exit $rc)" eval '[ $rc = 0 ] && grep -q "^127.0.0.2 " <<<"$out"'

# bad commands on one connection, while other clients misbehave
cat >"$T/bad.py" <<'PY'
import socket, sys, time
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s
idle = conn()                       # connects, never sends
hog = conn()                        # asks for pages, never reads
for i in range(400):
    try:
        hog.setblocking(False)
        hog.send(b"show 127.0.0.2 limit=5000\n")
    except BlockingIOError:
        break
gone = conn()                       # asks and hangs up at once
gone.send(b"show 127.0.0.2\n" * 50)
gone.close()
s = conn()
f = s.makefile("rb")
def ask(req):
    s.sendall(req)
    out = []
    while True:
        line = f.readline().decode(errors="replace").rstrip("\n")
        out.append(line)
        if not line or line.split(" ")[0] in ("error", "end", "more"):
            return out
# pipelined: three requests in one write, three answers in order
s.sendall(b"help\nchannels\nstats\n")
ends = []
while len(ends) < 3:
    line = f.readline().decode().rstrip("\n")
    if not line:
        break
    if line.startswith("end "):
        ends.append(line)
print("pipelined: %s" % " ".join(ends))
for req in (b"x" * 3000 + b"\n", b"\x00\xff\x01garbage\n", b"bogus\n", b"lookup\n",
            b"lookup 127.0.0.2:99999\n", b"lookup 127.0.0.2:1 server=1.2.3.4 color=red\n",
            b"show 127.0.0.2 limit=0\n", b"a b c d e f g h i j k\n", b"\n", b"stats\n"):
    ans = ask(req)
    print("%-45r -> %s" % (req[:40], ans[0] if ans[0].startswith("error") else ans[-1]))
PY
out=$(timeout 20 python3 "$T/bad.py" "$SOCK"); rc=$?
echo "$out" | sed 's/^/    /'
check "the client script finished (exit $rc)" test $rc = 0
check "9 malformed requests, 9 error answers" test "$(grep -c -- '-> error ' <<<"$out")" = 9
check "oversized: 'command longer than 511 octets'" grep -q -- "-> error command longer than 511 octets" <<<"$out"
check "binary: 'commands are printable ASCII'" grep -q -- "-> error octet 0x00 at 0: commands are printable ASCII" <<<"$out"
check "unknown command named" grep -q -- "-> error unknown command 'bogus'" <<<"$out"
check "missing argument: usage" grep -q -- "-> error usage: lookup NAT64:PORT" <<<"$out"
check "unknown option named" grep -q -- "-> error lookup takes no option 'color'" <<<"$out"
check "the same connection then answers stats" grep -q "b'stats\\\\n' *-> end " <<<"$out"
check "three pipelined requests, three answers in order" grep -q "^pipelined: end 9 end 1 end [0-9]*$" <<<"$out"
check "other clients are served meanwhile" eval 'CTL stats | grep -q "^control_errors  *[1-9]"'
check "stats counts the oversized command" eval 'CTL stats | grep -q "^control_oversized  *1$"'
# a client that connects and then says nothing is disconnected
python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.settimeout(60)
sys.exit(0 if s.recv(1) == b"" else 1)' "$SOCK" &
IDLE=$!
timeouts() { CTL stats | awk '$1 == "control_timeouts" { print $2 }'; }
for i in $(seq 300); do [ "$(timeouts)" -ge 1 ] && break; sleep 0.1; done
check "an idle client is disconnected (control_timeouts $(timeouts))" test "$(timeouts)" -ge 1
wait "$IDLE"; rc=$?
check "the idle client saw its connection closed (exit $rc)" test $rc = 0
check "the server still answers NAT64s" eval 'sim -c 2 --client-base 20 -e entries=2 >/dev/null'
alive || fail "server died"
stop_server
check "the socket file is removed at exit" test ! -e "$SOCK"
echo "handoffctl_socket: $PASSES passed, $FAILS failed"
[ $FAILS = 0 ]
