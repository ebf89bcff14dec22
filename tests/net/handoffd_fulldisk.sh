#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# The persistence contract on a full disk: state and audit log on a small
# tmpfs that the test fills. Once a write has failed the server answers no
# new entry (it still answers lookups of existing ones), says so in its
# log, and resumes by itself when space is freed. A kill -9 while the disk
# is full, in the middle of a burst that started before it filled, loses
# no answered entry: after a restart every entry handoff-sim recorded as
# answered is served again, and every one has its Created line.
. "$(dirname "$0")/handoffd_common.inc"

SMALL=$T/small
mkdir -p "$SMALL"
mount -t tmpfs -o size=2m nk-fulldisk "$SMALL" || { echo "SKIP: cannot mount a tmpfs"; exit 77; }
trap 'rc=$?; umount -l "$SMALL" 2>/dev/null; (exit $rc); cleanup' EXIT
STATE=$SMALL/state
LOGDIR=$SMALL/log
AUDIT=$LOGDIR/nat64-handoff.log
SIMARGS="-a 127.0.0.2 -N 2 -C 40002"

fill_disk() {	# until ENOSPC; returns when the filesystem is full
	dd if=/dev/zero of="$SMALL/fill$1" bs=4k 2>/dev/null
	[ "$(df --output=avail -k "$SMALL" | tail -n 1 | tr -d ' ')" -le 4 ] || fail "tmpfs not full"
}
wait_log() {	# wait_log PATTERN COUNT: COUNT lines matching PATTERN in the server's log
	local i
	for i in $(seq 200); do
		[ "$(grep -c "$1" "$T/server.err")" -ge "$2" ] && return 0
		sleep 0.05
	done
	fail "no '$1' (x$2) in the server's log"
}
# answered_have_created REC AUDIT: every recorded answer has a Created line
answered_have_created() {
	awk 'NR == FNR { if ($3 == "Created") seen[$4 " " $5] = 1; next }
	    { k = $1 ":" $2 " [" $3 "]:" $4; n++; if (!(k in seen)) { bad++; if (bad <= 3) print "no Created line: " k } }
	    END { print n + 0 " answered entries, " bad + 0 " without a Created line"; exit bad > 0 }' "$2" "$1"
}

start_server -L "$LOGDIR" -t 20000
out=$(sim $SIMARGS -c 100 --record "$T/rec1" -e entries=200) || fail "fill: $out"
sleep 1.2	# tokens reach the disk on the 1 s timer

# 1. Disk full: writes into the last pages' slack may still succeed; once
# one fails, nothing new is answered.
fill_disk 1
out=$(sim $SIMARGS -c 400 --client-base 1000 -T 200ms -R 1 --probe-retries 2 --record "$T/rec2" \
    -e 'timeouts>=0' -e 'bad=0' 2>&1)
echo "$out" | tail -n 1
wait_log 'new entries paused' 1
slack=$(wc -l <"$T/rec2")
echo "answered before the first failed write (page slack): $slack"
out=$(sim $SIMARGS -c 200 --client-base 5000 -T 200ms -R 1 --probe-retries 2 --record "$T/rec3" \
    -e 'timeouts>=1' -e answers_ok=0 -e entries=0 2>&1)
rc=$?
echo "$out" | tail -n 1
[ $rc -eq 0 ] || fail "new entries answered while the disk is full"
[ ! -s "$T/rec3" ] || fail "$(wc -l <"$T/rec3") entries answered while the disk is full"
echo "entries answered while full: 0"
out=$(sim $SIMARGS -c 100 --verify "$T/rec1" --lookups -e lookups_ok=200 -e validations=0 2>&1)
rc=$?
echo "$out" | tail -n 1
[ $rc -eq 0 ] || fail "existing entries not answered while the disk is full"
alive || fail "server died on a full disk"

# 2. Space freed: creation resumes by itself.
rm -f "$SMALL/fill1"
wait_log 'storage writable again' 1
out=$(sim $SIMARGS -c 100 --client-base 8000 --record "$T/rec4" -e entries=200 -e validations=0 2>&1)
rc=$?
echo "$out" | tail -n 1
[ $rc -eq 0 ] || fail "creation did not resume after space was freed"
fresh_status
echo "status: storage_paused=$(st storage_paused) storage_pauses=$(st storage_pauses)" \
    "storage_write_failures=$(st storage_write_failures) drop_storage_paused=$(st drop_storage_paused)" \
    "answers_withheld=$(st answers_withheld) audit_lost_octets=$(st audit_lost_octets)"
[ "$(st storage_paused)" = 0 ] || fail "still paused after space was freed"
[ "$(st storage_pauses)" -ge 1 ] && [ "$(st drop_storage_paused)" -ge 1 ] || fail "the pause was not counted"
[ "$(st audit_lost_octets)" = 0 ] || fail "audit lines lost"

# 3. A burst, the disk fills in its middle, kill -9 while full.
ip netns exec "$NS" "$SIM" -s $SERVER -p $HPORT $SIMARGS -c 3000 --client-base 20000 -w 64 -r 3000 \
    -T 300ms -R 1 --record "$T/rec5" -e 'timeouts>=0' -e 'bad=0' -e validations=0 >"$T/sim5.out" 2>&1 &
SIM_PID=$!
for i in $(seq 200); do
	[ "$( { wc -l <"$T/rec5"; } 2>/dev/null || echo 0)" -ge 500 ] && break
	sleep 0.05
done
fill_disk 2
wait_log 'new entries paused' 2
sleep 0.5
kill9_server
sleep 0.3
kill -TERM $SIM_PID
wait $SIM_PID
rc=$?
tail -n 1 "$T/sim5.out"
[ $rc -eq 0 ] || fail "the sim saw bad answers during the burst"
n5=$(wc -l <"$T/rec5")
[ "$n5" -ge 500 ] && [ "$n5" -lt 6000 ] || fail "burst answered $n5 entries: test is blind"
echo "burst: $n5 entries answered before the kill"

# 4. Restart on the freed disk: every answered entry is there, with its line.
rm -f "$SMALL/fill2"
cat "$T/rec1" "$T/rec2" "$T/rec4" "$T/rec5" >"$T/answered"
n=$(wc -l <"$T/answered")
cp "$AUDIT" "$T/audit.before"
start_server -L "$LOGDIR" -t 20000
out=$(sim $SIMARGS -c 23000 --verify "$T/answered" --lookups -e validations=0 -e lookups_ok="$n" 2>&1)
rc=$?
echo "$out" | tail -n 1
[ $rc -eq 0 ] || fail "answered entries missing or changed after kill -9 and restart"
answered_have_created "$T/answered" "$T/audit.before" || fail "answered entries without a Created line"
check_audit_format "$AUDIT"
alive || fail "server died"
echo "PASS"
