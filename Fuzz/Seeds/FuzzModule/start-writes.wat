;; A command whose start function writes to stdout and exits: instantiation runs WASI.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1 2)
  (data (i32.const 16) "hi\n")
  (data (i32.const 0) "\10\00\00\00\03\00\00\00")
  (func $init (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 32))))
  (start $init)
  (func (export "_start") (call $proc_exit (i32.const 0))))
