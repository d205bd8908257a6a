import WardenWASI

/// What a compiled artifact was made from and for. Two runs may share an artifact only when
/// every part is equal: the module's bytes (SHA-256), the engine and its exact release, every
/// setting that changes the generated code, and the machine. The key is written in the
/// artifact's header and checked before its code is handed to a worker; the cache files it
/// under the SHA-256 of its text.
public struct ArtifactKey: Sendable, Equatable, CustomStringConvertible {
    /// The header format; a change makes every older artifact a mismatch.
    public static let formatVersion = 1

    public let moduleDigest: String
    /// `wasmtime 50.0.1`.
    public let engine: String
    public let codeSettings: String
    public let target: String

    /// The key for a wasmtime run of the module hashing to `moduleDigest`; `fuelMetered` when
    /// the run has a fuel budget (metering is compiled into the code).
    public init(moduleDigest: String, fuelMetered: Bool) {
        self.moduleDigest = moduleDigest
        engine = EngineRelease.named("wasmtime")
        codeSettings = EngineRelease.wasmtimeCodeSettings(fuel: fuelMetered)
        target = Self.hostTarget
    }

    /// One line: `warden-artifact/1 module=sha256:… engine=wasmtime-50.0.1 code=[…] target=x86_64-linux`.
    public var description: String {
        "warden-artifact/\(Self.formatVersion) module=sha256:\(moduleDigest) engine=\(Self.hyphenated(engine)) code=[\(codeSettings)] target=\(target)"
    }

    /// `wasmtime 50.0.1` → `wasmtime-50.0.1`: the words joined by one hyphen, as
    /// `split(separator: " ").joined(separator: "-")` would. Written out: every run computes
    /// the key, and the standard library's generic `joined` resolves a witness by mangled name
    /// on its first call in a process, scanning all protocol conformances (0.02 ms, perf).
    static func hyphenated(_ text: String) -> String {
        var result = ""
        var separatorPending = false
        for character in text {
            if character == " " {
                separatorPending = !result.isEmpty
                continue
            }
            if separatorPending { result.append("-") }
            separatorPending = false
            result.append(character)
        }
        return result
    }

    /// What differs between this key and another key's text, in words: `its module is
    /// sha256:…, this run's is sha256:…; its code settings are [...], this run's [...]`.
    public func difference(from other: String) -> String {
        let theirs = Self.fields(other), ours = Self.fields(description)
        let parts = [("format", "format"), ("module", "module"), ("engine", "engine"), ("code", "code settings"), ("target", "target")]
            .compactMap { (field, words) -> String? in
                theirs[field] == ours[field] ? nil : "its \(words): \(theirs[field] ?? "none"), this run's: \(ours[field] ?? "none")"
            }
        return parts.isEmpty ? "its key is '\(other)'" : parts.joined(separator: "; ")
    }

    /// A key's text as fields: format, module, engine, code (inside its brackets), target.
    static func fields(_ text: String) -> [String: String] {
        var rest = Substring(text)
        var fields: [String: String] = [:]
        if let open = rest.firstRange(of: " code=["), let close = rest[open.upperBound...].firstIndex(of: "]") {
            fields["code"] = "[" + rest[open.upperBound..<close] + "]"
            rest = rest[..<open.lowerBound] + rest[rest.index(after: close)...]
        }
        for (index, word) in rest.split(separator: " ").enumerated() {
            if index == 0 { fields["format"] = String(word); continue }
            guard let equals = word.firstIndex(of: "=") else { continue }
            fields[String(word[..<equals])] = String(word[word.index(after: equals)...])
        }
        return fields
    }

    /// Why an artifact whose header holds `keyText`, filed under `fileName`, can never be
    /// loaded by this warden (another header format, wasmtime release, code settings or
    /// machine; or a name that is not its key's), or nil when some run still could load it.
    /// The cache evicts those first: they can never hit again.
    static func neverLoaded(keyText: String, fileName: String) -> String? {
        let fields = Self.fields(keyText)
        guard let module = fields["module"], module.hasPrefix("sha256:") else { return "its key names no module" }
        let candidates = [false, true].map { ArtifactKey(moduleDigest: String(module.dropFirst("sha256:".count)), fuelMetered: $0) }
        guard let match = candidates.first(where: { $0.description == keyText }) else {
            let nearest = candidates[fields["code"]?.contains("fuel=on") == true ? 1 : 0]
            return nearest.difference(from: keyText).replacing("this run's", with: "this warden's")
        }
        return match.fileName == fileName ? nil : "it is filed under another name than its key's"
    }

    /// Whether `name` is spelled as the cache names artifacts: 64 lowercase hex digits, `.cwasm`.
    static func isFileName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return bytes.count == 70 && name.hasSuffix(".cwasm")
            && bytes.prefix(64).allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The cache's file name for this key.
    public var fileName: String { SHA256.hex(of: Array(description.utf8)) + ".cwasm" }

    static var hostTarget: String {
        #if arch(x86_64)
        "x86_64-linux"
        #elseif arch(arm64)
        "aarch64-linux"
        #else
        "unknown-linux"
        #endif
    }
}
