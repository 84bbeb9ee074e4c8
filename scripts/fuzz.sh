#!/usr/bin/env bash
# Fuzzes the submission decoder + validator for a bounded time (default 60 s) with
# cargo-fuzz (libFuzzer + AddressSanitizer). Not part of the test command: a benchmark-
# style check. Needs `cargo install cargo-fuzz`; uses the stable toolchain with
# RUSTC_BOOTSTRAP=1 for the sanitizer flags, as no nightly can be fetched here.
#   bash scripts/fuzz.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
mkdir -p corpus/submission
printf '%s' '{"id":"6f1c2c1e-0c5b-4c8e-9d51-1f1d2b3c4d5e","kind":"csat","rating":4,"message":"ok"}' > corpus/submission/seed-rating.json
printf '%s' '{"id":"6f1c2c1e-0c5b-4c8e-9d51-1f1d2b3c4d5f","kind":"complaint","message":"late","email":"a@b.example","dimensions":{"empathy":2},"customer":{"id":"c","tier":"key","sig":"00"},"metadata":{"k":"v"}}' > corpus/submission/seed-complaint.json
RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="${HARK_FUZZ_TARGET_DIR:-$HOME/.cache/hark-fuzz-target}" \
  cargo fuzz run submission corpus/submission -- -max_total_time="$seconds" -rss_limit_mb=2048
