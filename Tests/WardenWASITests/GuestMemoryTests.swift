import Testing
@testable import WardenWASI

@Suite struct GuestMemoryTests {
    @Test func loadsAndStoresWithinBounds() throws {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 8)
        defer { bytes.deallocate() }
        let memory = GuestMemory(base: bytes.baseAddress!, count: 16)
        try memory.store(UInt32(0xdeadbeef), at: 12)
        #expect(try memory.load(UInt32.self, at: 12) == 0xdeadbeef)
        #expect(bytes[12] == 0xef)  // little-endian, as the guest sees it
    }

    @Test(arguments: [UInt32(13), 16, 0xffff_fffc, 0xffff_ffff])
    func outOfBoundsAccessFaults(offset: UInt32) {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 8)
        defer { bytes.deallocate() }
        let memory = GuestMemory(base: bytes.baseAddress!, count: 16)
        #expect(throws: WASIErrno.fault) { try memory.load(UInt32.self, at: offset) }
        #expect(throws: WASIErrno.fault) { try memory.store(UInt32(1), at: offset) }
    }

    @Test func hugeLengthsFaultWithoutOverflow() {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 8)
        defer { bytes.deallocate() }
        let memory = GuestMemory(base: bytes.baseAddress!, count: 64)
        #expect(throws: WASIErrno.fault) { try memory.bytes(at: 1, count: 0xffff_ffff) }
        #expect(throws: WASIErrno.fault) { try memory.bytes(at: 0xffff_ffff, count: 2) }
        #expect((try? memory.bytes(at: 64, count: 0))?.count == 0)
    }

    @Test func pathsWithNulOrExcessiveLengthAreRefused() {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 8192, alignment: 8)
        defer { bytes.deallocate() }
        bytes.initializeMemory(as: UInt8.self, repeating: UInt8(ascii: "a"))
        bytes[3] = 0
        let memory = GuestMemory(base: bytes.baseAddress!, count: 8192)
        #expect(throws: WASIErrno.inval) { try memory.withPath(at: 0, length: 8) { _ throws(WASIErrno) in () } }
        #expect(throws: WASIErrno.nametoolong) { try memory.withPath(at: 4, length: 4096) { _ throws(WASIErrno) in () } }
        let text = try? memory.withPath(at: 4, length: 5) { (path) throws(WASIErrno) in path.text }
        #expect(text == "aaaaa")
    }
}
