#!/usr/bin/env bash
# Installs whatever Hark's build and tests need that this machine lacks; quick and
# harmless when everything is there. Nothing here downloads a prebuilt binary: the
# tools come from crates.io, npm and Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "setup: root is needed for: $*" >&2; return 1
  fi
}
apt_updated=
apt_install() {
  say "installing $* (Debian)"
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo >/dev/null || { echo "setup: Rust (cargo) is required: https://rustup.rs" >&2; exit 1; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The widget is built with its own standard library, optimised for size (xtask).
if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
  say "adding the rust-src component"
  rustup component add rust-src
fi

# wasm-bindgen's CLI must be exactly the version of the crate in Cargo.lock.
want=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (crates.io)"
  cargo install wasm-bindgen-cli --version "$want"
fi

command -v npm >/dev/null || apt_install nodejs npm

# binaryen's wasm-opt, esbuild and Playwright, pinned by end2end/package-lock.json.
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -x end2end/node_modules/.bin/esbuild ] || [ ! -x end2end/node_modules/.bin/playwright ] \
   || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing npm packages (binaryen, esbuild, Playwright)"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
fi

# A real SMTP server for the email test (PyPI).
if ! python3 -c "import aiosmtpd" 2>/dev/null; then
  say "installing aiosmtpd (PyPI)"
  python3 -m pip install --quiet aiosmtpd
fi

# Debian's Chromium: Playwright drives it instead of a browser build of its own.
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || apt_install chromium

# A Chinese font, so that Chromium draws the zh-CN pages and the screenshots' Chinese
# text instead of empty boxes.
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  apt_install fonts-wqy-zenhei
fi
