import CWardenLinux
import Foundation
import Testing

/// The address-space shim wasmtime's memory creator calls (CWasmtime/memory.c): checked in
/// /proc/self/maps, where the kernel says what each mapping's protection really is.
@Suite struct LinearMemoryShimTests {
    /// The permissions ("rw-p", "---p", ...) of the mapping holding `address`, or nil.
    static func permissions(at address: UnsafeMutableRawPointer) throws -> String? {
        let target = UInt(bitPattern: address)
        // Read to the end: a /proc file's size is 0, so nothing may go by it.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/maps"))
        defer { try? handle.close() }
        let maps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ")
            let range = fields[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
            if range.count == 2, range[0] <= target, target < range[1] { return String(fields[1]) }
        }
        return nil
    }

    @Test("reserve is PROT_NONE, commit makes exactly the asked bytes read/write (never executable)")
    func reserveCommitRelease() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let base = try #require(warden_memory_reserve(4 * page))
        #expect(try Self.permissions(at: base) == "---p")
        #expect(warden_memory_commit(base, 2 * page) == 0)
        #expect(try Self.permissions(at: base) == "rw-p")
        #expect(try Self.permissions(at: base + page) == "rw-p")
        #expect(try Self.permissions(at: base + 2 * page) == "---p")
        base.storeBytes(of: 0x5a, toByteOffset: 2 * page - 1, as: UInt8.self)
        #expect(base.load(fromByteOffset: 2 * page - 1, as: UInt8.self) == 0x5a)
        // Not checked in the maps afterwards: another test's thread may map the range at once.
        #expect(warden_memory_release(base, 4 * page) == 0)
    }

    @Test("a reservation larger than the address space fails with NULL, not a crash")
    func impossibleReservation() {
        #expect(warden_memory_reserve(Int.max) == nil)
    }
}
