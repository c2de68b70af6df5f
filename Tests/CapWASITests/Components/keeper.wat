;; The core module of keeper.wasm (see keeper.wit and build.sh). `plant` grows memory by a page,
;; fills it from 8192 up with 0xA5, sets a hidden global, points a table slot at another function
;; and leaves a stdout stream open. `scan` writes one byte to standard output, '0' plus a bit per
;; kind of leftover it finds: 1 memory, 2 the hidden global, 4 the table slot, 8 the allocator's
;; global not at its start, 16 a handle left open (a fresh instance's first handle is 1), 32 a
;; memory.size other than 1 page. `both` plants, then scans.
;; `wit-component` adds the modules that lower get-arguments into this module's memory, so an
;; instance of the component has several core instances.
(module
  (import "wasi:cli/environment@0.2.0" "get-arguments" (func $get-arguments (param i32)))
  (import "wasi:cli/stdout@0.2.0" "get-stdout" (func $get-stdout (result i32)))
  (import "wasi:io/streams@0.2.0" "[method]output-stream.blocking-write-and-flush"
    (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.0" "[resource-drop]output-stream" (func $drop-stream (param i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (global $secret (mut i64) (i64.const 0))
  (table $slots 2 funcref)
  (type $probe (func (result i32)))
  (elem (table $slots) (i32.const 0) func $clean $clean)
  (elem declare func $planted)
  (func $clean (result i32) (i32.const 0))
  (func $planted (result i32) (i32.const 1))
  ;; A bump allocator below 8192: the arguments the host returns land there.
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $block i32)
    (local.set $block
      (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $block) (local.get 3)))
    (if (i32.gt_u (global.get $heap) (i32.const 8192)) (then unreachable))
    (local.get $block))
  (func $plant
    (drop (memory.grow (i32.const 1)))
    (memory.fill (i32.const 8192) (i32.const 0xA5) (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 8192)))
    (global.set $secret (i64.const 0x5EC2E7))
    (table.set $slots (i32.const 1) (ref.func $planted))
    (drop (call $get-stdout)))
  (func $scan (param $heap-at-entry i32) (result i32)
    (local $address i32) (local $found i32) (local $stream i32)
    (local.set $address (i32.const 8192))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $address) (i32.const 65536)))
        (if (i64.ne (i64.load (local.get $address)) (i64.const 0))
          (then (local.set $found (i32.const 1)) (br $done)))
        (local.set $address (i32.add (local.get $address) (i32.const 8)))
        (br $next)))
    (if (i64.ne (global.get $secret) (i64.const 0))
      (then (local.set $found (i32.or (local.get $found) (i32.const 2)))))
    (if (call_indirect $slots (type $probe) (i32.const 1))
      (then (local.set $found (i32.or (local.get $found) (i32.const 4)))))
    (if (i32.ne (local.get $heap-at-entry) (i32.const 4096))
      (then (local.set $found (i32.or (local.get $found) (i32.const 8)))))
    (local.set $stream (call $get-stdout))
    (if (i32.ne (local.get $stream) (i32.const 1))
      (then (local.set $found (i32.or (local.get $found) (i32.const 16)))))
    (if (i32.ne (memory.size) (i32.const 1))
      (then (local.set $found (i32.or (local.get $found) (i32.const 32)))))
    (call $drop-stream (local.get $stream))
    (local.get $found))
  (func $say (param $found i32)
    (local $stream i32)
    (i32.store8 (i32.const 32) (i32.add (i32.const 48) (local.get $found)))
    (local.set $stream (call $get-stdout))
    ;; result<_, stream-error> at 64.
    (call $write (local.get $stream) (i32.const 32) (i32.const 1) (i32.const 64))
    (if (i32.load8_u (i32.const 64)) (then unreachable))
    (call $drop-stream (local.get $stream)))
  ;; list<string> at 0: its pointer and count; each string a pointer and a length.
  (func (export "run")
    (local $heap-at-entry i32) (local $mode i32)
    (local.set $heap-at-entry (global.get $heap))
    (call $get-arguments (i32.const 0))
    (if (i32.lt_u (i32.load (i32.const 4)) (i32.const 2)) (then unreachable))
    (local.set $mode (i32.load8_u (i32.load (i32.add (i32.load (i32.const 0)) (i32.const 8)))))
    ;; 'p'
    (if (i32.eq (local.get $mode) (i32.const 112)) (then (call $plant) (return)))
    ;; 'b'
    (if (i32.eq (local.get $mode) (i32.const 98)) (then (call $plant)))
    (call $say (call $scan (local.get $heap-at-entry)))))
