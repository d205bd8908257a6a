/// A date, time or date-time as written. Its fields have been validated (months, days of the
/// month with leap years, hours, minutes, seconds, offsets); nothing in warden does date
/// arithmetic, so the value keeps its kind and original text rather than a calendar model.
public struct TOMLDateTime: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case offsetDateTime = "offset date-time"
        case localDateTime = "local date-time"
        case localDate = "local date"
        case localTime = "local time"
    }

    public var kind: Kind
    /// Exactly as in the document (`1979-05-27 07:32:00Z`, `07:32:00.999`).
    public var text: String

    public init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }

    public var description: String { text }
}
