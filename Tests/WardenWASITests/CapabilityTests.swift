import Foundation
import Testing
@testable import WardenWASI

/// The capability rules exercised directly on WASIPreview1 (no engine, no process).
@Suite struct CapabilityTests {
    @Test func escapesAreNotCapableAndAudited() throws {
        let harness = try Harness()
        try FileManager.default.createDirectory(atPath: "\(harness.root)/a", withIntermediateDirectories: false)
        for path in ["..", "../x", "a/../../x", "/etc/passwd", "//x", "./../x"] {
            #expect(harness.errno { _ = try harness.open(path) } == .notcapable, "path \(path)")
        }
        #expect(harness.auditor.denials.count == 6)
        #expect(harness.auditor.denials.allSatisfy { $0.reason == .escapeAttempt && $0.preopen == "/sandbox" })
        #expect(harness.auditor.denials.first?.path == "..")
    }

    @Test func symlinkOutIsRefusedButInsideIsFollowed() throws {
        let harness = try Harness()
        try harness.write("file", "inside")
        try FileManager.default.createSymbolicLink(atPath: "\(harness.root)/out", withDestinationPath: "/etc")
        try FileManager.default.createSymbolicLink(atPath: "\(harness.root)/in", withDestinationPath: "file")
        #expect(harness.errno { _ = try harness.open("out/passwd") } == .notcapable)
        #expect(harness.errno { _ = try harness.open("in") } == .success)
        #expect(harness.errno { _ = try harness.open("in", follow: false) } == .loop)
    }

    @Test func readOnlyGrantRefusesMutationsWithReason() throws {
        let harness = try Harness(access: .read)
        try harness.write("file", "keep")
        #expect(harness.errno { _ = try harness.open("new", oflags: .create) } == .notcapable)
        #expect(harness.errno { _ = try harness.open("file", oflags: .truncate) } == .notcapable)
        #expect(harness.errno { _ = try harness.open("file", rights: [.fdRead, .fdWrite]) } == .notcapable)
        let (address, length) = harness.put("dir")
        #expect(harness.errno { try harness.wasi.pathCreateDirectory(harness.memory, fd: 3, path: address, pathLength: length) } == .notcapable)
        #expect(harness.auditor.denials.count == 4)
        #expect(harness.auditor.denials.allSatisfy { $0.reason == .readOnly })
        #expect(try String(contentsOfFile: "\(harness.root)/file", encoding: .utf8) == "keep")
        #expect(!FileManager.default.fileExists(atPath: "\(harness.root)/new"))
        // Reading is still fine, and the opened file carries no write rights.
        let fd = try harness.open("file", rights: [.fdRead, .fdSeek])
        #expect(harness.errno { try harness.wasi.fdFilestatSetSize(fd: fd, size: 0) } == .notcapable)
    }

    @Test func rightsNarrowOnOpenedDescriptors() throws {
        let harness = try Harness()
        try harness.write("file", "data")
        let fd = try harness.open("file", rights: [.fdRead])
        let (iov, _) = harness.put("\0\0\0\0\0\0\0\0")
        try harness.memory.store(UInt32(2048), at: iov)
        try harness.memory.store(UInt32(4), at: iov + 4)
        #expect(harness.errno { try harness.wasi.fdWrite(harness.memory, fd: fd, iovs: iov, iovsCount: 1, written: 16) } == .notcapable)
        #expect(harness.auditor.denials.last?.reason == .rights)
        #expect(harness.errno { try harness.wasi.fdFdstatSetRights(fd: fd, rights: Rights.all.rawValue, inheriting: 0) } == .notcapable)
        #expect(harness.errno { try harness.wasi.fdFdstatSetRights(fd: fd, rights: 0, inheriting: 0) } == .success)
        #expect(harness.errno { try harness.wasi.fdRead(harness.memory, fd: fd, iovs: iov, iovsCount: 1, read: 16) } == .notcapable)
    }

    @Test func descriptorTableIsBounded() throws {
        let harness = try Harness(maxOpenDescriptors: 8)
        try harness.write("file", "x")
        var opened = 0
        var last = WASIErrno.success
        for _ in 0..<10 {
            last = harness.errno { _ = try harness.open("file", rights: [.fdRead]) }
            if last == .success { opened += 1 } else { break }
        }
        #expect(opened == 4)  // 0-2 stdio and 3 preopen leave four slots
        #expect(last == .nfile)
        #expect(harness.auditor.denials.last?.reason == .resourceLimit)
    }

    @Test func fileDescriptorIsNotADirectory() throws {
        let harness = try Harness()
        try harness.write("file", "x")
        let fd = try harness.open("file", rights: [.fdRead, .pathOpen])
        #expect(harness.errno { _ = try harness.open("anything", fd: fd) } == .notdir)
        #expect(harness.errno { _ = try harness.open("anything", fd: 77) } == .badf)
        #expect(harness.auditor.denials.last?.reason == .noPreopen)
    }

    @Test func trailingSlashNeverFollowsALinkOut() throws {
        let harness = try Harness()
        try FileManager.default.createSymbolicLink(atPath: "\(harness.root)/out", withDestinationPath: "/tmp")
        let (address, length) = harness.put("out/")
        // Stat and set-times through "out/" must resolve beneath, so they are refused.
        #expect(harness.errno {
            try harness.wasi.pathFilestatGet(harness.memory, fd: 3, flags: 0, path: address, pathLength: length, result: 4096)
        } == .notcapable)
        #expect(harness.errno {
            try harness.wasi.pathFilestatSetTimes(harness.memory, fd: 3, flags: 0, path: address, pathLength: length,
                                                 accessTime: 0, modificationTime: 0, fstFlags: FstFlags([.accessTime, .modificationTime]).rawValue)
        } == .notcapable)
        // Unlinking "out/" reports the link is not a directory and leaves it in place.
        #expect(harness.errno { try harness.wasi.pathUnlinkFile(harness.memory, fd: 3, path: address, pathLength: length) } == .notdir)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: "\(harness.root)/out")) == "/tmp")
    }

    @Test func readdirResumesFromCookiesWithSmallBuffers() throws {
        let harness = try Harness()
        let names = (0..<200).map { "entry-\($0)" }
        for name in names { try harness.write(name, "") }
        let fd = try harness.open(".", oflags: .directory, rights: [.fdReaddir])
        var seen: [String] = []
        var cookie: UInt64 = 0
        let buffer: UInt32 = 16384, size: UInt32 = 200  // room for a few entries per call
        for _ in 0..<10_000 {
            try harness.wasi.fdReaddir(harness.memory, fd: fd, buffer: buffer, bufferLength: size, cookie: cookie, used: 16)
            let used = try harness.memory.load(UInt32.self, at: 16)
            var offset: UInt32 = 0
            var complete = false
            while offset + 24 <= used {
                let next = try harness.memory.load(UInt64.self, at: buffer + offset)
                let length = try harness.memory.load(UInt32.self, at: buffer + offset + 16)
                guard offset + 24 + length <= used else { break }  // cut short: re-read from cookie
                let name = try harness.memory.bytes(at: buffer + offset + 24, count: length)
                seen.append(String(decoding: name, as: UTF8.self))
                cookie = next
                offset += 24 + length
            }
            if used < size { complete = true }
            if complete { break }
        }
        #expect(Array(seen.prefix(2)) == [".", ".."])
        #expect(seen.dropFirst(2).sorted() == names.sorted())
    }
}
