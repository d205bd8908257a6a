/// One part of a dotted key, unquoted, where it was written.
struct KeyPart {
    var name: String
    var position: TOMLPosition

    /// As a basic string, for messages.
    static func quoted(_ key: String) -> String {
        var text = "\""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: text += Cursor.describe(scalar)
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}
