import WardenPolicy

// A policy file is a policy or located diagnostics: never a crash, never neither.
enum PolicyHarness {
    static let harness = FuzzHarness(
        "FuzzPolicy",
        seedDirectories: ["Fuzz/Seeds/FuzzTOML", "Tests/WardenPolicyTests/Fixtures/valid", "Tests/WardenPolicyTests/Fixtures/invalid", "policies"],
        check: check)

    /// Host facts vary with the input (its length), so the warnings that depend on them run too.
    struct Host: HostFacts {
        let exists: Bool
        func directoryExists(_ path: String) -> Bool { exists }
    }

    static func check(_ bytes: [UInt8]) throws(HarnessFailure) {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.utf8.reduce(1) { $1 == 0x0a ? $0 + 1 : $0 }
        let host = Host(exists: bytes.count % 2 == 0)
        let result = PolicyParser.parse(text: text, file: "fuzz.toml", policyPath: "/etc/warden/fuzz.toml", host: host)
        if result.policy == nil, !result.hasErrors { throw HarnessFailure("no policy and no error") }
        if result.policy != nil, result.hasErrors { throw HarnessFailure("a policy despite errors") }
        for diagnostic in result.diagnostics {
            guard diagnostic.line >= 1, diagnostic.line <= lines, diagnostic.column >= 1, !diagnostic.message.isEmpty else {
                throw HarnessFailure("diagnostic outside the text: \(diagnostic)")
            }
            _ = diagnostic.description
        }
        // What `policy explain` and the launcher read: must hold for any policy accepted.
        if let policy = result.policy, policy.module.name.isEmpty {
            throw HarnessFailure("accepted a policy without a module name")
        }
    }
}
