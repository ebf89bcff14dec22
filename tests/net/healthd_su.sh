#!/usr/bin/env bash
# The original's own start line, unchanged but for the program's path, with
# real BIND 9 (healthd_common.inc rig: 2 tayga NAT64s):
#	su -s /bin/sh - bind -c '/usr/local/sbin/nat64-healthd /etc/bind/nat64-prefixes
#	    -- /usr/local/sbin/update-dns64'
# `su -` leaves PATH=/usr/local/bin:/usr/bin:/bin and nothing else, so all
# comes from system paths. Those are the test's own, never the machine's:
# a private mount namespace (unshare -m) gets an overlay on /etc (the
# machine's files below, the test's writes in $T) and bind mounts of $T
# directories over /etc/bind, /etc/nat64kit, /usr/local/sbin and
# /var/lib/bind. In it:
#  1. the probe targets come only from /etc/nat64kit/nat64-healthd.conf;
#  2. BIND is down when the daemon starts: the first apply fails (rndc from
#     /usr/sbin, found without PATH), and update-dns64 leaves a dns64.conf
#     that changes nothing, so named.conf's include of it lets BIND start
#     (the safe first start);
#  3. BIND started: the served-set check sees it serve no DNS64, re-applies,
#     and dig shows AAAA synthesized from the selected prefixes;
#  4. the status file is where user bind can write it (/var/lib/bind), and
#     --status reads it with no option.
. "$(dirname "$0")/healthd_common.inc"
command -v unshare >/dev/null && command -v nsenter >/dev/null && command -v su >/dev/null ||
	{ echo "SKIP: unshare, nsenter and su (util-linux) needed"; exit 77; }
getent passwd bind >/dev/null || { echo "SKIP: no user bind (bind9 package)"; exit 77; }

RIG_NO_BIND_RESOLVER=1 rig_up 2

# the system paths, as the test's own directories
mkdir -p "$T/up" "$T/work" "$T/etcbind" "$T/nk" "$T/sbin" "$T/varlib" "$T/cache"
cp "$HD" "$UD" "$T/sbin/"
printf '2001:db8:64:1::/96\n2001:db8:64:2::/96\n' >"$T/etcbind/nat64-prefixes"
printf '# the probes, as an operator would set them\nprobe tcp:192.0.2.2:80\nprobe icmp:192.0.2.2\n' \
    >"$T/nk/nat64-healthd.conf"
rndc-confgen -a -c "$T/etcbind/rndc.key" >/dev/null 2>&1 || fail "rndc-confgen"
printf '.\t3600000\tNS\ta.root.invalid.\na.root.invalid.\t3600000\tA\t127.0.0.1\n' >"$T/cache/root.hint"
cat >"$T/etcbind/named.conf" <<EOF
include "/etc/bind/rndc.key";
controls { inet 127.0.0.1 port 953 allow { 127.0.0.1; } keys { "rndc-key"; }; };
options {
	directory "$T/cache";
	pid-file none;
	listen-on port 53 { 127.0.0.1; };
	listen-on-v6 port 53 { ::1; };
	recursion yes;
	allow-query { any; };
	allow-recursion { any; };
	dnssec-validation no;
	include "/var/lib/bind/dns64.conf";
};
zone "." { type hint; file "root.hint"; };
zone "example.test" { type forward; forward only; forwarders { 192.0.2.53; }; };
EOF
chown -R root:bind "$T/etcbind"
chmod 640 "$T/etcbind/rndc.key"
chown bind:bind "$T/varlib"
chmod 775 "$T/varlib"

# the private mount namespace, inside the client's network namespace; a
# holder process keeps it for nsenter
cat >"$T/mounts.sh" <<EOF
set -e
mount -t overlay overlay -o lowerdir=/etc,upperdir=$T/up,workdir=$T/work /etc
mkdir -p /etc/nat64kit
mount --bind $T/etcbind /etc/bind
mount --bind $T/nk /etc/nat64kit
mount --bind $T/sbin /usr/local/sbin
mount --bind $T/varlib /var/lib/bind
if [ -e /run/nat64-healthd ]; then mount -t tmpfs -o size=1m tmpfs /run/nat64-healthd; rmdir /run/nat64-healthd 2>/dev/null || true; fi
touch $T/mounted
exec sleep 600
EOF
ip netns exec "$NS_C" unshare -m --propagation private sh "$T/mounts.sh" >"$T/mounts.log" 2>&1 &
HOLDER=$!
PIDS+=("$HOLDER")
wait_for 5 test -e "$T/mounted" || fail "mounts: $(cat "$T/mounts.log")"
mns() { nsenter -t "$HOLDER" -m -n "$@"; }
# the machine's files are not these
[ "$(mns cat /etc/bind/nat64-prefixes)" = "$(cat "$T/etcbind/nat64-prefixes")" ] || fail "bind mount"
[ -e /etc/bind/nat64-prefixes ] && cmp -s /etc/bind/nat64-prefixes "$T/etcbind/nat64-prefixes" &&
    fail "the machine's /etc/bind shows the test's file"
