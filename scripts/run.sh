#!/usr/bin/env bash
# Installs what is missing, builds Hark (release) and runs it. Honours HARK_ADDR and
# DATABASE_URL (default: a SQLite file under ./data/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/target-dir.sh
cargo xtask build --release
exec "$CARGO_TARGET_DIR/release/hark" serve "$@"
