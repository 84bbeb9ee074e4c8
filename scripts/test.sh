#!/usr/bin/env bash
# Installs what is missing and runs every test: Rust unit and integration tests (on
# SQLite, and on PostgreSQL when one answers or can be started), then the browser
# tests in Chromium, then two clones built side by side (scripts/test-checkouts.sh).
# Ends with one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
scripts/setup.sh
source scripts/target-dir.sh
log_dir=$(mktemp -d)

# PostgreSQL: the one at HARK_TEST_POSTGRES_URL (default 127.0.0.1:5432), started if
# this machine has a cluster that is down; otherwise its suite is skipped, loudly.
export HARK_TEST_POSTGRES_URL="${HARK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
pg_up() { command -v pg_isready >/dev/null && pg_isready -q -d "$HARK_TEST_POSTGRES_URL"; }
if ! pg_up && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  echo "test: starting the local PostgreSQL cluster"
  for version in $(ls /etc/postgresql); do pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true; done
  sleep 2
fi
if pg_up; then
  export HARK_TEST_REQUIRE_POSTGRES=1
  echo "test: PostgreSQL answers at ${HARK_TEST_POSTGRES_URL%%/test}: every database test runs on SQLite and PostgreSQL"
else
  export HARK_TEST_REQUIRE_POSTGRES=0
  echo "test: PostgreSQL SKIPPED: nothing answers at $HARK_TEST_POSTGRES_URL; database tests run on SQLite only"
fi

cargo fmt --all -- --check
cargo xtask build
cargo clippy --package hark-core --package hark-server --package xtask --all-targets -- -D warnings
cargo clippy --package app --features hydrate --package widget --features widget/csr --target wasm32-unknown-unknown -- -D warnings
status=0
cargo test --package hark-core --package hark-server --package widget --package xtask 2>&1 | tee "$log_dir/cargo.log" || status=1
rust_passed=$(awk '/^test result:/ { sum += $4 } END { print sum + 0 }' "$log_dir/cargo.log")
rust_failed=$(awk '/^test result:/ { sum += $6 } END { print sum + 0 }' "$log_dir/cargo.log")

# The browser tests run the `hark` that `cargo test` just built.
export HARK_BIN="$CARGO_TARGET_DIR/debug/hark"
(cd end2end && npx playwright test) 2>&1 | tee "$log_dir/e2e.log" || status=1
e2e_passed=$(awk '/^ *[0-9]+ passed/ { sum += $1 } END { print sum + 0 }' "$log_dir/e2e.log")
e2e_failed=$(awk '/^ *[0-9]+ (failed|flaky)/ { sum += $1 } END { print sum + 0 }' "$log_dir/e2e.log")

# The widget's budgets, printed (not asserted: figures vary with the machine): what each
# asset costs over the wire, and click to interactive panel in Chromium.
echo "budgets:"
cargo xtask size
(cd end2end && npx playwright test --config bench.config.ts --reporter=line) 2>&1 | grep -E "^widget |passed|failed|Error" || status=1

# Two clones on this machine build and run their own code (two cold builds of `hark`).
bash scripts/test-checkouts.sh 2>&1 | tee "$log_dir/checkouts.log" || status=1
checkouts_passed=$(awk '/^checkouts: [0-9]+ passed/ { print $2 }' "$log_dir/checkouts.log")
checkouts_failed=$(awk '/^checkouts: [0-9]+ passed/ { print $4 }' "$log_dir/checkouts.log")

echo "test: finished in $(( $(date +%s) - started )) s"
echo "summary: $(( rust_passed + e2e_passed + ${checkouts_passed:-0} )) passed, $(( rust_failed + e2e_failed + ${checkouts_failed:-1} )) failed"
exit "$status"
