;; capsule-bench `components` suite: `loop n` calls the lowered host import `sink` n times with a
;; 16-byte string and a 16-element list<u32> from its memory (guest -> host through `canon lower`).
(component
  (import "sink" (func $sink (param "s" string) (param "l" (list u32))))
  (core module $mem (memory (export "memory") 1))
  (core instance $mem (instantiate $mem))
  (core func $sink (canon lower (func $sink) (memory (core memory $mem "memory")) string-encoding=utf8))
  (core module $main
    (import "mem" "memory" (memory 1))
    (import "host" "sink" (func $sink (param i32 i32 i32 i32)))
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
  (core instance $main (instantiate $main
    (with "mem" (instance $mem))
    (with "host" (instance (export "sink" (func $sink))))))
  (func (export "loop") (param "n" u32) (canon lift (core func $main "loop"))))
