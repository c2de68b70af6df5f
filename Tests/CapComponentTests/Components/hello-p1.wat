;; A preview 1 command writing "hi\n" to stdout; build.sh turns it into hello-p2.wasm with the adapter.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\n")
  (func (export "_start")
    i32.const 0 i32.const 16 i32.store
    i32.const 4 i32.const 3 i32.store
    i32.const 1 i32.const 0 i32.const 1 i32.const 8 call $fd_write drop))
