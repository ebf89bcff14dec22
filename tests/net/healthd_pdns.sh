#!/usr/bin/env bash
# update-dns64 -b pdns with a real PowerDNS Recursor as the DNS64 resolver
# (healthd_common.inc rig, pdns_recursor instead of the recursive BIND).
# dns64-prefix cannot change at run time, so the reload command restarts
# the recursor (a small script here, `systemctl restart pdns-recursor` by
# default). One prefix: the first healthy one; kill its NAT64 and the
# recursor comes back on the next.
. "$(dirname "$0")/healthd_common.inc"
for c in pdns_recursor rec_control; do
	command -v $c >/dev/null || { echo "SKIP: $c not installed (package pdns-recursor)"; exit 77; }
done
RIG_NO_BIND_RESOLVER=1
rig_up 3
P=$T/pdns
mkdir -p "$P/conf.d"
printf 'dns64-prefix=2001:db8:64:3::/96\n' >"$P/conf.d/dns64.conf"
cat >"$P/recursor.conf" <<EOF2
local-address=::1,127.0.0.1
local-port=53
socket-dir=$P
forward-zones=example.test=192.0.2.53,2.0.192.in-addr.arpa=192.0.2.53
dnssec=off
include-dir=$P/conf.d
daemon=no
write-pid=no
disable-syslog=yes
EOF2
cat >"$P/restart" <<EOF2
#!/bin/sh
# stop the running recursor (if any), start it again, wait until it answers
if [ -f "$P/run.pid" ]; then
	kill \$(cat "$P/run.pid") 2>/dev/null
	for i in \$(seq 50); do kill -0 \$(cat "$P/run.pid") 2>/dev/null || break; sleep 0.1; done
fi
pdns_recursor --config-dir="$P" </dev/null >>"$P/pdns.log" 2>&1 &
echo \$! >"$P/run.pid"
for i in \$(seq 50); do
	rec_control --socket-dir="$P" ping >/dev/null 2>&1 && exit 0
	sleep 0.1
done
echo "pdns_recursor did not come back" >&2
exit 1
EOF2
chmod +x "$P/restart"
nsx "$NS_C" "$P/restart" || fail "pdns_recursor did not start: $(tail -3 "$P/pdns.log")"
wait_for 10 aaaa_is 3 || { tail -5 "$P/pdns.log"; fail "recursor not synthesizing from the first fragment: '$(aaaa)'"; }

: >"$T/prefixes"
for i in 1 2 3; do echo "2001:db8:64:$i::/96" >>"$T/prefixes"; done
ip netns exec "$NS_C" "$HD" -f "$T/empty.conf" -s "$T/status" --selection-file "$T/selection" -i 500ms -t 400ms -r 2 -F 3 --hold-down 1s \
    -p tcp:192.0.2.2:80 -p dns:192.0.2.53:53:example.test "$T/prefixes" -- \
    "$UD" -b pdns -o "$P/conf.d/dns64.conf" --reload-cmd "$P/restart" >>"$T/healthd.log" 2>&1 &
HD_PID=$!
wait_for 20 aaaa_is 1 || fail "recursor not on prefix 1: '$(aaaa)'"
echo "start: PowerDNS Recursor synthesizes from $(aaaa)"
tayga_stop 1
wait_for 20 aaaa_is 2 || fail "recursor not moved to prefix 2: '$(aaaa)'"
echo "NAT64 1 killed: PowerDNS Recursor synthesizes from $(aaaa)"
healthd_alive
[ "$(grep -v '^#' "$P/conf.d/dns64.conf")" = "dns64-prefix=2001:db8:64:2::/96" ] || fail "fragment"
echo PASS
