#!/usr/bin/env python3
"""Runs a WASI guest under Wasmtime (PyPI `wasmtime`) for capsule-bench: a preview 1 module,
or a WASI 0.2 component (a wasi:cli/command, such as a preview 1 program made a component
through the preview 1 adapter).

usage: wasmtime_runner.py [--dir|--ro-dir HOST::GUEST]... GUEST.wasm HOST_DIR GUEST_DIR STDOUT_FILE ARG...

The guest is compiled (through Wasmtime's compilation cache, so a large module is compiled
once per machine), instantiated and run once with HOST_DIR preopened read-write as GUEST_DIR,
each --dir preopened too (--ro-dir read-only), and the guest's stdout written to STDOUT_FILE.
A module is linked with Wasmtime's preview 1 (`Linker.define_wasi`) and its `_start` called; a
component (told apart by its header) with Wasmtime's WASI 0.2 (`component.Linker.add_wasip2`)
and its `wasi:cli/run@0.2.x` `run` called, `ok` being exit code 0 and `err` 1, as `wasmtime run`
does. Both get the same `WasiConfig` and the same fuel budget.
Prints one line of JSON: {"exit": CODE, "run_ns": NANOSECONDS, "fuel": UNITS} where run_ns
covers instantiation and the run, not the compilation, and fuel is what `_start` (or `run`)
consumed, not instantiation (a component's core start functions, such as the adapter's, run
then): Wasmtime charges one unit per operator executed, except nop, drop, block, loop,
unreachable, return, else and end. Exits 3 when the wasmtime package is not installed, so the
benchmark can say so.
"""
import json
import sys
import time

try:
    import wasmtime
    import wasmtime.component
except ImportError:
    sys.exit(3)

BUDGET = 1 << 40
COMPONENT_HEADER = b"\x00asm\x0d\x00\x01\x00"


def is_component(path: str) -> bool:
    with open(path, "rb") as file:
        return file.read(8) == COMPONENT_HEADER


def call_run(store: "wasmtime.Store", instance: "wasmtime.component.Instance") -> int:
    """Calls the `run` of the component instance's wasi:cli/run@0.2.x: the exit code."""
    for patch in range(13):
        interface = instance.get_export_index(store, f"wasi:cli/run@0.2.{patch}")
        index = instance.get_export_index(store, "run", interface) if interface is not None else None
        if index is not None:
            break
    else:
        raise SystemExit("wasmtime_runner.py: the component exports no wasi:cli/run@0.2 run")
    run = instance.get_func(store, index)
    assert run is not None
    result = run(store)  # result: a Variant tagged "ok" or "err"
    run.post_return(store)
    return 0 if result.tag == "ok" else 1


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
    component = is_component(module_path)
    if component:
        compiled = wasmtime.component.Component.from_file(engine, module_path)
        component_linker = wasmtime.component.Linker(engine)
        component_linker.add_wasip2()
    else:
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
    exit_code = 0
    if component:
        instance = component_linker.instantiate(store, compiled)
        fuel_before = store.get_fuel()
        try:
            exit_code = call_run(store, instance)
        except wasmtime.ExitTrap as trap:  # wasi:cli/exit
            exit_code = trap.code
    else:
        instance = linker.instantiate(store, module)
        fuel_before = store.get_fuel()
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
