#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64d_e2e.sh — nat64d end to end with real clients, in three network
# namespaces created (and deleted, by a trap) here:
#
#   [client6] c6 ==veth== x6 [gateway: nat64d on TUN] x4 ==veth== s4 [server4]
#   2001:db8:1::2      2001:db8:1::1      192.0.2.1         192.0.2.2
#   prefix 2001:db8:64::/96 and pool 198.51.100.0/30 routed to the TUN.
#
# Checks: ping; curl over HTTP (download, sha256); socat upload; iperf3 TCP
# both ways and UDP; DNS over UDP (dig against a small responder); hop
# limit expiry at nat64d and on the IPv4 side (Time Exceeded comes back
# translated); a smaller MTU on the IPv4 link (Fragmentation Needed
# becomes Packet Too Big, the client's PMTU drops, the upload completes)
# and on the IPv6 link (Packet Too Big becomes Fragmentation Needed, the
# download completes); SIGHUP reload. No timing assertions; every wait
# is bounded.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BIN=$PWD/$BUILD/nat64d

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces, TUN)"; exit 77; }
for t in ip iperf3 curl ping python3 dig socat sha256sum timeout; do
	command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
[ -e /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
[ -x "$BIN" ] || { echo "FAIL: $BIN not built"; exit 1; }

OFFLOAD=${ND_OFFLOAD:-yes}
TAG=nk-nd-$$
NS_C=$TAG-c NS_X=$TAG-x NS_S=$TAG-s
PREF=2001:db8:64::
T6=${PREF}192.0.2.2
WORK=$(mktemp -d /tmp/nk-nd-e2e.XXXXXX)
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
# Make the gateway compute every checksum it forwards (no checksum offload
# on its veths), so the endpoints verify what nat64d's partial checksums,
# TSO super-packets and coalesced UDP trains turn into: a wrong one shows
# up as InCsumErrors below instead of being trusted across the veth.
CSUM_CHECK=no
if command -v ethtool >/dev/null; then
	nsx "$NS_X" ethtool -K x4 tx off >/dev/null 2>&1 && nsx "$NS_X" ethtool -K x6 tx off >/dev/null 2>&1 &&
		CSUM_CHECK=yes
fi

cat >"$WORK/nat64d.conf" <<EOF
tun-device nd$$
control-socket none
prefix ${PREF}/96
pool4 198.51.100.0/30
ipv4-addr 198.51.100.200
offload $OFFLOAD
udp-timeout 30s
status-file $WORK/status
mapping-log $WORK/mappings.log
EOF
check "config check (-n)" "$BIN" -n -f "$WORK/nat64d.conf"
ip netns exec "$NS_X" "$BIN" -d -v -f "$WORK/nat64d.conf" >"$WORK/nat64d.log" 2>&1 &
PIDS+=("$!")
NDPID=$!
for _ in $(seq 50); do nsx "$NS_X" ip link show "nd$$" >/dev/null 2>&1 && break; sleep 0.1; done
nsx "$NS_X" ip link set "nd$$" up
nsx "$NS_X" ip -6 route add ${PREF}/96 dev "nd$$"
nsx "$NS_X" ip route add 198.51.100.0/30 dev "nd$$"
nsx "$NS_X" ip route add 198.51.100.200/32 dev "nd$$"
kill -0 $NDPID || { cat "$WORK/nat64d.log"; echo "FAIL: nat64d did not start"; exit 1; }

# ---- servers on server4
head -c 3000000 /dev/urandom >"$WORK/blob"
mkdir -p "$WORK/www" && cp "$WORK/blob" "$WORK/www/blob"
(cd "$WORK/www" && exec ip netns exec "$NS_S" python3 -m http.server 8080 --bind 192.0.2.2) \
	>"$WORK/http.log" 2>&1 &
PIDS+=("$!")
ip netns exec "$NS_S" iperf3 -s -p 5201 >"$WORK/iperf3s.log" 2>&1 &
PIDS+=("$!")
cat >"$WORK/dns.py" <<'EOF'
# A tiny DNS responder: every query gets one A record 192.0.2.99.
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.2", 53))
while True:
    q, a = s.recvfrom(2048)
    if len(q) < 17:
        continue
    i = 12
    while i < len(q) and q[i] != 0:
        i += q[i] + 1
    qend = i + 5
    if qend > len(q):
        continue
    hdr = q[:2] + b"\x81\x80" + b"\x00\x01\x00\x01\x00\x00\x00\x00"
    ans = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + socket.inet_aton("192.0.2.99")
    s.sendto(hdr + q[12:qend] + ans, a)
EOF
ip netns exec "$NS_S" python3 "$WORK/dns.py" >"$WORK/dns.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 50); do
	nsx "$NS_S" ss -ltn 2>/dev/null | grep -q ':8080' && nsx "$NS_S" ss -ltn | grep -q ':5201' && break
	sleep 0.1
done

# ---- ping
check "ping6 through the gateway" nsx "$NS_C" ping -6 -c 3 -i 0.2 -W 2 "$T6"

# ---- HTTP download (curl)
nsx "$NS_C" timeout 60 curl -sS -g -o "$WORK/got" "http://[$T6]:8080/blob"
check "curl HTTP download 3 MB, sha256 matches" cmp -s "$WORK/blob" "$WORK/got"

# ---- upload (socat)
upload() {  # $1 port -> 0 if the server received the blob intact
	rm -f "$WORK/up"
	ip netns exec "$NS_S" timeout 60 socat -u TCP4-LISTEN:"$1",bind=192.0.2.2,reuseaddr OPEN:"$WORK/up",creat,trunc &
	local sp=$!
	for _ in $(seq 50); do nsx "$NS_S" ss -ltn | grep -q ":$1 " && break; sleep 0.1; done
	nsx "$NS_C" timeout 60 socat -u OPEN:"$WORK/blob" TCP6:"[$T6]:$1"
	wait $sp
	cmp -s "$WORK/blob" "$WORK/up"
}
check "socat TCP upload 3 MB intact" upload 9001

# ---- iperf3
iperf_ok() {  # json file -> received bytes > 0 and no error
	python3 - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
if "error" in d:
    print(d["error"]); sys.exit(1)
e = d["end"]
s = e.get("sum_received", e.get("sum", {}))
b = s.get("bytes", 0)
print("received", b, "bytes,", round(s.get("bits_per_second", 0) / 1e6, 1), "Mbit/s")
sys.exit(0 if b > 0 else 1)
EOF
}
nsx "$NS_C" timeout 30 iperf3 -6 -c "$T6" -p 5201 -t 3 -J >"$WORK/tcp.json" 2>&1
check "iperf3 TCP client6 -> server4" iperf_ok "$WORK/tcp.json"
nsx "$NS_C" timeout 30 iperf3 -6 -c "$T6" -p 5201 -t 3 -R -J >"$WORK/tcpr.json" 2>&1
check "iperf3 TCP server4 -> client6 (-R)" iperf_ok "$WORK/tcpr.json"
nsx "$NS_C" timeout 30 iperf3 -6 -c "$T6" -p 5201 -t 3 -u -b 20M -J >"$WORK/udp.json" 2>&1
check "iperf3 UDP client6 -> server4" iperf_ok "$WORK/udp.json"

# ---- DNS over UDP
ans=$(nsx "$NS_C" timeout 10 dig -6 +short +time=2 +tries=3 @"$T6" example.test A 2>&1)
check "dig over UDP through the gateway (got '$ans')" test "$ans" = "192.0.2.99"

# ---- hop limit
# hop limit 2: the gateway kernel forwards with 1, nat64d answers Time Exceeded itself
out=$(nsx "$NS_C" timeout 10 ping -6 -c 1 -W 2 -t 2 "$T6" 2>&1)
echo "$out" | sed 's/^/    /'
check "hop limit expiry at nat64d -> ICMPv6 Time Exceeded" grep -q "Time exceeded" <<<"$out"
# hop limit 3: nat64d sends TTL 1, the gateway's IPv4 forwarding expires it
# (ICMPv4 Time Exceeded from 192.0.2.1), nat64d translates it back
out=$(nsx "$NS_C" timeout 10 ping -6 -c 1 -W 2 -t 3 "$T6" 2>&1)
echo "$out" | sed 's/^/    /'
check "ICMPv4 Time Exceeded from 192.0.2.1 arrives translated" \
	grep -q "From ${PREF}c000:201.*Time exceeded" <<<"$out"

# ---- smaller MTU on the IPv4 side: upload needs Packet Too Big
# Only the gateway's egress shrinks, so TCP's MSS does not hide it: the
# gateway's own IPv4 forwarding must answer Fragmentation Needed.
nsx "$NS_X" ip link set x4 mtu 1400
check "upload over a 1400-octet IPv4 link completes" upload 9002
route=$(nsx "$NS_C" ip -6 route get "$T6" 2>&1)
echo "    $route"
check "client learned PMTU 1420 from the translated Fragmentation Needed" grep -q "mtu 1420" <<<"$route"
nsx "$NS_X" ip link set x4 mtu 1500

# ---- smaller MTU on the IPv6 side (gateway egress only): download needs
# Packet Too Big translated into Fragmentation Needed
nsx "$NS_X" ip link set x6 mtu 1400
rm -f "$WORK/got"
nsx "$NS_C" timeout 60 curl -sS -g -o "$WORK/got" "http://[$T6]:8080/blob"
check "curl download over a 1400-octet IPv6 link completes" cmp -s "$WORK/blob" "$WORK/got"
route=$(nsx "$NS_S" ip route get 198.51.100.0 2>&1; nsx "$NS_S" ip route get 198.51.100.1 2>&1; \
	nsx "$NS_S" ip route get 198.51.100.2 2>&1; nsx "$NS_S" ip route get 198.51.100.3 2>&1)
echo "$route" | sed 's/^/    /'
check "server learned PMTU 1380 from the translated Packet Too Big" grep -q "mtu 1380" <<<"$route"

# ---- checksums verified by the endpoints
csum_errors() {  # ns -> sum of the kernel's checksum error counters
	nsx "$1" cat /proc/net/snmp /proc/net/snmp6 | awk '
		/^(Tcp|Udp|UdpLite|Icmp): / { if (!h[$1]) { for (i = 2; i <= NF; i++) n[$1, i] = $i; h[$1] = 1; next }
			for (i = 2; i <= NF; i++) if (n[$1, i] == "InCsumErrors") s += $i; next }
		/InCsumErrors/ { s += $2 }
		END { print s + 0 }'
}
if [ "$CSUM_CHECK" = yes ]; then
	ec=$(csum_errors "$NS_C") es=$(csum_errors "$NS_S")
	check "no checksum errors at client6 ($ec) or server4 ($es)" test "$ec" = 0 -a "$es" = 0
	# and the counters do count: a corrupted UDP checksum from client6
	nsx "$NS_C" python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_UDP)
