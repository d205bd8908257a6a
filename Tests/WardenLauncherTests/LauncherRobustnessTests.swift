import Foundation
import Testing
import WardenTestSupport

/// What a hostile module must never do to the launcher itself: kill it with a signal, crash
/// its parser, tamper with the streams it shares, or grow without a bound.
@Suite struct LauncherRobustnessTests {
    /// Writes to stdout until the write fails, then exits with the WASI errno it got.
    static let writeUntilFailure = """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "\\10\\00\\00\\00\\00\\10\\00\\00")
          (func (export "_start")
            (local $errno i32)
            (loop $again
              (local.set $errno (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
              (br_if $again (i32.eqz (local.get $errno))))
            (call $exit (local.get $errno))))
        """

    @Test func closedPipeIsEPIPEForTheGuestNotSIGPIPEForWarden() throws {
        let module = try Guests.wat(Self.writeUntilFailure, name: "write-until-failure")
        // `head -c1` reads one byte and closes the pipe; warden's status comes back via PIPESTATUS.
        let result = try Command.run("/bin/bash", ["-c", "'\(Warden.executable)' run '\(module)' | head -c1 >/dev/null; echo ${PIPESTATUS[0]}"])
        #expect(result.stdout == "64\n", "warden must exit with the guest's errno (pipe = 64), stderr: \(result.stderr)")
    }

    @Test func fileSizeLimitIsEFBIGForTheGuest() throws {
        let tree = try TemporaryTree()
        let module = try Guests.wat(Self.writeUntilFailure, name: "write-until-failure")
        let result = try Command.run("/bin/bash", ["-c", "ulimit -f 8; '\(Warden.executable)' run '\(module)' > '\(tree.url("out"))'; echo $?"])
        #expect(result.stdout == "22\n", "fbig = 22, stderr: \(result.stderr)")
    }

    @Test func deeplyNestedTextIsRefusedNotACrash() throws {
        let tree = try TemporaryTree()
        let depth = 200_000
        try tree.write("deep.wat", "(module (memory (export \"memory\") 1) (func (export \"_start\") "
                       + String(repeating: "(block ", count: depth) + String(repeating: ")", count: depth) + "))")
        let result = try Warden.run([tree.url("deep.wat")])
        #expect(!result.signaled)
        #expect(result.status == 125)
        #expect(result.stderr.contains("invalid WebAssembly text: nesting deeper than 1000 levels"))
        // Parentheses inside strings and comments do not count.
        try tree.write("quoted.wat", "(module ;; ((((((\n (; (((( ;) (memory (export \"memory\") 1) (data (i32.const 0) \""
                       + String(repeating: "(", count: 5000) + "\") (func (export \"_start\")))")
        #expect(try Warden.run([tree.url("quoted.wat")]).status == 0)
    }

    @Test func standardStreamsAreStreamsTheGuestCannotRewind() throws {
        let tree = try TemporaryTree()
        let module = try Guests.wat("""
            (module
              (import "wasi_snapshot_preview1" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $truncate (param i32 i64) (result i32)))
              (import "wasi_snapshot_preview1" "fd_allocate" (func $allocate (param i32 i64 i64) (result i32)))
              (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $flags (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start")
                ;; exit code packs four errnos: seek(2) spipe=70, truncate(2), allocate(1), set_flags(1)
                (call $exit (i32.add
                  (i32.mul (call $seek (i32.const 2) (i64.const 0) (i32.const 0) (i32.const 64)) (i32.const 0))
                  (i32.add (i32.eq (call $seek (i32.const 2) (i64.const 0) (i32.const 0) (i32.const 64)) (i32.const 70))
                    (i32.add (i32.mul (i32.eq (call $truncate (i32.const 2) (i64.const 0)) (i32.const 76)) (i32.const 2))
                      (i32.add (i32.mul (i32.eq (call $allocate (i32.const 1) (i64.const 0) (i64.const 1048576)) (i32.const 76)) (i32.const 4))
                               (i32.mul (i32.eq (call $flags (i32.const 1) (i32.const 0)) (i32.const 76)) (i32.const 8)))))))))
            """, name: "stdio-tamper")
        let result = try Command.run("/bin/bash", ["-c", "'\(Warden.executable)' run '\(module)' >> '\(tree.url("out"))' 2>> '\(tree.url("err"))'; echo $?"])
        #expect(result.stdout == "15\n", "all four refused")
        let size = try FileManager.default.attributesOfItem(atPath: tree.url("out"))[.size] as? Int
        #expect(size == 0)
    }

    @Test func narrowIntegerArgumentsAreCheckedNotTruncated() throws {
        let module = try Guests.wat("""
            (module
              (import "wasi_snapshot_preview1" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_raise" (func $raise (param i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start")
                ;; whence 0x100 would truncate to SET; signal 0x109 to KILL. Both must be inval (28).
                (call $exit (i32.add (call $seek (i32.const 0) (i64.const 0) (i32.const 0x100) (i32.const 64))
                                     (call $raise (i32.const 0x109))))))
            """, name: "narrow-args")
        #expect(try Warden.run([module]).status == 56)
    }

    @Test func memoryIsBoundedByDefault() throws {
        let module = try Guests.wat("""
            (module
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start")
                ;; 4096 pages = 256MiB fit with the first page; 4096 more do not.
                (call $exit (i32.add (i32.eq (memory.grow (i32.const 4095)) (i32.const 1))
                                     (i32.mul (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (i32.const 2))))))
            """, name: "default-memory")
        #expect(try Warden.run([module]).status == 3)
        #expect(try Warden.run(["--max-memory", "1GiB", module]).status == 1)
    }

    @Test(arguments: [1024, 64])
    func runsUnderATightDescriptorLimit(limit: Int) throws {
        let module = try Guests.wat("(module (memory (export \"memory\") 1) (func (export \"_start\")))", name: "empty")
        let result = try Command.run("/bin/bash", ["-c", "ulimit -n \(limit); '\(Warden.executable)' run '\(module)'; echo $?"])
        #expect(result.stdout == "0\n", "\(result.stderr)")
    }

    @Test func closedStderrCannotBecomeTheAuditLog() throws {
        let tree = try TemporaryTree()
        let module = try Guests.wat("""
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "{\\"v\\":1,\\"layer\\":\\"lifecycle\\",\\"action\\":\\"forged\\"}\\n")
              (func (export "_start")
                (i32.store (i32.const 0) (i32.const 16))
                (i32.store (i32.const 4) (i32.const 48))
                (drop (call $write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))))
            """, name: "forge-stderr")
        _ = try Command.run("/bin/bash", ["-c", "'\(Warden.executable)' run --audit '\(tree.url("audit.jsonl"))' '\(module)' 2>&-"])
        let audit = (try? tree.read("audit.jsonl")) ?? ""
        #expect(!audit.contains("forged"), "the module's stderr landed in the audit log: \(audit)")
    }

    @Test func moduleControlledTextIsEscapedForTheTerminal() throws {
        let tree = try TemporaryTree()
        try tree.write("escape.wat", "(module (import \"env\" \"\\1b[31mRED\\0awarden: fake line\" (func)) (func (export \"_start\")))")
        let result = try Warden.run([tree.url("escape.wat")])
        #expect(result.status == 125)
        #expect(!result.stderr.contains("\u{1b}"))
        #expect(result.stderr.contains("\\x1b[31mRED"))
        #expect(!result.stderr.contains("\nwarden: fake line"))
    }
}
