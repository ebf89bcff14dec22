#!/usr/bin/env bash
# scripts/nat64d-calls.sh — the calls between nat64d's source files, and a
# check that they form no cycle (data flows one way: no file calls back up
# into a file that called it, directly or through others).
#
# Direct calls come from cflow (every function, static ones too, depth 2:
# each function and what it calls, with the file of each definition).
# Function pointers are found by grep: every nat64d function named
# anywhere but in a call or its definition is a registration. A
# registration `x.field = fn` / `x->field = fn` adds an edge from every
# file that calls through `field(` to fn's file; a function passed as an
# argument is listed and fails the check unless the callee is in lib/
# (the event loop's handlers, called from the loop main.c runs).
#
# bib.c and session.c are one module (nd_state.h) and count as one file.
#
# Usage: scripts/nat64d-calls.sh [-v]   (-v: print every edge)
# Exit: 0 no cycle, 1 a cycle or a callback into nat64d, 77 no cflow.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cflow >/dev/null || { echo "SKIP: cflow not installed"; exit 77; }
verbose=${1:-}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
cflow -AA -d 2 --omit-arguments -I lib -I nat64d nat64d/*.c >"$tmp" 2>/dev/null
python3 - "$tmp" "$verbose" <<'PY'
import glob, re, sys

cflow, verbose = sys.argv[1], sys.argv[2] == "-v"
# One module in two files (nd_state.h): an entry goes with its last
# session and a deleted entry takes its sessions, so they call each other.
GROUP = {"nat64d/bib.c": "nat64d/bib.c+session.c", "nat64d/session.c": "nat64d/bib.c+session.c"}
loc = re.compile(r"^(\s*)(\w+)\(\) <.* at (nat64d/[\w.]+):\d+>")
edges, caller = {}, None
defs = {}
for line in open(cflow):
    m = loc.match(line)
    if not m:
        if not line.startswith(" "):
            caller = None
        continue
    ind, fn, f = m.groups()
    f = GROUP.get(f, f)
    if ind == "":
        caller = f
        defs.setdefault(fn, set()).add(f)
    elif caller and f != caller:
        edges.setdefault((caller, f), set()).add(fn)

# Function pointers: a nat64d function named outside a call and its
# definition (comments and strings removed first).
def strip(t):
    t = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), t, flags=re.S)
    return re.sub(r'"(\\.|[^"\\\n])*"', '""', t)
src = {}
for f in glob.glob("nat64d/*.c"):
    src[GROUP.get(f, f)] = src.get(GROUP.get(f, f), "") + strip(open(f).read())
libh = "".join(open(h).read() for h in glob.glob("lib/*.h"))
def callee_of(text, pos):
    depth, i = 0, pos
    while i > 0:
        i -= 1
        c = text[i]
        if c == ")":
            depth += 1
        elif c == "(":
            if depth == 0:
                m = re.search(r"(\w+)\s*$", text[:i])
                if m and m.group(1) not in ("if", "while", "for", "return", "sizeof", "switch"):
                    return m.group(1)
            else:
                depth -= 1
        elif c in ";{}" and depth == 0:
            return None
    return None
fail, regs = [], []
for f, text in src.items():
    for fn, where in defs.items():
        for m in re.finditer(r"(?<![\w.>])(?<!struct )\b%s\b(?!\s*\()" % re.escape(fn), text):
            line = text[text.rfind("\n", 0, m.start()) + 1:text.find("\n", m.end())]
            if re.match(r"\s*(static|typedef|#)", line) or re.match(r"\s*%s\b" % re.escape(fn), line) \
                    or re.match(r"[A-Z0-9_]+\(\s*%s\b" % re.escape(fn), line):
                continue	# a definition (also through a macro)
            a = re.search(r"(?:\.|->)(\w+)\s*=\s*%s\b" % re.escape(fn), line)
            if a:
                field = a.group(1)
                callers = sorted(c for c, t in src.items() if re.search(r"(?:\.|->)%s\s*\(" % field, t))
                regs.append("%s: %s = %s (%s), called through by %s" % (f, field, fn,
                    "/".join(sorted(where)), ", ".join(callers) or "nobody"))
                for c in callers:
                    for d in where:
                        if c != d:
                            edges.setdefault((c, d), set()).add(fn + " (pointer " + field + ")")
                continue
            callee = callee_of(text, m.start())
            if callee is None:
                if where == {f}:
                    regs.append("%s: %s in a table of its own file" % (f, fn))
                    continue
                fail.append("%s takes the address of %s (%s)" % (f, fn, "/".join(sorted(where))))
                continue
            if callee in defs and defs[callee] == where == {f}:
                regs.append("%s: %s passed to %s() of the same file" % (f, fn, callee))
            elif re.search(r"\b%s\s*\(" % re.escape(callee), libh):
                regs.append("%s: %s passed to %s() (lib/: the event loop main.c runs)" % (f, fn, callee))
            else:
                regs.append("%s: %s passed to %s()" % (f, fn, callee))
                fail.append("%s passes %s to %s, outside lib/" % (f, fn, callee))

files = sorted({a for a, b in edges} | {b for a, b in edges})
print("calls between nat64d's files (caller -> callee: functions):")
for (a, b) in sorted(edges):
    names = sorted(edges[(a, b)])
    if verbose:
        print("  %-18s -> %-18s %s" % (a[7:], b[7:], " ".join(names)))
    else:
        print("  %-18s -> %-18s %d function(s)" % (a[7:], b[7:], len(names)))
print("function pointers (every registration):")
for r in sorted(set(regs)):
    print("  " + r)

# Cycles: depth-first search over the file graph.
adj = {}
for (a, b) in edges:
    adj.setdefault(a, []).append(b)
state, stack, cycles = {}, [], []
def dfs(u):
    state[u] = 1
    stack.append(u)
    for v in adj.get(u, []):
        if state.get(v) == 1:
            cycles.append(stack[stack.index(v):] + [v])
        elif v not in state:
            dfs(v)
    stack.pop()
    state[u] = 2
for u in files:
    if u not in state:
        dfs(u)
for c in cycles:
    fail.append("cycle: " + " -> ".join(x[7:] for x in c))
# Layers: a file's depth is the longest chain of calls below it.
depth = {}
def d(u):
    if u not in depth:
        depth[u] = 0
        depth[u] = 1 + max([d(v) for v in adj.get(u, [])], default=-1)
    return depth[u]
if not cycles:
    print("layers (a file calls only files in lower layers):")
    for lv in sorted({d(u) for u in files}, reverse=True):
        print("  %d: %s" % (lv, " ".join(sorted(u[7:] for u in files if d(u) == lv))))
for f in fail:
    print("FAIL " + f)
print("%d files, %d file-to-file edges, %d registrations, %s" % (len(files), len(edges),
    len(set(regs)), "no cycle" if not fail else "%d problem(s)" % len(fail)))
sys.exit(1 if fail else 0)
PY
