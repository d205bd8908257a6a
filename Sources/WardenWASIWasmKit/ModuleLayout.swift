/// The few facts about a binary module's layout that validation needs and WasmKit's API does
/// not give: whether it has a start section (a start function runs during instantiation, so
/// its module must be validated before it is instantiated), and where each function body
/// lies (WasmKit's validation errors carry a byte offset, not the function they are in).
/// Read only after WasmKit parsed the module, so the section framing is known to be sound;
/// anything unexpected still ends the scan without a fault.
struct ModuleLayout {
    /// Whether the module has a start section (id 8).
    var hasStart = false
    /// Byte ranges (in the whole module) of the code section's entries, in order: entry i is
    /// the body of defined function i.
    var bodies: [Range<Int>] = []

    init(_ bytes: [UInt8]) {
        var cursor = 8  // "\0asm" and the version
        while cursor < bytes.count {
            let id = bytes[cursor]
            cursor += 1
            guard let size = Self.leb(bytes, &cursor), cursor + size <= bytes.count else { return }
            let end = cursor + size
            switch id {
            case 8: hasStart = true
            case 10:
                var entry = cursor
                guard let count = Self.leb(bytes, &entry) else { return }
                for _ in 0..<min(count, size) {
                    guard let length = Self.leb(bytes, &entry), entry + length <= end else { return }
                    bodies.append(entry..<(entry + length))
                    entry += length
                }
            default: break
            }
            cursor = end
        }
    }

    /// The index among defined functions of the body that holds `offset`, or nil.
    func definedFunction(containing offset: Int) -> Int? {
        var low = 0, high = bodies.count
        while low < high {
            let middle = (low + high) / 2
            if bodies[middle].upperBound <= offset { low = middle + 1 } else { high = middle }
        }
        return low < bodies.count && bodies[low].contains(offset) ? low : nil
    }

    /// An unsigned LEB128 of at most 32 bits at `cursor`, advancing it; nil if malformed.
    static func leb(_ bytes: [UInt8], _ cursor: inout Int) -> Int? {
        var result = 0, shift = 0
        while cursor < bytes.count, shift < 35 {
            let byte = bytes[cursor]
            cursor += 1
            result |= Int(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }
}