s.sendto(bytes([0x9c, 0x40, 0x00, 0x35, 0x00, 0x0c, 0x12, 0x34]) + b"bad!", ("'"$T6"'", 0))'
	for _ in $(seq 30); do [ "$(csum_errors "$NS_S")" != 0 ] && break; sleep 0.1; done
	check "a corrupted checksum is still caught at server4" test "$(csum_errors "$NS_S")" != 0
else
	echo "note: ethtool missing, checksum verification by the endpoints skipped"
fi

# ---- reload and status
sed -i "s/^udp-timeout .*/udp-timeout 45s/" "$WORK/nat64d.conf"	# a key may appear once
kill -HUP $NDPID
kill -USR1 $NDPID
for _ in $(seq 50); do [ -s "$WORK/status" ] && grep -q "configuration reloaded" "$WORK/nat64d.log" && break; sleep 0.1; done
check "SIGHUP reload" grep -q "configuration reloaded" "$WORK/nat64d.log"
check "SIGUSR1 status file" grep -q "^sessions " "$WORK/status"
check "mapping log has Created lines" grep -q " Created tcp 198.51.100." "$WORK/mappings.log"
check "nat64d still running" kill -0 $NDPID
sed 's/^/    status: /' "$WORK/status" | grep -v ' 0$'

echo "nat64d_e2e (offload=$OFFLOAD): $PASSES passed, $FAILS failed"
[ $FAILS -eq 0 ] || { echo "---- nat64d log"; tail -30 "$WORK/nat64d.log"; exit 1; }
exit 0
