#!/usr/bin/env bash
# update-dns64 -b unbound with a real Unbound as the DNS64 resolver
# (healthd_common.inc rig, Unbound instead of the recursive BIND):
# Unbound takes one prefix, so nat64-healthd's first selected prefix (healthy
# ones come first) is the one synthesized; killing that NAT64 moves Unbound
# to the next prefix (unbound-control reload also drops cached answers).
. "$(dirname "$0")/healthd_common.inc"
for c in unbound unbound-control unbound-checkconf; do
	command -v $c >/dev/null || { echo "SKIP: $c not installed (package unbound)"; exit 77; }
done
RIG_NO_BIND_RESOLVER=1
rig_up 3
mkdir -p "$T/ub"
printf 'server:\n\tdns64-prefix: 2001:db8:64:3::/96\n' >"$T/ub/dns64.conf"
cat >"$T/ub/unbound.conf" <<EOF2
server:
	interface: ::1
	interface: 127.0.0.1
	port: 53
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$T/ub"
	pidfile: ""
	use-syslog: no
	logfile: ""
	verbosity: 1
	module-config: "dns64 iterator"
	access-control: ::1 allow
	access-control: 127.0.0.1 allow
	do-not-query-localhost: no
	local-zone: "test." nodefault
include: "$T/ub/dns64.conf"
forward-zone:
	name: "example.test"
	forward-addr: 192.0.2.53
remote-control:
	control-enable: yes
	control-interface: 127.0.0.1
	control-port: 8953
	control-use-cert: no
EOF2
unbound-checkconf "$T/ub/unbound.conf" >/dev/null || fail "unbound.conf"
ip netns exec "$NS_C" unbound -d -c "$T/ub/unbound.conf" >"$T/ub/unbound.log" 2>&1 &
PIDS+=("$!")
UBC="unbound-control -c $T/ub/unbound.conf"
wait_for 10 nsx "$NS_C" $UBC status >/dev/null 2>&1 || fail "unbound did not start: $(tail -3 "$T/ub/unbound.log")"
wait_for 10 aaaa_is 3 || { cat "$T/ub/unbound.log"; nsx "$NS_C" dig @::1 AAAA v4.example.test; fail "unbound not synthesizing from the first include: '$(aaaa)'"; }

: >"$T/prefixes"
for i in 1 2 3; do echo "2001:db8:64:$i::/96" >>"$T/prefixes"; done
ip netns exec "$NS_C" "$HD" -f "$T/empty.conf" -s "$T/status" --selection-file "$T/selection" -i 500ms -t 400ms -r 2 -F 3 --hold-down 1s \
    -p tcp:192.0.2.2:80 -p dns:192.0.2.53:53:example.test "$T/prefixes" -- \
    "$UD" -b unbound -o "$T/ub/dns64.conf" --reload-cmd "$UBC reload" >>"$T/healthd.log" 2>&1 &
HD_PID=$!
wait_for 20 aaaa_is 1 || fail "unbound not on prefix 1: '$(aaaa)'"
grep -q '^	dns64-prefix: 2001:db8:64:1::/96$' "$T/ub/dns64.conf" || fail "fragment at start"
echo "start: Unbound synthesizes from $(aaaa)"
tayga_stop 1
wait_for 20 aaaa_is 2 || fail "unbound not moved to prefix 2: '$(aaaa)'"
echo "NAT64 1 killed: Unbound synthesizes from $(aaaa)"
healthd_alive
grep -q '^	dns64-prefix: 2001:db8:64:2::/96$' "$T/ub/dns64.conf" || fail "fragment"
echo PASS
