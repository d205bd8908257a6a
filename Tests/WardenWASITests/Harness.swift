import Foundation
import Testing
import Glibc
import WardenSystem
@testable import WardenWASI

/// Drives WASIPreview1 directly, without an engine: a 64 KiB byte buffer stands in for
/// linear memory, and a temporary host directory for the preopen.
final class Harness {
    let root: String
    let memoryBytes: UnsafeMutableRawBufferPointer
    let wasi: WASIPreview1
    let auditor = RecordingAuditor()
    var memory: GuestMemory { GuestMemory(base: memoryBytes.baseAddress!, count: memoryBytes.count) }
    private var cursor: UInt32 = 1024

    /// fd 3 is the preopen "/sandbox" over `root`.
    init(access: DirectoryAccess = .readWrite, maxOpenDescriptors: Int = 1024) throws {
        var template = Array((NSTemporaryDirectory() + "warden-unit-XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else { throw Errno.current }
        root = String(cString: template)
        memoryBytes = .allocate(byteCount: 65536, alignment: 16)
        memoryBytes.initializeMemory(as: UInt8.self, repeating: 0)
        let authority = AmbientAuthority(purpose: "unit tests")
        var configuration = WASIConfiguration()
        configuration.preopens = [PreopenDirectory(host: try authority.openDirectory(root), guestPath: "/sandbox", access: access)]
        configuration.maxOpenDescriptors = maxOpenDescriptors
        wasi = try WASIPreview1(configuration: configuration, auditor: auditor)
    }

    deinit {
        wasi.closeAll()
        try? FileManager.default.removeItem(atPath: root)
        memoryBytes.deallocate()
    }

    /// Places `text` in guest memory and returns (address, length).
    func put(_ text: String) -> (UInt32, UInt32) {
        let bytes = Array(text.utf8)
        let address = cursor
        for (index, byte) in bytes.enumerated() { memoryBytes[Int(address) + index] = byte }
        cursor += UInt32(bytes.count + 8) & ~7
        return (address, UInt32(bytes.count))
    }

    func open(_ path: String, oflags: OFlags = [], rights: Rights = Rights.fileReading.union(.fileMutating),
              follow: Bool = true, fd: UInt32 = 3) throws(WASIErrno) -> UInt32 {
        let (address, length) = put(path)
        try wasi.pathOpen(memory, fd: fd, lookupFlags: follow ? 1 : 0, path: address, pathLength: length,
                          oflags: oflags.rawValue, rightsBase: rights.rawValue, rightsInheriting: rights.rawValue,
                          fdflags: 0, result: 8)
        return try memory.load(UInt32.self, at: 8)
    }

    /// The WASI errno `body` ended with (`.success` when it returned).
    func errno(_ body: () throws -> Void) -> WASIErrno {
        do {
            try body()
            return .success
        } catch let error as WASIErrno {
            return error
        } catch {
            Issue.record("unexpected non-WASI error \(error)")
            return .io
        }
    }

    func write(_ relative: String, _ text: String) throws {
        try text.write(toFile: "\(root)/\(relative)", atomically: false, encoding: .utf8)
    }
}
