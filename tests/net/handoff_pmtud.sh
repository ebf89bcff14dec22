#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoff_pmtud.sh — path MTU discovery through nat64d with handoff when
# the Fragmentation Needed reaches nat64d after it lost the entry (draft
# §8: forwarded over the control channel; §10: nat64-handoffd answers
# [auth, entry, the error]; RFC 7915 §4.2: the client gets Packet Too Big):
#
#   [client6] c6 == x6 [gateway: nat64d] x4 == r1 [router] r2 ==(MTU 1280)== s4 [server4]
#   2001:db8:1::2         192.0.2.1        192.0.2.254  203.0.113.254    203.0.113.2
#
# A curl upload (PUT, 1 MiB) from client6 to server4's HTTP server, over
# the Linux TCP stacks of both ends. The client's link and the server's
# own interface are 1500 octets (the server advertises MSS 1460), the
# router's interface towards the server 1280: the router answers the
# client's first full-size segments (1480 octets as IPv4, DF set: RFC 7915
# §5.1) with Fragmentation Needed, MTU 1280. The router's own ICMP errors
# leave through bench/delay-line (3 s; this kernel has no netem), and
# nat64d's cache forgets an idle entry after 1 s (handoff-cache-timeout
# 1s): nothing of the flow crosses nat64d while the client waits for an
# ACK — its retransmission timeout is held above the delay by the route's
# rto_min (10 s) — so the error meets an empty cache. It must go to the
# server and come back with the entry: the upload completes with the
# right octets, counted on both sides, and the client's route holds MTU
# 1300 (1280 + 20).
#
# Then the control: with handoff-icmp-rate 0 (SIGHUP) the same upload
# stalls (every Fragmentation Needed is dropped as matching nothing; curl
# gives up after 25 s), so the arrangement above cannot pass without the
# forwarding.
. "$(dirname "$0")/handoff_common.inc"

DLY=$PWD/$BUILD/bench/delay-line
[ -x "$DLY" ] || die "$DLY not built (make $BUILD/bench/delay-line)"
NS_R=$TAG-r
S4=203.0.113.2 T6=${PREF}203.0.113.2
ND_CACHE_TIMEOUT=1s
DELAY_US=3000000
SIZE=1048576

pm_topology() {
	local ns
	for ns in "$NS_C" "$NS_X" "$NS_R" "$NS_S"; do
		ip netns add "$ns" || die "cannot create namespace $ns"
		NSES+=("$ns")
		nsx "$ns" ip link set lo up
	done
	ip link add c6 netns "$NS_C" type veth peer name x6 netns "$NS_X"
	ip link add x4 netns "$NS_X" type veth peer name r1 netns "$NS_R"
	ip link add r2 netns "$NS_R" type veth peer name s4 netns "$NS_S"
	# client6: retransmissions no sooner than 10 s, no blackhole probing
	nsx "$NS_C" sysctl -qw net.ipv4.tcp_mtu_probing=0
	nsx "$NS_C" ip -6 addr add $CLIENT/64 dev c6 nodad
	nsx "$NS_C" ip link set c6 up
	nsx "$NS_C" ip -6 route add default via 2001:db8:1::1 dev c6 rto_min 10s
	# gateway
	nsx "$NS_X" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	nsx "$NS_X" ip -6 addr add 2001:db8:1::1/64 dev x6 nodad
	nsx "$NS_X" ip addr add 192.0.2.1/24 dev x4
	nsx "$NS_X" ip link set x6 up
	nsx "$NS_X" ip link set x4 up
	nsx "$NS_X" ip route add default via 192.0.2.254 dev x4
	# router: 1280 octets towards the server, every ICMP error it makes
	# answered at once (no rate limit: one per segment)
	nsx "$NS_R" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
	nsx "$NS_R" ip addr add 192.0.2.254/24 dev r1
	nsx "$NS_R" ip addr add 203.0.113.254/24 dev r2
	nsx "$NS_R" ip link set r2 mtu 1280
	nsx "$NS_R" ip link set r1 up
	nsx "$NS_R" ip link set r2 up
	nsx "$NS_R" ip route add 198.51.100.0/24 via 192.0.2.1 dev r1
	# server4
	nsx "$NS_S" ip addr add $S4/24 dev s4
	nsx "$NS_S" ip link set s4 up
	nsx "$NS_S" ip route add default via 203.0.113.254 dev s4
	wait_for 5 nsx "$NS_S" ping -c 1 -W 1 -q 192.0.2.1 >/dev/null ||
		die "server4 cannot reach the gateway through the router"
}

# delay_on: the router's own ICMP (iif lo) goes through the delay line,
# whose output (from the router's address: accept_local) is forwarded on.
delay_on() {
	nsx "$NS_R" "$DLY" -i dly -d "$DELAY_US" >"$W/delay.out" 2>"$W/delay.err" &
	PIDS+=("$!")
	wait_for 5 grep -qs READY "$W/delay.out" || die "delay-line did not start: $(cat "$W/delay.err")"
	nsx "$NS_R" sysctl -qw net.ipv4.conf.dly.rp_filter=0 net.ipv4.conf.dly.accept_local=1 \
		net.ipv4.conf.all.rp_filter=0
	nsx "$NS_R" ip link set dly up
	nsx "$NS_R" ip route add default dev dly src 192.0.2.254 table 100
	nsx "$NS_R" ip rule add iif lo ipproto icmp lookup 100 pref 100
}

