import Foundation
import Testing
@testable import WardenWASI

/// The one import table both engines define their WASI functions from (each engine's suites
/// run it through real guests; here it is checked directly, with a reader over a plain list).
@Suite struct WASIImportTableTests {
    /// Arguments as an engine would pass them: one 64-bit slot per parameter, i32 in the low half.
    enum ListedArguments: WASIArguments {
        static func u32(_ arguments: UnsafeRawPointer?, _ index: Int) -> UInt32 {
            UInt32(truncatingIfNeeded: arguments!.assumingMemoryBound(to: UInt64.self)[index])
        }
        static func u64(_ arguments: UnsafeRawPointer?, _ index: Int) -> UInt64 {
            arguments!.assumingMemoryBound(to: UInt64.self)[index]
        }
    }

    struct Entry {
        let name: String
        let parameters: [WASIValueType]
        let body: WASIImportBody

        /// Calls the body with `values` as its argument array.
        func call(_ harness: Harness, _ values: [UInt64]) throws(WASIErrno) {
            try values.withUnsafeBufferPointer { (slots) throws(WASIErrno) in
                try body(harness.wasi, harness.memory, UnsafeRawPointer(slots.baseAddress))
            }
        }
    }

    static var table: [Entry] {
        var entries: [Entry] = []
        WASIImportTable.forEach(reading: ListedArguments.self) { entries.append(Entry(name: $0, parameters: $1, body: $2)) }
        return entries
    }

    static func entry(_ name: String) throws -> Entry {
        try #require(table.first { $0.name == name }, "no \(name) in the table")
    }

    @Test("every errno-returning preview1 function, once; proc_exit and proc_raise are the engines'")
    func names() {
        let names = Self.table.map(\.name)
        #expect(names.count == 44)
        #expect(Set(names).count == names.count)
        #expect(!names.contains("proc_exit") && !names.contains("proc_raise"))
        for name in ["args_get", "fd_write", "fd_readdir", "path_open", "poll_oneoff", "sock_shutdown", "sched_yield"] {
            #expect(names.contains(name), "\(name)")
        }
    }

    @Test("signatures as witx gives them: i64 exactly where a 64-bit value is passed")
    func signatures() throws {
        #expect(try Self.entry("fd_write").parameters == [.i32, .i32, .i32, .i32])
        #expect(try Self.entry("fd_seek").parameters == [.i32, .i64, .i32, .i32])
        #expect(try Self.entry("clock_time_get").parameters == [.i32, .i64, .i32])
        #expect(try Self.entry("path_open").parameters == [.i32, .i32, .i32, .i32, .i32, .i64, .i64, .i32, .i32])
        #expect(try Self.entry("path_filestat_set_times").parameters == [.i32, .i32, .i32, .i32, .i64, .i64, .i32])
        #expect(try Self.entry("sched_yield").parameters == [])
    }

    @Test("a body reads each argument by its index and calls WASIPreview1: fd_write writes the guest's bytes")
    func bodyCalls() throws {
        let harness = try Harness()
        let fd = try harness.open("out", oflags: .create)
        let (text, length) = harness.put("hello")
        try harness.memory.store(text, at: 64)  // one iovec at 64: buffer, length
        try harness.memory.store(length, at: 68)
        let write = try Self.entry("fd_write")
        try write.call(harness, [UInt64(fd), 64, 1, 72])
        #expect(try harness.memory.load(UInt32.self, at: 72) == 5)
        #expect(try String(contentsOfFile: harness.root + "/out", encoding: .utf8) == "hello")
    }

    @Test("a narrow witx integer out of its range is refused (inval) before the call, not truncated into a valid one")
    func narrowing() throws {
        let harness = try Harness()
        // fd 99 is not open: a value that narrows reaches WASIPreview1 (badf); one that does not
        // never gets there (inval).
        let setFlags = try Self.entry("fd_fdstat_set_flags")
        #expect(harness.errno { try setFlags.call(harness, [99, 1]) } == .badf)
        #expect(harness.errno { try setFlags.call(harness, [99, 0x1_0001]) } == .inval)
        let shutdown = try Self.entry("sock_shutdown")
        #expect(harness.errno { try shutdown.call(harness, [99, 1]) } == .badf)
        #expect(harness.errno { try shutdown.call(harness, [99, 0x101]) } == .inval)
    }
}
