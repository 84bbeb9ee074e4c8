#!/usr/bin/env bash
# Benchmark: durable ingest vs a bare axum handler parsing the same JSON, on loopback,
# 64 connections, bounded in time. Prints requests/s, p50/p99 latency, their ratio, and
# the server's peak RSS, for SQLite and (when it answers) PostgreSQL.
#   bash scripts/bench-ingest.sh [seconds per run, default 10] [rounds, default 3]
# The servers take turns, round after round, and the summary gives each one's median:
# wrk and the servers share the machine, whose speed drifts by ±10 % within minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
rounds="${2:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hark-target}"
command -v wrk >/dev/null || { echo "bench: wrk is needed (Debian package wrk)" >&2; exit 1; }
cargo build --release --quiet --package hark-server --bin hark --example bare_ingest
hark="$CARGO_TARGET_DIR/release/hark"
bare="$CARGO_TARGET_DIR/release/examples/bare_ingest"
work=$(mktemp -d)
pids=()
pg_dbs=()
pg_admin="${HARK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for db in "${pg_dbs[@]}"; do psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

wait_for() { for _ in $(seq 100); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "bench: $1 did not answer" >&2; return 1; }

# wrk's summary → "rps p50 p99 non2xx" (latencies in ms).
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

row() { printf '%-28s %10s %9s %9s %7s %9s\n' "$@"; }
results="$work/results" # label rps p50 p99 ratio rss, one line per run

bench_bare() { # port → "rps p50 p99"
  "$bare" "127.0.0.1:$1" > /dev/null & pids+=($!)
  local pid=$!
  sleep 0.5
  read -r rps p50 p99 _ < <(load "http://127.0.0.1:$1/api/v1/sites/pk_bench/submissions")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$rps $p50 $p99"
}

bench_hark() { # label database_url port bare_rps
  local label=$1 url=$2 port=$3 bare_rps=$4 key
  key=$(DATABASE_URL="$url" "$hark" site add --name Bench --origin http://bench.invalid --json | sed 's/.*"site_key":"\([^"]*\)".*/\1/')
  DATABASE_URL="$url" HARK_ADDR="127.0.0.1:$port" HARK_RATE_LIMIT=0 RUST_LOG=warn "$hark" serve > /dev/null 2>&1 & pids+=($!)
  local pid=$!
  wait_for "http://127.0.0.1:$port/readyz"
  read -r rps p50 p99 bad < <(load "http://127.0.0.1:$port/api/v1/sites/$key/submissions")
  local rss ratio
  rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
  ratio=$(awk -v a="$rps" -v b="$bare_rps" 'BEGIN { printf "%.2f", a / b }')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  row "$label" "$rps" "$p50" "$p99" "$ratio" "$rss"
  [ "$bad" = 0 ] || echo "  ($bad responses were not 2xx)"
  echo "$label|$rps|$p50|$p99|$ratio|$rss" >> "$results"
}

postgres=
if command -v psql >/dev/null && psql "$pg_admin" -Atqc "SELECT 1" >/dev/null 2>&1; then
  postgres=1
else
  echo "PostgreSQL SKIPPED: nothing answers at $pg_admin"
fi

port=3950
for round in $(seq "$rounds"); do
  printf '\nround %s of %s\n' "$round" "$rounds"
  row "server (64 connections)" "req/s" "p50 ms" "p99 ms" "ratio" "RSS MB"
  read -r bare_rps bare_p50 bare_p99 < <(bench_bare $((port++)))
  row "bare axum + same parse" "$bare_rps" "$bare_p50" "$bare_p99" "1.00" "-"
  echo "bare axum + same parse|$bare_rps|$bare_p50|$bare_p99|1.00|-" >> "$results"
  bench_hark "hark, SQLite (WAL, FULL)" "sqlite://$work/bench-$round.db" $((port++)) "$bare_rps"
  if [ -n "$postgres" ]; then
    db="hark_bench_$$_$round"
    psql "$pg_admin" -qc "CREATE DATABASE $db"
    pg_dbs+=("$db")
    bench_hark "hark, PostgreSQL" "${pg_admin%/*}/$db" $((port++)) "$bare_rps"
  fi
done

printf '\nmedian of %s rounds\n' "$rounds"
row "server (64 connections)" "req/s" "p50 ms" "p99 ms" "ratio" "RSS MB"
for label in "bare axum + same parse" "hark, SQLite (WAL, FULL)" "hark, PostgreSQL"; do
  grep -F "$label|" "$results" | awk -F'|' -v label="$label" '
    { for (c = 2; c <= 6; c++) v[c, NR] = $c; n = NR }
    function median(c,   i, j, t, a) {
      for (i = 1; i <= n; i++) a[i] = v[c, i]
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return a[int((n + 1) / 2)]
    }
    END { if (n) printf "%-28s %10s %9s %9s %7s %9s\n", label, median(2), median(3), median(4), median(5), median(6) }'
done
echo "(wrk -t2 -c64 -d${duration}s on loopback; ratio = hark req/s ÷ the same round's bare req/s; RSS = peak resident set)"
