;; fd_write and random_get against an exported memory of zero pages: every pointer is out of
;; bounds. The host must answer fault (the guest exits with that errno) or trap; never crash.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 0)
  (func (export "_start")
    (local $e i32)
    (local.set $e (call $random_get (i32.const 0) (i32.const 16)))
    (if (i32.ne (local.get $e) (i32.const 21)) (then (call $proc_exit (i32.add (i32.const 100) (local.get $e)))))
    (call $proc_exit (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
