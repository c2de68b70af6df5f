;; The core module of limits.wasm (see limits.wit and build.sh): each export ends a run one way.
(module
  (import "wasi:cli/exit@0.2.0" "exit" (func $exit (param i32)))
  (import "wasi:cli/stdout@0.2.0" "get-stdout" (func $get-stdout (result i32)))
  (import "wasi:io/streams@0.2.0" "[method]output-stream.blocking-write-and-flush"
    (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.0" "[resource-drop]output-stream" (func $drop-stream (param i32)))
  (import "wasi:clocks/monotonic-clock@0.2.0" "now" (func $now (result i64)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello from a component\n")

  (func (export "hello")
    (local $stream i32)
    (local.set $stream (call $get-stdout))
    ;; result<_, stream-error> lands at 64.
    (call $write (local.get $stream) (i32.const 16) (i32.const 23) (i32.const 64))
    (if (i32.load8_u (i32.const 64)) (then unreachable))
    (call $drop-stream (local.get $stream)))
  ;; result<_, _> is 0 for ok, 1 for err.
  (func (export "exit-ok") (call $exit (i32.const 0)) unreachable)
  (func (export "exit-err") (call $exit (i32.const 1)) unreachable)
  (func (export "trap") unreachable)
  (func (export "spin") (loop $forever (br $forever)))
  (func (export "spin-calling-host") (loop $forever (drop (call $now)) (br $forever)))
  (func (export "grow")
    (loop $more (br_if $more (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))))
  ;; Never drops what it gets: the host's resource limit must stop it.
  (func (export "hoard-streams") (loop $more (drop (call $get-stdout)) (br $more)))
)
