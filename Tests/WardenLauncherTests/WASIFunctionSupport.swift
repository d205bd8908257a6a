import Foundation
import Synchronization
import Testing
import WardenTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Shared plumbing for the per-function WASI tests (`WASIFunction*Tests.swift`): building the
/// `Guests/fn_*` modules, running them under `warden run`, and looking at the host side of
/// what they did.
enum FnGuest {
    /// Guests.c/wat cache by content but use one temporary name per process: two tests of this
    /// process compiling the same guest at once would race, so builds go one at a time.
    private static let buildLock = Mutex(())

    static func c(_ name: String) throws -> String {
        try buildLock.withLock { _ in try Guests.c("Tests/WardenLauncherTests/Guests/\(name).c") }
    }

    static func wat(_ name: String) throws -> String {
        try buildLock.withLock { _ in
            let source = Guests.packageRoot.appendingPathComponent("Tests/WardenLauncherTests/Guests/\(name).wat")
            return try Guests.wat(String(contentsOf: source, encoding: .utf8), name: name)
        }
    }

    /// `warden run <flags> <guest.wasm> <arguments>` (stdin is an empty pipe unless given).
    static func run(_ guest: String, _ arguments: [String] = [], flags: [String] = [], stdin: String? = "",
                    timeout: TimeInterval = 120) throws -> Outcome {
        Outcome(try Warden.run(flags + [try c(guest)] + arguments, stdin: stdin, timeout: timeout))
    }
}

/// How a `warden run` ended (Command.Result has no public initializer, RunningWarden needs one).
struct Outcome {
    let status: Int32
    let stdout: String
    let stderr: String
    /// warden itself was killed by a signal (status is the signal number then).
    let signaled: Bool

    init(status: Int32, stdout: String, stderr: String, signaled: Bool) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.signaled = signaled
    }

    init(_ result: Command.Result) {
        self.init(status: result.status, stdout: result.stdout, stderr: result.stderr, signaled: result.signaled)
    }
}

/// Checks a finished run: no signal death of warden, the exit status, and the exact stdout.
func expectRun(_ result: Outcome, status: Int32 = 0, stdout: String,
               sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(!result.signaled, "warden was killed by signal \(result.status); stderr:\n\(result.stderr)",
            sourceLocation: sourceLocation)
    #expect(result.status == status, "exit status; stderr:\n\(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stdout == stdout, sourceLocation: sourceLocation)
}

/// The audit events on stderr, as parsed JSON objects.
func deniedEvents(_ result: Outcome) -> [[String: Any]] {
    Warden.auditEvents(in: result.stderr).filter { ($0["action"] as? String) == "denied" }
}

/// The standard tree for the fd_* and path_* guests. The guest sees `box` (the returned
/// `sandbox` path); the tree's root is outside it, so an escape would land there.
struct Sandbox {
    let tree: TemporaryTree
    var sandbox: String { tree.url("box") }
    func url(_ relative: String) -> String { tree.url("box/\(relative)") }
    func read(_ relative: String) throws -> String { try tree.read("box/\(relative)") }
    func bytes(_ relative: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: url(relative)))) }
    func exists(_ relative: String) -> Bool { tree.exists("box/\(relative)") }
    /// `--dir <box>::/sandbox`
    var grant: [String] { ["--dir", "\(sandbox)::/sandbox"] }

    /// data.txt "0123456789" (mtime 1e9 s), other.txt, log.txt, a.txt, b.txt, trunc.txt,
    /// sub/inner.txt, sub/deeper/, emptydir/, symlinks link-to-data, link-to-other,
    /// link-to-sub, dangling, sub/up-link.
    static func standard() throws -> Sandbox {
        let sandbox = Sandbox(tree: try TemporaryTree("warden-fn"))
        let tree = sandbox.tree
        try tree.write("box/data.txt", "0123456789")
        try tree.write("box/other.txt", "other")
        try tree.write("box/log.txt", "start\n")
        try tree.write("box/a.txt", "A-content")
        try tree.write("box/b.txt", "B-content")
        try tree.write("box/trunc.txt", "to be truncated")
        try tree.write("box/sub/inner.txt", "inner")
        try tree.makeDirectory("box/sub/deeper")
        try tree.makeDirectory("box/emptydir")
        try tree.symlink("box/link-to-data", to: "data.txt")
        try tree.symlink("box/link-to-other", to: "other.txt")
        try tree.symlink("box/link-to-sub", to: "sub")
        try tree.symlink("box/dangling", to: "nowhere-target")
        try tree.symlink("box/sub/up-link", to: "../data.txt")
        try HostFile.setTimes(sandbox.url("data.txt"), access: (1_000_000_000, 0), modification: (1_000_000_000, 0))
        return sandbox
    }
}