cat >"$W/put.py" <<'EOF'
# put.py ADDR DIR: HTTP/1.1 on 8080; GET answers "ok", PUT stores the body
# in DIR/<name> and answers with its length.
import http.server, os, sys
addr, store = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def reply(self, body):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        self.reply(b"ok\n")
    def do_PUT(self):
        n = int(self.headers["Content-Length"])
        path = os.path.join(store, os.path.basename(self.path))
        with open(path + ".part", "wb") as f:
            while n > 0:
                b = self.rfile.read(min(n, 65536))
                if not b:
                    return
                f.write(b)
                n -= len(b)
        os.rename(path + ".part", path)
        self.reply(b"stored %d\n" % os.path.getsize(path))
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer((addr, 8080), H).serve_forever()
EOF

pm_topology
mkdir -p "$W/store"
ip netns exec "$NS_S" "$PY" "$W/put.py" $S4 "$W/store" >"$W/put.err" 2>&1 &
PIDS+=("$!")
wait_for 10 eval 'nsx "$NS_S" ss -Hltn "sport = :8080" | grep -q 8080' ||
	die "HTTP server did not start: $(cat "$W/put.err")"
ho_start S
nd_start

check "warm-up curl through the gateway" eval \
	'nsx "$NS_C" curl -sS -g --max-time 15 "http://[$T6]:8080/" | grep -qx ok'
check "nat64d: server4 speaks handoff" wait_for 20 eval 'nd_status; nd_server $S4 | grep -q " supported"'
delay_on
ok "router's ICMP errors delayed $((DELAY_US / 1000)) ms"
head -c $SIZE /dev/urandom >"$W/data"
SUM=$(sha256sum <"$W/data" | cut -d' ' -f1)

# upload NAME MAXTIME: PUT the data as NAME; the curl output in $W/NAME.out
upload() {
	nsx "$NS_C" curl -sS -g --max-time "$2" -H 'Expect:' -T "$W/data" \
		"http://[$T6]:8080/$1" >"$W/$1.out" 2>&1
}

nd_status
fwd0=$(nd_st handoff_fwd_icmp4) ans0=$(nd_st handoff_icmp_answers)
start=$(date +%s)
check "upload of $SIZE octets completes (PUT, Fragmentation Needed after the cache expired)" upload up 60
echo "    curl: $(cat "$W/up.out") ($(( $(date +%s) - start )) s)"
check "server4 stored the right octets (sha256 $SUM)" \
	eval '[ "$(sha256sum <"$W/store/up" 2>/dev/null | cut -d" " -f1)" = "$SUM" ]'
nd_status
ho_status S
grep -E '^handoff_(fwd_icmp4|icmp_answers|drop_icmp|cache_expired|entries_cached|fwd6|fwd_stub|held)' \
	"$ND_STATUS" | sed 's/^/    nat64d: /'
check "nat64d forwarded the error over the channel (handoff_fwd_icmp4 $fwd0 -> $(nd_st handoff_fwd_icmp4))" \
	test "$(nd_st handoff_fwd_icmp4)" -gt "$fwd0"
check "nat64d translated the server's answer (handoff_icmp_answers $ans0 -> $(nd_st handoff_icmp_answers))" \
	test "$(nd_st handoff_icmp_answers)" -gt "$ans0"
check "nat64-handoffd matched it to the entry (icmp_errors_matched $(ho_st S icmp_errors_matched))" \
	test "$(ho_st S icmp_errors_matched)" -ge 1
route=$(nsx "$NS_C" ip -6 route get $T6)
echo "    client: $route"
check "the client learnt the path MTU 1300 (1280 + 20, RFC 7915 §4.2)" grep -q ' mtu 1300' <<<"$route"

# ---- the control: no forwarding, the same upload stalls
ND_CONF_EXTRA="handoff-icmp-rate 0"
nd_write_conf
kill -HUP "$ND_PID"
nsx "$NS_C" ip -6 route flush cache
sleep 2		# the reload, and the cache of the upload's entry expires
nd_status
nm0=$(nd_st drop_icmp_err_nomatch) fwd1=$(nd_st handoff_fwd_icmp4)
check "with handoff-icmp-rate 0 the upload stalls (curl gives up after 25 s)" eval '! upload stall 25'
echo "    curl: $(cat "$W/stall.out")"
nd_status
check "its errors matched nothing and were dropped (drop_icmp_err_nomatch $nm0 -> $(nd_st drop_icmp_err_nomatch))" \
	test "$(nd_st drop_icmp_err_nomatch)" -gt "$nm0"
check "none was forwarded (handoff_fwd_icmp4 stays $fwd1)" test "$(nd_st handoff_fwd_icmp4)" = "$fwd1"
check "server4 stored nothing of it" test ! -e "$W/store/stall"
ho_finish
