import WardenPolicy

// A policy file is a policy or located diagnostics: never a crash, never neither.

/// Host facts vary with the input (first byte), so the warnings that depend on them run too.
struct FuzzHost: HostFacts {
    let exists: Bool
    func directoryExists(_ path: String) -> Bool { exists }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPolicy(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let lines = text.utf8.reduce(1) { $1 == 0x0a ? $0 + 1 : $0 }
    let host = FuzzHost(exists: size % 2 == 0)
    let result = PolicyParser.parse(text: text, file: "fuzz.toml", policyPath: "/etc/warden/fuzz.toml", host: host)
    if result.policy == nil, !result.hasErrors { fatalError("no policy and no error") }
    if result.policy != nil, result.hasErrors { fatalError("a policy despite errors") }
    for diagnostic in result.diagnostics {
        guard diagnostic.line >= 1, diagnostic.line <= lines, diagnostic.column >= 1, !diagnostic.message.isEmpty else {
            fatalError("diagnostic outside the text: \(diagnostic)")
        }
        _ = diagnostic.description
    }
    if let policy = result.policy {
        // What `policy explain` and the launcher read: must hold for any policy accepted.
        guard !policy.module.name.isEmpty else { fatalError("accepted a policy without a module name") }
    }
    return 0
}
