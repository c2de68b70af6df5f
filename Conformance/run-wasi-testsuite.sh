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
# Extra arguments go to the suite's runner (for example --verbose).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
repo=${WASI_TESTSUITE_GIT:-https://github.com/WebAssembly/wasi-testsuite}
scratch=${WASI_TESTSUITE_DIR:-${TMPDIR:-/tmp}/capsule-wasi-testsuite}

reference=false
if [ "${1:-}" = "--reference" ]; then reference=true; shift; fi

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

if $reference; then
    adapter="$scratch/adapters/wasmtime.py"
else
    if [ -z "${CAPSULE:-}" ]; then
        swift build -c release --package-path "$root" --product capsule >&2
        export CAPSULE="$root/.build/release/capsule"
    fi
    adapter="$here/capsule_adapter.py"
fi

cd "$scratch"
# shellcheck disable=SC2086 # one directory per word
exec .venv/bin/python - "$adapter" $tests "$@" <<'PY'
import sys
from pathlib import Path
sys.path.insert(0, "test-runner")
from wasi_test_runner.harness import run_tests
from wasi_test_runner.runtime_adapter import RuntimeAdapter
adapter, rest = sys.argv[1], sys.argv[2:]
dirs = [Path(a) for a in rest if not a.startswith("-")]
sys.exit(run_tests([RuntimeAdapter(adapter)], dirs, color=False, json_log_file=None,
                   verbose="--verbose" in rest, expectations=[]))
PY
