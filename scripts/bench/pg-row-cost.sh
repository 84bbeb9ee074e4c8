#!/usr/bin/env bash
# PostgreSQL's own work per stored submission, for the schema at each of several points
# of its migrations: instructions counted by valgrind's callgrind, repeatable to a
# fraction of a per cent where timings here spread by tens of per cent. For each point
# it makes a scratch cluster's database with the migrations up to that one, then runs
# the collector's kind of statement (prepared, every column an array, 64 rows a batch,
# one transaction each) in a single-user `postgres` under callgrind: once W batches,
# once W + N, and prints the difference per row. It fills the columns the collector
# fills that the schema has; rows alternate ratings 1–5, so two in five carry due times.
#   bash scripts/bench/pg-row-cost.sh [migration prefixes, default: 0003 0005 0006]
# HARK_BENCH_BATCHES=N (default 100) batches are counted, after 20 to warm up.
set -euo pipefail
cd "$(dirname "$0")/../.."
points=("$@")
[ ${#points[@]} -gt 0 ] || points=(0003 0005 0006)
batches="${HARK_BENCH_BATCHES:-100}"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/postgres" ] || { echo "pg-row-cost: PostgreSQL's server is needed (Debian package postgresql)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "pg-row-cost: valgrind is needed (Debian package valgrind)" >&2; exit 1; }
work=$(mktemp -d)
# PostgreSQL refuses to run as root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$work"
cleanup() { as_pg "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
as_pg "$bin/initdb" -D "$work/data" -A trust --locale=C.UTF-8 >/dev/null
start() { as_pg "$bin/pg_ctl" -D "$work/data" -o "-p 5433 -k $work -c listen_addresses=''" -l "$work/log" -w start >/dev/null; }
stop() { as_pg "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null; }
psql_() { PGOPTIONS="-c client_min_messages=warning" psql -h "$work" -p 5433 -U "$(as_pg whoami)" -q -v ON_ERROR_STOP=1 "$@"; }

schema() { # database, last migration to apply
  psql_ -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
  for file in core/migrations/postgres/*.sql; do
    [[ "$(basename "$file")" > "$2" ]] && [[ "$(basename "$file")" != "$2"* ]] && continue
    psql_ -d "$1" -f "$file" >/dev/null
  done
  psql_ -d "$1" -c "INSERT INTO orgs (id, name, created_at) VALUES ('org_01jd8x3bq4e5kz6m7n8p9r0stv', 'Org', 0);
    INSERT INTO sites (id, org_id, name, site_key, secret, allowed_origins, categories, enabled_kinds, created_at)
    VALUES ('site_01jd8x3bq4e5kz6m7n8p9r0stw', 'org_01jd8x3bq4e5kz6m7n8p9r0stv', 'Shop', 'pk', 's', '[]', '[]', '[]', 0);"
}

# The statements: PREPARE, then `count` EXECUTEs of 64 rows (the same rows for the same
# count, so that both runs of a point store the same first W batches).
statements() { # database, count
  psql_ -d "$1" -At -c "SELECT column_name, data_type FROM information_schema.columns
    WHERE table_name = 'submissions' ORDER BY ordinal_position" | python3 -c '
import random, sys, uuid
count = int(sys.argv[1])
types = dict(line.strip().split("|") for line in sys.stdin if line.strip())
random.seed(7)
t = 1_700_000_000_000
def row(k):
    due = k % 5 < 2
    return {
        "id": str(uuid.UUID(int=random.getrandbits(128), version=4)),
        "site_id": "site_01jd8x3bq4e5kz6m7n8p9r0stw", "org_id": "org_01jd8x3bq4e5kz6m7n8p9r0stv",
        "kind": "csat", "rating": 1 + k % 5, "message": "The parcel arrived late and the box was damaged",
        "page_url": "https://shop.example/checkout", "locale": "en",
        "content_digest": "%064x" % random.getrandbits(256), "track_token": "%012x%032x" % (t + k, random.getrandbits(128)),
        "received_at": t + k, "status": "new", "priority": "high" if due else "normal",
        "first_response_due": t + k + 1 if due else None, "resolution_due": t + k + 2 if due else None,
        "due_at": t + k + 1 if due else None,
    }
columns = [c for c in row(0) if c in types]
array = lambda c: ("bigint[]" if types[c] == "bigint" else "text[]")
print("PREPARE store(%s) AS INSERT INTO submissions (%s) SELECT * FROM UNNEST(%s) ON CONFLICT (id) DO NOTHING" % (
    ", ".join(map(array, columns)), ", ".join(columns), ", ".join("$%d" % (i + 1) for i in range(len(columns)))))
value = lambda v: "NULL" if v is None else str(v) if isinstance(v, int) else "\"%s\"" % v
for b in range(count):
    rows = [row(b * 64 + j) for j in range(64)]
    print("EXECUTE store(%s)" % ", ".join("'\''{%s}'\''" % ",".join(value(r[c]) for r in rows) for c in columns))
' "$2"
}

instructions() { # database, statements file → instructions of the whole single-user run
  as_pg valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
    "$bin/postgres" --single -D "$work/data" -c fsync=off "$1" < "$2" 2>&1 | awk '/Collected :/ { print $4 }'
}

warm=20
printf '%-28s %22s\n' "migrations up to" "instructions per row"
for point in "${points[@]}"; do
  db="rowcost_$point"
  start
  schema "$db" "$point"
  statements "$db" "$warm" > "$work/warm.sql"
  statements "$db" "$((warm + batches))" > "$work/all.sql"
  stop
  chmod 644 "$work"/*.sql
  before=$(instructions "$db" "$work/warm.sql")
  start; schema "$db" "$point"; stop
  after=$(instructions "$db" "$work/all.sql")
  start
  stored=$(psql_ -d "$db" -At -c "SELECT count(*) FROM submissions")
  stop
  [ "$stored" = "$(((warm + batches) * 64))" ] || { echo "pg-row-cost: $point stored $stored rows" >&2; exit 1; }
  awk -v p="$point" -v a="$before" -v b="$after" -v n="$((batches * 64))" \
    'BEGIN { printf "%-28s %22.0f\n", p, (b - a) / n }'
done
