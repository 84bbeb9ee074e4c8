#!/usr/bin/env bash
# Two clones of this repository on one machine build and run their own code: clone B,
# with a visible string changed, is made before clone A (so A's files are newer, as when
# a second clone is made later), A is built first, then B; each server must serve its
# own string, and each clone's xtask must work in its own folder. With one target
# folder shared by both (HARK_CHECKOUTS_SHARED_TARGET=1, how builds were laid out
# before), B runs A's binaries and this fails. Prints one closing line.
#   bash scripts/test-checkouts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# The clones are made afresh each run, at the same two paths for this checkout, so their
# own target folders (named by path, see target-dir.sh) stay warm between runs: only the
# workspace crates are rebuilt, as their files are new.
checkout=$(pwd -P)
work="$HOME/.cache/hark-checkouts/$(basename "$checkout")-$(printf '%s' "$checkout" | sha256sum | cut -c1-12)"
rm -rf "$work"
mkdir -p "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
declare -A target_of
trap cleanup EXIT
trap 'echo "checkouts: stopped at line $LINENO: $BASH_COMMAND"' ERR

git clone -q . "$work/b"
sed -i 's/Thank you for your order!/Thank you for your order, from clone B!/' "$work/b/server/src/demo.rs"
grep -q "from clone B" "$work/b/server/src/demo.rs"
sleep 1
git clone -q . "$work/a"

build() { # clone → its target folder
  local clone=$1
  (
    cd "$work/$clone"
    unset CARGO_TARGET_DIR
    [ -n "${HARK_CHECKOUTS_SHARED_TARGET:-}" ] && export CARGO_TARGET_DIR="$work/shared-target"
    source scripts/target-dir.sh
    cargo build --quiet --package hark-server --bin hark >&2
    echo "$CARGO_TARGET_DIR"
  )
}
for clone in a b; do target_of[$clone]=$(build "$clone"); done

failed=0
check() { # description, then a command that must succeed
  local what=$1; shift
  if "$@"; then echo "checkouts: ok: $what"; else echo "checkouts: FAILED: $what"; failed=$((failed + 1)); fi
}

for clone in a b; do
  # Port 0: the kernel picks a free one, and the banner says which.
  (cd "$work/$clone" && HARK_ADDR="127.0.0.1:0" DATABASE_URL="sqlite://data/hark.db" \
    "${target_of[$clone]}/debug/hark" serve > "$work/$clone.out" 2>&1) & pids+=($!)
  for _ in $(seq 300); do grep -q "Demo shop:" "$work/$clone.out" 2>/dev/null && break; sleep 0.1; done
  demo=$(awk '/Demo shop:/ { print $3 }' "$work/$clone.out")
  if [ -z "$demo" ] || ! curl -sf "$demo" > "$work/$clone.demo"; then
    echo "checkouts: clone $clone's server did not answer; it said:"
    sed 's/^/  /' "$work/$clone.out"
  fi
done
check "clone A serves its own demo page" grep -q "Thank you for your order!" "$work/a.demo"
check "clone B serves its own demo page" grep -q "from clone B" "$work/b.demo"
# Each clone's xtask looks in its own checkout (none has built assets here).
(cd "$work/b" && CARGO_TARGET_DIR="${target_of[b]}" cargo xtask size > "$work/b.size" 2>&1) || true
check "clone B's xtask works in clone B's folder" grep -q "$work/b/target/site" "$work/b.size"
check "clone B's xtask never names clone A" bash -c "! grep -q '$work/a' '$work/b.size'"
echo "checkouts: $((4 - failed)) passed, $failed failed"
[ "$failed" = 0 ]
