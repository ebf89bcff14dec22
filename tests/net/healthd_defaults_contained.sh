#!/usr/bin/env bash
# nat64-healthd on its built-in probe targets (public anycast resolvers)
# must never reach them from a test: the daemon runs with no -p and no
# config in a network namespace D whose only device besides lo is a veth
# to a sink namespace K, which has no other device and does not forward.
# A capture in D and K's counters show the DNS probes to the default
# targets, synthesized with the prefix, were made, reached only K and went
# no further (K forwarded and sent nothing).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
HD=$PWD/$BUILD/nat64-healthd
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
for c in ip tshark; do command -v $c >/dev/null || { echo "SKIP: $c not installed"; exit 77; }; done
[ -x "$HD" ] || { echo "FAIL: $HD not built"; exit 1; }
NS=nk-hdd-$$-d
NK=nk-hdd-$$-k
T=$(mktemp -d /tmp/nk-hdd.XXXXXX)
PID= CAP=
cleanup() {
	local rc=$?
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	[ -n "$CAP" ] && kill "$CAP" 2>/dev/null
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NK" 2>/dev/null
	[ $rc -ne 0 ] && [ $rc -ne 77 ] && { echo "--- log"; cat "$T/log"; }
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*"; exit 1; }

ip netns add "$NS" || fail "netns"
ip netns add "$NK" || fail "netns"
ip netns exec "$NS" ip link set lo up
ip link add d0 netns "$NS" type veth peer name k0 netns "$NK"
ip netns exec "$NK" sysctl -qw net.ipv6.conf.all.forwarding=0
ip netns exec "$NK" ip link set k0 up
ip netns exec "$NS" ip link set d0 up
ip netns exec "$NS" ip -6 addr add 2001:db8:d::1/64 dev d0 nodad
ip netns exec "$NK" ip -6 addr add 2001:db8:d::2/64 dev k0 nodad
ip netns exec "$NS" ip -6 route add 2001:db8:64::/48 via 2001:db8:d::2
[ "$(ip netns exec "$NS" ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')" = "d0 lo " ] ||
    fail "the namespace has other devices"
[ "$(ip netns exec "$NK" ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')" = "k0 lo " ] ||
    fail "the sink has other devices"
printf '2001:db8:64:1::/96\n' >"$T/prefixes"
: >"$T/empty.conf"
"$HD" -n -f "$T/empty.conf" "$T/prefixes" -- true | grep '^probe ' >"$T/probes"
echo "defaults: $(tr '\n' ' ' <"$T/probes")"
[ "$(wc -l <"$T/probes")" = 3 ] || fail "not the three default targets"

ip netns exec "$NS" tshark -q -n -i d0 -w "$T/cap.pcap" -f "udp or tcp" >/dev/null 2>&1 &
CAP=$!
sleep 1.5
tx0=$(ip netns exec "$NS" cat /sys/class/net/d0/statistics/tx_packets)
ktx0=$(ip netns exec "$NK" cat /sys/class/net/k0/statistics/tx_packets)
krx0=$(ip netns exec "$NK" cat /sys/class/net/k0/statistics/rx_packets)
ip netns exec "$NS" "$HD" -f "$T/empty.conf" -s "$T/status" --selection-file none --verify none \
    "$T/prefixes" -- true >"$T/log" 2>&1 &
PID=$!
sleep 5
kill "$PID"; wait "$PID"; PID=
sleep 0.5
kill "$CAP"; wait "$CAP" 2>/dev/null; CAP=
tx=$(( $(ip netns exec "$NS" cat /sys/class/net/d0/statistics/tx_packets) - tx0 ))
krx=$(( $(ip netns exec "$NK" cat /sys/class/net/k0/statistics/rx_packets) - krx0 ))
ktx=$(( $(ip netns exec "$NK" cat /sys/class/net/k0/statistics/tx_packets) - ktx0 ))
kfwd=$(ip netns exec "$NK" awk '$1 == "Ip6OutForwDatagrams" {print $2}' /proc/net/snmp6)
tshark -n -r "$T/cap.pcap" -T fields -e ipv6.dst -e udp.dstport -e dns.qry.name 2>/dev/null |
    sort | uniq -c >"$T/dsts"
echo "sent by D: $tx packets; received by the sink: $krx, sent by it (only to D, its one peer): $ktx, forwarded by it: $kfwd"
echo "captured in D, by destination:"
sed 's/^/    /' "$T/dsts"
[ "$tx" -gt 0 ] || fail "no probe was made"
[ "$kfwd" = 0 ] || fail "the sink forwarded $kfwd packets"
for a in 2001:db8:64:1::808:808 2001:db8:64:1::101:101 2001:db8:64:1::909:909; do
	grep -q " $a	53	<Root>\| $a	53	$" "$T/dsts" || fail "no DNS probe to $a"
done
awk '{print $2}' "$T/dsts" | grep -qv '^2001:db8:64:1::\(808:808\|101:101\|909:909\)$' &&
    fail "packets to other destinations"
echo PASS
