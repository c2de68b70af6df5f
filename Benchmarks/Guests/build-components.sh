#!/bin/sh
# Rebuilds the checked-in modules of capsule-bench's `components` suite with wasm-tools (CI and the
# benchmark use only the .wasm files): the component and core call loops, and hello-p2-main.wasm,
# the main core module of Tests/CapComponentTests/Components/hello-p2.wasm copied out of it.
#
# It also makes file-io-component.wasm, the guest-io suite's file-io.wasm (build.sh's output from
# file-io.c; run build.sh first if file-io.c changed) as a wasi:cli/command@0.2.0 component
# through the preview 1 adapter, so that the module and the component run the same core code.
# Needs ADAPTER, the wasi_snapshot_preview1 *reactor* adapter (.wasm, WASI 0.2.0), and WASI_WIT,
# the wasi-cli v0.2.0 `wit` directory (command.wit and deps/).
set -eu
cd "$(dirname "$0")"
WASM_TOOLS=${WASM_TOOLS:-/work/V/bin/wasm-tools}
if [ -z "${ADAPTER:-}" ] || [ ! -f "$ADAPTER" ]; then
    echo "build-components.sh: set ADAPTER to the wasi_snapshot_preview1 reactor adapter (.wasm, WASI 0.2.0)" >&2
    exit 1
fi
if [ -z "${WASI_WIT:-}" ] || [ ! -f "$WASI_WIT/command.wit" ]; then
    echo "build-components.sh: set WASI_WIT to the wasi-cli v0.2.0 wit directory (with command.wit and deps/)" >&2
    exit 1
fi

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

# file-io.wasm is a command (`_start`); the only adapter to hand is a reactor one, whose start
# already initialises libc, and which needs the program to export wasi:cli/run itself. So: replace
# the `_start` export by a `wasi:cli/run@0.2.0#run` that calls `_start` (wasi-libc's `_start` runs
# the constructors, main, and the destructors that flush stdout; a nonzero exit becomes
# wasi:cli/exit through the adapter) and returns `ok`, then embed the command world and adapt.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$WASM_TOOLS" print file-io.wasm -o "$work/file-io.wat"
start=$(grep -oE '\(export "_start" \(func [^)]+\)\)' "$work/file-io.wat" | sed -E 's/.*\(func ([^)]+)\)\)/\1/')
if [ -z "$start" ]; then
    echo "build-components.sh: file-io.wasm exports no _start" >&2
    exit 1
fi
sed -i -E 's/\(export "_start" \(func [^)]+\)\)//' "$work/file-io.wat"
sed -i '$ d' "$work/file-io.wat"   # the module's closing parenthesis
printf '  (func $capsule_run (export "wasi:cli/run@0.2.0#run") (result i32) call %s i32.const 0)\n)\n' "$start" \
    >> "$work/file-io.wat"
"$WASM_TOOLS" parse "$work/file-io.wat" -o "$work/file-io.core.wasm"
"$WASM_TOOLS" component embed "$WASI_WIT" --world wasi:cli/command@0.2.0 "$work/file-io.core.wasm" -o "$work/file-io.embed.wasm"
"$WASM_TOOLS" component new "$work/file-io.embed.wasm" --adapt "wasi_snapshot_preview1=$ADAPTER" -o file-io-component.wasm
"$WASM_TOOLS" validate file-io-component.wasm
