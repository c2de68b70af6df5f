;; Nested components instantiated with arguments; instance-export, core-export and outer aliases.
(component
  (type $t (func (param "x" u32) (result u32)))
  (core module $shared
    (func (export "double") (param i32) (result i32) local.get 0 i32.const 2 i32.mul))
  (component $inner
    (alias outer 1 $t (type $t2))
    (alias outer 1 $shared (core module $m))
    (import "f" (func $f (type $t2)))
    (core instance $i (instantiate $m))
    (alias core export $i "double" (core func $double))
    (core func $f-lowered (canon lower (func $f)))
    (core module $combine
      (import "" "double" (func $d (param i32) (result i32)))
      (import "" "f" (func $f (param i32) (result i32)))
      (func (export "run") (param i32) (result i32) local.get 0 call $f call $d))
    (core instance $c (instantiate $combine
      (with "" (instance (export "double" (func $double)) (export "f" (func $f-lowered))))))
    (func $run (type $t2) (canon lift (core func $c "run")))
    (export "run" (func $run)))
  (core module $addone
    (func (export "addone") (param i32) (result i32) local.get 0 i32.const 1 i32.add))
  (core instance $a (instantiate $addone))
  (func $addone (type $t) (canon lift (core func $a "addone")))
  (instance $x (instantiate $inner (with "f" (func $addone))))
  (alias export $x "run" (func $run))
  (export "run" (func $run))
  (instance $y (instantiate $inner (with "f" (func $run))))
  (export "run-twice" (func $y "run"))
  (export "inner" (instance $x)))
