#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64d_quota.sh — one client cannot starve the others: while one IPv6
# client floods nat64d, first with TCP SYNs, then (another client) with
# UDP from ever new ports, then with UDP from ever new addresses of one
# /64 (a new client per packet: the subnet's limits, and no record for
# the refused), a
# victim client's curl loop against nginx behind nat64d keeps >= 95 %
# success during and after each flood; the mapping log grows by at most
# the flooder's bib-per-client (bib-per-subnet) plus one line per curl;
# the refusals are counted and summarised in a few log lines; nat64d's RSS
# stays under a bound. nat64d runs with its default quotas and a table of
# 20000 entries (which an unlimited flood fills: ND_QUOTA_OFF=1 turns the
# quotas off and shows the test failing).
#
#   [client6] c6 ==veth== x6 [gateway: nat64d on TUN] x4 ==veth== s4 [server4]
#   2001:db8:1::2 (curl)     2001:db8:1::1   192.0.2.1       192.0.2.2 (nginx)
#   2001:db8:aa::5 (SYN flood), 2001:db8:bb::5 (UDP flood),
#   2001:db8:cc::/64 (UDP from rotating addresses), prefix 64:ff9b::/96
#
# Floods are bounded in time and count (FLOOD_S seconds at most FLOOD_PPS
# packets a second, raw sockets in the client's namespace only). Knobs:
# FLOOD_S [10] AFTER_S [8] FLOOD_PPS [20000] PHASES [syn udp rot] ND_QUOTA_OFF [0].
# Under the sanitizer build (BUILD=build-san) it is skipped: too slow.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BIN=$PWD/$BUILD/nat64d
FLOOD_S=${FLOOD_S:-10}
AFTER_S=${AFTER_S:-8}
FLOOD_PPS=${FLOOD_PPS:-20000}
PHASES=${PHASES:-syn udp rot}
RSS_MAX_KB=32768

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces, TUN)"; exit 77; }
case "$BUILD" in *san*) echo "SKIP: floods are too slow under the sanitizers"; exit 77 ;; esac
for t in ip curl python3 nginx timeout; do
	command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
