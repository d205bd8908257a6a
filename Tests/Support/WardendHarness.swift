import Foundation

/// A real `wardend` on a temporary policy directory, with its control socket in the same
/// tree and its messages collected in a file. Shared by the supervisor and fault suites.
public final class WardendHarness: @unchecked Sendable {
    public let tree: TemporaryTree
    /// The running wardend (a new one after `relaunch`).
    public private(set) var process = Process()
    public var policies: String { tree.url("policies") }
    public var controlSocket: String { tree.url("control.sock") }
    public var logPath: String { tree.url("wardend.log") }

    public init(arguments: [String] = [], launch: Bool = true) throws {
        tree = try TemporaryTree("wardend")
        try tree.makeDirectory("policies")
        if launch { try start(arguments) }
    }

    /// Short timings so restart, back-off and drain tests stay quick.
    public static let quickTimings = ["--grace-period", "2s", "--restart-delay", "50ms", "--restart-delay-max", "1s"]

    public func start(_ arguments: [String], executable: String = Warden.product("wardend"), prefix: [String] = [],
               environment: [String: String] = [:]) throws {
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: prefix.first ?? executable)
        process.arguments = Array(prefix.dropFirst()) + (prefix.isEmpty ? [] : [executable])
            + ["--policies", policies, "--control-socket", controlSocket] + Self.quickTimings + arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        try process.run()
    }

    /// Starts a fresh wardend on the same tree (policies, control socket path, log file),
    /// e.g. after the last one was killed. The log file is appended to, not truncated.
    public func relaunch(_ arguments: [String]) throws {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        process = Process()
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        process.executableURL = URL(fileURLWithPath: Warden.product("wardend"))
        process.arguments = ["--policies", policies, "--control-socket", controlSocket] + Self.quickTimings + arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Writes a policy file; `service` and `extra` are TOML lines. The module runs on the
    /// current test engine (`[engine] name`).
    public func policy(_ name: String, module: String, args: [String] = [], service: String, extra: String = "", wallTime: String = "60s") throws {
        let arguments = args.map { "\"\($0)\"" }.joined(separator: ", ")
        try tree.write("policies/\(name).toml", """
            version = 1
            [module]
            name = "\(name)"
            path = "\(module)"
            args = [\(arguments)]
            [limits]
            memory = "16MiB"
            cpu-time = "10s"
            wall-time = "\(wallTime)"
            open-files = 16
            \(extra)
            [engine]
            name = "\(TestEngine.current)"
            [sandbox]
            user = "nobody"
            [service]
            \(service)
            """)
    }

    /// `warden <arguments> --socket <control socket>`.
    public func warden(_ arguments: [String]) throws -> Command.Result {
        try Command.run(Warden.executable, arguments + ["--socket", controlSocket], timeout: 20)
    }

    /// `warden status --json`, decoded: module name → fields.
    public func status() throws -> [String: [String: Any]] {
        let result = try warden(["status", "--json"])
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
              let modules = object["modules"] as? [[String: Any]] else { return [:] }
        var byName: [String: [String: Any]] = [:]
        for module in modules { if let name = module["name"] as? String { byName[name] = module } }
        return byName
    }

    /// Polls `status` until `condition` holds for `module`; fails the test (with the log) on timeout.
    @discardableResult
    public func waitFor(_ module: String, timeout: TimeInterval = 15, _ what: String,
                 _ condition: ([String: Any]) -> Bool) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: controlSocket), let fields = try status()[module], condition(fields) { return fields }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw Guests.BuildError(description: "timed out waiting for \(module): \(what)\nstatus: \((try? status()[module]).map { "\($0)" } ?? "none")\nlog:\n\(log)")
    }

    /// Sends SIGTERM and waits; the exit status.
    public func terminate(timeout: TimeInterval = 15) -> Int32? {
        kill(process.processIdentifier, SIGTERM)
        return waitForExit(timeout: timeout)
    }

    public func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// A TCP port nothing listens on right now.
    public static func freePort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return UInt16(bigEndian: address.sin_port)
    }

    public static func isAlive(_ pid: Int32) -> Bool {
        // A zombie still answers kill(0): look at /proc's state instead.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
    }
}

/// A TCP client for per-connection modules.
public enum Client {
    /// Connects to 127.0.0.1:port; the descriptor, or -1.
    public static func connect(_ port: UInt16) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 { close(fd); return -1 }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Everything the server sends until it closes (or 10 s pass).
    public static func readAll(_ fd: Int32) -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// One exchange: send `line`, read the whole answer.
    public static func exchange(_ port: UInt16, _ line: String) -> String? {
        let fd = connect(port)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        _ = line.withCString { write(fd, $0, strlen($0)) }
        return readAll(fd)
    }
}
