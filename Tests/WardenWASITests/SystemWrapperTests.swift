import Foundation
import Glibc
import Testing
import WardenSystem

/// The WardenSystem wrappers the supervisor, IPC, audit and worker rooms call instead of libc
/// (issue 11). Each test checks what the kernel did, not only that nothing threw. Fork, exit and
/// the zygote's signal calls are exercised by the supervisor's per-connection tests (they
/// cannot run inside this multi-threaded test process).
@Suite struct SystemWrapperTests {
    let authority = AmbientAuthority(purpose: "tests")

    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "warden-system-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    @Test func entryNamesListsEveryEntry() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let names = ["a.toml", "b.toml", ".hidden.toml", "ünïcode.toml"] + (0..<300).map { "file-\($0)-with-a-longish-name" }
        for name in names { #expect(FileManager.default.createFile(atPath: directory + "/" + name, contents: nil)) }
        let handle = try authority.openDirectory(directory)
        defer { try? handle.close() }
        #expect(Set(try handle.entryNames()) == Set(names + [".", ".."]))
    }

    @Test func shellPatternsCrossSlashes() {
        #expect(shellPatternMatches("/srv/*.log", "/srv/a/b.log"))
        #expect(shellPatternMatches("/in/[ab]?", "/in/bz"))
        #expect(!shellPatternMatches("/in/[ab]?", "/in/cz"))
    }

    @Test func pathOperationsByName() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let child = directory + "/made"
        #expect(!authority.canAccess(child, .exists))
        try authority.makeDirectory(child, mode: 0o750)
        #expect(authority.canAccess(child, .write))
        #expect(throws: Errno.exists) { try authority.makeDirectory(child, mode: 0o750) }
        try authority.changeGroup(child, to: 0)
        let file = child + "/f"
        #expect(FileManager.default.createFile(atPath: file, contents: nil))
        try authority.removeFile(file)
        #expect(!authority.canAccess(file, .exists))
        #expect(throws: Errno.noSuchFile) { try authority.removeFile(file) }
    }

    @Test func unixListenerModeAndPeerCredentials() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/control.sock"
        let listener = try authority.listenUnix(path, backlog: 4, mode: 0o600)
        defer { try? listener.close() }
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let client = try authority.connectUnix(path)
        defer { try? client.close() }
        let accepted = try listener.accept(nonBlocking: false)
        defer { try? accepted.close() }
        let peer = try accepted.peerCredentials()
        #expect(peer.pid == getpid() && peer.uid == geteuid() && peer.gid == getegid())
        try accepted.setSendTimeout(seconds: 1)
        // A second listener at the same path replaces the stale socket file.
        let again = try authority.listenUnix(path, backlog: 4, mode: 0o660)
        try? again.close()
    }

    @Test func descriptorPassingWithAttestedSender() throws {
        var pair: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0)
        let (sender, receiver) = (FileDescriptor(rawValue: pair[0]), FileDescriptor(rawValue: pair[1]))
        defer { try? sender.close(); try? receiver.close() }
        var pipeEnds: [Int32] = [-1, -1]
        #expect(pipe(&pipeEnds) == 0)
        let (readEnd, writeEnd) = (FileDescriptor(rawValue: pipeEnds[0]), FileDescriptor(rawValue: pipeEnds[1]))
        defer { try? readEnd.close(); try? writeEnd.close() }

        try receiver.passCredentials()
        let sent = try [UInt8]("hello".utf8).withUnsafeBytes { raw in
            Result { () throws(Errno) in try sender.send(raw, passing: readEnd) }
        }.get()
        #expect(sent == 5)
        var buffer = [UInt8](repeating: 0, count: 16)
        let message = try buffer.withUnsafeMutableBytes { raw in
            Result { () throws(Errno) in try receiver.receiveMessage(into: raw) }
        }.get()
        #expect(message.count == 5 && buffer.prefix(5) == ArraySlice("hello".utf8))
        #expect(message.sender == getpid())
        let passed = try #require(message.descriptor)
        defer { try? passed.close() }
        #expect(passed != readEnd)
        try writeEnd.writeAll("x")
        var byte: UInt8 = 0
        #expect(try withUnsafeMutableBytes(of: &byte) { raw in try passed.read(into: raw) } == 1 && byte == UInt8(ascii: "x"))
    }

    @Test func descriptorFlagsAndDuplication() throws {
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (FileDescriptor(rawValue: ends[0]), FileDescriptor(rawValue: ends[1]))
        defer { try? readEnd.close(); try? writeEnd.close() }
        try readEnd.setNonBlocking(true)
        #expect(try readEnd.statusFlags() & O_NONBLOCK != 0)
        try readEnd.setNonBlocking(false)
        #expect(try readEnd.statusFlags() & O_NONBLOCK == 0)
        #expect(fcntl(readEnd.rawValue, F_GETFD) & FD_CLOEXEC == 0)
        try readEnd.setCloseOnExec()
        #expect(fcntl(readEnd.rawValue, F_GETFD) & FD_CLOEXEC != 0)

        // dup2 onto a number that is in use: it then names the pipe's write end.
        let target = try authority.openFile("/dev/null", flags: O_WRONLY)
        defer { try? target.close() }
        try writeEnd.duplicate(onto: target)
        try target.writeAll("y")
        var byte: UInt8 = 0
        #expect(try withUnsafeMutableBytes(of: &byte) { raw in try readEnd.read(into: raw) } == 1 && byte == UInt8(ascii: "y"))
    }

    @Test func wakeupEventWakesAPollUntilDrained() throws {
        let wake = try WakeupEvent()
        defer { try? wake.descriptor.close() }
        var requests = [PollRequest(descriptor: wake.descriptor, events: PollRequest.readable)]
        #expect(try ppoll(&requests, timeoutNanoseconds: 0) == 0)
        wake.signal()
        wake.signal()
        #expect(try ppoll(&requests, timeoutNanoseconds: 0) == 1)
        wake.drain()
        #expect(try ppoll(&requests, timeoutNanoseconds: 0) == 0)
    }

    @Test func environmentReadAndRemove() {
        let name = "WARDEN_SYSTEM_TEST_\(getpid())"
        setenv(name, "value=with=equals", 1)
        #expect(Environment.value(name) == "value=with=equals")
        Environment.remove(name)
        #expect(Environment.value(name) == nil)
    }

    @Test func processFacts() throws {
        #expect(ProcessControl.currentID == getpid())
        #expect(ProcessControl.effectiveUserID == geteuid())
        let executable = try #require(ProcessControl.executablePath())
        #expect(executable.hasPrefix("/") && FileManager.default.isExecutableFile(atPath: executable))
        let limit = try ResourceLimit.openFiles.get()
        #expect(limit.soft <= limit.hard && limit.soft > 2)
        try ResourceLimit.openFiles.set(soft: limit.soft, hard: limit.hard)
        #expect(Accounts.groupID(named: "root") == 0)
        #expect(Accounts.groupID(named: "no-such-group-warden") == nil)
        #expect(Accounts.isMember(uid: 0, ofGroup: 0))
        #expect(!Accounts.isMember(uid: 0xfffe_fffe, ofGroup: 0))
    }

    @Test func threadRunsItsBody() throws {
        // The wake-up is how the new thread says it ran.
        let event = try WakeupEvent()
        defer { try? event.descriptor.close() }
        try SystemThread.startDetached { event.signal() }
        var requests = [PollRequest(descriptor: event.descriptor, events: PollRequest.readable)]
        #expect(try ppoll(&requests, timeoutNanoseconds: 5_000_000_000) == 1)
    }
}
