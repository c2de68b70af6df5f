#!/usr/bin/env bash
# Runs wasi-testsuite's preview 1 programs (prebuilt, branch prod/testsuite-base) under
# `capsule run`, with the suite's own test runner. Not part of CI: it needs the network (or a
# local mirror) and Python.
#
#   Conformance/run-wasi-testsuite.sh            # clone the suite into a scratch folder and run it
#   WASI_TESTSUITE_GIT=/path/to/mirror.git Conformance/run-wasi-testsuite.sh
#   WASI_TESTSUITE_PYTHON=/opt/python3.13/bin/python3 ...      # the runner needs Python >= 3.12
#   CAPSULE=.build/debug/capsule Conformance/run-wasi-testsuite.sh   # a capsule already built
#   WASMTIME=wasmtime Conformance/run-wasi-testsuite.sh --reference   # the same suite under Wasmtime
#
# --components runs the same programs converted to WASI 0.2 components (wasi:cli/command@0.2.0)
# with the *reactor* preview 1 adapter: each `_start` module gains a `wasi:cli/run@0.2.0#run`
# export that calls `_start`, then `wasm-tools component embed` + `component new --adapt`. The
# converted copies live in "$scratch/components" (rebuilt when the adapter or WIT changes); the
# adapter and the converted tests are never part of this repository. Needs wasm-tools on PATH.
#   P1_ADAPTER=wasi_snapshot_preview1.reactor.wasm WASI_WIT=wasi-cli-0.2.0/wit \
#       Conformance/run-wasi-testsuite.sh --components [--reference]
# The 9 tests the adapter itself fails (under Wasmtime too) are expected failures there
# (adapter-expectations.toml beside this script): only another failure fails the run.
#
# WASI_TESTSUITE_JSON=FILE also writes the runner's JSON log (per-test outcomes) to FILE;
# compare-results.py A.json B.json ... prints them side by side and lists the tests that differ.
# Extra arguments go to the suite's runner (for example --verbose).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
repo=${WASI_TESTSUITE_GIT:-https://github.com/WebAssembly/wasi-testsuite}
scratch=${WASI_TESTSUITE_DIR:-${TMPDIR:-/tmp}/capsule-wasi-testsuite}

reference=false
components=false
expectations=    # a wasi-testsuite expectations file, or none
while [ $# -gt 0 ]; do
    case $1 in
        --reference) reference=true; shift ;;
        --components) components=true; shift ;;
        *) break ;;
    esac
done

if $components; then
    # Check the inputs before any cloning or building.
    command -v wasm-tools >/dev/null || {
        echo "--components needs wasm-tools on PATH (https://github.com/bytecodealliance/wasm-tools)" >&2
        exit 2
    }
    [ -n "${P1_ADAPTER:-}" ] && [ -f "$P1_ADAPTER" ] || {
        echo "--components needs P1_ADAPTER: the path of the reactor preview 1 adapter" \
            "(wasi_snapshot_preview1.reactor.wasm, WASI 0.2.0)${P1_ADAPTER:+; not a file: $P1_ADAPTER}" >&2
        exit 2
    }
    [ -n "${WASI_WIT:-}" ] && [ -f "$WASI_WIT/command.wit" ] || {
        echo "--components needs WASI_WIT: a wasi-cli 0.2.0 WIT directory (with command.wit and deps/)," \
            "e.g. \`git -C wasi-cli archive v0.2.0 wit | tar -x\`${WASI_WIT:+; no command.wit in: $WASI_WIT}" >&2
        exit 2
    }
    if wasm-tools print "$P1_ADAPTER" | grep -q '(export "wasi:cli/run@'; then
        echo "P1_ADAPTER exports wasi:cli/run itself (the command adapter); use the reactor adapter" >&2
        exit 2
    fi
    P1_ADAPTER=$(cd "$(dirname "$P1_ADAPTER")" && pwd)/$(basename "$P1_ADAPTER")
    WASI_WIT=$(cd "$WASI_WIT" && pwd)
fi

if [ ! -d "$scratch/tests" ]; then
    rm -rf "$scratch"
    case $repo in /*) repo="file://$repo" ;; esac   # a local mirror; --depth needs a URL
    git clone --quiet --depth 1 --branch prod/testsuite-base "$repo" "$scratch"
fi

# The suite's runner needs Python 3.12 or newer, and colorama; keep both in a virtual
# environment inside the scratch folder.
if [ ! -x "$scratch/.venv/bin/python" ]; then
    python=
    for candidate in ${WASI_TESTSUITE_PYTHON:-} python3.14 python3.13 python3.12 python3; do
        if command -v "$candidate" >/dev/null \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            python=$candidate
            break
        fi
    done
    [ -n "$python" ] || {
        echo "wasi-testsuite's runner needs Python 3.12 or newer: set WASI_TESTSUITE_PYTHON to one" >&2
        exit 2
    }
    "$python" -m venv "$scratch/.venv"
    "$scratch/.venv/bin/pip" install --quiet colorama requests
fi

# Only the preview 1 programs: the suite also holds preview 3 ones no preview 1 host runs.
tests=$(cd "$scratch" && ls -d tests/*/testsuite/wasm32-wasip1)

