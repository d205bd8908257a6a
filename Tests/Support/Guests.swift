import Foundation

/// Builds guest modules from sources in the repository at test time (never committed
/// binaries): C through clang's wasm32-wasi target, WAT through wabt's wat2wasm. Outputs are
/// cached by content hash under `.build/warden-guests`.
public enum Guests {
    public struct BuildError: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// The package root, found from this file's location.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let cacheDirectory = packageRoot.appendingPathComponent(".build/warden-guests")

    /// clang for wasm32-wasi: Debian's clang-14 (the toolchain clang on PATH lacks wasi-libc).
    public static let clang: String = firstExecutable(["/usr/bin/clang-14", "/usr/bin/clang"]) ?? "clang"

    /// Compiles a C guest at `path` (relative to the package root or absolute).
    public static func c(_ path: String, flags: [String] = []) throws -> String {
        let source = path.hasPrefix("/") ? URL(fileURLWithPath: path) : packageRoot.appendingPathComponent(path)
        let text = try Data(contentsOf: source)
        let output = try cached(key: text + Data((flags.joined(separator: " ") + "c").utf8), name: source.deletingPathExtension().lastPathComponent)
        if FileManager.default.fileExists(atPath: output) { return output }
        let temporary = output + ".tmp-\(UUID().uuidString)"
        try run(clang, ["--target=wasm32-wasi", "-O2", "-Wl,--strip-debug",
                        "-D_WASI_EMULATED_PROCESS_CLOCKS", "-D_WASI_EMULATED_SIGNAL"] + flags +
                       [source.path, "-o", temporary, "-lwasi-emulated-process-clocks", "-lwasi-emulated-signal"])
        try publish(temporary, as: output)
        return output
    }

    /// Assembles a WAT guest given as text.
    public static func wat(_ text: String, name: String = "guest") throws -> String {
        let output = try cached(key: Data(text.utf8), name: name)
        if FileManager.default.fileExists(atPath: output) { return output }
        let source = output + "-\(UUID().uuidString).wat"
        try text.write(toFile: source, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: source) }
        let temporary = output + ".tmp-\(UUID().uuidString)"
        try run(firstExecutable(["/usr/bin/wat2wasm", "/usr/local/bin/wat2wasm"]) ?? "wat2wasm", [source, "-o", temporary])
        try publish(temporary, as: output)
        return output
    }

    /// rename(2) into place: atomic, and a concurrent build of the same guest that got there
    /// first is fine (same input, same output).
    static func publish(_ temporary: String, as output: String) throws {
        if rename(temporary, output) != 0 {
            let error = errno
            try? FileManager.default.removeItem(atPath: temporary)
            if !FileManager.default.fileExists(atPath: output) {
                throw BuildError(description: "cannot move \(temporary) to \(output): errno \(error)")
            }
        }
    }

    static func cached(key: Data, name: String) throws -> String {
        try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        var hash: UInt64 = 0xcbf29ce484222325  // FNV-1a: a cache key, not a security boundary
        for byte in key { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return cacheDirectory.appendingPathComponent("\(name)-\(String(hash, radix: 16)).wasm").path
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let result = try Command.run(tool, arguments)
        guard result.status == 0 else {
            throw BuildError(description: "\(tool) \(arguments.joined(separator: " ")) failed (\(result.status)):\n\(result.stderr)")
        }
    }

    static func firstExecutable(_ candidates: [String]) -> String? {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
