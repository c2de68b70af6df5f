#!/usr/bin/env bash
# Builds app.py into a WASI 0.2 component with componentize-py (~25 s, ~18 MB: too large to check
# in). The tests and `capsule-bench` use it from .build/app.wasm when it exists and say that they
# skipped it when it does not.
# Needs `pip install componentize-py==0.25.1` and wasi-cli v0.2.0's wit/ in WASI_WIT
# (`git -C <wasi-cli clone> archive v0.2.0 wit | tar -x`).
set -euo pipefail
cd "$(dirname "$0")"
: "${WASI_WIT:?set WASI_WIT to wasi-cli v0.2.0 wit/ (git archive v0.2.0 wit)}"
mkdir -p .build
componentize-py -d "$WASI_WIT" -w wasi:cli/command@0.2.0 componentize app -o .build/app.wasm
