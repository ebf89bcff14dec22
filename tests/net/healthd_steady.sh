#!/usr/bin/env bash
# Fast and steady selection at default settings, with real BIND 9 and 4
# tayga NAT64s (healthd_common.inc); figures printed, not asserted:
#  1. failover: a selected NAT64 killed -> its prefix leaves dig's answers
#     (3 trials, median printed; the default settings aim at <= 5 s);
#  2. from a set not in file order (a fresh daemon started while NAT64 1
#     was down: 2 3 4; 1 back later), every NAT64 down for 30 s, then
#     back: applies and answer changes, and the set after;
#  3. --notify heard every health and selection change, in the order the
#     daemon logged them;
#  4. a restart from a set that is not in file order (selecting 2 of 3:
#     NAT64 1 died and came back, the set stays 2 3) keeps that set and
#     does not touch BIND (no reconfig).
. "$(dirname "$0")/healthd_common.inc"

cat >"$T/notify" <<EOF
#!/bin/sh
echo "\$* | \$NAT64_HEALTHD_EVENT \$NAT64_HEALTHD_PREFIX | \$NAT64_HEALTHD_SELECTION" >>"$T/events"
EOF
chmod +x "$T/notify"
rig_up 4
start_healthd -p tcp:192.0.2.2:80 -p icmp:192.0.2.2 --notify "$T/notify"
wait_for 30 aaaa_is "1 2 3" || fail "start: '$(aaaa)'"
wait_for 10 status_is 4 state up || fail "4 not up"
echo "start: $(aaaa)"

# 1. failover at defaults
times=()
for trial in 1 2 3; do
	victim=
	for i in 1 2 3 4; do [ "$(status_field $i selected)" = 1 ] && { victim=$i; break; }; done
	others=$(for i in 1 2 3 4; do [ $i != "$victim" ] && echo $i; done | tr '\n' ' ')
	sleep 1
	t0=$(ms_now)
	tayga_stop "$victim"
	wait_for 20 aaaa_is "${others% }" || fail "trial $trial: $victim did not leave: '$(aaaa)'"
	times+=($(( $(ms_now) - t0 )))
	echo "failover $trial: NAT64 $victim killed -> gone from dig's answers after ${times[-1]} ms"
	tayga_start "$victim"
	wait_for 30 status_is "$victim" state up || fail "trial $trial: $victim not up again"
done
med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
echo "failover at defaults (interval 2s, fast 500ms, timeout 1s, fall 2): median of 3 = ${med} ms (aim: <= 5000)"

# 2. all down for 30 s, and back, from a set not in file order; a fresh
# daemon, so that every prefix has the same hold-down history
kill "$HD_PID"; wait "$HD_PID"; HD_PID=
echo "# restart" >>"$T/events"
tayga_stop 1
rm -f "$T/selection" "$T/status"
start_healthd -p tcp:192.0.2.2:80 -p icmp:192.0.2.2 --notify "$T/notify"
wait_for 30 apply_is runs 1 || fail "the new daemon did not apply"
wait_for 30 aaaa_is "2 3 4" || fail "without NAT64 1: '$(aaaa)'"
tayga_start 1
wait_for 30 status_is 1 state up || fail "1 not up"
[ "$(aaaa)" = "$(want_aaaa "2 3 4")" ] || fail "1 displaced a healthy prefix"
echo "before the outage: $(aaaa) (not file order)"
runs0=$(apply_field runs)
( while [ ! -e "$T/stop-mon" ]; do a=$(aaaa); [ -n "$a" ] && echo "$a"; sleep 0.2; done ) >"$T/answers" &
MON=$!
PIDS+=("$MON")
for i in 1 2 3 4; do tayga_stop $i; done
sleep 30
runs_down=$(( $(apply_field runs) - runs0 ))
for i in 1 2 3 4; do tayga_start $i; done
for i in 1 2 3 4; do wait_for 40 status_is $i state up || fail "$i not up after all-down"; done
sleep 3
touch "$T/stop-mon"; wait "$MON" 2>/dev/null
runs_all=$(( $(apply_field runs) - runs0 ))
changes=$(uniq "$T/answers" | wc -l)
uniq -c "$T/answers" | sed 's/^/    answers: /'
echo "    applies: $runs0 before, $(apply_field runs) after"
echo "all 4 NAT64s down 30 s, then back: $runs_down applies while down, $(( runs_all - runs_down )) on recovery; dig's answer took $((changes - 1)) changes; now: $(aaaa)"
[ "$(aaaa)" = "$(want_aaaa "1 2 3")" ] || echo "NOTE: after recovery the set is not file order: $(aaaa)"
[ "$runs_down" -le 1 ] || echo "NOTE: more than one apply while all were down"

