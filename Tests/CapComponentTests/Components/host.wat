;; Imports satisfied by the host: an instance with a resource, functions and methods, and a bare function.
(component
  (type $api-type (instance
    (export "counter" (type (sub resource)))
    (type $own (own 0))
    (type $borrow (borrow 0))
    (export "log" (func (param "msg" string)))
    (export "make-counter" (func (param "start" u32) (result $own)))
    (export "[method]counter.get" (func (param "self" $borrow) (result u32)))))
  (import "test:host/api@0.1.0" (instance $api (type $api-type)))
  (import "get-number" (func $get-number (result u32)))
  (alias export $api "counter" (type $counter))
  (core module $mem (memory (export "memory") 1))
  (core instance $mem (instantiate $mem))
  (core func $log (canon lower (func $api "log") (memory (core memory $mem "memory"))))
  (core func $make (canon lower (func $api "make-counter")))
  (core func $get (canon lower (func $api "[method]counter.get")))
  (core func $drop (canon resource.drop $counter))
  (core func $num (canon lower (func $get-number)))
  (core module $main
    (import "mem" "memory" (memory 1))
    (import "api" "log" (func $log (param i32 i32)))
    (import "api" "make" (func $make (param i32) (result i32)))
    (import "api" "get" (func $get (param i32) (result i32)))
    (import "api" "drop" (func $drop (param i32)))
    (import "api" "num" (func $num (result i32)))
    (data (i32.const 16) "hello")
    (func (export "run") (param $start i32) (result i32)
      (local $h i32) (local $v i32)
      i32.const 16 i32.const 5 call $log
      local.get $start call $make local.set $h
      local.get $h call $get local.set $v
      local.get $h call $drop
      local.get $v call $num i32.add)
    (func (export "consume") (param $h i32)
      local.get $h call $drop)
    (func (export "bad-drop")
      i32.const 99 call $drop))
  (core instance $main (instantiate $main
    (with "mem" (instance $mem))
    (with "api" (instance
      (export "log" (func $log))
      (export "make" (func $make))
      (export "get" (func $get))
      (export "drop" (func $drop))
      (export "num" (func $num))))))
  (type $own-counter (own $counter))
  (func (export "run") (param "start" u32) (result u32) (canon lift (core func $main "run")))
  (func (export "consume") (param "c" $own-counter) (canon lift (core func $main "consume")))
  (func (export "bad-drop") (canon lift (core func $main "bad-drop"))))
