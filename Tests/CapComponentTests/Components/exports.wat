;; Lifted exports: scalars, a string through memory and realloc, a trap, an exported instance.
(component
  (core module $m
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 2048))
    (func (export "add") (param i32 i32) (result i32)
      local.get 0 local.get 1 i32.add)
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      global.get $heap local.get 2 i32.add i32.const 1 i32.sub
      i32.const 0 local.get 2 i32.sub i32.and
      local.set $p
      local.get $p local.get 3 i32.add global.set $heap
      local.get $p)
    (func (export "echo") (param i32 i32) (result i32)
      i32.const 1024 local.get 0 i32.store
      i32.const 1028 local.get 1 i32.store
      i32.const 1024)
    (func (export "fail") unreachable))
  (core instance $i (instantiate $m))
  (func $add (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
  (func $echo (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory (core memory $i "memory")) (realloc (core func $i "cabi_realloc"))))
  (func $fail (canon lift (core func $i "fail")))
  (export "add" (func $add))
  (export "echo" (func $echo))
  (export "fail" (func $fail))
  (instance $ops (export "add" (func $add)))
  (export "test:math/ops@1.0.0" (instance $ops)))
