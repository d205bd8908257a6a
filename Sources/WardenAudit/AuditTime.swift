import WardenSystem

/// A point in time as audit events carry it: milliseconds since the Unix epoch, written as
/// RFC 3339 UTC with milliseconds (`2026-11-21T14:31:09.329Z`), which sorts as text.
public struct AuditTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }

    /// The wall clock now.
    public static func now() -> AuditTime {
        let nanoseconds = (try? SystemClock.realtime.now()) ?? 0
        return AuditTime(millisecondsSinceEpoch: Int64(nanoseconds / 1_000_000))
    }

    public static func < (lhs: AuditTime, rhs: AuditTime) -> Bool { lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch }

    public var description: String {
        let milliseconds = Int(millisecondsSinceEpoch.modulo(1000))
        let seconds = (millisecondsSinceEpoch - Int64(milliseconds)) / 1000
        let days = (seconds - seconds.modulo(86400)) / 86400, secondOfDay = Int(seconds.modulo(86400))
        let (year, month, day) = Self.civil(fromDays: days)
        var text = ""
        text.reserveCapacity(24)
        func pad(_ value: Int, _ width: Int) {
            let digits = String(value)
            if digits.count < width { text += String(repeating: "0", count: width - digits.count) }
            text += digits
        }
        pad(Int(year), 4); text += "-"; pad(month, 2); text += "-"; pad(day, 2); text += "T"
        pad(secondOfDay / 3600, 2); text += ":"; pad(secondOfDay / 60 % 60, 2); text += ":"; pad(secondOfDay % 60, 2)
        text += "."; pad(milliseconds, 3); text += "Z"
        return text
    }

    /// Parses RFC 3339 (`2026-11-21T14:31:09.329Z`, `...+02:00`, fractions of any length), or a
    /// prefix of it read as UTC: `2026-11-21`, `2026-11-21T14:31`. Nil when it is neither.
    public init?(rfc3339 text: String) {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + width] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += width
            return value
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue! else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var hour = 0, minute = 0, second = 0, milliseconds = 0, offsetMinutes = 0
        if index < bytes.count {
            guard expect("T") || expect("t") || expect(" "), let h = number(2), expect(":"), let m = number(2) else { return nil }
            hour = h
            minute = m
            if expect(":") {
                guard let s = number(2) else { return nil }
                second = s
                if expect(".") {
                    var scale = 100, digits = 0
                    while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                        milliseconds += Int(bytes[index] - UInt8(ascii: "0")) * scale
                        scale /= 10
                        digits += 1
                        index += 1
                    }
                    guard digits > 0 else { return nil }
                }
            }
            if expect("Z") || expect("z") {
            } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                index += 1
                guard let oh = number(2), expect(":"), let om = number(2) else { return nil }
                offsetMinutes = sign * (oh * 60 + om)
            }
            guard index == bytes.count, hour < 24, minute < 60, second < 61 else { return nil }
        }
        let days = Self.days(fromCivil: Int64(year), month, day)
        let seconds = days * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        self.init(millisecondsSinceEpoch: seconds * 1000 + Int64(milliseconds))
    }

    /// Howard Hinnant's civil_from_days (the same as the deadline handler's C version).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func days(fromCivil year: Int64, _ month: Int, _ day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month), d = Int64(day)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}

extension Int64 {
    /// The mathematical modulo (never negative for a positive divisor).
    func modulo(_ divisor: Int64) -> Int64 {
        let remainder = self % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }
}
