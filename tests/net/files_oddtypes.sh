#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# Every program against odd files where it expects a regular one: a FIFO, a
# directory, a symbolic link loop and a link to /dev/zero in place of each
# file it reads (configuration, nat64-healthd's prefix file, also after
# SIGHUP, nat64-handoffd's tokens and journals, nat64d's handoff.state,
# handoff-sim's --verify file, the file update-dns64 replaces). A file the
# program reads as input must give a clear error ("not a regular file",
# or the loop's own error) and exit non-zero; a state file the man pages say is set aside must be set aside
# (PATH.corrupt-*) by a daemon that keeps running and exits 0 on SIGTERM.
# Each case has a generous deadline only to tell a hang from an answer;
# the time each took is printed, never asserted.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SRV=$PWD/$BUILD/nat64-handoffd SIM=$PWD/$BUILD/handoff-sim ND=$PWD/$BUILD/nat64d
HD=$PWD/$BUILD/nat64-healthd UD=$PWD/$BUILD/update-dns64
# nat64-healthd's run keeps to $T: no resolver check, no selection file.
HDX=(--verify none --selection-file none)
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespace, TUN, UDP port 9)"; exit 77; }
[ -e /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
for b in "$SRV" "$SIM" "$ND" "$HD" "$UD"; do [ -x "$b" ] || { echo "FAIL: $b not built"; exit 1; }; done

DEADLINE=60	# seconds: only to detect a hang
NS=nk-odd-$$
T=$(mktemp -d /tmp/nk-odd.XXXXXX)
PID=
cleanup() {
	local rc=$?
	[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add "$NS" || { echo "FAIL: cannot create namespace $NS"; exit 1; }
ip netns exec "$NS" ip link set lo up
FAILS=0 PASSES=0
bad() { echo "FAIL $*"; FAILS=$((FAILS + 1)); }
good() { echo "ok   $*"; PASSES=$((PASSES + 1)); }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
CLEAR='not a regular file|not a directory|Too many levels of symbolic links'

# odd PATH KIND: put a KIND where PATH was
odd() {
	rm -rf "$1"
	case $2 in
	fifo) mkfifo "$1" ;;
	dir) mkdir "$1" ;;
	loop) ln -s "$(basename "$1")" "$1" ;;
	zero) ln -s /dev/zero "$1" ;;
	esac
}

# refuse NAME CMD...: must exit non-zero with a clear error, in time
refuse() {
	local name=$1 t0 rc out
	shift
	t0=$(date +%s%N)
	out=$(timeout -k 2 $DEADLINE "$@" 2>&1 </dev/null)
	rc=$?
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		bad "$name: hung (killed after ${DEADLINE}s)"
	elif [ $rc -eq 0 ]; then
		bad "$name: exit 0 ($(ms $t0) ms): $(echo "$out" | tail -n 1)"
	elif ! echo "$out" | grep -Eq "$CLEAR"; then
		bad "$name: exit $rc without a clear error: $(echo "$out" | tail -n 2)"
	else
		good "$name: exit $rc in $(ms $t0) ms: $(echo "$out" | grep -Em1 "$CLEAR")"
	fi
}

# daemon_ok NAME READY_RE LOG: the daemon in $PID logged READY_RE, still
# runs, then exits 0 on SIGTERM, all in time
daemon_ok() {
	local name=$1 re=$2 log=$3 t0=$4 i rc
	for i in $(seq $((DEADLINE * 20))); do
		grep -Eq "$re" "$log" 2>/dev/null && break
		kill -0 $PID 2>/dev/null || break
		sleep 0.05
	done
	if ! kill -0 $PID 2>/dev/null; then
		wait $PID; rc=$?; PID=
		bad "$name: daemon exited ($rc): $(tail -n 2 "$log")"
		return 1
	fi
	if ! grep -Eq "$re" "$log"; then
		bad "$name: not ready within ${DEADLINE}s: $(tail -n 2 "$log") (in $(cat /proc/$PID/comm 2>/dev/null):" \
		    "$(cat /proc/$PID/wchan 2>/dev/null))"
		kill -9 $PID; wait $PID; PID=
		return 1
	fi
	return 0
}
stop_ok() {
	local name=$1 t0=$2 i rc
	kill -TERM $PID
	for i in $(seq $((DEADLINE * 20))); do kill -0 $PID 2>/dev/null || break; sleep 0.05; done
	if kill -0 $PID 2>/dev/null; then
		kill -9 $PID; wait $PID; PID=
		bad "$name: SIGTERM ignored for ${DEADLINE}s (hung)"
		return 1
	fi
	wait $PID; rc=$?; PID=
	[ $rc -eq 0 ] || { bad "$name: exit $rc after SIGTERM: $(tail -n 3 "$3" | tr '\n' '|')"; return 1; }
	return 0
}
aside_ok() {	# NAME PATH T0
	if ls -d "$2".corrupt-* >/dev/null 2>&1; then
		good "$1: set aside as $(basename "$(ls -d "$2".corrupt-* | head -n 1)"), kept running, SIGTERM: exit 0, $(ms "$3") ms"
	else
		bad "$1: not set aside"
	fi
}

