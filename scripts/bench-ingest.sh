#!/usr/bin/env bash
# Benchmark: durable ingest vs a bare axum handler parsing the same JSON, on loopback,
# 64 connections, bounded in time. Prints requests/s, p50/p99 latency, their ratio, the
# server's peak RSS, and its CPU time and bytes written per request, for SQLite and
# (when it answers) PostgreSQL, in four shapes of traffic: time-ordered (v7) or random
# (v4) ids, each without `Origin` (a merchant's server) and with one (a shopper's
# browser, through CORS; the widget's own shape is v7 with Origin).
#   bash scripts/bench-ingest.sh [seconds per run, default 10] [rounds, default 3]
# HARK_BENCH_OLD=/path/to/an/older/hark adds that binary beside this build's, each
# shape of each store taking turns with it (old and new on the same machine, same
# minutes, who goes first alternating). The summary gives each one's median over the
# rounds and the median of each round's new ÷ old: wrk and the servers share the
# machine, whose speed drifts by ±10 % within minutes. HARK_BENCH_BACKENDS="sqlite"
# (or "postgres") runs one of the two stores.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
rounds="${2:-3}"
source scripts/target-dir.sh
source scripts/bench/ingest-common.sh
command -v wrk >/dev/null || { echo "bench: wrk is needed (Debian package wrk)" >&2; exit 1; }
cargo build --release --quiet --package hark-server --bin hark --example bare_ingest
hark="$CARGO_TARGET_DIR/release/hark"
old="${HARK_BENCH_OLD:-}"
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

# wrk's summary → "rps p50 p99 non2xx requests" (latencies in ms).
load() {
  HARK_BENCH_IDS="$2" HARK_BENCH_ORIGIN="$3" \
    wrk -t2 -c64 -d"${duration}s" --timeout 5s --latency -s scripts/bench/submit.lua "$1" > "$work/wrk.txt"
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    / requests in / { requests = $1 }
    END { printf "%.0f %.2f %.2f %d %d\n", rps, p50, p99, bad, requests }
  ' "$work/wrk.txt"
}

row() { printf '%-40s %10s %9s %9s %7s %9s %9s %9s %9s\n' "$@"; }
results="$work/results" # label rps p50 p99 ratio rss cpu written db-cpu, one line per run
# CPU time (user + system) a process has used so far, in microseconds.
cpu_micros() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000000 / hz }' "/proc/$1/stat"; }
# CPU time all of this machine's PostgreSQL processes have used so far, in microseconds.
postgres_micros() {
  local pid total=0
  for pid in $(pgrep -x postgres); do total=$((total + $(cpu_micros "$pid" 2>/dev/null || echo 0))); done
  echo "$total"
}
# Bytes a process has written so far, to files and sockets alike.
written() { awk '/^wchar:/ { print $2 }' "/proc/$1/io"; }

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
  key=$(bench_site "$binary" "$url")
  DATABASE_URL="$url" HARK_ADDR="127.0.0.1:$port" HARK_RATE_LIMIT=0 RUST_LOG=warn "$binary" serve > /dev/null 2>&1 & pids+=($!)
  local pid=$!
  wait_for "http://127.0.0.1:$port/readyz"
  local before wrote rss ratio cpu bytes db_before db_cpu=-
  before=$(cpu_micros "$pid")
  [[ "$url" == postgres* ]] && db_before=$(postgres_micros)
  wrote=$(written "$pid")
  read -r rps p50 p99 bad requests < <(load "http://127.0.0.1:$port/api/v1/sites/$key/submissions" "$ids" "$origin")
  cpu=$(awk -v a="$(cpu_micros "$pid")" -v b="$before" -v n="$requests" 'BEGIN { printf "%.1f", (a - b) / n }')
  [[ "$url" == postgres* ]] && db_cpu=$(awk -v a="$(postgres_micros)" -v b="$db_before" -v n="$requests" 'BEGIN { printf "%.1f", (a - b) / n }')
  bytes=$(awk -v a="$(written "$pid")" -v b="$wrote" -v n="$requests" 'BEGIN { printf "%.0f", (a - b) / n }')
  rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
  ratio=$(awk -v a="$rps" -v b="$bare_rps" 'BEGIN { printf "%.2f", a / b }')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  row "$label" "$rps" "$p50" "$p99" "$ratio" "$rss" "$cpu" "$bytes" "$db_cpu"
  [ "$bad" = 0 ] || { echo "  ($bad responses were not 2xx)"; echo "$label" >> "$work/failed"; }
  echo "$label|$rps|$p50|$p99|$ratio|$rss|$cpu|$bytes|$db_cpu" >> "$results"
}

