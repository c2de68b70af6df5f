#!/usr/bin/env python3
"""Runs a WASI preview 1 guest under Wasmtime (PyPI `wasmtime`) for capsule-bench.

usage: wasmtime_runner.py [--dir|--ro-dir HOST::GUEST]... MODULE.wasm HOST_DIR GUEST_DIR STDOUT_FILE ARG...

The module is compiled (through Wasmtime's compilation cache, so a large module is compiled
once per machine), instantiated and run once with HOST_DIR preopened read-write as GUEST_DIR,
each --dir preopened too (--ro-dir read-only), and the guest's stdout written to STDOUT_FILE.
Prints one line of JSON: {"exit": CODE, "run_ns": NANOSECONDS, "fuel": UNITS} where run_ns
covers instantiation and the run, not the compilation, and fuel is what `_start` consumed:
Wasmtime charges one unit per operator executed, except nop, drop, block, loop, unreachable,
return, else and end. Exits 3 when the wasmtime package is not installed, so the benchmark can
say so.
"""
import json
import sys
import time

try:
    import wasmtime
except ImportError:
    sys.exit(3)

BUDGET = 1 << 40


def main() -> int:
    arguments = sys.argv[1:]
    preopens: list[tuple[str, str, bool]] = []
    while arguments and arguments[0] in ("--dir", "--ro-dir"):
        option, value, *arguments = arguments
        host, guest = value.split("::", 1)
        preopens.append((host, guest, option == "--dir"))
    module_path, host_dir, guest_dir, stdout_path, *arguments = arguments
    config = wasmtime.Config()
    config.consume_fuel = True  # the Swift hosts meter fuel too
    config.cache = True
    engine = wasmtime.Engine(config)
    module = wasmtime.Module.from_file(engine, module_path)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()

    start = time.perf_counter_ns()
    store = wasmtime.Store(engine)
    store.set_fuel(BUDGET)
    wasi = wasmtime.WasiConfig()
    wasi.argv = [module_path.rsplit("/", 1)[-1], *arguments]
    wasi.preopen_dir(host_dir, guest_dir)
    for host, guest, mutable in preopens:
        wasi.preopen_dir(host, guest, mutable)
    wasi.stdout_file = stdout_path
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    instance = linker.instantiate(store, module)
    fuel_before = store.get_fuel()
    exit_code = 0
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as trap:
        exit_code = trap.code
    fuel = fuel_before - store.get_fuel()
    elapsed = time.perf_counter_ns() - start
    print(json.dumps({"exit": exit_code, "run_ns": elapsed, "fuel": fuel}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
