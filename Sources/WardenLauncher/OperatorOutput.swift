import WardenSystem

/// What warden itself prints for an operator: one line at a time on standard error, and text a
/// module influences made safe for a terminal first.
public enum OperatorOutput {
    /// One line on standard error.
    public static func printError(_ line: String) {
        try? FileDescriptor.standardError.writeAll(line + "\n")
    }

    /// Text a module influences (trap reasons, function names) made safe for a terminal:
    /// control characters become \xNN, and continuation lines are indented so none can pose
    /// as a line of warden's own.
    public static func sanitized(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                out += "\n    "
            } else if scalar.value < 0x20 || scalar.value == 0x7f || (0x80..<0xa0).contains(scalar.value) {
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