/// Host-side facts about files, straight from lstat/readlink.
enum HostFile {
    struct Status {
        let type: mode_t
        let size: Int64
        let inode: UInt64
        let links: UInt64
        let accessTime: timespec
        let modificationTime: timespec
        var isDirectory: Bool { type == S_IFDIR }
        var isRegular: Bool { type == S_IFREG }
        var isSymlink: Bool { type == S_IFLNK }
    }

    static func status(_ path: String) -> Status? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Status(type: info.st_mode & S_IFMT, size: Int64(info.st_size), inode: UInt64(info.st_ino),
                      links: UInt64(info.st_nlink), accessTime: info.st_atim, modificationTime: info.st_mtim)
    }

    static func readlink(_ path: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: path)
    }

    static func setTimes(_ path: String, access: (Int, Int), modification: (Int, Int)) throws {
        var times = [timespec(tv_sec: access.0, tv_nsec: access.1), timespec(tv_sec: modification.0, tv_nsec: modification.1)]
        guard utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw FnError( "utimensat \(path) failed: errno \(errno)")
        }
    }

    /// Every path under `root` (relative, sorted) with its type, size and content digest:
    /// enough to see that nothing changed.
    static func snapshot(_ root: String) -> [String] {
        var lines: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            let full = "\(root)/\(relative)"
            guard let info = status(full) else { continue }
            if info.isSymlink {
                lines.append("\(relative) -> \(readlink(full) ?? "?")")
            } else if info.isDirectory {
                lines.append("\(relative)/")
            } else {
                let data = (try? Data(contentsOf: URL(fileURLWithPath: full))) ?? Data()
                lines.append("\(relative) \(info.size) \(data.reduce(UInt64(0xcbf29ce484222325)) { ($0 ^ UInt64($1)) &* 0x100000001b3 }) mtime=\(info.modificationTime.tv_sec).\(info.modificationTime.tv_nsec)")
            }
        }
        return lines.sorted()
    }
}

/// TCP helpers for the socket test: a free loopback port and a blocking client.
enum Loopback {
    /// A port that was free a moment ago (bind to port 0, read it back, close).
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FnError( "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw FnError( "bind: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Connects to 127.0.0.1:`port`, retrying while nothing listens yet (up to `deadline`).
    static func connect(port: UInt16, deadline: Date) throws -> Int32 {
        while true {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw FnError( "socket: errno \(errno)") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = port.bigEndian
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if result == 0 { return fd }
            close(fd)
            if Date() > deadline { throw FnError( "connect to port \(port) failed: errno \(errno)") }
            usleep(50_000)
        }
    }

    static func send(_ fd: Int32, _ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw FnError( "send: errno \(errno)") }
            bytes = bytes.dropFirst(sent)
        }
    }

    /// Everything until the peer shuts down its side (with a receive timeout as a guard).
    static func receiveAll(_ fd: Int32, timeoutSeconds: Int = 30) throws -> String {
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { throw FnError( "recv: errno \(errno)") }
            data += buffer[0..<count]
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A `warden run` left running while the test talks to it (stdin, sockets).
final class RunningWarden: @unchecked Sendable {
    let process = Process()
    let stdinPipe = Pipe(), stdoutPipe = Pipe(), stderrPipe = Pipe()

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: Warden.executable)
        process.arguments = Warden.runArguments(arguments)
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        try process.run()
    }

    /// Reads stdout until `marker` has appeared; returns everything read so far.
    func readStdout(until marker: String) throws -> String {
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains(marker) {
            let chunk = stdoutPipe.fileHandleForReading.availableData
            guard !chunk.isEmpty else {
                throw FnError( "stdout ended before '\(marker)': \(String(decoding: seen, as: UTF8.self))")
            }
            seen += chunk
        }
        return String(decoding: seen, as: UTF8.self)
    }

    func writeStdin(_ text: String) {
        stdinPipe.fileHandleForWriting.write(Data(text.utf8))
    }

    func closeStdin() { try? stdinPipe.fileHandleForWriting.close() }

    /// Waits for the exit (killing it after `timeout`), then collects the rest of the output.
    func finish(timeout: TimeInterval = 60, stdoutPrefix: String = "") -> Outcome {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        closeStdin()
        let out = stdoutPipe.fileHandleForReading.readDataToEndOfFile()
        let err = stderrPipe.fileHandleForReading.readDataToEndOfFile()
        return Outcome(status: process.terminationStatus, stdout: stdoutPrefix + String(decoding: out, as: UTF8.self),
                              stderr: String(decoding: err, as: UTF8.self),
                              signaled: process.terminationReason == .uncaughtSignal)
    }
}

/// A failure of the test harness itself (not of warden).
struct FnError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