mns test -d /run/nat64-healthd && fail "/run/nat64-healthd exists in the test's namespace"

# 1+2. the original's line, BIND not running yet
mns su -s /bin/sh - bind -c '/usr/local/sbin/nat64-healthd /etc/bind/nat64-prefixes -- /usr/local/sbin/update-dns64' \
    >>"$T/healthd.log" 2>&1 &
SU_PID=$!
PIDS+=("$SU_PID")
wait_for 20 test -s "$T/varlib/dns64.conf" || fail "no dns64.conf written: $(tail -5 "$T/healthd.log")"
wait_for 10 grep -q "cannot run rndc\|connect failed\|connection refused" "$T/healthd.log" ||
    fail "first apply did not reach rndc: $(tail -5 "$T/healthd.log")"
grep -q "cannot run rndc" "$T/healthd.log" && fail "rndc not found without sbin in PATH"
grep -q '^dns64' "$T/varlib/dns64.conf" && fail "a prefix in dns64.conf before BIND ever took one"
echo "BIND down at start: $(grep -m1 'apply failed' "$T/healthd.log" | sed 's/^.*apply failed/apply failed/' | cut -c1-120)"
mns named-checkconf /etc/bind/named.conf || fail "named.conf with the include does not pass named-checkconf"
pid=$(pgrep -u bind -f '^/usr/local/sbin/nat64-healthd /etc/bind/nat64-prefixes' | head -1)
[ -n "$pid" ] || fail "no nat64-healthd running as bind"
[ "$(ps -o user= -p "$pid")" = bind ] || fail "not running as bind"
tr '\0' '\n' </proc/$pid/environ | grep '^PATH=' | sed 's/^/daemon environment: /'
grep -q 'with 2 probes' "$T/healthd.log" || fail "probes not from /etc/nat64kit/nat64-healthd.conf: $(head -3 "$T/healthd.log")"
echo "probes from the system config: $(grep -m1 'watching' "$T/healthd.log" | sed 's/^nat64-healthd: //')"

# 3. BIND starts from the no-prefix include, while the retry backoff is
# long (4 s after the third failure): the served-set check brings the set in
wait_for 30 grep -q 'apply failed (3 in a row)' "$T/healthd.log" || fail "no third retry"
t0=$(ms_now)
mns named -c /etc/bind/named.conf -g >"$T/named.log" 2>&1 &
RES_PID=$!
wait_for 15 mns rndc status >/dev/null 2>&1 || fail "BIND did not start with the include: $(tail -5 "$T/named.log")"
wait_for 30 aaaa_is "1 2" || fail "dig never showed prefixes 1 2: '$(aaaa)'; $(tail -5 "$T/healthd.log")"
echo "BIND started: dig AAAA v4.example.test -> $(aaaa) ($(( $(ms_now) - t0 )) ms after named was started)"
grep -q 'serves another DNS64 set' "$T/healthd.log" || fail "the check did not see BIND serve no DNS64"
echo "check: $(grep -m1 'serves another DNS64 set' "$T/healthd.log" | sed 's/^nat64-healthd: //' | cut -c1-160)"

# 4. the status where bind can write it, read with no option
[ "$(stat -c %U "$T/varlib/nat64-healthd.status" 2>/dev/null)" = bind ] || fail "status not in /var/lib/bind"
wait_for 10 eval 'mns "$HD" --status | grep -q "^verify dns64_served_matches 1 "' || fail "served set never matched"
mns "$HD" --status >"$T/st" || fail "--status with the default path"
grep -q '^prefix 2001:db8:64:1::/96 state up selected 1 ' "$T/st" || fail "status: $(cat "$T/st")"
grep -q '^verify dns64_served_matches 1 ' "$T/st" || fail "status: served set not matching: $(cat "$T/st")"
[ -s "$T/varlib/nat64-healthd.state" ] || fail "no selection file in /var/lib/bind"
kill "$pid"
wait_for 5 eval '! kill -0 '"$pid"' 2>/dev/null' || fail "nat64-healthd did not exit on TERM"
echo PASS
