;; A resource defined by the component: resource.new, resource.rep, resource.drop and a destructor.
(component
  (core module $dm
    (global $dropped (mut i32) (i32.const 0))
    (func (export "dtor") (param i32)
      global.get $dropped i32.const 1 i32.add global.set $dropped)
    (func (export "dropped") (result i32) global.get $dropped))
  (core instance $d (instantiate $dm))
  (type $r (resource (rep i32) (dtor (core func $d "dtor"))))
  (core func $new (canon resource.new $r))
  (core func $rep (canon resource.rep $r))
  (core func $drop (canon resource.drop $r))
  (core module $m
    (import "rt" "new" (func $new (param i32) (result i32)))
    (import "rt" "rep" (func $rep (param i32) (result i32)))
    (import "rt" "drop" (func $drop (param i32)))
    (func (export "make") (param i32) (result i32) local.get 0 call $new)
    (func (export "value") (param i32) (result i32) local.get 0)
    (func (export "consume") (param $h i32) (result i32)
      (local $v i32)
      local.get $h call $rep local.set $v
      local.get $h call $drop
      local.get $v))
  (core instance $i (instantiate $m
    (with "rt" (instance (export "new" (func $new)) (export "rep" (func $rep)) (export "drop" (func $drop))))))
  (export $thing "thing" (type $r))
  (type $own (own $thing))
  (type $borrow (borrow $thing))
  (func (export "[constructor]thing") (param "v" u32) (result $own) (canon lift (core func $i "make")))
  (func (export "[method]thing.value") (param "self" $borrow) (result u32) (canon lift (core func $i "value")))
  (func (export "consume") (param "t" $own) (result u32) (canon lift (core func $i "consume")))
  (func (export "dropped") (result u32) (canon lift (core func $d "dropped"))))
