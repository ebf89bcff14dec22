#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoff_metrics.sh — the Prometheus textfiles of nat64d (metrics-file) and
# nat64-handoffd (--metrics-file) after real traffic through the handoff
# topology: `promtool check metrics` finds nothing to say about either, and
# every figure of the status files (the scalars, nat64d's handoff_server
# lines, nat64-handoffd's channel lines) has its sample in the textfile with
# the same value; the textfiles have build_info and nothing the status
# files do not explain.
. "$(dirname "$0")/handoff_common.inc"

command -v promtool >/dev/null || { echo "SKIP: promtool (prometheus) not installed"; exit 77; }
ND_PROM=$W/nat64d.prom HO_PROM=$W/ho-s/handoffd.prom
ND_CONF_EXTRA="metrics-file $ND_PROM"

ho_topology
servers_start S
ho_start S --metrics-file "$HO_PROM"
nd_start

for p in 40001 40002 40003; do
	body=$(ho_curl $p)
	check "curl [client]:$p through the gateway" grep -q "^hello /p$p from $S4" <<<"$body"
done
check "audit: Created for [client]:40003" wait_for 15 has_created "$AUDIT" 40003
# a UDP datagram and a ping too (sessions of other protocols)
nsx "$NS_C" ping -c 2 -W 2 -q "$T6" >/dev/null
check "a UDP datagram through the gateway" eval \
    'echo x | nsx "$NS_C" socat -u - "UDP6-SENDTO:[$T6]:9999" 2>/dev/null'
sleep 0.5

# fresh status files and textfiles, written together
rm -f "$ND_PROM" "$HO_PROM"
nd_status
wait_for 5 test -s "$ND_PROM" || die "nat64d wrote no metrics file after SIGUSR1"
ho_status S
wait_for 5 test -s "$HO_PROM" || die "nat64-handoffd wrote no metrics file after SIGUSR1"
sleep 0.3	# both files of a write are renamed in place by now
cp "$ND_STATUS" "$W/nd.st"; cp "$ND_PROM" "$W/nd.prom"
cp "$HO_STATE_S/status" "$W/ho.st"; cp "$HO_PROM" "$W/ho.prom"

check "promtool check metrics: nat64d textfile clean" eval \
    'promtool check metrics <"$W/nd.prom" >"$W/pt-nd" 2>&1 && ! [ -s "$W/pt-nd" ] || { cat "$W/pt-nd"; false; }'
check "promtool check metrics: nat64-handoffd textfile clean" eval \
    'promtool check metrics <"$W/ho.prom" >"$W/pt-ho" 2>&1 && ! [ -s "$W/pt-ho" ] || { cat "$W/pt-ho"; false; }'

cat >"$W/cmp.py" <<'PYEOF'
# cmp.py PROG STATUS PROM: every status figure against its sample.
import re, sys
prog, stpath, prompath = sys.argv[1:4]
pre = "nat64d_" if prog == "nat64d" else "nat64_handoffd_"
samples, helps, types, names, ftype = {}, set(), set(), set(), {}
for line in open(prompath):
    line = line.rstrip("\n")
    if line.startswith("# HELP "):
        helps.add(line.split()[2]); continue
    if line.startswith("# TYPE "):
        types.add(line.split()[2]); ftype[line.split()[2]] = line.split()[3]; continue
    m = re.match(r'^([a-z0-9_]+)(\{(.*)\})? (\S+)$', line)
    if not m:
        print("bad line: " + line); sys.exit(1)
    labels = tuple(sorted(re.findall(r'([a-z0-9_]+)="([^"]*)"', m.group(3) or "")))
    if (m.group(1), labels) in samples:
        print("duplicate series: " + line); sys.exit(1)
    samples[(m.group(1), labels)] = m.group(4)
    names.add(m.group(1))
bad = n = 0
def want(name, labels, value):
    global bad, n
    n += 1
    got = samples.pop((name, tuple(sorted(labels))), None)
    if got is None:
        print("missing sample %s%s (status %s)" % (name, dict(labels), value)); bad += 1
    elif got != value:
        print("%s%s: textfile %s, status %s" % (name, dict(labels), got, value)); bad += 1
