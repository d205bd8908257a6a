/// Sizes ("256MiB") and durations ("30s") as policies spell them.
public enum Units {
    static let sizeSuffixes: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("B", 1)]
    static let durationSuffixes: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]

    /// "<n>B|KiB|MiB|GiB" → bytes, or nil.
    public static func size(_ text: String) -> Int? {
        for (suffix, scale) in sizeSuffixes where text.hasSuffix(suffix) {
            let digits = text.dropLast(suffix.count)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let value = Int(digits),
                  value <= Int.max / scale else { return nil }
            return value * scale
        }
        return nil
    }

    /// "<n>ms|s|m|h" → a positive duration, or nil.
    public static func duration(_ text: String) -> Duration? {
        // "ms" before "m"/"s": the list order matters.
        for (suffix, milliseconds) in durationSuffixes where text.hasSuffix(suffix) {
            let digits = text.dropLast(suffix.count)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let value = Int64(digits), value > 0,
                  value <= Int64.max / milliseconds / 1_000_000 else { continue }
            return .milliseconds(value * milliseconds)
        }
        return nil
    }

    /// The shortest exact spelling: 268435456 → "256MiB".
    public static func format(size bytes: Int) -> String {
        for (suffix, scale) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where bytes >= scale && bytes % scale == 0 {
            return "\(bytes / scale)\(suffix)"
        }
        return "\(bytes)B"
    }

    public static func format(duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        for (suffix, scale) in durationSuffixes.reversed() where milliseconds >= scale && milliseconds % scale == 0 {
            return "\(milliseconds / scale)\(suffix)"
        }
        return "\(milliseconds)ms"
    }

    /// Nanoseconds as milliseconds with `decimals` (1...6) digits, truncated: `12.345`.
    public static func milliseconds(_ nanoseconds: UInt64, decimals: Int = 3) -> String {
        var scale: UInt64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let units = nanoseconds / (1_000_000 / scale)
        let fraction = String(units % scale)
        return "\(units / scale)." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }

}
