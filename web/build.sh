#!/usr/bin/env bash
# The browser version: builds the crate for wasm32 (WebAssembly SIMD on, see .cargo/config.toml)
# and writes a static folder, web/dist (index.html, the JavaScript glue, the wasm), that any
# static file server serves:  web/build.sh && python3 -m http.server -d web/dist
# Installs what it lacks: the wasm32 target, and wasm-bindgen-cli at the version Cargo.lock
# pins (the glue and the library must match exactly).
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target list --installed | grep -q '^wasm32-unknown-unknown$' \
  || rustup target add wasm32-unknown-unknown
want=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [[ "$have" != "$want" ]]; then
  echo "web/build.sh: installing wasm-bindgen-cli $want (a few minutes, once)"
  # Not --locked: for 0.2.130 the lock pins a webpki-roots the registry no longer has.
  cargo install wasm-bindgen-cli --version "$want"
fi

# The `wasm` profile (Cargo.toml): link-time optimisation over one codegen unit.
cargo build --lib --profile wasm --locked --target wasm32-unknown-unknown
out=web/dist
rm -rf "$out"
mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name saddlescope \
  target/wasm32-unknown-unknown/wasm/saddlescope.wasm
# The figure renderer (crates/render), the second module the page imports on first need.
# `cargo rustc` makes it a cdylib here only (natively it is a library the app links).
cargo rustc -p saddlescope-render --lib --crate-type cdylib --features module \
  --profile wasm --locked --target wasm32-unknown-unknown
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name saddlescope_render \
  target/wasm32-unknown-unknown/wasm/saddlescope_render.wasm
cp web/index.html web/worker.js "$out/"
# Binaryen's wasm-opt, opt-in: measured here it took 14.0 → 13.0 MB (gzipped 5.08 → 5.04 MB)
# with -Oz in 6.6 minutes (the npm build runs in Node), so it is not run by default. WASM_OPT=1
# runs it, installing binaryen from the npm registry (pinned) under target/web-tools if the
# PATH has none.
if [[ "${WASM_OPT:-0}" == 1 ]]; then
  opt=$(command -v wasm-opt || true)
  if [[ -z "$opt" ]]; then
    npm install --prefix target/web-tools --no-audit --no-fund --silent binaryen@132.0.0
    opt=target/web-tools/node_modules/.bin/wasm-opt
  fi
  "$opt" -Oz --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals \
    "$out/saddlescope_bg.wasm" -o "$out/saddlescope_bg.wasm"
fi
# No name section; .gz and .br copies beside every file.
node web/pack.mjs "$out"
echo "web/build.sh: $(du -sh "$out" | cut -f1) in $out — serve it: python3 -m http.server -d $out"
