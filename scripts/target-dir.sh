# Sourced by the scripts that build: each checkout gets a target folder of its own,
# outside the checkout, named after the checkout's path. Cargo decides whether a
# workspace crate is fresh by file times, and two clones' crates get the same artefact
# names, so one shared folder could hand one checkout's binaries (xtask, hark) to
# another. CARGO_TARGET_DIR, when set, is used as it is.
if [ -z "${CARGO_TARGET_DIR:-}" ]; then
  checkout=$(pwd -P)
  targets="$HOME/.cache/hark-target"
  CARGO_TARGET_DIR="$targets/$(basename "$checkout")-$(printf '%s' "$checkout" | sha256sum | cut -c1-12)"
  mkdir -p "$CARGO_TARGET_DIR"
  touch "$CARGO_TARGET_DIR/.last-used"
  # A clone that is gone leaves its folder (gigabytes) behind: forget those unused for
  # two weeks.
  for stale in "$targets"/*/.last-used; do
    if [ -e "$stale" ] && [ -n "$(find "$stale" -mtime +14)" ]; then rm -rf "$(dirname "$stale")"; fi
  done
fi
export CARGO_TARGET_DIR