# 3. --notify: the same changes in the same order as the log
kill "$HD_PID"; wait "$HD_PID"; HD_PID=
grep -o 'prefix [^ ]* is \(up\|down\)' "$T/healthd.log" | awk '{print $4, $2}' >"$T/log-ev"
grep -E '^(up|down) ' "$T/events" | awk '{print $1, $2}' >"$T/notify-ev"
diff -u "$T/log-ev" "$T/notify-ev" >"$T/ev.diff" || fail "notify up/down differ from the log: $(cat "$T/ev.diff")"
nsel=$(grep -c '^selection ' "$T/events")
[ "$nsel" -ge 1 ] || fail "no selection event"
grep -q '^down 2001:db8:64:[0-9]::/96 | down 2001:db8:64:[0-9]::/96 | ' "$T/events" || fail "event environment"
echo "notify: $(grep -vc '^#' "$T/events") events ($(wc -l <"$T/notify-ev") up/down in the log's order, $nsel selections); first: $(head -1 "$T/events")"
i=0; prev=
while read -r line; do
	[ "$line" = "# restart" ] && { prev=; continue; }
	set -- $line
	[ "$1" = selection ] || continue
	shift; cur="$*"; cur=${cur%% |*}
	[ "$cur" != "$prev" ] || fail "two selection events with the same set"
	prev=$cur
done <"$T/events"

# 4. a restart from a set not in file order: 2 of 3
tayga_stop 4
: >"$T/healthd.log"
printf '2001:db8:64:1::/96\n2001:db8:64:2::/96\n2001:db8:64:3::/96\n' >"$T/prefixes3"
rm -f "$T/selection"
ip netns exec "$NS_C" "$HD" -f "$T/empty.conf" -s "$T/status" --selection-file "$T/selection" -M 2 \
    -p tcp:192.0.2.2:80 -p icmp:192.0.2.2 "$T/prefixes3" -- "$UD" -o "$T/res/dns64.conf" \
    --reload-cmd "rndc -s 127.0.0.1 -p 953 -k $T/res/rndc.key reconfig" >>"$T/healthd.log" 2>&1 &
HD_PID=$!
wait_for 30 aaaa_is "1 2" || fail "restart part: '$(aaaa)'"
tayga_stop 1
wait_for 20 aaaa_is "2 3" || fail "restart part: 1 did not leave"
tayga_start 1
wait_for 30 status_is 1 state up || fail "restart part: 1 not up"
[ "$(aaaa)" = "$(want_aaaa "2 3")" ] || fail "restart part: the set changed when 1 came back"
grep -q '^want 2001:db8:64:2::/96 2001:db8:64:3::/96$' "$T/selection" || fail "selection file: $(cat "$T/selection")"
reconf0=$(grep -c 'received control channel command .reconfig' "$T/res/named.log")
kill "$HD_PID"; wait "$HD_PID"; HD_PID=
: >"$T/healthd.log"
ip netns exec "$NS_C" "$HD" -f "$T/empty.conf" -s "$T/status" --selection-file "$T/selection" -M 2 \
    -p tcp:192.0.2.2:80 -p icmp:192.0.2.2 "$T/prefixes3" -- "$UD" -o "$T/res/dns64.conf" \
    --reload-cmd "rndc -s 127.0.0.1 -p 953 -k $T/res/rndc.key reconfig" >>"$T/healthd.log" 2>&1 &
HD_PID=$!
wait_for 10 eval 'grep -q "^verify dns64_served_matches 1 " "$T/status" 2>/dev/null' || fail "after the restart: no matching check"
sleep 8	# probes confirm the set: nothing changes
reconf=$(grep -c 'received control channel command .reconfig' "$T/res/named.log")
echo "restart from 2 3 (not file order): $(grep -m1 'selection from' "$T/healthd.log" | sed 's/^nat64-healthd: //'); after 8 s: dig -> $(aaaa), applies $(apply_field runs), BIND reconfigs $((reconf - reconf0))"
[ "$(aaaa)" = "$(want_aaaa "2 3")" ] || fail "the restart changed the set"
[ "$reconf" = "$reconf0" ] || fail "the restart touched BIND ($((reconf - reconf0)) reconfigs)"
[ "$(apply_field runs)" = 0 ] || fail "COMMAND ran after the restart"
[ "$(status_field 1 selected) $(status_field 2 selected) $(status_field 3 selected)" = "0 1 1" ] ||
    fail "status after the restart"
healthd_alive
echo PASS