[ -e /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
[ -x "$BIN" ] || { echo "FAIL: $BIN not built"; exit 1; }

TAG=nk-q-$$
NS_C=$TAG-c NS_X=$TAG-x NS_S=$TAG-s
W=$(mktemp -d /tmp/nk-quota.XXXXXX)
chmod 755 "$W"
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
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
ok() { echo "ok   $*"; PASSES=$((PASSES + 1)); }
bad() { echo "FAIL $*"; FAILS=$((FAILS + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
die() { echo "FAIL: $*"; exit 1; }

for ns in "$NS_C" "$NS_X" "$NS_S"; do ip netns add "$ns" && NSES+=("$ns"); nsx "$ns" ip link set lo up; done
ip link add c6 netns "$NS_C" type veth peer name x6 netns "$NS_X"
ip link add x4 netns "$NS_X" type veth peer name s4 netns "$NS_S"
nsx "$NS_C" ip -6 addr add 2001:db8:1::2/64 dev c6 nodad
nsx "$NS_C" ip -6 addr add 2001:db8:aa::5/128 dev c6 nodad
nsx "$NS_C" ip -6 addr add 2001:db8:bb::5/128 dev c6 nodad
nsx "$NS_C" ip link set c6 up
nsx "$NS_C" ip -6 route add default via 2001:db8:1::1 dev c6
nsx "$NS_X" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
nsx "$NS_X" ip -6 addr add 2001:db8:1::1/64 dev x6 nodad
nsx "$NS_X" ip addr add 192.0.2.1/24 dev x4
nsx "$NS_X" ip link set x6 up
nsx "$NS_X" ip link set x4 up
nsx "$NS_X" ip -6 route add 2001:db8:aa::/48 via 2001:db8:1::2 dev x6
nsx "$NS_X" ip -6 route add 2001:db8:bb::/48 via 2001:db8:1::2 dev x6
nsx "$NS_X" ip -6 route add 2001:db8:cc::/48 via 2001:db8:1::2 dev x6
nsx "$NS_S" ip addr add 192.0.2.2/24 dev s4
nsx "$NS_S" ip link set s4 up
nsx "$NS_S" ip route add 198.51.100.0/24 via 192.0.2.1 dev s4

MAP=$W/mappings.log
cat >"$W/nat64d.conf" <<EOF
tun-device nq$$
prefix 64:ff9b::/96
pool4 198.51.100.0/30
max-bib 20000
max-sessions 20000
status-file $W/status
mapping-log $MAP
control-socket none
EOF
# The bound on the log: the default bib-per-client (also with the quotas off).
BPC=$("$BIN" -n -v -f "$W/nat64d.conf" | awk '$1 == "bib-per-client" { print $2 }')
BPS=$("$BIN" -n -v -f "$W/nat64d.conf" | awk '$1 == "bib-per-subnet" { print $2 }')
[ -n "$BPC" ] && [ "$BPC" -gt 0 ] && [ -n "$BPS" ] || die "no bib-per-client in nat64d -n -v"
if [ "${ND_QUOTA_OFF:-0}" = 1 ]; then
	for k in bib sessions session-rate; do for l in client subnet site; do
		echo "$k-per-$l 0"; done; done >>"$W/nat64d.conf"
fi
ip netns exec "$NS_X" "$BIN" -d -f "$W/nat64d.conf" >"$W/nat64d.log" 2>&1 &
NDPID=$!
PIDS+=("$NDPID")
for _ in $(seq 50); do nsx "$NS_X" ip link show "nq$$" >/dev/null 2>&1 && break; sleep 0.1; done
nsx "$NS_X" ip link set "nq$$" up
nsx "$NS_X" ip -6 route add 64:ff9b::/96 dev "nq$$"
nsx "$NS_X" ip route add 198.51.100.0/30 dev "nq$$"
kill -0 $NDPID 2>/dev/null || die "nat64d did not start: $(cat "$W/nat64d.log")"

# nginx on server4, its own configuration in $W.
NG=$W/ng
mkdir -p "$NG"
cat >"$NG/nginx.conf" <<EOF
worker_processes 1;
daemon off;
user nobody nogroup;
pid $NG/nginx.pid;
error_log $NG/error.log;
events { worker_connections 256; }
http {
    client_body_temp_path $NG/body;
    proxy_temp_path $NG/proxy;
    fastcgi_temp_path $NG/fastcgi;
    uwsgi_temp_path $NG/uwsgi;
    scgi_temp_path $NG/scgi;
    access_log off;
    server {
        listen 192.0.2.2:80;
        location / { return 200 "hello\n"; }
    }
}
EOF
ip netns exec "$NS_S" nginx -p "$NG/" -e "$NG/error.log" -c "$NG/nginx.conf" >"$NG/out" 2>&1 &
PIDS+=("$!")
for _ in $(seq 100); do nsx "$NS_S" ss -Hltn "sport = :80" | grep -q ":80" && break; sleep 0.1; done
nsx "$NS_S" ss -Hltn "sport = :80" | grep -q ":80" || die "nginx does not listen: $(tail -3 "$NG/error.log")"

URL='http://[64:ff9b::c000:202]/'
curl1() {
	nsx "$NS_C" curl -s -o /dev/null -w '%{http_code}' --connect-timeout 3 -m 5 \
	    --interface 2001:db8:1::2 "$URL" 2>/dev/null
}
check "curl through nat64d before any flood" test "$(curl1)" = 200

# curls FILE SECONDS-or-PID: one curl after another, a line each (the code),
# for SECONDS, or while the process PID lives. At most about 10 a second,
# the busy host of docs/NAT64D.md: every closed connection holds its entry
# for the 4-minute transitory timeout, and an unpaced loop on a fast
# machine reaches the victim's own bib-per-client within the test.
curl_paced() { curl1 >>"$1"; echo >>"$1"; sleep 0.1; }
curls() {
	local out=$1 until=$2 end
	: >"$out"
	if [ "${until#pid:}" != "$until" ]; then
		while kill -0 "${until#pid:}" 2>/dev/null; do curl_paced "$out"; done
	else
		end=$((SECONDS + until))
		while [ $SECONDS -lt $end ]; do curl_paced "$out"; done
	fi
}
rate() { awk '{ n++; if ($1 == "200") ok++ } END { printf "%d %d\n", ok, n }' "$1"; }
enough() {	# OK TOTAL: at least 95 % and at least 10 tries
	[ "$2" -ge 10 ] && [ $(($1 * 100)) -ge $(($2 * 95)) ]
}

# flood KIND SRC: raw TCP SYNs or UDP datagrams from SRC, ever new source
# ports, to 192.0.2.2 port 9 through the prefix, paced to FLOOD_PPS, for
# FLOOD_S seconds. Prints how many it sent.
# "rot": UDP with the IPv6 header written here, every packet from another
# address of SRC's /64 (a new client each: the subnet's limits).
flood() {
	nsx "$NS_C" timeout $((FLOOD_S + 5)) python3 - "$1" "$2" "$FLOOD_S" "$FLOOD_PPS" <<'PY'
import socket, struct, sys, time
kind, src, dur, pps = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
dst = ("64:ff9b::c000:202", 0)
if kind == "rot":
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    net = socket.inet_pton(socket.AF_INET6, src)[:8]
    head = struct.pack("!IHBB", 6 << 28, 9, 17, 64)
    dst6 = socket.inet_pton(socket.AF_INET6, dst[0])
else:
    proto = socket.IPPROTO_TCP if kind == "syn" else socket.IPPROTO_UDP
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, proto)
    s.setsockopt(socket.IPPROTO_IPV6, 7, 16 if kind == "syn" else 6)  # IPV6_CHECKSUM
    s.bind((src, 0))
start = time.monotonic()
sent = 0
while True:
    now = time.monotonic() - start
    if now >= dur or sent >= dur * pps:
        break
    if sent > now * pps:
        time.sleep(0.002)
        continue
    for _ in range(100):
        sport = 1024 + sent % 64000
        dport = 9 + sent // 64000
        if kind == "syn":
            pkt = struct.pack("!HHIIBBHHH", sport, dport, sent, 0, 5 << 4, 0x02, 65535, 0, 0)
        elif kind == "rot":
            # the checksum is not verified on the way: any non-zero value
            pkt = head + net + struct.pack("!Q", 0x100 + sent) + dst6 + \
                struct.pack("!HHHH", sport, dport, 9, 0x5555) + b"x"
        else:
            pkt = struct.pack("!HHHH", sport, dport, 9, 0) + b"x"
        try:
            s.sendto(pkt, dst)
        except OSError:
            pass
        sent += 1
print(sent)
PY
}

mlines() { if [ -f "$MAP" ]; then wc -l <"$MAP"; else echo 0; fi; }
mbytes() { if [ -f "$MAP" ]; then wc -c <"$MAP"; else echo 0; fi; }

phase() {	# KIND SRC
	local kind=$1 src=$2 fpid l0 b0 l1 b1 sent lines created lim limname
	l0=$(mlines) b0=$(mbytes)
	flood "$kind" "$src" >"$W/$kind.sent" &
	fpid=$!
	curls "$W/$kind.during" "pid:$fpid"
	wait $fpid
	sent=$(cat "$W/$kind.sent")
	curls "$W/$kind.after" "$AFTER_S"
	l1=$(mlines) b1=$(mbytes)
	read -r d_ok d_n < <(rate "$W/$kind.during")
	read -r a_ok a_n < <(rate "$W/$kind.after")
	if [ "$kind" = rot ]; then	# any address of the /64: the subnet's limit
		created=$(grep -c "\[${src%::*}:" "$MAP" 2>/dev/null) lim=$BPS limname=bib-per-subnet
	else
		created=$(grep -c "\[$src\]" "$MAP" 2>/dev/null) lim=$BPC limname=bib-per-client
	fi
	lines=$((l1 - l0))
	echo "     $kind flood from $src: $sent packets; curl $d_ok/$d_n during, $a_ok/$a_n after;" \
	    "mapping log +$lines lines +$((b1 - b0)) bytes ($created of the flooder)"
	check "$kind flood: >= 95 % of curls succeed during it ($d_ok/$d_n)" enough "$d_ok" "$d_n"
	check "$kind flood: >= 95 % of curls succeed after it ($a_ok/$a_n)" enough "$a_ok" "$a_n"
	check "$kind flood: the flooder's mapping-log lines ($created) <= $limname $lim" \
	    test "$created" -le "$lim"
	check "$kind flood: mapping log +$lines lines <= $lim + one per curl ($((d_n + a_n))) + 16" \
	    test "$lines" -le $((lim + d_n + a_n + 16))
}

case " $PHASES " in *" syn "*) phase syn 2001:db8:aa::5 ;; esac
case " $PHASES " in *" udp "*) phase udp 2001:db8:bb::5 ;; esac
case " $PHASES " in *" rot "*) phase rot 2001:db8:cc::5 ;; esac

kill -USR1 $NDPID
for _ in $(seq 50); do [ -s "$W/status" ] && break; sleep 0.1; done
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$NDPID/status")
echo "     nat64d RSS ${rss} kB; $(grep -E '^(bib_entries|sessions|drop_quota|quota_[a-z_]+) ' "$W/status" | grep -v ' 0$' | tr '\n' ' ')"
check "nat64d's RSS ${rss} kB < $RSS_MAX_KB kB" test "$rss" -lt $RSS_MAX_KB
refused=$(awk '/^quota_refused_/ { n += $2 } END { print n + 0 }' "$W/status")
check "refusals counted per reason ($refused)" test "$refused" -gt 0
nq=$(grep -c 'quota: ' "$W/nat64d.log")
check "refusals summarised in a few log lines ($nq), never one per packet" test "$nq" -ge 1 -a "$nq" -le 20
grep -m 2 'quota: ' "$W/nat64d.log" | sed 's/^/     /'
kill -0 $NDPID 2>/dev/null && ok "nat64d still running" || bad "nat64d died"
echo "nat64d_quota: $PASSES passed, $FAILS failed"
[ $FAILS -eq 0 ]
