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
# Binaryen's wasm-opt -Oz on the page's module: 6.39 → 5.89 MB (gzipped 2.19 → 2.15 MB,
# brotli 1.59 → 1.58 MB), in about a minute. Its passes twice (-Oz -Oz) take 20 s more and
# 25 kB off what one leaves (6.50 → 5.99 → 5.96 MB); to convergence, 2.5 min for 4 kB more.
# The kernels run as fast either way (saddlescopeBench(), three runs each). -ocimfs 20: a function with one caller is
# inlined only when small; inlining the kernels back into their one dispatcher (binaryen's
# default) made them 40 % slower in V8 (measured with saddlescopeBench()). Binaryen 132 from
# the npm registry, installed once under target/web-tools (a distribution's older wasm-opt,
# e.g. Debian 12's 108, cannot read what rustc writes). WASM_OPT=0 skips it, for quicker
# builds while working on the page. The renderer module loads on first need and is left as
# it is.
if [[ "${WASM_OPT:-1}" == 1 ]]; then
  opt=target/web-tools/node_modules/.bin/wasm-opt
  [[ -x "$opt" ]] \
    || npm install --prefix target/web-tools --no-audit --no-fund --silent binaryen@132.0.0
  echo "web/build.sh: wasm-opt -Oz -Oz (a minute or two; WASM_OPT=0 skips it)"
  "$opt" -Oz -Oz -ocimfs 20 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals \
    "$out/saddlescope_bg.wasm" -o "$out/saddlescope_bg.wasm"
fi
# No name section; .gz and .br copies beside every file.
node web/pack.mjs "$out"
echo "web/build.sh: $(du -sh "$out" | cut -f1) in $out — serve it: python3 -m http.server -d $out"