# Every store, shape (`shapes`, from ingest-common.sh) and binary once, on a fresh
# database each.
binaries=("new|$hark")
[ -n "$old" ] && binaries+=("old|$old")
run=0
bench_store() { # store-label database-url-maker port bare_rps
  local store=$1 make_url=$2 bare_rps=$3 shape name ids origin entry tag binary label
  for shape in "${shapes[@]}"; do
    IFS='|' read -r name ids origin <<< "$shape"
    # Who goes first alternates from round to round: a run pays for the writeback of
    # the one before it, which `sync` only shortens.
    local order=("${binaries[@]}")
    if [ $((round % 2)) = 0 ] && [ "${#order[@]}" = 2 ]; then order=("${order[1]}" "${order[0]}"); fi
    for entry in "${order[@]}"; do
      IFS='|' read -r tag binary <<< "$entry"
      sync
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
  row "server (64 connections)" "req/s" "p50 ms" "p99 ms" "ratio" "RSS MB" "CPU µs" "written B" "db CPU µs"
  read -r bare_rps bare_p50 bare_p99 < <(bench_bare $((port++)))
  row "bare axum + same parse" "$bare_rps" "$bare_p50" "$bare_p99" "1.00" "-" "-" "-" "-"
  echo "bare axum + same parse|$bare_rps|$bare_p50|$bare_p99|1.00|-|-|-|-" >> "$results"
  [[ " $backends " == *" sqlite "* ]] && bench_store "SQLite" sqlite_url "$bare_rps"
  [ -n "$postgres" ] && [[ " $backends " == *" postgres "* ]] && bench_store "PostgreSQL" postgres_url "$bare_rps"
done

printf '\nmedian of %s rounds\n' "$rounds"
row "server (64 connections)" "req/s" "p50 ms" "p99 ms" "ratio" "RSS MB" "CPU µs" "written B" "db CPU µs"
cut -d'|' -f1 "$results" | awk '!seen[$0]++' | while read -r label; do
  awk -F'|' -v label="$label" '
    $1 == label { n++; for (c = 2; c <= 9; c++) v[c, n] = $c }
    function median(c,   i, j, t, a) {
      for (i = 1; i <= n; i++) a[i] = v[c, i]
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return a[int((n + 1) / 2)]
    }
    END { if (n) printf "%-40s %10s %9s %9s %7s %9s %9s %9s %9s\n", label, median(2), median(3), median(4), median(5), median(6), median(7), median(8), median(9) }' "$results"
done
if [ -n "$old" ]; then
  # The machine's speed drifts from minute to minute, and each round's two runs are
  # minutes apart at most: the ratio within a round says more than the medians' ratio.
  printf '\nnew ÷ old, each round and their median\n'
  grep ' (new)|' "$results" | cut -d'|' -f1 | sed 's/ (new)$//' | awk '!seen[$0]++' | while read -r shape; do
    awk -F'|' -v new="$shape (new)" -v old="$shape (old)" -v shape="$shape" '
      $1 == new { a[++n] = $2 } $1 == old { b[++m] = $2 }
      END {
        for (i = 1; i <= n && i <= m; i++) { r[i] = a[i] / b[i]; line = line sprintf(" %.2f", r[i]) }
        k = (n < m) ? n : m
        for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
        printf "%-40s %s   median %.2f\n", shape, line, r[int((k + 1) / 2)]
      }' "$results"
  done
fi
echo "(wrk -t2 -c64 -d${duration}s on loopback; ratio = hark req/s ÷ the same round's bare req/s; RSS = peak resident set;"
echo " CPU = the server's user + system CPU time per request during the load, in µs; written = bytes the server"
echo " wrote per request, to its database files and its sockets; db CPU = what PostgreSQL's processes used per"
echo " request, all of them on this machine)"
if [ -s "$work/failed" ]; then
  echo "bench: some responses were not 2xx, so these figures measure failures: $(sort -u "$work/failed" | paste -sd ';' -)" >&2
  exit 1
fi
