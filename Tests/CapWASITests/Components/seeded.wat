;; The core module of seeded.wasm (see seeded.wit and build.sh). Its start function asks the host
;; for a random number and keeps it at address 0, so every instance begins with memory of its
;; own; `run` writes those 8 bytes to standard output. An instance reused for a later run must
;; still hold its own number, never another instance's.
(module
  (import "wasi:random/random@0.2.0" "get-random-u64" (func $random (result i64)))
  (import "wasi:cli/stdout@0.2.0" "get-stdout" (func $get-stdout (result i32)))
  (import "wasi:io/streams@0.2.0" "[method]output-stream.blocking-write-and-flush"
    (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.0" "[resource-drop]output-stream" (func $drop-stream (param i32)))
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) unreachable)
  (func $seed (i64.store (i32.const 0) (call $random)))
  (start $seed)
  (func (export "run")
    (local $stream i32)
    (local.set $stream (call $get-stdout))
    ;; result<_, stream-error> at 64.
    (call $write (local.get $stream) (i32.const 0) (i32.const 8) (i32.const 64))
    (if (i32.load8_u (i32.const 64)) (then unreachable))
    (call $drop-stream (local.get $stream))))
