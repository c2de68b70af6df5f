#!/usr/bin/env bash
# Rebuilds the checked-in guest modules from their C sources with wasi-libc.
# Needs `pip install ziglang`; CI uses the checked-in .wasm files and never runs this.
set -euo pipefail
cd "$(dirname "$0")"
for source in *.c; do
    # p2-*.c call WASI 0.2 directly and are components: build-components.sh builds them.
    case "$source" in p2-*) continue ;; esac
    python3 -m ziglang cc -target wasm32-wasi -O2 -s -o "${source%.c}.wasm" "$source"
done
