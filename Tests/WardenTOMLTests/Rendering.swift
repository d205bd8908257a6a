import Testing
import WardenTOML

/// A parsed document as one line of text, so expectations read like the TOML they came
/// from: tables `{a: 1, b: "x"}` in definition order, arrays `[1, 2.0]`, floats always with a
/// '.' or an exponent (or inf/nan), dates with their kind (`odt(...)`, `ldt(...)`, `ld(...)`,
/// `lt(...)`), strings quoted and escaped as Swift writes them.
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

    /// Swift's own escaping (`"a\n\u{01}"`): readable, and no second quoting routine to trust.
    static func quoted(_ text: String) -> String { text.debugDescription }
}

/// One document of a table-driven test and its outcome (a rendering or an error).
struct DocumentCase: CustomTestStringConvertible, Sendable {
    let name: String
    let toml: String
    let outcome: String

    init(_ name: String, _ toml: String, _ outcome: String) {
        (self.name, self.toml, self.outcome) = (name, toml, outcome)
    }

    var testDescription: String { name }
}
