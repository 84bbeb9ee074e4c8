#!/usr/bin/env bash
# Benchmark: the CPU work of storing a submission, as instructions counted by valgrind's
# callgrind: repeatable where requests per second on a shared machine are not (see
# bench-ingest.sh, whose rounds spread by up to 38 % here). For each shape of traffic
# it starts `hark serve` on a fresh SQLite file under callgrind, sends load with wrk for
# a while, and prints the instructions the server ran per stored submission while the
# load lasted, and per submission for what it did once the load was over (it indexes
# for search then). Valgrind runs one thread at a time, so batches are smaller than on
# the real machine: compare builds with each other, not with bench-ingest's figures.
# PostgreSQL's own work happens in its processes and is not counted, so SQLite only.
#   bash scripts/bench-ingest-work.sh [seconds of load, default 30]
# HARK_BENCH_OLD=/path/to/an/older/hark measures that binary too, shape by shape.
# HARK_BENCH_KEEP=/some/folder keeps each load's callgrind file there, for
# `callgrind_annotate` to say which functions the instructions went to.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-30}"
source scripts/target-dir.sh
source scripts/bench/ingest-common.sh
for tool in wrk valgrind callgrind_control sqlite3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (Debian packages wrk, valgrind, sqlite3)" >&2; exit 1; }
done
cargo build --release --quiet --package hark-server --bin hark
binaries=("new|$CARGO_TARGET_DIR/release/hark")
[ -n "${HARK_BENCH_OLD:-}" ] && binaries+=("old|$HARK_BENCH_OLD")
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=3940

# The instructions in one callgrind dump.
instructions() { awk '/^(summary|totals):/ { print $2; exit }' "$1"; }

measure() { # binary ids origin name → "submissions during-load afterwards"
  local binary=$1 ids=$2 origin=$3 name=$4 dir key stored
  dir=$(mktemp -d -p "$work")
  key=$(bench_site "$binary" "sqlite://$dir/hark.db")
  port=$((port + 1))
  DATABASE_URL="sqlite://$dir/hark.db" HARK_ADDR="127.0.0.1:$port" HARK_RATE_LIMIT=0 RUST_LOG=warn \
    valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" "$binary" serve > /dev/null 2> "$dir/valgrind.log" &
  pid=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break; sleep 0.2; done
  # Each dump holds what was counted since the one before: 1 the start, 2 the load.
  callgrind_control -d "$pid" > /dev/null 2>&1
  HARK_BENCH_IDS="$ids" HARK_BENCH_ORIGIN="$origin" \
    wrk -t2 -c16 -d"${duration}s" --timeout 30s -s scripts/bench/submit.lua \
    "http://127.0.0.1:$port/api/v1/sites/$key/submissions" > "$dir/wrk.txt"
  callgrind_control -d "$pid" > /dev/null 2>&1
  sleep 5
  kill "$pid"; wait "$pid" 2>/dev/null || true
  pid=
  stored=$(sqlite3 "$dir/hark.db" "SELECT count(*) FROM submissions")
  [ -n "${HARK_BENCH_KEEP:-}" ] && mkdir -p "$HARK_BENCH_KEEP" && cp "$dir/cg.out.2" "$HARK_BENCH_KEEP/$name.callgrind"
  awk -v n="$stored" -v during="$(instructions "$dir/cg.out.2")" -v after="$(instructions "$dir/cg.out")" \
    'BEGIN { printf "%d %.0f %.0f\n", n, during / n, after / n }'
}

printf '%-32s %12s %16s %16s\n' "SQLite, wrk -c16 -d${duration}s" "submissions" "per one, load" "per one, after"
for shape in "${shapes[@]}"; do
  IFS='|' read -r name ids origin <<< "$shape"
  for entry in "${binaries[@]}"; do
    IFS='|' read -r tag binary <<< "$entry"
    label="$name"
    [ "${#binaries[@]}" = 2 ] && label="$label ($tag)"
    read -r stored load after < <(measure "$binary" "$ids" "$origin" "$(echo "$label" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9\n' '-')")
    printf '%-32s %12s %16s %16s\n' "$label" "$stored" "$load" "$after"
  done
done
echo "(instructions the server ran, counted by callgrind, per submission stored: while the load lasted, and in the"
echo " 5 s after it, when the SQLite writer indexes for search)"
