import WardenTOML

// Policy files arrive as bytes: any bytes must give a table or a located error, never a
// crash, a hang or unbounded memory (libFuzzer's -timeout and -rss_limit_mb catch the last two).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTOML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let lines = bytes.reduce(1) { $1 == 0x0a ? $0 + 1 : $0 }
    func located(_ position: TOMLPosition, _ what: String) {
        // Every position names a line of the text and a column on it (1-based).
        guard position.line >= 1, position.line <= lines, position.column >= 1 else {
            fatalError("\(what) at \(position) outside a \(lines)-line text")
        }
    }
    do {
        let table = try TOMLDocument.parse(utf8: bytes)
        walk(table, depth: 0, located)
        // Valid UTF-8 reaches the same result through the String entry point.
        if let text = String(validating: bytes, as: UTF8.self) {
            guard (try? TOMLDocument.parse(text)) != nil else { fatalError("String and byte parses disagree") }
        }
    } catch {
        located(error.position, "error '\(error.message)'")
        guard !error.message.isEmpty else { fatalError("error without a message at \(error.position)") }
    }
    return 0
}

/// Visits every key and value; nesting past the documented bound is a bug in the bound.
func walk(_ table: TOMLTable, depth: Int, _ located: (TOMLPosition, String) -> Void) {
    guard depth <= TOMLDocument.maximumDepth + 1 else { fatalError("nesting \(depth) past maximumDepth") }
    for entry in table.entries {
        located(entry.keyPosition, "key '\(entry.key)'")
        walk(entry.value, depth: depth + 1, located)
    }
}

func walk(_ value: TOMLValue, depth: Int, _ located: (TOMLPosition, String) -> Void) {
    located(value.position, "value")
    switch value.content {
    case .table(let table): walk(table, depth: depth, located)
    case .array(let items):
        guard depth <= TOMLDocument.maximumDepth + 1 else { fatalError("nesting \(depth) past maximumDepth") }
        for item in items { walk(item, depth: depth + 1, located) }
    default: break
    }
}
