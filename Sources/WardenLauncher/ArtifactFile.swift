/// A compiled artifact on disk: a short text header, then the engine's serialized code.
///
///     WARDEN-ARTIFACT
///     key: warden-artifact/1 module=sha256:… engine=wasmtime-50.0.1 code=[…] target=…
///     payload-sha256: <64 hex digits>
///     payload-bytes: <decimal>
///     (empty line)
///     <payload>
///
/// The launcher hands a worker the payload only after the key equals the one the run
/// computed and the payload has exactly the stated length and digest. The digest catches a
/// damaged or truncated file; it is no signature: whoever can write the file can write a
/// matching header, which is why the cache must be writable by root alone (see warden(1)).
public enum ArtifactFile {
    static let magic = "WARDEN-ARTIFACT"
    /// A header longer than this is not one of ours.
    static let maximumHeader = 4096

    /// The file's bytes for `payload` compiled under `key`.
    public static func encode(key: ArtifactKey, payload: [UInt8]) -> [UInt8] {
        let header = "\(magic)\nkey: \(key)\npayload-sha256: \(SHA256.hex(of: payload))\npayload-bytes: \(payload.count)\n\n"
        return Array(header.utf8) + payload
    }

    /// The payload of `bytes` (an artifact file named `name` in messages) if it was compiled
    /// under `expected` and is whole; otherwise why it is refused.
    public static func payload(of bytes: [UInt8], expected: ArtifactKey, name: String) throws(ArtifactError) -> [UInt8] {
        let (fields, headerEnd) = try header(of: bytes, name: name)
        guard let key = fields["key"], let digest = fields["payload-sha256"], let countText = fields["payload-bytes"],
              let count = Int(countText), count >= 0 else {
            throw ArtifactError("\(name): incomplete header (key, payload-sha256 and payload-bytes are required)")
        }
        guard key == expected.description else {
            throw ArtifactError("\(name) was compiled for another module or settings (\(expected.difference(from: key))); refusing to load it")
        }
        let payload = Array(bytes[headerEnd...])
        guard payload.count == count else {
            throw ArtifactError("\(name) is \(payload.count < count ? "truncated" : "longer than its header says"): \(payload.count) bytes of code, the header says \(count); refusing to load it")
        }
        guard SHA256.hex(of: payload) == digest else {
            throw ArtifactError("\(name) was altered: its code does not hash to the header's payload-sha256; refusing to load it")
        }
        return payload
    }

    /// The header's fields (`key`, `payload-sha256`, `payload-bytes`) and where the payload
    /// starts, from the first `maximumHeader` bytes of `bytes`; why not when it is not one.
    /// Reading the header alone is enough to list an artifact or tell it can never be loaded.
    static func header(of bytes: some Collection<UInt8>, name: String) throws(ArtifactError) -> (fields: [String: String], end: Int) {
        let window = Array(bytes.prefix(maximumHeader))
        var lines: [String] = []
        var index = 0
        var headerEnd: Int?
        while index < window.count {
            guard let newline = window[index...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            let line = String(decoding: window[index..<newline], as: UTF8.self)
            index = newline + 1
            if line.isEmpty { headerEnd = index; break }
            lines.append(line)
        }
        guard let headerEnd, lines.first == magic else {
            throw ArtifactError("\(name) is not a warden artifact (no WARDEN-ARTIFACT header)")
        }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw ArtifactError("\(name): malformed header line '\(line)'") }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...].drop { $0 == " " })
        }
        return (fields, headerEnd)
    }
}

/// Why an artifact or the artifact cache was refused; the text is the operator's.
public struct ArtifactError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
