import WardenTOML

/// A parsed document as one line of text, so expectations read like the TOML they came
/// from: tables `{a: 1, b: "x"}` in definition order, arrays `[1, 2.0]`, floats always with a
/// '.' or an exponent (or inf/nan), dates with their kind (`odt(...)`, `ldt(...)`, `ld(...)`,
/// `lt(...)`), strings quoted with escapes for anything invisible.
enum Rendering {
    static func render(_ table: TOMLTable) -> String {
        "{" + table.entries.map { "\(key($0.key)): \(render($0.value))" }.joined(separator: ", ") + "}"
    }

    static func render(_ value: TOMLValue) -> String {
        switch value.content {
        case .string(let text): quoted(text)
        case .integer(let number): String(number)
        case .float(let number): number.isNaN ? (number.sign == .minus ? "-nan" : "nan") : String(describing: number)
        case .boolean(let flag): String(flag)
        case .dateTime(let date): kind(date.kind) + "(" + date.text + ")"
        case .array(let elements): "[" + elements.map(render).joined(separator: ", ") + "]"
        case .table(let table): render(table)
        }
    }

    static func kind(_ kind: TOMLDateTime.Kind) -> String {
        switch kind {
        case .offsetDateTime: "odt"
        case .localDateTime: "ldt"
        case .localDate: "ld"
        case .localTime: "lt"
        }
    }

    static func key(_ key: String) -> String {
        !key.isEmpty && key.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") }
            ? key : quoted(key)
    }

    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
