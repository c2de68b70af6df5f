;; capsule-bench `components` suite: the same loop as component-calls.wat in a plain core module,
;; calling a core host import with the same core arguments (ptr, len, ptr, len).
(module
  (import "host" "sink" (func $sink (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "0123456789abcdef")
  (data (i32.const 64)
    "\00\00\00\00\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00\06\00\00\00\07\00\00\00"
    "\08\00\00\00\09\00\00\00\0a\00\00\00\0b\00\00\00\0c\00\00\00\0d\00\00\00\0e\00\00\00\0f\00\00\00")
  (func (export "loop") (param $n i32)
    (block $done
      (loop $again
        local.get $n
        i32.eqz
        br_if $done
        i32.const 16 i32.const 16 i32.const 64 i32.const 16
        call $sink
        local.get $n
        i32.const 1
        i32.sub
        local.set $n
        br $again))))
