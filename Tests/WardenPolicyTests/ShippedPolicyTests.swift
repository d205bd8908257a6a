import Foundation
import Testing
import WardenTestSupport

/// The policies in `policies/` and the examples in warden.policy(5) check clean, and the
/// documentation covers every key of the format.
///
/// Shipped policies name host paths below `/srv/warden/`, which do not exist here. Each test
/// works on a copy in which `/srv/warden` points into a temporary tree where every preopen's
/// host directory exists, so that `--strict` must report nothing at all.
@Suite struct ShippedPolicyTests {
    static let policiesDirectory = Guests.packageRoot.appendingPathComponent("policies")
    static let manPage = Guests.packageRoot.appendingPathComponent("man/warden.policy.5")
    static let hostPrefix = "/srv/warden"

    static let policies: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: policiesDirectory.path)) ?? [])
        .filter { $0.hasSuffix(".toml") }.sorted()

    /// Every key of the format (version 1), by table.
    static let keys: [(table: String, keys: [String])] = [
        ("top level", ["version"]),
        ("[module]", ["name", "path", "sha256", "args", "env"]),
        ("[[preopen]]", ["host", "guest", "access"]),
        ("[limits]", ["memory", "fuel", "cpu-time", "wall-time", "open-files"]),
        ("[stdio]", ["stdin", "stdout", "stderr"]),
        ("[sandbox]", ["user", "on-syscall-violation", "landlock", "namespaces", "namespaces-required"]),
        ("[service]", ["mode", "listen", "restart", "max-connections", "connection-wall-time"]),
        ("[audit]", ["log", "rate-limit", "fsync"]),
    ]

    /// A policy text written into a fresh tree with `/srv/warden` rewritten to `<tree>/srv`
    /// and every `host = "..."` directory created.
    struct Staged {
        let tree: TemporaryTree
        let path: String
        let text: String
    }

    static func stage(_ text: String, name: String) throws -> Staged {
        let tree = try TemporaryTree("warden-shipped")
        let rewritten = text.replacingOccurrences(of: hostPrefix, with: tree.url("srv"))
        for line in rewritten.split(separator: "\n") {
            if let match = line.wholeMatch(of: /\s*host\s*=\s*["']([^"']*)["']\s*(#.*)?/) {
                try FileManager.default.createDirectory(atPath: String(match.1), withIntermediateDirectories: true)
            }
        }
        try tree.write("policy/\(name)", rewritten)
        return Staged(tree: tree, path: tree.url("policy/\(name)"), text: rewritten)
    }

    static func shipped(_ name: String) throws -> String {
        try String(contentsOf: policiesDirectory.appendingPathComponent(name), encoding: .utf8)
    }

    /// Zero diagnostics with `--strict`, in both formats.
    static func expectClean(_ staged: Staged, context: String) throws {
        let json = try Command.run(Warden.executable, ["policy", "check", "--offline", "--strict", "--format", "json", staged.path])
        let status = json.signaled ? -1 : json.status
        #expect(status == 0, "\(context): exit status \(json.status)\n\(json.stdout.prefix(2000))\(json.stderr.prefix(600))")
        let diagnostics = try FixtureTests.Diagnostic.decode(json.stdout, context: context)
        #expect(diagnostics.isEmpty, "\(context): \(diagnostics.map(\.description).joined(separator: "\n"))")

        let text = try Command.run(Warden.executable, ["policy", "check", "--offline", "--strict", staged.path])
        #expect(text.status == 0, "\(context): --strict text exit status \(text.status)")
        let lines = (text.stdout + text.stderr).split(separator: "\n").filter { $0.hasPrefix(staged.path + ":") }
        #expect(lines.isEmpty, "\(context): \(lines.joined(separator: "\n"))")
    }

    // MARK: - policies/

    @Test func theDocumentedPoliciesAreShipped() {
        for name in ["base.toml", "batch-converter.toml", "request-handler.toml", "daemon.toml"] {
            #expect(Self.policies.contains(name), "policies/\(name) is missing")
        }
    }

    @Test(arguments: policies)
    func shippedPolicyChecksCleanWithStrict(name: String) throws {
        try Self.expectClean(try Self.stage(try Self.shipped(name), name: name), context: "policies/\(name)")
    }

    @Test(arguments: policies)
    func shippedPolicyExplains(name: String) throws {
        let staged = try Self.stage(try Self.shipped(name), name: name)
        let result = try Command.run(Warden.executable, ["policy", "explain", staged.path])
        let status = result.signaled ? -1 : result.status
        #expect(status == 0, "policies/\(name): explain exit status \(result.status)\n\(result.stderr.prefix(600))")
        #expect(!result.stdout.isEmpty, "policies/\(name): explain printed nothing")
    }

    /// Host paths all start with the common prefix, or the staging rewrite would miss them.
    @Test(arguments: policies)
    func shippedHostPathsUseTheCommonPrefix(name: String) throws {
        for line in try Self.shipped(name).split(separator: "\n") {
            guard let match = line.wholeMatch(of: /\s*(host|path)\s*=\s*"([^"]*)"\s*(#.*)?/) else { continue }
            #expect(match.2.hasPrefix(Self.hostPrefix + "/"), "policies/\(name): \(line)")
        }
    }

    @Test func explainOfBaseNamesEveryGuestPath() throws {
        let staged = try Self.stage(try Self.shipped("base.toml"), name: "base.toml")
        let guests = staged.text.split(separator: "\n").compactMap {
            $0.wholeMatch(of: /\s*guest\s*=\s*"([^"]*)"\s*(#.*)?/).map { String($0.1) }
        }
        #expect(guests.count >= 2)
        let result = try Command.run(Warden.executable, ["policy", "explain", staged.path])
        #expect(result.status == 0, "\(result.stderr)")
        for guest in guests {
            let mentioned = Self.mentions(result.stdout, path: guest)
            #expect(mentioned, "explain does not mention guest path \(guest):\n\(result.stdout)")
        }
    }

    /// `path` occurs in `text` as a path of its own, not inside a longer path or word (so a
    /// guest path `/in` is not found in a host path `/srv/base/in`).
    static func mentions(_ text: String, path: String) -> Bool {
        func isPathCharacter(_ character: Character?) -> Bool {
            guard let character else { return false }
            return character.isLetter || character.isNumber || "_./-".contains(character)
        }
        var searchStart = text.startIndex
        while let range = text.range(of: path, range: searchStart..<text.endIndex) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            // A sentence may end right after the path.
            let afterIsBoundary = !isPathCharacter(after) || (after == "." && {
                let next = text.index(after: range.upperBound)
                return next == text.endIndex || text[next].isWhitespace
            }())
            if !isPathCharacter(before) && afterIsBoundary { return true }
            searchStart = text.index(after: range.lowerBound)
        }
        return false
    }

    @Test func pathMentionsAreWholePaths() {
        #expect(Self.mentions("guest /in (read-only)", path: "/in"))
        #expect(Self.mentions("'/in' read", path: "/in"))
        #expect(Self.mentions("seen as /in.", path: "/in"))
        #expect(!Self.mentions("host /tmp/srv/base/in", path: "/in"))
        #expect(!Self.mentions("/input", path: "/in"))
        #expect(!Self.mentions("/in/sub", path: "/in"))
    }

    /// base.toml is the reference: every key appears in its table, set or as a commented-out
    /// assignment, with a comment explaining it; the four limits the checker asks for are set.
    @Test func baseDocumentsEveryKey() throws {
        let lines = try Self.shipped("base.toml").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The lines of the first section with each header ("top level": before any header).
        var sections: [String: [String]] = [:]
        var current = "top level"
        for line in lines {
            if let header = line.wholeMatch(of: /(\[\[?[a-z]+\]\]?)\s*(#.*)?/) {
                current = String(header.1)
                if sections[current] != nil { current = "\(current) again" }
            }
            sections[current, default: []].append(line)
        }
        for (table, keys) in Self.keys {
            guard let section = sections[table] else {
                Issue.record("base.toml has no \(table)")
                continue
            }
            for key in keys {
                let pattern = try Regex("^(# ?)?\(NSRegularExpression.escapedPattern(for: key))\\s*=")
                guard let index = section.firstIndex(where: { $0.contains(pattern) }) else {
                    Issue.record("base.toml does not list '\(key)' in \(table)")
                    continue
                }
                let documented = section[index].hasPrefix("#") || (index > 0 && section[index - 1].hasPrefix("#"))
                #expect(documented, "base.toml: '\(key)' in \(table) has no comment")
            }
        }
        for key in ["memory", "cpu-time", "wall-time", "open-files"] {
            #expect(sections["[limits]"]?.contains { $0.hasPrefix("\(key) =") } == true, "base.toml leaves \(key) unset")
        }
    }

    // MARK: - man/warden.policy.5

    static func manText() throws -> String {
        try String(contentsOf: manPage, encoding: .utf8)
            .replacingOccurrences(of: "\\-", with: "-")
            .replacingOccurrences(of: "\\(dq", with: "\"")
            .replacingOccurrences(of: "\\&", with: "")
            .replacingOccurrences(of: "\\e", with: "\\")
    }

    @Test func manPageDocumentsEveryKeyAndTable() throws {
        let text = try Self.manText()
        for (table, keys) in Self.keys {
            if table != "top level" { #expect(text.contains(".SS \(table)"), "warden.policy(5) has no section for \(table)") }
            for key in keys {
                #expect(text.contains(".B \(key)\n"), "warden.policy(5) has no entry for '\(key)' in \(table)")
            }
        }
    }

    /// Every example policy in the man page is a policy `check --strict` accepts.
    @Test func manPageExamplesCheckClean() throws {
        var examples: [String] = []
        var current: [Substring]?
        for line in try Self.manText().split(separator: "\n", omittingEmptySubsequences: false) {
            if line == ".EX" { current = [] } else if line == ".EE" {
                if let body = current, body.first == "version = 1" { examples.append(body.joined(separator: "\n") + "\n") }
                current = nil
            } else { current?.append(line) }
        }
        #expect(examples.count >= 3)
        for (index, example) in examples.enumerated() {
            try Self.expectClean(try Self.stage(example, name: "example\(index + 1).toml"),
                                 context: "warden.policy(5) example \(index + 1)")
        }
    }
}
