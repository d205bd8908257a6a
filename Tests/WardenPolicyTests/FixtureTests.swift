import Foundation
import Testing
import WardenTestSupport

/// `warden policy check` against the diagnostic fixtures in `Fixtures/`.
///
/// Each fixture states what the checker must report in comment lines of the form
///
///     # expect: LINE:COLUMN: error|warning: MESSAGE
///
/// with the position relative to the fixture file itself. The set of diagnostics must be
/// exactly the set of expectations (order does not matter). A message ending in `...` matches
/// any message that starts with the text before it (used only for the TOML parser's own
/// wording). `valid/` fixtures have no errors; `invalid/` fixtures have at least one
/// expectation each.
@Suite struct FixtureTests {
    static let root = Guests.packageRoot.appendingPathComponent("Tests/WardenPolicyTests/Fixtures")

    static func fixtures(_ kind: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(kind).path)) ?? []
        return names.filter { $0.hasSuffix(".toml") }.sorted().map { "\(kind)/\($0)" }
    }

    static let valid = fixtures("valid")
    static let invalid = fixtures("invalid")

    static func path(_ fixture: String) -> String { root.appendingPathComponent(fixture).path }

    // MARK: - Per fixture

    @Test func fixtureSetIsComplete() throws {
        #expect(Self.valid.count >= 8)
        #expect(Self.invalid.count >= 30)
        for fixture in Self.valid {
            let expectations = try Expectation.parse(file: Self.path(fixture))
            #expect(!expectations.contains { $0.severity == "error" }, "\(fixture) is valid but expects an error")
        }
        for fixture in Self.invalid {
            #expect(!(try Expectation.parse(file: Self.path(fixture))).isEmpty, "\(fixture) states no expectation")
        }
    }

    @Test(arguments: valid + invalid)
    func jsonDiagnosticsMatchExpectations(fixture: String) throws {
        let path = Self.path(fixture)
        let expected = try Expectation.parse(file: path)
        let result = try Command.run(Warden.executable, ["policy", "check", "--offline", "--format", "json", path])
        let signaled = result.signaled
        #expect(!signaled, "\(fixture): killed by signal \(result.status)\n\(result.stderr.prefix(300))")
        let actual = try Diagnostic.decode(result.stdout, context: fixture)
        for diagnostic in actual {
            #expect(diagnostic.file == path, "\(fixture): diagnostic names file '\(diagnostic.file)'")
        }
        Expectation.compare(expected, actual, context: fixture)
        #expect(result.status == (expected.contains { $0.severity == "error" } ? 2 : 0),
                "\(fixture): exit status \(result.status)\n\(result.stderr)")

        // A suggestion in the message comes with the replacement text as "fix".
        for diagnostic in actual {
            guard let suggestion = diagnostic.suggestion else { continue }
            let accepted = suggestion.isTable ? [suggestion.text, "[\(suggestion.text)]"] : [suggestion.text]
            #expect(diagnostic.fix.map(accepted.contains) == true,
                    "\(fixture): '\(diagnostic.message)' has fix \(diagnostic.fix.map { "'\($0)'" } ?? "none")")
        }
    }

    @Test(arguments: valid + invalid)
    func strictTextOutputMatchesExpectations(fixture: String) throws {
        let path = Self.path(fixture)
        let expected = try Expectation.parse(file: path)
        let result = try Command.run(Warden.executable, ["policy", "check", "--offline", "--strict", path])
        let signaled = result.signaled
        #expect(!signaled, "\(fixture): killed by signal \(result.status)\n\(result.stderr.prefix(300))")
        let status: Int32 = expected.contains { $0.severity == "error" } ? 2 : expected.isEmpty ? 0 : 1
        #expect(result.status == status, "\(fixture): --strict exit status \(result.status), expected \(status)")

        // Compiler style: FILE:LINE:COL: severity: message, one per line, on either stream.
        let lines = (result.stdout + result.stderr).split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix(path + ":") }
        var actual: [Diagnostic] = []
        for line in lines {
            guard let diagnostic = Diagnostic(textLine: line, file: path) else {
                Issue.record("\(fixture): malformed diagnostic line: \(line)")
                continue
            }
            actual.append(diagnostic)
        }
        Expectation.compare(expected, actual, context: "\(fixture) (text)")
    }

    @Test func defaultFormatIsTextAndExitStatusIgnoresWarnings() throws {
        let minimal = Self.path("valid/minimal.toml")
        let plain = try Command.run(Warden.executable, ["policy", "check", "--offline", minimal])
        #expect(plain.status == 0, "warnings alone exit 0 without --strict")
        #expect((plain.stdout + plain.stderr).contains("\(minimal):1:1: warning: [limits] leaves"))
        let explicit = try Command.run(Warden.executable, ["policy", "check", "--offline", "--format", "text", minimal])
        #expect(explicit.status == 0)
        #expect(explicit.stdout == plain.stdout && explicit.stderr == plain.stderr)
    }

    // MARK: - Many files in one run

    @Test func allValidFixturesInOneRun() throws {
        let paths = Self.valid.map(Self.path)
        let result = try Command.run(Warden.executable, ["policy", "check", "--offline", "--format", "json"] + paths)
        #expect(result.status == 0, "\(result.stderr)")
        try Self.compareGrouped(paths: paths, output: result.stdout, context: "valid/*")
        let strict = try Command.run(Warden.executable, ["policy", "check", "--offline", "--strict", "--format", "json"] + paths)
        #expect(strict.status == 1, "valid/minimal.toml warns, so --strict exits 1")
    }

    @Test func allInvalidFixturesInOneRun() throws {
        let paths = Self.invalid.map(Self.path)
        let result = try Command.run(Warden.executable, ["policy", "check", "--offline", "--format", "json"] + paths)
        #expect(result.status == 2)
        try Self.compareGrouped(paths: paths, output: result.stdout, context: "invalid/*")
    }

    @Test func oneBadFileAmongGoodOnesExitsTwo() throws {
        let paths = [Self.path("valid/every-key.toml"), Self.path("invalid/missing-version.toml"),
                     Self.path("valid/mode-daemon.toml")]
        #expect(try Command.run(Warden.executable, ["policy", "check", "--offline"] + paths).status == 2)
        #expect(try Command.run(Warden.executable, ["policy", "check", "--offline", "--strict"] + paths).status == 2)
    }

    static func compareGrouped(paths: [String], output: String, context: String) throws {
        let actual = try Diagnostic.decode(output, context: context)
        for diagnostic in actual where !paths.contains(diagnostic.file) {
            Issue.record("\(context): diagnostic for a file that was not checked: \(diagnostic.file)")
        }
        for path in paths {
            let name = (path as NSString).lastPathComponent
            Expectation.compare(try Expectation.parse(file: path), actual.filter { $0.file == path },
                                context: "\(context) \(name)")
        }
    }

    // MARK: - Mutations

    /// Each valid fixture, mutated 300 ways with a seeded generator (so failures reproduce):
    /// the checker never crashes, always prints one JSON array, exits 0, 1 or 2 consistently
    /// with what it reports, and locates every diagnostic inside the file.
    @Test(arguments: valid)
    func mutatedFixturesNeverCrashTheChecker(fixture: String) throws {
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: Self.path(fixture))))
        var generator = SplitMix64(seed: Self.fnv1a(fixture))
        let tree = try TemporaryTree("warden-mutations")
        var inputs: [String: [UInt8]] = [:]
        var paths: [String] = []
        for index in 0..<300 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                bytes = Mutator.mutate(bytes, using: &generator)
            }
            let path = tree.url(String(format: "m%03d.toml", index))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            inputs[path] = bytes
            paths.append(path)
        }

        let result = try Command.run(Warden.executable, ["policy", "check", "--offline", "--format", "json"] + paths, timeout: 300)
        if result.signaled {
            // Name the inputs that crash it, one run each.
            var crashes = 0
            for path in paths where crashes < 3 {
                let single = try Command.run(Warden.executable, ["policy", "check", "--offline", "--format", "json", path])
                guard single.signaled else { continue }
                crashes += 1
                Issue.record("""
                    \(fixture): checker killed by signal \(single.status) on this input:
                    \(Mutator.show(inputs[path]!))
                    --- stderr:
                    \(single.stderr.prefix(600))
                    """)
            }
            if crashes == 0 { Issue.record("\(fixture): batch run killed by signal \(result.status)\n\(result.stderr.prefix(600))") }
            return
        }
        #expect([0, 1, 2].contains(result.status), "\(fixture): exit status \(result.status)\n\(result.stderr.suffix(2000))")
        let diagnostics = try Diagnostic.decode(result.stdout, context: "\(fixture) mutations")
        let anyError = diagnostics.contains { $0.severity == "error" }
        #expect((result.status == 2) == anyError, "\(fixture): exit status \(result.status) but errors: \(anyError)")

        var reported = 0
        for path in paths {
            let mine = diagnostics.filter { $0.file == path }
            let bytes = inputs[path]!
            let lineCount = bytes.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            let errors = mine.filter { $0.severity == "error" }
            let located = errors.contains { $0.line >= 1 && $0.column >= 1 }
            if !errors.isEmpty && !located {
                Issue.record("\(fixture) → \((path as NSString).lastPathComponent): no located error\n\(errors)\n\(Mutator.show(bytes))")
            }
            for diagnostic in mine where !(1...lineCount).contains(diagnostic.line) || diagnostic.column < 1
                || !["error", "warning"].contains(diagnostic.severity) || diagnostic.message.isEmpty {
                Issue.record("\(fixture) → \((path as NSString).lastPathComponent): bad diagnostic \(diagnostic) (file has \(lineCount) lines)\n\(Mutator.show(bytes))")
            }
            if !errors.isEmpty { reported += 1 }
        }
        for diagnostic in diagnostics where inputs[diagnostic.file] == nil {
            Issue.record("\(fixture): diagnostic for a file that was not checked: \(diagnostic.file)")
        }
        // Sanity: the mutations do break most files.
        #expect(reported >= 60, "\(fixture): only \(reported) of 300 mutated files had errors")
    }

    /// Inputs a fuzzer reaches slowly: deep nesting, huge lines, control bytes, empty files.
    @Test func hostileInputsNeverCrashTheChecker() throws {
        let tree = try TemporaryTree("warden-hostile")
        let header = "version = 1\n[module]\nname = \"x\"\npath = \"/opt/x.wasm\"\n"
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("unclosed-header", Array("[\n".utf8)),
            ("unclosed-array-header", Array("version = 1\n[[ \n".utf8)),
            ("nul", [UInt8](repeating: 0, count: 4096)),
            ("bom", Array("\u{FEFF}version = 1\n".utf8)),
            ("invalid-utf8-key", Array("version = 1\n[module]\n".utf8) + [0xC3, 0x28, 0x3D, 0x31, 0x0A]),
            ("invalid-utf8-string", Array("version = 1\n[module]\nname = \"".utf8) + [0xFF, 0xFE, 0xED, 0xA0, 0x80] + Array("\"\n".utf8)),
            ("crlf", Array(header.replacingOccurrences(of: "\n", with: "\r\n").utf8)),
            ("lone-cr", Array(header.replacingOccurrences(of: "\n", with: "\r").utf8)),
            ("long-line", Array((header + "args = [\"" + String(repeating: "a", count: 1 << 20) + "\"]\n").utf8)),
            ("long-key", Array((header + String(repeating: "k", count: 100_000) + " = 1\n").utf8)),
            ("deep-arrays", Array((header + "args = " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n").utf8)),
            ("deep-inline-tables", Array((header + "env = " + String(repeating: "{ a = ", count: 10_000) + "1" + String(repeating: " }", count: 10_000) + "\n").utf8)),
            ("deep-unclosed", Array((header + "args = " + String(repeating: "[", count: 100_000) + "\n").utf8)),
            ("many-preopens", Array((header + (0..<5000).map { "[[preopen]]\nhost = \"/nonexistent/\($0)\"\nguest = \"/g\($0)\"\n" }.joined()).utf8)),
            ("many-dotted", Array((header + "[limits]\n" + String(repeating: "a.", count: 10_000) + "b = 1\n").utf8)),
            ("huge-integers", Array((header + "[limits]\nmemory = 99999999999999999999999999\nfuel = -99999999999999999999\nopen-files = 0x7fffffffffffffff\n").utf8)),
            ("escapes", Array((header + "args = [\"\\u0000\", \"\\uD800\", \"\\U0010FFFF\", \"\\U00110000\", \"\\x\"]\n").utf8)),
        ]
        var paths: [String] = []
        for (name, bytes) in cases {
            let path = tree.url("\(name).toml")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        // One run per input, so a crash names its input.
        for path in paths {
            let result = try Command.run(Warden.executable, ["policy", "check", "--offline", "--format", "json", path], timeout: 120)
            let name = (path as NSString).lastPathComponent
            let (signaled, status) = (result.signaled, result.status)
            #expect(!signaled, "\(name): checker killed by signal \(status)\n\(result.stderr.prefix(300))")
            #expect(signaled || [0, 1, 2].contains(status), "\(name): exit status \(status)")
            if !signaled {
                let diagnostics = try Diagnostic.decode(result.stdout, context: name)
                #expect(diagnostics.allSatisfy { $0.line >= 1 && $0.column >= 1 }, "\(name): \(diagnostics)")
            }
        }
    }
}

// MARK: - Expectations and diagnostics
// Nested in FixtureTests so they cannot collide with types of the same name in WardenPolicy.

extension FixtureTests {
    struct FixtureError: Error, CustomStringConvertible {
        let description: String
    }

    struct Diagnostic: CustomStringConvertible, Sendable {
        var file: String
        var line: Int
        var column: Int
        var severity: String
        var message: String
        var fix: String?

        var description: String { "\(line):\(column): \(severity): \(message)" + (fix.map { " [fix: \($0)]" } ?? "") }

        /// `did you mean 'X'?` or `did you mean [X]?` at the end of the message.
        var suggestion: (text: String, isTable: Bool)? {
            guard let range = message.range(of: "did you mean ", options: .backwards), message.hasSuffix("?") else { return nil }
            let quoted = message[range.upperBound..<message.index(before: message.endIndex)]
            if quoted.hasPrefix("'") && quoted.hasSuffix("'") && quoted.count >= 2 {
                return (String(quoted.dropFirst().dropLast()), false)
            }
            if quoted.hasPrefix("[") && quoted.hasSuffix("]") && quoted.count >= 2 {
                return (String(quoted.dropFirst().dropLast()), true)
            }
            return nil
        }

        init(file: String, line: Int, column: Int, severity: String, message: String, fix: String? = nil) {
            (self.file, self.line, self.column, self.severity, self.message, self.fix) = (file, line, column, severity, message, fix)
        }

        /// `FILE:LINE:COL: severity: message`.
        init?(textLine: String, file: String) {
            guard textLine.hasPrefix(file + ":") else { return nil }
            guard let match = textLine.dropFirst(file.count + 1)
                .wholeMatch(of: /(\d+):(\d+): (error|warning): (.*)/) else { return nil }
            self.init(file: file, line: Int(match.1)!, column: Int(match.2)!, severity: String(match.3),
                      message: String(match.4))
        }

        /// The `--format json` output: one array of objects.
        static func decode(_ output: String, context: String) throws -> [Diagnostic] {
            let json: Any
            do {
                json = try JSONSerialization.jsonObject(with: Data(output.utf8))
            } catch {
                Issue.record("\(context): output is not JSON: \(error)\n\(output.prefix(2000))")
                throw error
            }
            guard let array = json as? [[String: Any]] else {
                Issue.record("\(context): output is not an array of objects:\n\(output.prefix(2000))")
                throw FixtureError(description: "not an array of objects")
            }
            return array.compactMap { object in
                guard let file = object["file"] as? String, let line = object["line"] as? Int,
                      let column = object["column"] as? Int, let severity = object["severity"] as? String,
                      let message = object["message"] as? String else {
                    Issue.record("\(context): diagnostic lacks file, line, column, severity or message: \(object)")
                    return nil
                }
                if object["fix"] != nil && !(object["fix"] is String) {
                    Issue.record("\(context): 'fix' is not a string: \(object)")
                }
                return Diagnostic(file: file, line: line, column: column, severity: severity, message: message,
                                  fix: object["fix"] as? String)
            }
        }
    }

    struct Expectation: CustomStringConvertible, Sendable {
        var line: Int
        var column: Int
        var severity: String
        var message: String
        /// The expectation ended in `...`: any message starting with `message` matches.
        var isPrefix: Bool

        var description: String { "\(line):\(column): \(severity): \(message)\(isPrefix ? "..." : "")" }

        func matches(_ diagnostic: Diagnostic) -> Bool {
            diagnostic.line == line && diagnostic.column == column && diagnostic.severity == severity
                && (isPrefix ? diagnostic.message.hasPrefix(message) : diagnostic.message == message)
        }

        static func parse(file: String) throws -> [Expectation] {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            return try text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line in
                guard line.hasPrefix("# expect: ") else { return nil }
                guard let match = line.dropFirst("# expect: ".count)
                    .wholeMatch(of: /(\d+):(\d+): (error|warning): (.+)/) else {
                    throw FixtureError(description: "\(file): malformed expectation: \(line)")
                }
                var message = String(match.4)
                let isPrefix = message.hasSuffix("...")
                if isPrefix { message.removeLast(3) }
                return Expectation(line: Int(match.1)!, column: Int(match.2)!, severity: String(match.3),
                                   message: message, isPrefix: isPrefix)
            }
        }

        /// Records one issue listing what is missing and what is unexpected, if anything.
        static func compare(_ expected: [Expectation], _ actual: [Diagnostic], context: String) {
            var unmatched = actual
            var missing: [Expectation] = []
            // Exact expectations first, so a prefix one cannot take a diagnostic an exact one needs.
            for expectation in expected.filter({ !$0.isPrefix }) + expected.filter(\.isPrefix) {
                if let index = unmatched.firstIndex(where: expectation.matches) {
                    unmatched.remove(at: index)
                } else {
                    missing.append(expectation)
                }
            }
            guard !missing.isEmpty || !unmatched.isEmpty else { return }
            var report = "\(context): diagnostics differ from the expectations"
            for expectation in missing { report += "\n  expected, not reported: \(expectation)" }
            for diagnostic in unmatched { report += "\n  reported, not expected: \(diagnostic)" }
            Issue.record(Comment(rawValue: report))
        }
    }

    // MARK: - Seeded mutations

    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    enum Mutator {
        /// Values of every TOML type, and strings near the edges of the policy's own types.
        static let values: [String] = [
            "42", "-1", "0", "true", "false", "1.5", "-0.0", "nan", "inf", "1e999", "[]", "{}", "[[]]",
            "{ a = 1 }", "[1, \"two\"]", "2026-11-21", "2026-11-21T14:31:09Z", "14:31:09", "\"\"", "\"x\"",
            "'literal'", "\"\"\"multi\nline\"\"\"", "'''raw\nlines'''", "\"0s\"", "\"-5s\"", "\"9999999999GiB\"",
            "\"-1MiB\"", "\"64KiB\"", "\"4GiB\"", "18446744073709551616", "0x7fffffffffffffff", "0o777", "0b101",
            "-9223372036854775808", "9223372036854775807", "\"/\"", "\"..\"", "\"/..\"", "\"\\u0000\"",
            "\"\\uD800\"", "\"tcp:\"", "\"unix:\"", "\"systemd:\"", "\"tcp:[::1]:80\"", "[\"user\", \"user\"]",
            "\"read-write\"", "\"per-connection\"", "\"inherit\"", "{ A = 1 }", "{ \"\" = \"\" }",
        ]
        static let bytePool: [UInt8] = [0x00, 0xFF, 0xFE, 0xC3, 0x28, 0xED, 0xA0, 0x80, 0xC0, 0xAF, 0xF4, 0x90,
                                        0x0A, 0x0D, 0x09, 0x22, 0x27, 0x5B, 0x5D, 0x3D, 0x23, 0x5C, 0x7B, 0x7D,
                                        0x2C, 0x2E, 0x20, 0x7F, 0x1B]

        static func mutate(_ bytes: [UInt8], using generator: inout SplitMix64) -> [UInt8] {
            var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
            func joined() -> [UInt8] { Array(lines.joined(separator: [0x0A])) }
            switch Int.random(in: 0..<6, using: &generator) {
            case 0:  // delete a byte
                guard !bytes.isEmpty else { return bytes }
                var copy = bytes
                copy.remove(at: Int.random(in: 0..<copy.count, using: &generator))
                return copy
            case 1:  // duplicate a line
                let index = Int.random(in: 0..<lines.count, using: &generator)
                lines.insert(lines[index], at: Int.random(in: 0...lines.count, using: &generator))
                return joined()
            case 2:  // swap two lines
                guard lines.count > 1 else { return bytes }
                let a = Int.random(in: 0..<lines.count, using: &generator)
                let b = Int.random(in: 0..<lines.count, using: &generator)
                lines.swapAt(a, b)
                return joined()
            case 3:  // replace a value with one of another type
                let assignments = lines.indices.filter { lines[$0].firstIndex(of: 0x3D) != nil && lines[$0].first != 0x23 }
                guard let index = assignments.randomElement(using: &generator),
                      let equals = lines[index].firstIndex(of: 0x3D) else { return bytes }
                lines[index] = Array(lines[index][...equals]) + Array(" \(values.randomElement(using: &generator)!)".utf8)
                return joined()
            case 4:  // insert random bytes, including NUL and invalid UTF-8
                var copy = bytes
                let inserted = (0..<Int.random(in: 1...8, using: &generator)).map { _ in
                    Bool.random(using: &generator) ? bytePool.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
                }
                copy.insert(contentsOf: inserted, at: Int.random(in: 0...copy.count, using: &generator))
                return copy
            default:  // truncate
                return Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
            }
        }

        /// The file, printable, for a failure report.
        static func show(_ bytes: [UInt8]) -> String {
            var text = ""
            for byte in bytes.prefix(4000) {
                switch byte {
                case 0x0A: text += "\n"
                case 0x20..<0x7F where byte != 0x5C: text += String(UnicodeScalar(byte))
                default: text += String(format: "\\x%02X", byte)
                }
            }
            return text
        }
    }
}
