#!/usr/bin/env bash
# Benchmark: durable ingest vs a bare axum handler parsing the same JSON, on loopback,
# 64 connections, bounded in time. Prints requests/s, p50/p99 latency, their ratio, and
# the server's peak RSS, for SQLite and (when it answers) PostgreSQL.
#   bash scripts/bench-ingest.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hark-target}"
command -v wrk >/dev/null || { echo "bench: wrk is needed (Debian package wrk)" >&2; exit 1; }
cargo build --release --quiet --package hark-server --bin hark --example bare_ingest
hark="$CARGO_TARGET_DIR/release/hark"
bare="$CARGO_TARGET_DIR/release/examples/bare_ingest"
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

wait_for() { for _ in $(seq 100); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "bench: $1 did not answer" >&2; return 1; }

# wrk's summary → "rps p50 p99" (latencies in ms).
load() {
  wrk -t2 -c64 -d"${duration}s" --timeout 5s --latency -s scripts/bench/submit.lua "$1" > "$work/wrk.txt"
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, bad }
  ' "$work/wrk.txt"
}

port=3950
"$bare" "127.0.0.1:$port" > /dev/null & pids+=($!)
wait_for "http://127.0.0.1:$port/nothing" 2>/dev/null || true
sleep 0.5
read -r bare_rps bare_p50 bare_p99 bare_bad < <(load "http://127.0.0.1:$port/api/v1/sites/pk_bench/submissions")

printf '\n%-28s %10s %9s %9s %7s %9s\n' "server (64 connections)" "req/s" "p50 ms" "p99 ms" "ratio" "RSS MB"
printf '%-28s %10s %9s %9s %7s %9s\n' "bare axum + same parse" "$bare_rps" "$bare_p50" "$bare_p99" "1.00" "-"

bench_backend() { # label database_url
  local label=$1 url=$2 port=$(( port + ${#pids[@]} ))
  local key
  key=$(DATABASE_URL="$url" "$hark" site add --name Bench --origin http://bench.invalid --json | sed 's/.*"site_key":"\([^"]*\)".*/\1/')
  DATABASE_URL="$url" HARK_ADDR="127.0.0.1:$port" HARK_RATE_LIMIT=0 RUST_LOG=warn "$hark" serve > /dev/null 2>&1 & pids+=($!)
  local pid=$!
  wait_for "http://127.0.0.1:$port/readyz"
  read -r rps p50 p99 bad < <(load "http://127.0.0.1:$port/api/v1/sites/$key/submissions")
  local rss
  rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
  local ratio
  ratio=$(awk -v a="$rps" -v b="$bare_rps" 'BEGIN { printf "%.2f", a / b }')
  printf '%-28s %10s %9s %9s %7s %9s\n' "$label" "$rps" "$p50" "$p99" "$ratio" "$rss"
  [ "$bad" = 0 ] || echo "  ($bad responses were not 2xx)"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

bench_backend "hark, SQLite (WAL, FULL)" "sqlite://$work/bench.db"
pg_admin="${HARK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
if command -v psql >/dev/null && psql "$pg_admin" -Atqc "SELECT 1" >/dev/null 2>&1; then
  db="hark_bench_$$"
  psql "$pg_admin" -qc "CREATE DATABASE $db"
  bench_backend "hark, PostgreSQL" "${pg_admin%/*}/$db"
  psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)"
else
  echo "PostgreSQL SKIPPED: nothing answers at $pg_admin"
fi
echo "(wrk -t2 -c64 -d${duration}s on loopback; ratio = hark req/s ÷ bare req/s; RSS = peak resident set)"
