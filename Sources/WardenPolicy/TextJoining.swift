extension [String] {
    /// `joined(separator:)` written out, for text built on `warden run`'s start-up path (the
    /// flags' policy document, its checks and normalized paths). The standard library's is
    /// generic and not specialized into our code: its first call in a process resolves Array's
    /// `Iterator` witness by mangled name, which scans every protocol conformance record in
    /// the binary (0.07 ms of `warden run` before the worker is spawned, perf). WardenHardening
    /// has the same helper for the worker's reports.
    func joinedDirectly(separator: String) -> String {
        var text = ""
        var first = true
        for element in self {
            if !first { text += separator }
            text += element
            first = false
        }
        return text
    }
}
