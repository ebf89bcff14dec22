#!/usr/bin/env bash
# tests/net/hw_dissector.sh — the Wireshark Lua dissector
# (tools/wireshark/nat64handoff.lua) against real traffic.
#
# In a namespace of its own (server 192.0.2.1, NAT64 198.51.100.1 on lo):
# tshark captures UDP while nat64-handoffd and handoff-sim run the whole
# protocol (identifier, validation packet to port 9, bounce, IPv6 over the
# control channel, entries, IPv4 lookups and misses, echo, ICMP errors,
# hints, the sim's garbage), and python3 sends hand-made malformed payloads,
# one source port each. The capture is then decoded with the dissector and
# concrete values are checked against what the programs did (audit log
# "Created" lines, the sim's documented client and port), and the
# dissector's verdict on every packet sent to the server must add up to the
# server's own drop_<error> counters (the C parser, lib/handoff_wire.c).
# Exit 0 pass, 77 skip (not root, tshark or python3 missing), else fail.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
SRV=$PWD/$BUILD/nat64-handoffd
SIM=$PWD/$BUILD/handoff-sim
LUA=$PWD/tools/wireshark/nat64handoff.lua
HPORT=6464
SERVER=192.0.2.1
NAT64=198.51.100.1
# handoff-sim's first flow client with --client-base 2: 2001:db8:KIND:NAT::2,
# KIND 0 (flows), NAT the low 16 bits of 198.51.100.1 (sim/ident.c); client
# ports start at 20000 (handoff-sim --help).
CLIENT=2001:db8:0:6401::2
CPORT=20000
HINT=41000
# Fixed ports keep the filters exact: the sim's control port, and one source
# port per hand-made garbage payload (all below the ephemeral range).
SIMPORT=31000
IDENT='[[ This is the NAT64 handoff protocol. The client is using IPv6. To know their real IP address you need to use this protocol or support IPv6. ]]'

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (network namespace, capture, UDP port 9)"
	exit 77