printf '2001:db8:64:1::\n2001:db8:64:2::\n' >"$T/pf.good"
n=0
for kind in fifo dir loop zero; do
	n=$((n + 1))
	# --- configuration files (links are legitimate: followed) ---
	odd "$T/handoffd.conf" $kind
	refuse "nat64-handoffd config ($kind)" ip netns exec "$NS" "$SRV" -f "$T/handoffd.conf" -s "$T/hs-$kind"
	odd "$T/nat64d.conf" $kind
	refuse "nat64d config ($kind)" "$ND" -d -f "$T/nat64d.conf"
	odd "$T/healthd.conf" $kind
	refuse "nat64-healthd config ($kind)" "$HD" "${HDX[@]}" -f "$T/healthd.conf" -p tcp:192.0.2.2:80 "$T/pf.good" -- true
	# --- the audit log nat64-handoffd appends to (a link is never legitimate) ---
	mkdir -p "$T/hl-$kind"
	odd "$T/hl-$kind/nat64-handoff.log" $kind
	refuse "nat64-handoffd audit log ($kind)" ip netns exec "$NS" "$SRV" -l 127.0.0.1 -s "$T/hs-audit-$kind" -L "$T/hl-$kind"
	# --- inputs ---
	odd "$T/pf" $kind
	refuse "nat64-healthd prefix file at start ($kind)" "$HD" "${HDX[@]}" -s "$T/hd-status" -p tcp:192.0.2.2:80 "$T/pf" -- true
	odd "$T/verify" $kind
	refuse "handoff-sim --verify ($kind)" ip netns exec "$NS" "$SIM" -s 127.0.0.1 --verify "$T/verify" -d 2s
	odd "$T/dns64.conf" $kind	# the file it replaces, read to keep its reverse zones
	refuse "update-dns64 --output ($kind)" "$UD" -o "$T/dns64.conf" --check-cmd "" --reload-cmd "" 64:ff9b::/96

	# --- nat64-healthd: the prefix file replaced, then SIGHUP ---
	rm -rf "$T/pf"; cp "$T/pf.good" "$T/pf"
	t0=$(date +%s%N)
	: >"$T/hd.log"	# emptied here: the child truncates it only after the fork
	"$HD" "${HDX[@]}" -s "$T/hd-status" -i 100ms -t 50ms --startup 200ms -p tcp:192.0.2.2:80 "$T/pf" -- true \
	    >>"$T/hd.log" 2>&1 &
	PID=$!
	if daemon_ok "nat64-healthd SIGHUP ($kind)" ' selected$' "$T/hd.log" "$t0"; then
		odd "$T/pf" $kind
		kill -HUP $PID
		for i in $(seq $((DEADLINE * 20))); do grep -Eq "$CLEAR" "$T/hd.log" && break; sleep 0.05; done
		if ! grep -Eq "$CLEAR" "$T/hd.log"; then
			bad "nat64-healthd SIGHUP ($kind): no clear error logged: $(tail -n 2 "$T/hd.log")"
			kill -9 $PID; wait $PID; PID=
		elif stop_ok "nat64-healthd SIGHUP ($kind)" "$t0" "$T/hd.log"; then
			good "nat64-healthd SIGHUP ($kind): $(grep -Em1 "$CLEAR" "$T/hd.log"), kept running, SIGTERM: exit 0, $(ms "$t0") ms"
		fi
	fi

	# --- nat64-handoffd: tokens, then a journal, set aside ---
	S=$T/hstate-$kind
	mkdir -p "$S/channels"
	odd "$S/tokens" $kind
	t0=$(date +%s%N)
	: >"$T/ho.log"
	ip netns exec "$NS" "$SRV" -p 6464 -l 127.0.0.1 -s "$S" >>"$T/ho.log" 2>&1 &
	PID=$!
	daemon_ok "nat64-handoffd tokens ($kind)" 'listening on' "$T/ho.log" "$t0" &&
	    stop_ok "nat64-handoffd tokens ($kind)" "$t0" "$T/ho.log" && aside_ok "nat64-handoffd tokens ($kind)" "$S/tokens" "$t0"
	J=$S/channels/127.0.0.2-127.0.0.1.tbl
	odd "$J" $kind
	t0=$(date +%s%N)
	: >"$T/ho.log"
	ip netns exec "$NS" "$SRV" -p 6464 -l 127.0.0.1 -s "$S" >>"$T/ho.log" 2>&1 &
	PID=$!
	if daemon_ok "nat64-handoffd journal ($kind)" 'listening on' "$T/ho.log" "$t0"; then
		# the channel loads on first use: a NAT64 at that address
		out=$(timeout -k 2 $DEADLINE ip netns exec "$NS" "$SIM" -s 127.0.0.1 -a 127.0.0.2 -C 40002 -c 2 \
		    -e entries=2 2>&1) || bad "nat64-handoffd journal ($kind): channel not served: $(echo "$out" | tail -n 1)"
		stop_ok "nat64-handoffd journal ($kind)" "$t0" "$T/ho.log" && aside_ok "nat64-handoffd journal ($kind)" "$J" "$t0"
	fi

	# --- nat64d: handoff.state set aside ---
	D=$T/ndstate-$kind
	mkdir -p "$D"
	odd "$D/handoff.state" $kind
	printf 'tun-device nk64odd%s\nprefix 64:ff9b::/96\npool4 198.51.100.0/30\nhandoff yes\nstate-dir %s\ncontrol-socket none\n' \
	    $n "$D" >"$T/nd.conf"
	t0=$(date +%s%N)
	: >"$T/nd.log"
	ip netns exec "$NS" "$ND" -d -f "$T/nd.conf" >>"$T/nd.log" 2>&1 &
	PID=$!
	daemon_ok "nat64d handoff.state ($kind)" 'translating on' "$T/nd.log" "$t0" &&
	    stop_ok "nat64d handoff.state ($kind)" "$t0" "$T/nd.log" && aside_ok "nat64d handoff.state ($kind)" "$D/handoff.state" "$t0"
done
echo "files_oddtypes: $PASSES passed, $FAILS failed"
[ $FAILS -eq 0 ]
