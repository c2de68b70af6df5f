#!/usr/bin/env python3
"""Runs a WASI preview 1 guest under Wasmtime (PyPI `wasmtime`) for capsule-bench.

usage: wasmtime_runner.py MODULE.wasm HOST_DIR GUEST_DIR STDOUT_FILE ARG...

The module is compiled, instantiated and run once with HOST_DIR preopened read-write as
GUEST_DIR and the guest's stdout written to STDOUT_FILE. Prints one line of JSON:
{"exit": CODE, "run_ns": NANOSECONDS} where run_ns covers instantiation and the run, not the
compilation. Exits 3 when the wasmtime package is not installed, so the benchmark can say so.
"""
import json
import sys
import time

try:
    import wasmtime
except ImportError:
    sys.exit(3)


def main() -> int:
    module_path, host_dir, guest_dir, stdout_path, *arguments = sys.argv[1:]
    config = wasmtime.Config()
    config.consume_fuel = True  # the Swift hosts meter fuel too
    engine = wasmtime.Engine(config)
    module = wasmtime.Module.from_file(engine, module_path)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()

    start = time.perf_counter_ns()
    store = wasmtime.Store(engine)
    store.set_fuel(1 << 40)
    wasi = wasmtime.WasiConfig()
    wasi.argv = [module_path.rsplit("/", 1)[-1], *arguments]
    wasi.preopen_dir(host_dir, guest_dir)
    wasi.stdout_file = stdout_path
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    instance = linker.instantiate(store, module)
    exit_code = 0
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as trap:
        exit_code = trap.code
    elapsed = time.perf_counter_ns() - start
    print(json.dumps({"exit": exit_code, "run_ns": elapsed}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
