#!/bin/sh
# Rebuilds the checked-in modules of capsule-bench's `components` suite with wasm-tools (CI and the
# benchmark use only the .wasm files): the component and core call loops, and hello-p2-main.wasm,
# the main core module of Tests/CapComponentTests/Components/hello-p2.wasm copied out of it.
set -eu
cd "$(dirname "$0")"
WASM_TOOLS=${WASM_TOOLS:-/work/V/bin/wasm-tools}
for name in component-calls core-calls; do
    "$WASM_TOOLS" parse "$name.wat" -o "$name.wasm"
    "$WASM_TOOLS" validate "$name.wasm"
done
"$WASM_TOOLS" print ../../Tests/CapComponentTests/Components/hello-p2.wasm | awk '
    /^  \(core module \$main / { inside = 1; print "(module"; next }
    inside && /^  \(core module / { exit }
    inside { print }
' > hello-p2-main.wat
"$WASM_TOOLS" parse hello-p2-main.wat -o hello-p2-main.wasm
rm hello-p2-main.wat
"$WASM_TOOLS" validate hello-p2-main.wasm
