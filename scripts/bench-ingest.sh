#!/usr/bin/env bash
# Benchmark: durable ingest vs a bare axum handler parsing the same JSON, on loopback,
# 64 connections, bounded in time. Prints requests/s, p50/p99 latency, their ratio, and
# the server's peak RSS, for SQLite and (when it answers) PostgreSQL, in four shapes of
# traffic: time-ordered (v7) or random (v4) ids, each without `Origin` (a merchant's
# server) and with one (a shopper's browser, through CORS; the widget's own shape is
# v7 with Origin).
#   bash scripts/bench-ingest.sh [seconds per run, default 10] [rounds, default 3]
# HARK_BENCH_OLD=/path/to/an/older/hark adds that binary beside this build's, each
# shape of each store taking turns with it (old and new on the same machine, same
# minutes). The servers take turns, round after round, and the summary gives each one's
# median: wrk and the servers share the machine, whose speed drifts by ±10 % within
# minutes. HARK_BENCH_BACKENDS="sqlite" (or "postgres") runs one of the two stores.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
rounds="${2:-3}"
source scripts/target-dir.sh
command -v wrk >/dev/null || { echo "bench: wrk is needed (Debian package wrk)" >&2; exit 1; }
cargo build --release --quiet --package hark-server --bin hark --example bare_ingest
hark="$CARGO_TARGET_DIR/release/hark"
old="${HARK_BENCH_OLD:-}"
bench_origin="http://bench.invalid"
bare="$CARGO_TARGET_DIR/release/examples/bare_ingest"
work=$(mktemp -d)
pids=()
pg_admin="${HARK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "${postgres:-}" ]; then
    for db in $(psql "$pg_admin" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'hark_bench_$$\_%'"); do
      psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

wait_for() { for _ in $(seq 100); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "bench: $1 did not answer" >&2; return 1; }

# wrk's summary → "rps p50 p99 non2xx" (latencies in ms).
load() {
  HARK_BENCH_IDS="$2" HARK_BENCH_ORIGIN="$3" \
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

row() { printf '%-40s %10s %9s %9s %7s %9s\n' "$@"; }
results="$work/results" # label rps p50 p99 ratio rss, one line per run

bench_bare() { # port → "rps p50 p99"
  "$bare" "127.0.0.1:$1" > /dev/null & pids+=($!)
  local pid=$!
  sleep 0.5
  read -r rps p50 p99 _ < <(load "http://127.0.0.1:$1/api/v1/sites/pk_bench/submissions" v7 "")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$rps $p50 $p99"
}

bench_hark() { # label binary database_url port bare_rps ids origin
  local label=$1 binary=$2 url=$3 port=$4 bare_rps=$5 ids=$6 origin=$7 key
  key=$(DATABASE_URL="$url" "$binary" site add --name Bench --origin "$bench_origin" --json | sed 's/.*"site_key":"\([^"]*\)".*/\1/')
  DATABASE_URL="$url" HARK_ADDR="127.0.0.1:$port" HARK_RATE_LIMIT=0 RUST_LOG=warn "$binary" serve > /dev/null 2>&1 & pids+=($!)
  local pid=$!
  wait_for "http://127.0.0.1:$port/readyz"
  read -r rps p50 p99 bad < <(load "http://127.0.0.1:$port/api/v1/sites/$key/submissions" "$ids" "$origin")
  local rss ratio
  rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
  ratio=$(awk -v a="$rps" -v b="$bare_rps" 'BEGIN { printf "%.2f", a / b }')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  row "$label" "$rps" "$p50" "$p99" "$ratio" "$rss"
  [ "$bad" = 0 ] || echo "  ($bad responses were not 2xx)"
  echo "$label|$rps|$p50|$p99|$ratio|$rss" >> "$results"
}

# Every store, shape and binary once, on a fresh database each: label suffix, ids, origin.
shapes=("v7 ids|v7|" "v7 ids + Origin|v7|$bench_origin" "v4 ids|v4|" "v4 ids + Origin|v4|$bench_origin")
binaries=("new|$hark")
[ -n "$old" ] && binaries+=("old|$old")
run=0
bench_store() { # store-label database-url-maker port bare_rps
  local store=$1 make_url=$2 bare_rps=$3 shape name ids origin entry tag binary label
  for shape in "${shapes[@]}"; do
    IFS='|' read -r name ids origin <<< "$shape"
    for entry in "${binaries[@]}"; do
      IFS='|' read -r tag binary <<< "$entry"
      label="$store, $name"
      [ -n "$old" ] && label="$label ($tag)"
      run=$((run + 1))
      bench_hark "$label" "$binary" "$("$make_url" "$run")" $((port++)) "$bare_rps" "$ids" "$origin"
    done
  done
}
sqlite_url() { echo "sqlite://$work/bench-$1.db"; }
postgres_url() {
  local db="hark_bench_$$_$1"
  psql "$pg_admin" -qc "CREATE DATABASE $db"
  echo "${pg_admin%/*}/$db"
}

postgres=
if command -v psql >/dev/null && psql "$pg_admin" -Atqc "SELECT 1" >/dev/null 2>&1; then
  postgres=1
else
  echo "PostgreSQL SKIPPED: nothing answers at $pg_admin"
fi

backends="${HARK_BENCH_BACKENDS:-sqlite postgres}"
port=3950
for round in $(seq "$rounds"); do
  printf '\nround %s of %s\n' "$round" "$rounds"
  row "server (64 connections)" "req/s" "p50 ms" "p99 ms" "ratio" "RSS MB"
  read -r bare_rps bare_p50 bare_p99 < <(bench_bare $((port++)))
  row "bare axum + same parse" "$bare_rps" "$bare_p50" "$bare_p99" "1.00" "-"
  echo "bare axum + same parse|$bare_rps|$bare_p50|$bare_p99|1.00|-" >> "$results"
  [[ " $backends " == *" sqlite "* ]] && bench_store "SQLite" sqlite_url "$bare_rps"
  [ -n "$postgres" ] && [[ " $backends " == *" postgres "* ]] && bench_store "PostgreSQL" postgres_url "$bare_rps"
done

printf '\nmedian of %s rounds\n' "$rounds"
row "server (64 connections)" "req/s" "p50 ms" "p99 ms" "ratio" "RSS MB"
cut -d'|' -f1 "$results" | awk '!seen[$0]++' | while read -r label; do
  awk -F'|' -v label="$label" '
    $1 == label { n++; for (c = 2; c <= 6; c++) v[c, n] = $c }
    function median(c,   i, j, t, a) {
      for (i = 1; i <= n; i++) a[i] = v[c, i]
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return a[int((n + 1) / 2)]
    }
    END { if (n) printf "%-40s %10s %9s %9s %7s %9s\n", label, median(2), median(3), median(4), median(5), median(6) }' "$results"
done
echo "(wrk -t2 -c64 -d${duration}s on loopback; ratio = hark req/s ÷ the same round's bare req/s; RSS = peak resident set)"
