#!/usr/bin/env bash
# tests/net/nat64d_calls.sh — nat64d's source files call each other in one
# direction only (no cycle, no callback up into a caller), checked over
# cflow's call graph and every function-pointer registration
# (scripts/nat64d-calls.sh). Needs no root; skips without cflow.
cd "$(dirname "$0")/../.."
exec scripts/nat64d-calls.sh
