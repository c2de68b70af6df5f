;; The core module of shape.wasm: wit-component adds the shim and fixup modules around it.
(module
  (import "test:shape/host" "log" (func $log (param i32 i32)))
  (import "test:shape/host" "next" (func $next (result i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    global.get $heap local.get 2 i32.add i32.const 1 i32.sub
    i32.const 0 local.get 2 i32.sub i32.and
    local.set $p
    local.get $p local.get 3 i32.add global.set $heap
    local.get $p)
  (func (export "run") (param $ptr i32) (param $len i32) (result i32)
    local.get $ptr local.get $len call $log
    call $next local.get $len i32.add))
