;; Guest pointers that point past linear memory (one 64 KiB page) in path calls on the
;; preopen (fd 3): each call must answer `fault` (21) without touching host memory or the
;; host tree. Exits 0 when every call did; otherwise exits 100 + the number of the first
;; call that did not, after printing "check N errno E" on stdout.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink"
    (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename"
    (func $rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink"
    (func $readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; 0: "inside.txt"   16: "../secret.txt"   32: "planted"   48: "goodfile"   64: "newdir"
  (data (i32.const 0) "inside.txt")
  (data (i32.const 16) "../secret.txt")
  (data (i32.const 32) "planted")
  (data (i32.const 48) "goodfile")
  (data (i32.const 64) "newdir")
  ;; 128..: message buffer "check NN errno EE\n"; 192: iovec
  (data (i32.const 128) "check 00 errno 00\n")

  (func $digits (param $at i32) (param $value i32)
    (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.rem_u (i32.div_u (local.get $value) (i32.const 10)) (i32.const 10))))
    (i32.store8 (i32.add (local.get $at) (i32.const 1)) (i32.add (i32.const 48) (i32.rem_u (local.get $value) (i32.const 10)))))

  ;; Exits 100 + n unless `got` is 21 (fault).
  (func $expect_fault (param $n i32) (param $got i32)
    (if (i32.ne (local.get $got) (i32.const 21))
      (then
        (call $digits (i32.const 134) (local.get $n))
        (call $digits (i32.const 143) (local.get $got))
        (i32.store (i32.const 192) (i32.const 128))
        (i32.store (i32.const 196) (i32.const 18))
        (drop (call $fd_write (i32.const 1) (i32.const 192) (i32.const 1) (i32.const 200)))
        (call $proc_exit (i32.add (i32.const 100) (local.get $n))))))

  (func (export "_start")
    ;; 1: path pointer past the end of memory.
    (call $expect_fault (i32.const 1)
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 65530) (i32.const 10) (i32.const 0)
        (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 256)))
    ;; 2: path length that wraps around 32 bits.
    (call $expect_fault (i32.const 2)
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 0xfffffff8) (i32.const 0)
        (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 256)))
    ;; 3: result pointer out of bounds (the file must not be opened and leaked).
    (call $expect_fault (i32.const 3)
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 10) (i32.const 0)
        (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0xfffffffe)))
    ;; 4: result pointer straddling the end of memory, creating a file.
    (call $expect_fault (i32.const 4)
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 32) (i32.const 7) (i32.const 1)
        (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 65534)))
    ;; 5: mkdir with a path pointer past the end.
    (call $expect_fault (i32.const 5)
      (call $mkdir (i32.const 3) (i32.const 0xffffff00) (i32.const 6)))
    ;; 6: symlink whose target is out of bounds.
    (call $expect_fault (i32.const 6)
      (call $symlink (i32.const 65535) (i32.const 2) (i32.const 3) (i32.const 32) (i32.const 7)))
    ;; 7: rename with the new path out of bounds.
    (call $expect_fault (i32.const 7)
      (call $rename (i32.const 3) (i32.const 0) (i32.const 10) (i32.const 3) (i32.const 65536) (i32.const 1)))
    ;; 8: readlink into a buffer past the end.
    (call $expect_fault (i32.const 8)
      (call $readlink (i32.const 3) (i32.const 48) (i32.const 8) (i32.const 65530) (i32.const 64) (i32.const 256)))
    ;; 9: prestat name into a buffer past the end.
    (call $expect_fault (i32.const 9)
      (call $prestat_dir_name (i32.const 3) (i32.const 0xfffffff0) (i32.const 8)))
    (call $proc_exit (i32.const 0)))
)
