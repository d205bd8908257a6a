import WardenTOML

// Policy files arrive as bytes: any bytes must give a table or a located error, never a
// crash, a hang or unbounded memory (libFuzzer's -timeout and -rss_limit_mb catch the last two).
enum TOMLHarness {
    static let harness = FuzzHarness(
        "FuzzTOML",
        seedDirectories: ["Tests/WardenPolicyTests/Fixtures/valid", "Tests/WardenPolicyTests/Fixtures/invalid", "policies"],
        check: check)

    static func check(_ bytes: [UInt8]) throws(HarnessFailure) {
        let lines = bytes.reduce(1) { $1 == 0x0a ? $0 + 1 : $0 }
        func located(_ position: TOMLPosition, _ what: String) throws(HarnessFailure) {
            // Every position names a line of the text and a column on it (1-based).
            guard position.line >= 1, position.line <= lines, position.column >= 1 else {
                throw HarnessFailure("\(what) at \(position) outside a \(lines)-line text")
            }
        }
        let table: TOMLTable
        do {
            table = try TOMLDocument.parse(utf8: bytes)
        } catch {
            try located(error.position, "error '\(error.message)'")
            guard !error.message.isEmpty else { throw HarnessFailure("error without a message at \(error.position)") }
            return
        }
        try walk(table, depth: 0, located)
        // Valid UTF-8 reaches the same result through the String entry point.
        if let text = String(validating: bytes, as: UTF8.self) {
            guard (try? TOMLDocument.parse(text)) != nil else { throw HarnessFailure("String and byte parses disagree") }
        }
    }

    typealias Locate = (TOMLPosition, String) throws(HarnessFailure) -> Void

    /// Visits every key and value; nesting past the documented bound is a bug in the bound.
    static func walk(_ table: TOMLTable, depth: Int, _ located: Locate) throws(HarnessFailure) {
        guard depth <= TOMLDocument.maximumDepth + 1 else { throw HarnessFailure("nesting \(depth) past maximumDepth") }
        for entry in table.entries {
            try located(entry.keyPosition, "key '\(entry.key)'")
            try walk(entry.value, depth: depth + 1, located)
        }
    }

    static func walk(_ value: TOMLValue, depth: Int, _ located: Locate) throws(HarnessFailure) {
        try located(value.position, "value")
        switch value.content {
        case .table(let table): try walk(table, depth: depth, located)
        case .array(let items):
            guard depth <= TOMLDocument.maximumDepth + 1 else { throw HarnessFailure("nesting \(depth) past maximumDepth") }
            for item in items { try walk(item, depth: depth + 1, located) }
        default: break
        }
    }
}
