#!/usr/bin/env bash
# Benchmark: the admin's queue at scale. Seeds a fresh database with N submissions
# (default 1,000,000) across 20 sites with `hark seed`, starts `hark serve` on it, and
# prints p50/p95 of every filter and saved view, search, counts and one submission, and
# the export's rows per second, the insights' figures for a year (all sites and one) and
# the insights page; on SQLite, then on PostgreSQL when one answers.
#   bash scripts/bench-triage.sh [submissions, default 1000000] [rounds, default 20]
# HARK_BENCH_BACKENDS="sqlite" (or "postgres") runs one of the two.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/target-dir.sh
count="${1:-1000000}"
rounds="${2:-20}"
cargo build --release --quiet --package hark-server --bin hark --example bench_triage
hark="$CARGO_TARGET_DIR/release/hark"
client="$CARGO_TARGET_DIR/release/examples/bench_triage"
work=$(mktemp -d)
pg_admin="${HARK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
pg_name="hark_bench_$$"
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $pg_name WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

run() {
  local label=$1 url=$2
  echo "== $label: seeding $count submissions across 20 sites"
  export DATABASE_URL="$url"
  printf 'a long enough password\n' | "$hark" user add --email bench@hark.test --role owner --org Bench --json >/dev/null
  local started=$(date +%s)
  "$hark" seed --submissions "$count" --sites 20 --org Bench --json >/dev/null
  echo "seeded and indexed in $(( $(date +%s) - started )) s"
  local token=$("$hark" token create --email bench@hark.test --json | sed -E 's/.*"token":"([^"]+)".*/\1/')
  local port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  HARK_ADDR="127.0.0.1:$port" HARK_LOG_FORMAT=json RUST_LOG=warn "$hark" serve >"$work/$label.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  "$client" "http://127.0.0.1:$port" "$token" "$rounds" bench@hark.test 'a long enough password'
  kill "$server"; wait "$server" 2>/dev/null || true; server=
  unset DATABASE_URL
}

backends="${HARK_BENCH_BACKENDS:-sqlite postgres}"
[[ " $backends " == *" sqlite "* ]] && run sqlite "sqlite://$work/bench.db"
[[ " $backends " != *" postgres "* ]] && exit 0
if psql -q "$pg_admin" -c "CREATE DATABASE $pg_name" >/dev/null 2>&1; then
  run postgres "${pg_admin%/*}/$pg_name"
else
  echo "== postgres: SKIPPED (nothing answers at $pg_admin)"
fi