# the keys with a unit: Prometheus base units
renamed = {"storage_paused_ms": ("storage_paused_seconds", lambda v: "%.3f" % (int(v) / 1000)),
           "audit_pending_octets": ("audit_pending_bytes", str),
           "audit_lost_octets": ("audit_lost_bytes_total", str)}
# the levels (gauges, no _total): nat64d(8) and nat64-handoffd(8), METRICS;
# every other key is a count
gauges = {"nat64d": {"bib_entries", "sessions", "handoff_cache_entries", "handoff_held_now",
                     "handoff_servers", "quota_records",
                     "bib_static", "held_syns"},
          "handoffd": {"channels", "channels_loaded", "channels_active", "tokens",
                       "storage_paused"}}[prog]
def scalar(key, value):
    if prog == "handoffd" and key in renamed:
        want(pre + renamed[key][0], (), renamed[key][1](value)); return
    want(pre + key + ("" if key in gauges else "_total"), (), value)
chfields = {"entries": "entries", "capacity": "capacity", "memory": "memory_bytes"}
srvfields = {"cached": "cached_entries", "rx": "rx_packets_total", "tx": "tx_packets_total",
             "announced": "announced_total", "fwd": "forwarded_total", "downs": "downs_total"}
for line in open(stpath):
    f = line.split()
    if prog == "nat64d" and f[0] == "handoff_server":
        lab = [("server", f[1])]
        for st in ("supported", "unknown", "down"):
            want("nat64d_handoff_server_state", lab + [("state", st)], "1" if st == f[2] else "0")
        for kv in f[3:]:
            k, v = kv.split("=")
            want("nat64d_handoff_server_" + srvfields[k], lab, v)
    elif prog == "handoffd" and f[0] == "channel":
        if f[3] == "not-loaded":
            continue
        lab = [("nat64", f[1]), ("server", f[2])]
        for i in range(3, len(f) - 1, 2):
            want("nat64_handoffd_channel_" + chfields.get(f[i], f[i] + "_total"), lab, f[i + 1])
    elif len(f) == 2 and f[0] not in ("pid", "port", "nat64-handoffd-status") and re.match(r"^\d+$", f[1]):
        scalar(f[0], f[1])
want(pre + "build_info", [("version", open("VERSION").read().strip())], "1")
left = sorted(k for k in samples if not k[0].endswith("_unlabelled"))
for k in left:
    print("sample not in the status file: %s%s" % (k[0], dict(k[1])))
for name in names | helps:
    if name not in types or name not in helps:
        print("family without HELP or TYPE: " + name); bad += 1
# counters, and only counters, end in _total
for name, t in ftype.items():
    if (t == "counter") != name.endswith("_total"):
        print("family %s of TYPE %s" % (name, t)); bad += 1
print("%s: %d figures compared, %d differ, %d extra" % (prog, n, bad, len(left)))
sys.exit(1 if bad or left or n < 20 else 0)
PYEOF
check "nat64d: textfile values equal the status file's" "$PY" "$W/cmp.py" nat64d "$W/nd.st" "$W/nd.prom"
check "nat64-handoffd: textfile values equal the status file's" "$PY" "$W/cmp.py" handoffd "$W/ho.st" "$W/ho.prom"
check "nat64d: a labelled sample for the handoff server $S4" \
    grep -q "^nat64d_handoff_server_state{server=\"$S4\",state=\"supported\"} 1\$" "$W/nd.prom"
check "nat64-handoffd: a labelled sample for the gateway's channel" \
    grep -q "^nat64_handoffd_channel_entries{nat64=\"$POOL\",server=\"$S4\"} [1-9]" "$W/ho.prom"
check "nat64d: counted traffic (rx6 > 0)" grep -q '^nat64d_rx6_total [1-9]' "$W/nd.prom"
ho_finish
