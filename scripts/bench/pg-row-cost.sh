#!/usr/bin/env bash
# PostgreSQL's own time per stored submission, schema before and after a migration:
# pgbench runs the collector's kind of insert (32 rows per statement) against a scratch
# database with migrations up to BEFORE and one with migrations up to AFTER, taking
# turns, with synchronous_commit off so that CPU, not the disk, is what is measured.
#   bash scripts/bench/pg-row-cost.sh [before, default 0002] [after, default 0003] [seconds, default 6] [rounds, default 2]
set -euo pipefail
cd "$(dirname "$0")/../.."
before="${1:-0002}" after="${2:-0003}" seconds="${3:-6}" rounds="${4:-2}"
admin="${HARK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
command -v pgbench >/dev/null || { echo "pg-row-cost: pgbench is needed (Debian package postgresql-client)" >&2; exit 1; }
work=$(mktemp -d)
dbs=()
cleanup() {
  for db in "${dbs[@]}"; do psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

schema() { # database, last migration to apply
  psql "$admin" -qc "CREATE DATABASE $1" && dbs+=("$1")
  for file in core/migrations/postgres/*.sql; do
    [[ "$(basename "$file")" > "$2" ]] && [[ "$(basename "$file")" != "$2"* ]] && continue
    psql -q -v ON_ERROR_STOP=1 "${admin%/*}/$1" -f "$file" >/dev/null
  done
  psql -q "${admin%/*}/$1" -c "INSERT INTO orgs VALUES ('o1', 'Org', 0);
    INSERT INTO sites VALUES ('s1', 'o1', 'Shop', 'pk', 'secret', '[]', '[]', '[]', 0, 0, 0);
    CREATE SEQUENCE bench_ids;"
}

cat > "$work/insert.sql" <<'SQL'
INSERT INTO submissions (id, site_id, org_id, kind, rating, stage, message, locale, content_digest, track_token, received_at, status)
SELECT lpad(n::text, 36, '0'), 's1', 'o1', 'csat', 4, 'after_sale', 'Arrived on time, well packed.', 'en',
       md5(n::text) || md5(n::text), lpad(to_hex(n), 12, '0') || md5(n::text), 1700000000000 + n, 'new'
FROM (SELECT nextval('bench_ids') AS n FROM generate_series(1, 32)) g
ON CONFLICT (id) DO NOTHING;
SQL

schema "hark_rowcost_before_$$" "$before"
schema "hark_rowcost_after_$$" "$after"
for round in $(seq "$rounds"); do
  for side in before after; do
    tps=$(PGOPTIONS="-c synchronous_commit=off" pgbench -n -f "$work/insert.sql" -c 1 -T "$seconds" \
      "${admin%/*}/hark_rowcost_${side}_$$" 2>/dev/null | awk '/^tps/ { print $3 }')
    awk -v s="$side" -v m="$([ "$side" = before ] && echo "$before" || echo "$after")" -v r="$round" -v t="$tps" \
      'BEGIN { printf "round %s  up to %-5s (%s): %8.0f rows/s  %5.1f us per row\n", r, m, s, t * 32, 1e6 / (t * 32) }'
  done
done
