#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64d_static.sh — static BIB entries (port forwarding to an IPv6 server)
# and held SYNs with real TCP stacks, in three network namespaces created
# (and deleted, by a trap) here:
#
#   [server6] c6 ==veth== x6 [gateway: nat64d on TUN] x4 ==veth== s4 [client4]
#   2001:db8:1::2      2001:db8:1::1      192.0.2.1         192.0.2.2
#
# bib-static tcp [2001:db8:1::2]:80 198.51.100.1:8080 and udp :5353. Checks:
# an HTTP download from the IPv4 side through the static entry (sha256); a
# UDP exchange; the status file's static lines; an IPv4 connection to a
# pool port without a mapping is refused by the Port Unreachable nat64d
# sends once the SYN was held (RFC 6146 §3.5.2.2); SIGHUP removing the TCP
# entry: a connection through it goes on, a new one is refused; SIGHUP
# adding it back: new connections work again. No timing assertions; every
# wait is bounded.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BIN=$PWD/$BUILD/nat64d

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces, TUN)"; exit 77; }
for t in ip curl python3 sha256sum timeout; do
	command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
[ -e /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
[ -x "$BIN" ] || { echo "FAIL: $BIN not built"; exit 1; }

TAG=nk-st-$$
NS_C=$TAG-c NS_X=$TAG-x NS_S=$TAG-s
WORK=$(mktemp -d /tmp/nk-nd-static.XXXXXX)
PIDS=()
NSES=()
FAILS=0
PASSES=0

cleanup() {
	set +e
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	sleep 0.2
	for ns in "${NSES[@]:-}"; do
		[ -n "$ns" ] || continue
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	if [ "$FAILS" -ne 0 ]; then
		echo "--- nat64d log (non-zero counters of every status)"
		grep -v ' 0$' "$WORK/nat64d.log" | tail -n 80
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
ok() { echo "ok   $*"; PASSES=$((PASSES + 1)); }
bad() { echo "FAIL $*"; FAILS=$((FAILS + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

for ns in "$NS_C" "$NS_X" "$NS_S"; do ip netns add "$ns" && NSES+=("$ns"); nsx "$ns" ip link set lo up; done
ip link add c6 netns "$NS_C" type veth peer name x6 netns "$NS_X"
ip link add x4 netns "$NS_X" type veth peer name s4 netns "$NS_S"
nsx "$NS_C" ip -6 addr add 2001:db8:1::2/64 dev c6 nodad
nsx "$NS_C" ip link set c6 up
nsx "$NS_C" ip -6 route add default via 2001:db8:1::1 dev c6
nsx "$NS_X" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
nsx "$NS_X" ip -6 addr add 2001:db8:1::1/64 dev x6 nodad
nsx "$NS_X" ip addr add 192.0.2.1/24 dev x4
nsx "$NS_X" ip link set x6 up
nsx "$NS_X" ip link set x4 up
nsx "$NS_S" ip addr add 192.0.2.2/24 dev s4
nsx "$NS_S" ip link set s4 up
nsx "$NS_S" ip route add 198.51.100.0/24 via 192.0.2.1 dev s4

STATIC_TCP="bib-static tcp [2001:db8:1::2]:80 198.51.100.1:8080"
conf() {	# write the configuration, with the TCP entry or without
	cat >"$WORK/nat64d.conf" <<EOF
tun-device nst$$
prefix 2001:db8:64::/96
pool4 198.51.100.0/30
ipv4-addr 198.51.100.200
port-range 2000-2999
status-file $WORK/status
bib-static udp [2001:db8:1::2]:5353 198.51.100.1:5353
EOF
	[ "$1" = with ] && echo "$STATIC_TCP" >>"$WORK/nat64d.conf"
	return 0
}
conf with
check "config check (-n)" "$BIN" -n -f "$WORK/nat64d.conf"
ip netns exec "$NS_X" "$BIN" -d -v -f "$WORK/nat64d.conf" >"$WORK/nat64d.log" 2>&1 &
PIDS+=("$!")
NDPID=$!
for _ in $(seq 300); do nsx "$NS_X" ip link show "nst$$" >/dev/null 2>&1 && break; sleep 0.1; done
nsx "$NS_X" ip link set "nst$$" up
nsx "$NS_X" ip -6 route add 2001:db8:64::/96 dev "nst$$"
nsx "$NS_X" ip route add 198.51.100.0/30 dev "nst$$"
nsx "$NS_X" ip route add 198.51.100.200/32 dev "nst$$"
kill -0 $NDPID || { cat "$WORK/nat64d.log"; echo "FAIL: nat64d did not start"; exit 1; }

# ---- the IPv6 server on [2001:db8:1::2]: HTTP and a line echo on port 80,
# a UDP echo on 5353.
head -c 2000000 /dev/urandom >"$WORK/blob"
cat >"$WORK/srv.py" <<'EOF'
# [2001:db8:1::2]:80: GET /blob is the file; any other first line is a
# line echo (the connection that lives across a reload). UDP 5353 echoes.
import os, socket, sys, threading
blob = open(sys.argv[1], "rb").read()
def tcp_conn(c):
    f = c.makefile("rb")
    first = f.readline()
    if first.startswith(b"GET /blob"):
        while f.readline() not in (b"\r\n", b"\n", b""):
            pass
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(blob) + blob)
    else:
        line = first
        while line:
            c.sendall(line)
            line = f.readline()
    c.close()
def udp():
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.bind(("2001:db8:1::2", 5353))
    while True:
        d, a = u.recvfrom(2048)
        u.sendto(b"echo:" + d, a)
threading.Thread(target=udp, daemon=True).start()
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("2001:db8:1::2", 80))
s.listen(16)
open(sys.argv[2], "w").close()
while True:
    c, a = s.accept()
    threading.Thread(target=tcp_conn, args=(c,), daemon=True).start()
EOF
ip netns exec "$NS_C" python3 "$WORK/srv.py" "$WORK/blob" "$WORK/srv.ready" >"$WORK/srv.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 300); do [ -e "$WORK/srv.ready" ] && break; sleep 0.1; done
check "IPv6 server up" test -e "$WORK/srv.ready"

# ---- port forwarding from the IPv4 side. The neighbour and ARP caches on
# both links are primed first: the first SYN must not race the gateway's
# neighbour discovery (an unanswered one is Address Unreachable, which
# nat64d translates and the client takes as a refusal).
command -v ping >/dev/null && {
	nsx "$NS_X" ping -6 -c 1 -W 5 2001:db8:1::2 >/dev/null 2>&1
	nsx "$NS_S" ping -c 1 -W 5 192.0.2.1 >/dev/null 2>&1
}
nsx "$NS_S" timeout 30 curl -sS -o "$WORK/got" http://198.51.100.1:8080/blob
check "HTTP download through the static entry (sha256; curl exit $?)" \
	test "$(sha256sum <"$WORK/got")" = "$(sha256sum <"$WORK/blob")"
udp_ask() {
	nsx "$NS_S" timeout 10 python3 - <<'EOF'
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(2)
for _ in range(3):
    u.sendto(b"ping", ("198.51.100.1", 5353))
    try:
        print(u.recvfrom(100)[0].decode())
        break
    except socket.timeout:
        pass
EOF
}
check "UDP through the static entry" test "$(udp_ask)" = "echo:ping"

status() {	# SIGUSR1, then wait for the new status file (written atomically)
	rm -f "$WORK/status"
	kill -USR1 $NDPID
	for _ in $(seq 50); do [ -e "$WORK/status" ] && break; sleep 0.1; done
}
status
check "status: bib_static 2" grep -qx "bib_static 2" "$WORK/status"
check "status: the TCP entry's line" \
	grep -q "^static tcp \[2001:db8:1::2\]:80 198.51.100.1:8080 sessions [0-9]*$" "$WORK/status"

# ---- an IPv4 SYN to a pool port with no mapping: held, then Port Unreachable
nsx "$NS_S" timeout 30 curl -s -o /dev/null http://198.51.100.1:2500/ 2>/dev/null
rc=$?
check "connection to an unmapped port refused (curl exit 7, got $rc)" test $rc -eq 7
status
check "status: a held SYN expired into Port Unreachable" \
	grep -qx "syn_held_expired [1-9][0-9]*" "$WORK/status"

# ---- a connection through the TCP entry that lives across reloads
cat >"$WORK/long.py" <<'EOF'
import os, socket, sys, time
s = socket.create_connection(("198.51.100.1", 8080), timeout=10)
s.sendall(b"one\n")
assert s.recv(100) == b"one\n"
open(sys.argv[1], "w").close()
for _ in range(300):
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.1)
s.sendall(b"two\n")
print(s.recv(100).decode().strip())
EOF
nsx "$NS_S" timeout 60 python3 "$WORK/long.py" "$WORK/long.up" "$WORK/long.go" >"$WORK/long.out" 2>&1 &
LONG=$!
for _ in $(seq 100); do [ -e "$WORK/long.up" ] && break; sleep 0.1; done
check "long connection up" test -e "$WORK/long.up"

reload() {
	local n
	n=$(grep -c "configuration reloaded" "$WORK/nat64d.log")
	kill -HUP $NDPID
	for _ in $(seq 50); do
		[ "$(grep -c "configuration reloaded" "$WORK/nat64d.log")" -gt "$n" ] && return 0
		sleep 0.1
	done
	return 1
}
conf without
check "SIGHUP without the TCP entry" reload
touch "$WORK/long.go"
wait $LONG
check "the connection through the removed entry goes on" grep -qx "two" "$WORK/long.out"
status
check "status: bib_static 1" grep -qx "bib_static 1" "$WORK/status"
check "status: no line for the removed entry" sh -c "! grep -q '^static tcp' '$WORK/status'"
nsx "$NS_S" timeout 30 curl -s -o /dev/null http://198.51.100.1:8080/blob 2>/dev/null
rc=$?
check "a new connection to the removed entry is refused (curl exit 7, got $rc)" test $rc -eq 7
conf with
check "SIGHUP with the TCP entry again" reload
rm -f "$WORK/got"
nsx "$NS_S" timeout 30 curl -sS -o "$WORK/got" http://198.51.100.1:8080/blob
check "HTTP download after adding it back (sha256; curl exit $?)" \
	test "$(sha256sum <"$WORK/got")" = "$(sha256sum <"$WORK/blob")"

kill -TERM $NDPID
wait $NDPID
check "nat64d exits 0 on SIGTERM" test $? -eq 0
echo "nat64d_static: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
