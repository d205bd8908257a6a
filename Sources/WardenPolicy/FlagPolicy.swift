/// `warden run`'s grant and limit flags as a policy document. Each flag becomes the TOML
/// lines a policy author would write for it, and the document is read by the same parser and
/// checks as a policy file: a flag is refused exactly when the key it stands for would be,
/// with the same words, prefixed by the flag as typed instead of a line number.
///
/// Pure and Foundation-free: it runs on `warden run`'s start-up path (a few microseconds of
/// TOML for a handful of flags).
public struct FlagPolicy: Sendable {
    /// Lines of `[module]` env, `[[preopen]]` and `[limits]`, each with the flag that wrote it.
    private var environment: [(name: String, value: String, origin: String)] = []
    private var preopens: [(host: String, guest: String, readOnly: Bool, origin: String)] = []
    private var limits: [(key: String, literal: String, origin: String)] = []
    private var user: (name: String, origin: String)?

    public init() {}

    /// `--dir`/`--ro-dir`: `host` only needs to be an absolute path for the document (relative
    /// hosts are opened as given by the launcher); `guest` is checked as written.
    public mutating func grant(host: String, guest: String, readOnly: Bool, origin: String) {
        let absoluteHost = host.hasPrefix("/") ? host : "/" + host
        preopens.append((absoluteHost, guest, readOnly, origin))
    }

    /// `--env NAME=VALUE` (or `--env NAME`, whose value comes from the host later). A repeated
    /// name keeps its last value, as in a shell.
    public mutating func environment(name: String, value: String, origin: String) {
        environment.removeAll { $0.name == name }
        environment.append((name, value, origin))
    }

    /// `--max-memory`, `--fuel`, `--wall-time`, `--cpu-time`: `key` is the `[limits]` key and
    /// `text` the value as typed. Digits (with an optional sign) are an integer, as a policy
    /// author would write `memory = 65536`; anything else is a string for the key to judge.
    public mutating func limit(_ key: String, text: String, origin: String) {
        limits.removeAll { $0.key == key }
        limits.append((key, Self.literal(key == "memory" ? Self.binaryUnits(text) : text), origin))
    }

    /// `--user NAME`: the `[sandbox] user` rules.
    public mutating func user(_ name: String, origin: String) { user = (name, origin) }

    /// The document, and which flag wrote each of its lines (1-based).
    func render() -> (text: String, origins: [Int: String]) {
        var lines = ["version = 1", "[module]", "name = \"run\"", "path = \"/run\""]
        var origins: [Int: String] = [:]
        func add(_ line: String, _ origin: String?) {
            lines.append(line)
            if let origin { origins[lines.count] = origin }
        }
        if !environment.isEmpty {
            add("[module.env]", nil)
            for entry in environment { add("\(Self.quoted(entry.name)) = \(Self.quoted(entry.value))", entry.origin) }
        }
        for preopen in preopens {
            add("[[preopen]]", preopen.origin)
            add("host = \(Self.quoted(preopen.host))", preopen.origin)
            add("guest = \(Self.quoted(preopen.guest))", preopen.origin)
            add("access = \"\(preopen.readOnly ? "read" : "read-write")\"", preopen.origin)
        }
        if !limits.isEmpty {
            add("[limits]", nil)
            for limit in limits { add("\(limit.key) = \(limit.literal)", limit.origin) }
        }
        if let user {
            add("[sandbox]", nil)
            add("user = \(Self.quoted(user.name))", user.origin)
        }
        return (lines.joinedDirectly(separator: "\n") + "\n", origins)
    }

    /// The policy these flags describe, or one message per refused flag:
    /// `--dir 'x::out': 'guest' in [[preopen]] must be an absolute path`.
    public func validate() -> Result<Policy, Refusal> {
        let (text, origins) = render()
        let result = PolicyParser.parse(text: text, file: "flags", policyPath: nil, host: nil,
                                        origin: { origins[$0] ?? "line \($0)" })
        if let policy = result.policy { return .success(policy) }
        let messages = result.diagnostics.filter { $0.severity == .error }.map { diagnostic in
            origins[diagnostic.line].map { "\($0): \(diagnostic.message)" } ?? diagnostic.message
        }
        return .failure(Refusal(messages: messages))
    }

    public struct Refusal: Error, Sendable, Equatable {
        public var messages: [String]
    }

    /// `64M` → `64MiB`: the command line's short binary units, spelled as policies spell them.
    static func binaryUnits(_ text: String) -> String {
        guard let last = text.last, text.count > 1 else { return text }
        switch last {
        case "k", "K": return text.dropLast() + "KiB"
        case "M": return text.dropLast() + "MiB"
        case "G": return text.dropLast() + "GiB"
        default: return text
        }
    }

    /// An integer literal for `[+-]digits` (within Int), else a TOML basic string.
    static func literal(_ text: String) -> String {
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : text[...]
        if !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= "0" && $0 <= "9" }) {
            return text.first == "+" ? String(digits) : text
        }
        return quoted(text)
    }

    /// A TOML basic string: backslash, quote and control characters escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
