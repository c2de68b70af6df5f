;; One core module defining a memory, instantiated twice, and a module importing the memory and
;; growing it, once for each: two memories in one component instance, each with its own importer.
(component
  (core module $definer
    (memory (export "memory") 1 8)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "size") (result i32) (memory.size)))
  (core module $importer
    (import "env" "memory" (memory 1))
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "size") (result i32) (memory.size)))
  ;; Both definers first, so that the last one made is not the first importer's.
  (core instance $d1 (instantiate $definer))
  (core instance $d2 (instantiate $definer))
  (core instance $i1 (instantiate $importer (with "env" (instance $d1))))
  (core instance $i2 (instantiate $importer (with "env" (instance $d2))))
  (func (export "grow-d1") (param "pages" u32) (result s32) (canon lift (core func $d1 "grow")))
  (func (export "grow-i1") (param "pages" u32) (result s32) (canon lift (core func $i1 "grow")))
  (func (export "grow-d2") (param "pages" u32) (result s32) (canon lift (core func $d2 "grow")))
  (func (export "grow-i2") (param "pages" u32) (result s32) (canon lift (core func $i2 "grow")))
  (func (export "size-d1") (result s32) (canon lift (core func $d1 "size")))
  (func (export "size-i1") (result s32) (canon lift (core func $i1 "size")))
  (func (export "size-d2") (result s32) (canon lift (core func $d2 "size")))
  (func (export "size-i2") (result s32) (canon lift (core func $i2 "size"))))
