;; The core module of limits.wasm (see limits.wit and build.sh): each export ends a run one way,
;; except echo-stdin, which copies standard input to standard output, and sockets-refused, which
;; traps unless creating a TCP socket fails with access-denied, and exit-err-on-terminal, which exits
;; with err when wasi:cli/terminal-stdout says standard output is a terminal. spin, recurse, fill and sleep never
;; end by themselves.
(module
  (import "wasi:cli/exit@0.2.0" "exit" (func $exit (param i32)))
  (import "wasi:cli/stdin@0.2.0" "get-stdin" (func $get-stdin (result i32)))
  (import "wasi:cli/stdout@0.2.0" "get-stdout" (func $get-stdout (result i32)))
  (import "wasi:io/streams@0.2.0" "[method]input-stream.blocking-read" (func $read (param i32 i64 i32)))
  (import "wasi:io/streams@0.2.0" "[method]output-stream.blocking-write-and-flush"
    (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.0" "[resource-drop]output-stream" (func $drop-stream (param i32)))
  (import "wasi:clocks/monotonic-clock@0.2.0" "now" (func $now (result i64)))
  (import "wasi:clocks/monotonic-clock@0.2.0" "subscribe-duration" (func $subscribe-duration (param i64) (result i32)))
  (import "wasi:io/poll@0.2.0" "[method]pollable.block" (func $block (param i32)))
  (import "wasi:sockets/instance-network@0.2.0" "instance-network" (func $network (result i32)))
  (import "wasi:sockets/tcp-create-socket@0.2.0" "create-tcp-socket" (func $create-tcp (param i32 i32)))
  ;; option<own<terminal-output>>, through a return area: the case byte, then the handle.
  (import "wasi:cli/terminal-stdout@0.2.0" "get-terminal-stdout" (func $get-terminal-stdout (param i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  ;; A bump allocator: lists the host returns land above 4096 and are never freed.
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $block i32)
    (local.set $block
      (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $block) (local.get 3)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.add (i32.shr_u (local.get 3) (i32.const 16)) (i32.const 1))))))
    (local.get $block))
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
;; result<list<u8>, stream-error> at 64: the list at 68 and 72; any error (closed) ends the copy.
  (func (export "echo-stdin")
    (local $in i32) (local $out i32)
    (local.set $in (call $get-stdin))
    (local.set $out (call $get-stdout))
    (block $done
      (loop $copy
        (call $read (local.get $in) (i64.const 5) (i32.const 64))
        (br_if $done (i32.load8_u (i32.const 64)))
        (call $write (local.get $out) (i32.load (i32.const 68)) (i32.load (i32.const 72)) (i32.const 80))
        (if (i32.load8_u (i32.const 80)) (then unreachable))
        (br $copy))))
;; result<own<tcp-socket>, error-code> at 96: err (1) with access-denied (1) at 100.
  (func (export "sockets-refused")
    (drop (call $network))
    (call $create-tcp (i32.const 0) (i32.const 96))
    (if (i32.ne (i32.load8_u (i32.const 96)) (i32.const 1)) (then unreachable))
    (if (i32.ne (i32.load8_u (i32.const 100)) (i32.const 1)) (then unreachable)))
  ;; Never drops what it gets: the host's resource limit must stop it.
  (func (export "hoard-streams") (loop $more (drop (call $get-stdout)) (br $more)))
  ;; What only a deadline stops: 2^60 calls without a loop, a 1 GiB memory.fill over and over,
  ;; and an hour's sleep in one host call.
  (func $recurse (param $depth i32)
    (if (local.get $depth)
      (then
        (call $recurse (i32.sub (local.get $depth) (i32.const 1)))
        (call $recurse (i32.sub (local.get $depth) (i32.const 1))))))
  (func (export "recurse") (call $recurse (i32.const 60)))
  (func $fill (param $pages i32)
    (if (i32.eq (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const -1)) (then unreachable))
    (loop $again (memory.fill (i32.const 0) (i32.const 7) (i32.shl (local.get $pages) (i32.const 16))) (br $again)))
  (func (export "fill") (call $fill (i32.const 16384)))
  ;; The same in 16 MiB, for debug builds, whose memory.fill is a byte loop.
  (func (export "fill-16m") (call $fill (i32.const 256)))
  (func (export "sleep") (call $block (call $subscribe-duration (i64.const 3600000000000))))
  (func (export "exit-err-on-terminal")
    (call $get-terminal-stdout (i32.const 2048))
    (if (i32.load8_u (i32.const 2048)) (then (call $exit (i32.const 1)))))
)