# p1_to_component IN OUT: a preview 1 command module (exports _start) to a wasi:cli/command@0.2.0
# component through the reactor adapter. The adapter turns proc_exit into wasi:cli/exit.exit.
p1_to_component() {
    local tmp start
    tmp=$(mktemp -d)
    wasm-tools strip "$1" -o "$tmp/s.wasm"
    wasm-tools print "$tmp/s.wasm" -o "$tmp/m.wat"
    start=$(grep -oE '\(export "_start" \(func [^)]+\)\)' "$tmp/m.wat" \
        | sed -E 's/.*\(func ([^)]+)\)\)/\1/')
    [ -n "$start" ] || { echo "$1: no _start export" >&2; rm -rf "$tmp"; return 2; }
    sed -i -E 's/\(export "_start" \(func [^)]+\)\)//' "$tmp/m.wat"
    sed -i '$ d' "$tmp/m.wat"      # the module's closing ")"
    printf '  (func $__p2_run (export "wasi:cli/run@0.2.0#run") (result i32) call %s i32.const 0)\n)\n' \
        "$start" >>"$tmp/m.wat"
    wasm-tools parse "$tmp/m.wat" -o "$tmp/m.wasm"
    wasm-tools component embed "$WASI_WIT" --world wasi:cli/command@0.2.0 "$tmp/m.wasm" -o "$tmp/e.wasm"
    wasm-tools component new "$tmp/e.wasm" --adapt wasi_snapshot_preview1="$P1_ADAPTER" -o "$2"
    rm -rf "$tmp"
}

if $components; then
    # A copy of each test folder (configs, manifest, fs-tests.dir) with each .wasm converted.
    out="$scratch/components"
    stamp="$( (cd "$scratch" && git rev-parse HEAD); sha256sum <"$P1_ADAPTER"; \
        cd "$WASI_WIT" && find . -type f -name '*.wit' | sort | xargs sha256sum | sha256sum; \
        wasm-tools --version)"
    if [ "$(cat "$out/.stamp" 2>/dev/null)" != "$stamp" ]; then
        rm -rf "$out"
        for dir in $tests; do
            mkdir -p "$out/$dir"
            (cd "$scratch/$dir" && tar -cf - --exclude='*.wasm' --exclude='*.cleanup' .) \
                | (cd "$out/$dir" && tar -xf -)
            # Same version (the runner keys off it), another name in the report.
            sed -i -E 's/("name": *"[^"]*)"/\1 (components)"/' "$out/$dir/manifest.json"
            for wasm in "$scratch/$dir"/*.wasm; do
                p1_to_component "$wasm" "$out/$dir/$(basename "$wasm")"
            done
            echo "converted $(ls "$out/$dir"/*.wasm | wc -l) programs in $dir" >&2
        done
        printf '%s\n' "$stamp" >"$out/.stamp"
    fi
    tests=$(cd "$scratch" && for dir in $tests; do echo "components/$dir"; done)
    expectations="$here/adapter-expectations.toml"
fi

if $reference; then
    adapter="$scratch/adapters/wasmtime.py"
else
    if [ -z "${CAPSULE:-}" ]; then
        swift build -c release --package-path "$root" --product capsule >&2
        export CAPSULE="$root/.build/release/capsule"
    fi
    adapter="$here/capsule_adapter.py"
fi

if [ -n "${WASI_TESTSUITE_JSON:-}" ]; then   # relative to the caller's folder, not the suite's
    case $WASI_TESTSUITE_JSON in /*) ;; *) export WASI_TESTSUITE_JSON="$PWD/$WASI_TESTSUITE_JSON" ;; esac
fi

cd "$scratch"
# shellcheck disable=SC2086 # one directory per word
exec .venv/bin/python - "$adapter" "$expectations" $tests "$@" <<'PY'
import os
import sys
from pathlib import Path
sys.path.insert(0, "test-runner")
from wasi_test_runner.harness import run_tests
from wasi_test_runner.runtime_adapter import RuntimeAdapter
adapter, expectations, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
dirs = [Path(a) for a in rest if not a.startswith("-")]
sys.exit(run_tests([RuntimeAdapter(adapter)], dirs, color=False,
                   json_log_file=os.environ.get("WASI_TESTSUITE_JSON") or None,
                   verbose="--verbose" in rest,
                   expectations=[Path(expectations)] if expectations else []))
PY
