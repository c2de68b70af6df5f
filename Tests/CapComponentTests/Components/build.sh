#!/bin/sh
# Rebuilds the checked-in component binaries from their sources (CI uses only the .wasm files).
set -eu
cd "$(dirname "$0")"
WASM_TOOLS=${WASM_TOOLS:-/work/V/bin/wasm-tools}
for name in exports host nested resources twin-memories; do
    "$WASM_TOOLS" parse "$name.wat" -o "$name.wasm"
    "$WASM_TOOLS" validate "$name.wasm"
done
# The wit-component shape: a core module whose lowered import needs its own memory, so that
# `component new` adds the shim module (an indirect function table) and the fixup module.
"$WASM_TOOLS" component embed shape-wit --world shape shape-core.wat -o shape-embedded.wasm
"$WASM_TOOLS" component new shape-embedded.wasm -o shape.wasm
rm shape-embedded.wasm
"$WASM_TOOLS" validate shape.wasm
# The adapter shape (main + preview 1 adapter + shim + fixup), 23 KB: hello-p1.wat through
# ../shared/tools/p1-to-p2.sh with the reactor adapter and the WASI 0.2.0 WIT. Rebuilt only when
# ADAPTER (from extract-p1-adapter.py) and WASI_WIT (wasi-cli v0.2.0's wit/) are given.
if [ -n "${ADAPTER:-}" ] && [ -n "${WASI_WIT:-}" ]; then
    "$WASM_TOOLS" parse hello-p1.wat -o hello-p1.wasm
    PATH="$(dirname "$WASM_TOOLS"):$PATH" sh "${P1_TO_P2:-../../../../shared/tools/p1-to-p2.sh}" \
        hello-p1.wasm hello-p2.wasm "$ADAPTER" "$WASI_WIT"
    rm hello-p1.wasm
    "$WASM_TOOLS" validate hello-p2.wasm
fi