fi
command -v tshark >/dev/null || { echo "SKIP: tshark not installed (apt-get install tshark)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
command -v ip >/dev/null || { echo "SKIP: iproute2 (ip) not installed"; exit 77; }
for b in "$SRV" "$SIM"; do
	[ -x "$b" ] || { echo "FAIL: $b not built (make BUILD=$BUILD)"; exit 1; }
done
[ -f "$LUA" ] || { echo "FAIL: $LUA missing"; exit 1; }

NS=nk-hwd-$$
T=$(mktemp -d /tmp/nk-hwd.XXXXXX)
CAP=$T/cap.pcapng
SRV_PID=
CAP_PID=

cleanup() {
	local rc=$?
	[ -n "$SRV_PID" ] && kill -9 "$SRV_PID" 2>/dev/null
	[ -n "$CAP_PID" ] && kill -INT "$CAP_PID" 2>/dev/null
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
		echo "--- tshark capture stderr"; tail -n 5 "$T/cap.err" 2>/dev/null
		echo "--- server diagnostics (tail)"; tail -n 10 "$T/server.err" 2>/dev/null
		echo "--- audit log"; tail -n 10 "$T/log/nat64-handoff.log" 2>/dev/null
	fi
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	exit 1
}
ok() {
	echo "ok: $*"
}
nsx() {
	ip netns exec "$NS" "$@"
}

ip netns add "$NS" || fail "cannot create namespace $NS"
nsx ip link set lo up
nsx ip addr add $SERVER/32 dev lo
nsx ip addr add $NAT64/32 dev lo

# --- capture -----------------------------------------------------------------
ip netns exec "$NS" tshark -n -i lo -f udp -w "$CAP" >"$T/cap.out" 2>"$T/cap.err" &
CAP_PID=$!
for _ in $(seq 150); do
	grep -q "Capturing on" "$T/cap.err" 2>/dev/null && break
	kill -0 "$CAP_PID" 2>/dev/null || fail "tshark capture exited: $(tail -n 3 "$T/cap.err")"
	sleep 0.1
done
grep -q "Capturing on" "$T/cap.err" || fail "tshark did not start capturing within 15 s"

# --- server and simulator ----------------------------------------------------
ip netns exec "$NS" "$SRV" -p $HPORT -l $SERVER -s "$T/state" -L "$T/log" >"$T/server.out" 2>"$T/server.err" &
SRV_PID=$!
for _ in $(seq 200); do
	[ -f "$T/state/status" ] && break
	kill -0 "$SRV_PID" 2>/dev/null || fail "server exited at start: $(tail -n 3 "$T/server.err")"
	sleep 0.05
done
[ -f "$T/state/status" ] || fail "server not ready (no status file) within 10 s"

nsx "$SIM" -s $SERVER -p $HPORT -a $NAT64 -C $SIMPORT -c 1 -k 1 --client-base 2 --hint $HINT \
    --lookups --misses 1 --echo 1 --icmp4 1 --adopt 1 --adopt-multi 2 --garbage -d 20s \
    -e validations=1 -e port9=1 -e entries=1 -e "echo_ok>=1" -e "adopted>=1" >"$T/sim.out" 2>&1 ||
	{ cat "$T/sim.out"; fail "handoff-sim failed"; }
grep SUMMARY "$T/sim.out"

# --- hand-made malformed payloads, one source port each --------------------
# port: expected expert info (nat64handoff.expert.NAME)
# (An empty UDP payload is never handed to a UDP payload dissector.)
GARBAGE="31001:trunc 31002:format 31003:badlen 31004:trunc 31005:dup 31006:ident
31007:ip_header 31010:format 31011:trunc 31012:multi 31013:badlen
31014:ip_header 31015:too_many"
nsx python3 - "$NAT64" "$SERVER" "$HPORT" <<'EOF' || fail "python3 could not send the garbage"
import socket, sys
nat64, server, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
ident = (b"[[ This is the NAT64 handoff protocol. The client is using IPv6. To know their"
         b" real IP address you need to use this protocol or support IPv6. ]]")
tok = b"\x34\x08" + bytes(range(16))
auth = b"\x36\x08" + bytes(range(16, 32))
entry = b"\x37\x10" + bytes(32)
ip6 = (b"\x60\x00\x00\x00\x00\x08\x3b\x40" + b"\x20\x01\x0d\xb8" + bytes(12)
       + bytes(16) + bytes(8))
payloads = {
    31001: b"\x31\x48" + ident[:20],              # identifier cut short
    31002: b"\x04\x00\x00\x00",                   # format 0 (Teredo-reserved)
    31003: tok + b"\x37\x08" + bytes(16),         # entry of 16 octets
    31004: tok + b"\x60\x00\x00",                 # IPv6 header cut short
    31005: tok + tok,                             # token twice
    31006: b"\x31\x48" + b"x" * 144 + tok,        # wrong identifier text
    31007: tok + b"\x44\x00\x00\x14" + bytes(16), # IPv4 with IHL 4
    31010: b"\xf0" * 5,                           # format 15
    31011: tok + b"\x32\x00\x35",                 # stray odd octet
    31012: b"\x31\x48" + ident + tok + entry + auth + entry,  # §7: an entry before any 6
    31013: tok + b"\x38\x02\x00\x01\x00\x02",     # hint of 4 octets
    31014: tok + auth + b"\x60" + bytes(5) + bytes(40),  # IPv6 payload length 0
    31015: tok + b"\x36\x00" * 65,                # 65 authenticators
}
for sport, data in payloads.items():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((nat64, sport))
    s.sendto(data, (server, port))
    s.close()
# sentinel: the last datagram; once it is in the file, everything is
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((nat64, 31099))
s.sendto(b"nk-hwd-sentinel", (server, 7))
s.close()
EOF

for _ in $(seq 100); do
	tshark -n -r "$CAP" -Y 'udp.dstport#1 == 7' 2>/dev/null | grep -q . && break
	sleep 0.1
done
tshark -n -r "$CAP" -Y 'udp.dstport#1 == 7' 2>/dev/null | grep -q . || fail "sentinel never reached the capture"
kill -INT "$CAP_PID"
wait "$CAP_PID"
CAP_PID=

# --- decode ------------------------------------------------------------------
# dec OUT FILTER FIELD...: tshark -T fields with the dissector; exit 0 required.
dec() {
	local out=$1 filter=$2
	shift 2
	local args=() f rc
	for f in "$@"; do args+=(-e "$f"); done
	tshark -n -r "$CAP" -X lua_script:"$LUA" -Y "$filter" -T fields -E separator='|' \
	    -E occurrence=a -E aggregator=';' "${args[@]}" >"$T/$out" 2>"$T/$out.err"
	rc=$?
	[ $rc -eq 0 ] || { cat "$T/$out.err"; fail "tshark exited $rc decoding ($filter)"; }
	! grep -qi 'lua' "$T/$out.err" || { cat "$T/$out.err"; fail "Lua complaint decoding ($filter)"; }
}

# Whole capture, verbose: no Lua error anywhere, no internal error.
tshark -n -r "$CAP" -X lua_script:"$LUA" -V >"$T/all.txt" 2>"$T/all.err" ||
	{ cat "$T/all.err"; fail "tshark -V exited $?"; }
! grep -qi 'lua error' "$T/all.txt" "$T/all.err" || { grep -i -m5 'lua error' "$T/all.txt" "$T/all.err"; fail "Lua error in the dissection"; }
! grep -q 'Dissector error' "$T/all.txt" || fail "the dissector caught an internal error"
total=$(grep -c '^NAT64 Handoff Protocol' "$T/all.txt")
[ "$total" -ge 20 ] || fail "only $total NAT64 handoff layers in the capture"
ok "$total NAT64 handoff layers, no Lua error"

# The audit log: the flow client's and the adopted entry's mapped ports.
AUDIT=$T/log/nat64-handoff.log
created=$(grep -E " Created $NAT64:[0-9]+ \[$CLIENT\]:$CPORT\$" "$AUDIT") ||
	{ cat "$AUDIT"; fail "no Created line for [$CLIENT]:$CPORT"; }
MPORT=$(printf '%s\n' "$created" | sed -n 's/.* Created [0-9.]*:\([0-9]*\) .*/\1/p' | head -n 1)
[ -n "$MPORT" ] || fail "cannot read the mapped port from: $created"
ok "audit: Created $NAT64:$MPORT [$CLIENT]:$CPORT"

# 1. Identifier: the adopted entry [ident, token, auth, entry] carries the text.
dec ident "nat64handoff.ident && nat64handoff.entries == 1 && !nat64handoff.error" nat64handoff.ident nat64handoff.entry.client nat64handoff.entry.mapped_port \
    nat64handoff.entry.client_port
[ -s "$T/ident" ] || fail "no packet with a protocol identifier"
IFS='|' read -r itext aclient amport acport <"$T/ident"
[ "$itext" = "$IDENT" ] || fail "identifier text: '$itext'"
grep -qE " Created $NAT64:$amport \[$aclient\]:$acport\$" "$AUDIT" ||
	fail "adopted entry $NAT64:$amport [$aclient]:$acport not in the audit log"
ok "identifier text; adopted entry $NAT64:$amport [$aclient]:$acport matches the audit log"

# 2. Token and authenticator lengths (the sim's 16-octet MACs).
dec lens "nat64handoff.token && udp.srcport#1 == $SIMPORT" nat64handoff.token.len nat64handoff.token
[ -s "$T/lens" ] || fail "no token in the capture"
bad=$(grep -Ev '^16(;16)*\|[0-9a-f]{32}(;[0-9a-f]{32})*$' "$T/lens" | head -n 3)
[ -z "$bad" ] || fail "token lengths/values: $bad"
dec alens "nat64handoff.auth && (udp.srcport#1 == $SIMPORT || udp.srcport#1 == $HPORT)" nat64handoff.auth.len nat64handoff.auth
bad=$(grep -Ev '^16(;16)*\|[0-9a-f]{32}(;[0-9a-f]{32})*$' "$T/alens" | head -n 3)
[ -s "$T/alens" ] && [ -z "$bad" ] || fail "authenticator lengths/values: $bad"
ok "tokens ($(wc -l <"$T/lens") packets) and authenticators ($(wc -l <"$T/alens")) are 16 octets"

# 3. The server's answer with the entry of the flow client.
dec entry "udp.srcport#1 == $HPORT && nat64handoff.entry.client == $CLIENT" \
    nat64handoff.entry.mapped_port nat64handoff.entry.prefix nat64handoff.entry.client \
    nat64handoff.entry.client_port ipv6.src ipv6.dst _ws.col.Info
[ -s "$T/entry" ] || fail "no server answer with an entry for $CLIENT"
IFS='|' read -r emport eprefix eclient ecport e6src e6dst einfo <"$T/entry"
[ "$emport" = "$MPORT" ] || fail "entry mapped port $emport, audit log says $MPORT"
[ "$eprefix" = "64:ff9b::" ] || fail "entry prefix '$eprefix'"
[ "$eclient" = "$CLIENT" ] && [ "$ecport" = "$CPORT" ] || fail "entry client [$eclient]:$ecport"
[ "$e6src" = "$CLIENT" ] && [ "$e6dst" = "64:ff9b::c000:201" ] ||
	fail "embedded IPv6 of the answer: $e6src -> $e6dst"
[ "$einfo" = "NAT64 handoff: auth, entry $NAT64:$MPORT [$CLIENT]:$CPORT, IPv6" ] ||
	fail "Info column: '$einfo'"
grep -q "NAT64 /96 prefix: 64:ff9b::/96" "$T/all.txt" || fail "prefix not shown as 64:ff9b::/96"
ok "entry $NAT64:$MPORT [$CLIENT]:$CPORT prefix 64:ff9b::/96; Info '$einfo'"
[ "$MPORT" = "$HINT" ] || fail "mapped port $MPORT, the hint was $HINT (hints_honored=1)"

# 4. The validation packet: from the handoff port to UDP port 9.
dec val "udp.srcport#1 == $HPORT && udp.dstport#1 == 9 && ip.src#1 == $SERVER" \
    nat64handoff.validation nat64handoff.auth.len ipv6.nxt ipv6.src ipv6.dst data.len _ws.col.Info
[ "$(wc -l <"$T/val")" -ge 1 ] || fail "no validation packet dissected"
IFS='|' read -r vflag valen vnxt vsrc vdst vdlen vinfo <"$T/val"
[ "$vflag" = "1" ] || [ "$vflag" = "True" ] || fail "validation flag '$vflag'"
[ "$valen" = 16 ] || fail "validation authenticator length '$valen'"
[ "$vnxt" = 59 ] || fail "embedded IPv6 next header '$vnxt' (59 expected)"
[ "$vsrc" = "$CLIENT" ] && [ "$vdst" = "::" ] || fail "validation IPv6 $vsrc -> $vdst"
[ "$vdlen" = 16 ] || fail "validation MAC length '$vdlen'"
[ "$vinfo" = "NAT64 handoff: validation: auth, IPv6" ] || fail "validation Info '$vinfo'"
ok "validation packet: auth 16, IPv6 $vsrc -> :: next header 59, MAC 16 octets"

# 5. The bounce: [token, IPv4 (UDP 6464 -> 9, the validation packet)].
dec bounce "nat64handoff.bounce && udp.dstport#1 == $HPORT" ip.src ip.dst udp.srcport udp.dstport ipv6.nxt
[ -s "$T/bounce" ] || fail "no bounce dissected"
IFS='|' read -r bipsrc _ _ bdport bnxt <"$T/bounce"
[ "$bipsrc" = "$NAT64;$SERVER" ] && [ "$bdport" = "$HPORT;9" ] && [ "$bnxt" = 59 ] ||
	fail "bounce layers: ip.src=$bipsrc udp.dstport=$bdport ipv6.nxt=$bnxt"
ok "bounce: embedded IPv4 $SERVER:$HPORT -> $NAT64:9 with the validation packet inside"

# 6. IPv6 over the control channel, decoded by Wireshark's ipv6 dissector:
# the client's TCP SYN to the server and the ICMPv6 echo reply.
dec syn "udp.dstport#1 == $HPORT && ipv6.src == $CLIENT && tcp.flags.syn == 1" \
    ipv6.dst tcp.srcport nat64handoff.hint
IFS='|' read -r sdst ssport shint <"$T/syn"
[ "$sdst" = "64:ff9b::c000:201" ] && [ "$ssport" = "$CPORT" ] && [ "$shint" = "$HINT" ] ||
	fail "embedded TCP SYN: dst=$sdst sport=$ssport hint=$shint"
dec echo "udp.srcport#1 == $HPORT && icmpv6.type == 129" ipv6.dst
[ "$(head -n 1 "$T/echo")" = "$CLIENT" ] || fail "no ICMPv6 echo reply to $CLIENT dissected"
ok "embedded IPv6: TCP SYN [$CLIENT]:$CPORT -> 64:ff9b::c000:201, hint $HINT, echo reply"

# 7. Hand-made garbage: each is marked malformed (expert group Malformed,
# severity Error) with the expert info hw_parse()'s error would name.
# shellcheck disable=SC2086 # $GARBAGE is a word list
names=$(printf '%s\n' $GARBAGE | cut -d: -f2 | sort -u)
efields=()
for name in $names; do efields+=("nat64handoff.expert.$name"); done
dec garb "udp.srcport#1 >= 31001 && udp.srcport#1 <= 31098" udp.srcport _ws.expert.group \
    _ws.expert.severity "${efields[@]}"
# shellcheck disable=SC2086
ngarb=$(printf '%s\n' $GARBAGE | wc -l)
[ "$(wc -l <"$T/garb")" = "$ngarb" ] || { cat "$T/garb"; fail "$(wc -l <"$T/garb") of $ngarb garbage packets dissected"; }
for g in $GARBAGE; do
	port=${g%%:*} name=${g#*:}
	col=4
	for n in $names; do [ "$n" = "$name" ] && break; col=$((col + 1)); done
	awk -F'|' -v p="$port" -v c="$col" '
	    $1 == p && ("|" $2 ";") ~ /[|;]117440512;/ && ("|" $3 ";") ~ /[|;]8388608;/ && $c != "" { found = 1 }
	    END { exit !found }' "$T/garb" ||
		{ grep "^$port|" "$T/garb"; fail "garbage from port $port: no malformed/error expert '$name'"; }
done
ok "$ngarb hand-made malformed payloads: each flagged Malformed/Error with the expected expert"

# The sim's own garbage (sent from its control port) is flagged too, and
# nothing in it made the dissector fail (checked above: no Lua error).
dec simgarb "udp.srcport#1 == $SIMPORT && _ws.expert.group == 0x07000000" udp.srcport
[ "$(wc -l <"$T/simgarb")" -ge 10 ] || fail "only $(wc -l <"$T/simgarb") of the sim's garbage packets flagged malformed"
ok "$(wc -l <"$T/simgarb") of handoff-sim's garbage packets flagged malformed"

# 8. Preferences: with the ports moved away and the heuristic off, nothing is
# ours; with the heuristic on, the well-formed packets are found again.
n_off=$(tshark -n -r "$CAP" -X lua_script:"$LUA" -o nat64handoff.server_port:6465 \
    -o nat64handoff.control_port:0 -o nat64handoff.heuristic:FALSE -Y nat64handoff 2>/dev/null | wc -l)
n_heur=$(tshark -n -r "$CAP" -X lua_script:"$LUA" -o nat64handoff.server_port:6465 \
    -o nat64handoff.control_port:0 -Y "nat64handoff && ip.src == $SERVER" 2>/dev/null | wc -l)
n_noval=$(tshark -n -r "$CAP" -X lua_script:"$LUA" -o nat64handoff.validation:FALSE \
-Y nat64handoff.validation 2>/dev/null | wc -l)
[ "$n_off" = 0 ] || fail "$n_off packets dissected with the ports moved and no heuristic"
[ "$n_noval" = 0 ] || fail "$n_noval validation packets flagged with validation:FALSE"
[ "$n_heur" -ge 5 ] || fail "heuristic found only $n_heur server packets"
ok "preferences: ports moved + heuristic off: 0 packets; heuristic on: $n_heur server packets; validation off: 0 flagged"

# 9. Agreement with the C parser: the server counts every packet it drops by
# hw_parse()/hw_check_to_server() error (status drop_<name>). The dissector's
# verdict (nat64handoff.error) over every packet sent to the server must give
# the same counts. (An empty payload never reaches a UDP payload dissector: it
# is counted from udp.length.)
dec verdicts "udp.dstport#1 == $HPORT" udp.length nat64handoff.error
nrx=$(wc -l <"$T/verdicts")
# status: SIGUSR1 until the server has handled every captured packet
for _ in $(seq 50); do
	before=$(sed -n 's/^time //p' "$T/state/status")
	kill -USR1 "$SRV_PID"
	for _ in $(seq 40); do
		[ "$(sed -n 's/^time //p' "$T/state/status")" != "$before" ] && break
		sleep 0.05
	done
	[ "$(awk '$1 == "rx_packets" { print $2 }' "$T/state/status")" = "$nrx" ] && break
	sleep 0.1
done
rx=$(awk '$1 == "rx_packets" { print $2 }' "$T/state/status")
[ "$rx" = "$nrx" ] || fail "server handled $rx packets, the capture holds $nrx sent to it"
mism=
for pair in empty:empty trunc:truncated format:unknown_format dup:duplicate_type \
    ip_header:ip_header badlen:bad_length ident:bad_identifier \
    multi:bad_multi too_many:too_many_entries no_token:no_token no_payload:no_payload \
    entry_needs:entry_incomplete ipv6_needs_auth:ipv6_without_auth; do
	ours=${pair%%:*} theirs=${pair#*:}
	if [ "$ours" = empty ]; then
		nd=$(awk -F'|' '{ split($1, l, ";") } l[1] == 8' "$T/verdicts" | wc -l)
	else
		nd=$(awk -F'|' -v n="$ours" '{ split($2, e, ";") } e[1] == n' "$T/verdicts" | wc -l)
	fi
	ns=$(awk -v k="drop_$theirs" '$1 == k { print $2 }' "$T/state/status")
	[ "$nd" = "$ns" ] || mism="$mism $ours: dissector $nd, server drop_$theirs=${ns:-missing};"
	[ "$nd" = 0 ] || echo "   $ours: $nd"
done
[ -z "$mism" ] || fail "dissector and nat64-handoffd disagree:$mism"
ok "dissector verdicts on $nrx packets to the server agree with nat64-handoffd's drop counters"

kill -TERM "$SRV_PID"
wait "$SRV_PID" || fail "server exit status $? after SIGTERM"
SRV_PID=

echo "PASS"
