import Testing
import WardenTOML

/// Documents that are not TOML 1.0, each with the first error's position and message.
@Suite struct InvalidDocumentTests {
    /// The outcome is the error as `line:column: message`, or `{ok}` for a document one
    /// might expect to fail that is valid.
    typealias Case = DocumentCase

    static let lines: [Case] = [
        Case("missing equals", "a 1", "1:3: expected '=' after key"),
        Case("missing value", "a =", "1:4: expected a value, found end of file"),
        Case("value then newline", "a =\n1", "1:4: expected a value, found newline"),
        Case("two values on a line", "a = 1 b = 2", "1:7: expected a newline after the value, found 'b'"),
        Case("bare string", "a = hello", "1:5: invalid value 'hello' (strings must be quoted)"),
        Case("unexpected character", "name = @fixture", "1:8: expected a value, found '@'"),
        Case("control character in comment", "a = 1 # \u{1}", "1:9: control character U+0001 is not allowed in a comment"),
        Case("delete in comment", "# \u{7F}", "1:3: control character U+007F is not allowed in a comment"),
        Case("lone carriage return", "a = 1\rb = 2", "1:6: expected a newline after the value, found U+000D"),
        Case("lone carriage return on empty line", "\r", "1:1: carriage return without a line feed"),
        Case("carriage return in comment", "# a\rb", "1:4: control character U+000D is not allowed in a comment"),
        Case("nul outside strings", "a = 1\n\u{0}", "2:1: expected a key, found U+0000"),
        Case("key on its own", "key", "1:4: expected '=' after key"),
        Case("empty bare key", "= 1", "1:1: expected a key, found '='"),
        Case("dot at key end", "a. = 1", "1:4: expected a key, found '='"),
        Case("dot at key start", ".a = 1", "1:1: expected a key, found '.'"),
        Case("double dot", "a..b = 1", "1:3: expected a key, found '.'"),
        Case("multi-line key", "\"\"\"a\"\"\" = 1", "1:1: a key cannot be a multi-line string"),
        Case("non-ascii bare key", "é = 1", "1:1: expected a key, found 'é'"),
        Case("key newline equals", "a\n= 1", "1:2: expected '=' after key"),
        Case("empty header", "[]", "1:1: table header without a name"),
        Case("empty array header", "[[]]", "1:1: table header without a name"),
        Case("unclosed header", "[a\nb = 1", "1:3: expected ']' to close the table header, found newline"),
        Case("unclosed array header", "[[a]\n", "1:5: expected ']]' to close the table header, found newline"),
        Case("split array header", "[[a] ]", "1:5: expected ']]' to close the table header, found ' '"),
        Case("text after header", "[a] b = 1", "1:5: expected a newline after the table header, found 'b'"),
        Case("header dot at end", "[a.]", "1:4: expected a key, found ']'"),
    ]

    static let strings: [Case] = [
        Case("unterminated basic", "a = \"abc", "1:5: unterminated string"),
        Case("unterminated at newline", "a = \"abc\nb = 1", "1:5: unterminated string"),
        Case("unterminated literal", "a = 'abc\n", "1:5: unterminated string"),
        Case("unterminated multi-line", "a = \"\"\"abc\n\n", "1:5: unterminated string"),
        Case("unterminated multi-line literal", "a = '''abc''", "1:5: unterminated string"),
        Case("invalid escape", #"a = "\q""#, #"1:6: invalid escape '\q'"#),
        Case("escape x", #"a = "\x41""#, #"1:6: invalid escape '\x'"#),
        Case("escape e is 1.1", #"a = "\e""#, #"1:6: invalid escape '\e'"#),
        Case("escaped space in basic", #"a = "\ ""#, #"1:6: invalid escape '\ '"#),
        Case("short u escape", #"a = "\u12""#, #"1:6: invalid escape '\u12': \u takes 4 hexadecimal digits"#),
        Case("non-hex u escape", #"a = "\u12G4""#, #"1:6: invalid escape '\u12': \u takes 4 hexadecimal digits"#),
        Case("short U escape", #"a = "\U0001F60""#, #"1:6: invalid escape '\U0001F60': \U takes 8 hexadecimal digits"#),
        Case("surrogate", #"a = "\uD800""#, #"1:6: invalid escape '\uD800': not a Unicode scalar value"#),
        Case("past U+10FFFF", #"a = "\U00110000""#, #"1:6: invalid escape '\U00110000': not a Unicode scalar value"#),
        Case("control in basic", "a = \"\u{1}\"", "1:6: control character U+0001 is not allowed in a string"),
        Case("nul in literal", "a = '\u{0}'", "1:6: control character U+0000 is not allowed in a string"),
        Case("delete in multi-line", "a = \"\"\"\u{7F}\"\"\"", "1:8: control character U+007F is not allowed in a string"),
        Case("lone cr in multi-line", "a = '''a\rb'''", "1:9: control character U+000D is not allowed in a string"),
        Case("text after line-ending backslash", "a = \"\"\"a\\ b\n\"\"\"", "1:9: invalid escape: only whitespace may follow a line-ending backslash"),
        Case("line-ending backslash in basic", "a = \"a\\\n\"", "1:7: invalid escape '\\' followed by newline"),
        Case("six quotes close then one more", "a = \"\"\"a\"\"\"\"\"\"", "1:14: expected a newline after the value, found '\"'"),
        Case("literal with escape is fine but quote ends it", "a = 'a'b'", "1:8: expected a newline after the value, found 'b'"),
    ]

    static let numbers: [Case] = [
        Case("leading zero", "a = 012", "1:5: invalid integer '012': leading zeros are not allowed"),
        Case("signed leading zero", "a = -01", "1:5: invalid integer '-01': leading zeros are not allowed"),
        Case("leading underscore digit", "a = 0_1", "1:5: invalid integer '0_1': leading zeros are not allowed"),
        Case("double underscore", "a = 1__2", "1:5: invalid integer '1__2': an underscore must be between two digits"),
        Case("trailing underscore", "a = 1_", "1:5: invalid integer '1_': an underscore must be between two digits"),
        Case("underscore after sign", "a = +_1", "1:5: invalid integer '+_1': an underscore must be between two digits"),
        Case("signed hex", "a = +0x1", "1:5: invalid integer '+0x1': only decimal integers take a sign"),
        Case("capital prefix", "a = 0X1", "1:5: invalid integer '0X1'"),
        Case("empty hex", "a = 0x", "1:5: invalid integer '0x': digits expected"),
        Case("underscore after prefix", "a = 0x_1", "1:5: invalid integer '0x_1': an underscore must be between two digits"),
        Case("octal digit 8", "a = 0o8", "1:5: invalid integer '0o8'"),
        Case("binary digit 2", "a = 0b102", "1:5: invalid integer '0b102'"),
        Case("integer too large", "a = 9223372036854775808", "1:5: integer '9223372036854775808' is out of range (a 64-bit signed integer)"),
        Case("integer too small", "a = -9223372036854775809", "1:5: integer '-9223372036854775809' is out of range (a 64-bit signed integer)"),
        Case("huge integer", "a = 99999999999999999999999999", "1:5: integer '99999999999999999999999999' is out of range (a 64-bit signed integer)"),
        Case("hex too large", "a = 0x8000000000000000", "1:5: integer '0x8000000000000000' is out of range (a 64-bit signed integer)"),
        Case("sign alone", "a = -", "1:5: invalid integer '-': digits expected"),
        Case("float without fraction digits", "a = 1.", "1:5: invalid float '1.': digits expected"),
        Case("float without integer part", "a = .5", "1:5: invalid float '.5': digits expected"),
        Case("float dot before exponent", "a = 1.e5", "1:5: invalid float '1.e5': digits expected"),
        Case("float empty exponent", "a = 1e", "1:5: invalid float '1e': digits expected"),
        Case("float sign-only exponent", "a = 1e+", "1:5: invalid float '1e+': digits expected"),
        Case("float leading zero", "a = 01.5", "1:5: invalid float '01.5': leading zeros are not allowed"),
        Case("float underscore before dot", "a = 1_.5", "1:5: invalid float '1_.5': an underscore must be between two digits"),
        Case("float underscore after dot", "a = 1._5", "1:5: invalid float '1._5': an underscore must be between two digits"),
        Case("float two dots", "a = 1.2.3", "1:5: invalid float '1.2.3'"),
        Case("float overflow", "a = 1e999", "1:5: float '1e999' is out of range (a 64-bit float)"),
        Case("infinity spelled out", "a = infinity", "1:5: invalid integer 'infinity'"),
        Case("capital boolean", "a = True", "1:5: invalid value 'True' (strings must be quoted)"),
        Case("capital nan", "a = NaN", "1:5: invalid value 'NaN' (strings must be quoted)"),
    ]

    static let dates: [Case] = [
        Case("month 13", "a = 2023-13-01", "1:5: invalid date-time '2023-13-01': month 13 is out of range"),
        Case("day 0", "a = 2023-01-00", "1:5: invalid date-time '2023-01-00': day 0 is out of range"),
        Case("february 30", "a = 2024-02-30", "1:5: invalid date-time '2024-02-30': day 30 is out of range"),
        Case("february 29 not leap", "a = 1900-02-29", "1:5: invalid date-time '1900-02-29': day 29 is out of range"),
        Case("april 31", "a = 2023-04-31", "1:5: invalid date-time '2023-04-31': day 31 is out of range"),
        Case("hour 24", "a = 24:00:00", "1:5: invalid date-time '24:00:00': hour 24 is out of range"),
        Case("minute 60", "a = 1979-05-27T07:60:00", "1:5: invalid date-time '1979-05-27T07:60:00': minute 60 is out of range"),
        Case("second 61", "a = 07:32:61", "1:5: invalid date-time '07:32:61': second 61 is out of range"),
        Case("no seconds", "a = 07:32", "1:5: invalid date-time '07:32'"),
        Case("one-digit month", "a = 1979-5-27", "1:5: invalid date-time '1979-5-27'"),
        Case("empty fraction", "a = 07:32:00.", "1:5: invalid date-time '07:32:00.': a fraction needs digits"),
        Case("offset hour 24", "a = 1979-05-27T07:32:00+24:00", "1:5: invalid date-time '1979-05-27T07:32:00+24:00': offset hour 24 is out of range"),
        Case("offset without minutes", "a = 1979-05-27T07:32:00+07", "1:5: invalid date-time '1979-05-27T07:32:00+07'"),
        Case("time with offset only", "a = 07:32:00Z", "1:5: invalid date-time '07:32:00Z'"),
        Case("wrong separator", "a = 1979-05-27X07:32:00", "1:5: invalid date-time '1979-05-27X07:32:00'"),
        Case("two spaces", "a = 1979-05-27  07:32:00", "1:17: expected a newline after the value, found '0'"),
    ]

    static let composites: [Case] = [
        Case("unclosed array", "a = [1, 2", "1:10: expected ',' or ']' in array, found end of file"),
        Case("array missing comma", "a = [1 2]", "1:8: expected ',' or ']' in array, found '2'"),
        Case("array two commas", "a = [1,,2]", "1:8: expected a value, found ','"),
        Case("array leading comma", "a = [,1]", "1:6: expected a value, found ','"),
        Case("array bad element", "a = [1, @]", "1:9: expected a value, found '@'"),
        Case("unclosed inline table", "a = { b = 1", "1:12: expected ',' or '}' in inline table, found end of file"),
        Case("inline newline", "a = {\nb = 1 }", "1:6: inline table must be on one line"),
        Case("inline newline before close", "a = { b = 1\n}", "1:12: inline table must be on one line"),
        Case("inline trailing comma", "a = { b = 1, }", "1:14: trailing comma in inline table"),
        Case("inline empty comma", "a = { , }", "1:7: expected a key, found ','"),
        Case("inline missing comma", "a = { b = 1 c = 2 }", "1:13: expected ',' or '}' in inline table, found 'c'"),
        Case("inline duplicate key", "a = { b = 1, b = 2 }", "1:14: duplicate key 'b'"),
        Case("inline dotted over value", "a = { b = 1, b.c = 2 }", "1:14: key 'b' is already defined as an integer"),
        Case("inline dotted into nested inline", "a = { b = { c = 1 }, b.d = 2 }", "1:22: inline table 'b' cannot be extended"),
    ]

    static let redefinitions: [Case] = [
        Case("duplicate key", "name = 1\nname = 2", "2:1: duplicate key 'name'"),
        Case("duplicate key, other quoting", "a = 1\n\"a\" = 2", "2:1: duplicate key 'a'"),
        Case("duplicate key, literal quoting", "'a b' = 1\n\"a b\" = 2", "2:1: duplicate key 'a b'"),
        Case("duplicate dotted key", "a.b = 1\na.b = 2", "2:3: duplicate key 'b'"),
        Case("dotted key over value", "a = 1\na.b = 2", "2:1: key 'a' is already defined as an integer"),
        Case("value over dotted table", "a.b = 1\na = 2", "2:1: duplicate key 'a'"),
        Case("table twice", "[a]\n[a]", "2:1: table 'a' is already defined"),
        Case("table twice, sub-table between", "[a]\n[a.b]\n[a]", "3:1: table 'a' is already defined"),
        Case("implicit then explicit twice", "[a.b]\n[a]\n[a]", "3:1: table 'a' is already defined"),
        Case("table over value", "a = 1\n[a]", "2:1: key 'a' is already defined as an integer"),
        Case("table through value", "a = 1\n[a.b]", "2:2: key 'a' is already defined as an integer"),
        Case("value over table", "[t.a]\n[t]\na = 1", "3:1: duplicate key 'a'"),
        Case("header over dotted-key table", "[fruit]\napple.color = \"red\"\n[fruit.apple]", "3:1: table 'fruit.apple' is already defined"),
        Case("dotted keys into header table", "[a.b.c]\nz = 9\n[a]\nb.c.t = 1", "4:3: table 'a.b.c' is already defined; dotted keys cannot extend it"),
        Case("dotted keys into other section's dotted table", "[a]\nb.c = 1\n[d]\n[a.x]\n", "{ok}"),
        Case("dotted keys reopened from another section", "a.b = 1\n[x]\n[a.c]\n", "{ok}"),
        Case("header into inline table", "a = { b = 1 }\n[a.c]", "2:2: inline table 'a' cannot be extended"),
        Case("header redefines inline table", "a = {}\n[a]", "2:1: inline table 'a' cannot be extended"),
        Case("dotted key into inline table", "a = { b = 1 }\na.c = 2", "2:1: inline table 'a' cannot be extended"),
        Case("array of tables on static array", "a = []\n[[a]]", "2:1: cannot append a table to static array 'a'"),
        Case("array of tables on inline array of tables", "a = [{ b = 1 }]\n[[a]]", "2:1: cannot append a table to static array 'a'"),
        Case("header into static array", "a = [{}]\n[a.b]", "2:2: static array 'a' cannot be extended"),
        Case("array of tables over table", "[a]\n[[a]]", "2:1: table 'a' is already defined as a table, not an array of tables"),
        Case("array of tables over implicit table", "[a.b]\n[[a]]", "2:1: table 'a' is already defined as a table, not an array of tables"),
        Case("table over array of tables", "[[a]]\n[a]", "2:1: table 'a' is already defined as an array of tables"),
        Case("dotted key into array of tables", "[[a]]\n[b]\n[a.c]\n", "{ok}"),
        Case("dotted key through array of tables", "[[a]]\n[x]\n[a]\n", "3:1: table 'a' is already defined as an array of tables"),
        Case("root dotted key into array of tables", "[[a]]\n[[a]]\n[x]\ny.z = 1\n[a.c]\nd = 1\n[a.c]", "7:1: table 'a.c' is already defined"),
        Case("array of tables over value", "a = 1\n[[a]]", "2:1: key 'a' is already defined as an integer"),
        Case("sub-table of array element defined twice", "[[a]]\n[a.b]\n[a.b]", "3:1: table 'a.b' is already defined"),
        Case("quoted name in message", "[\"a b\".c]\n[\"a b\".c]", "2:1: table '\"a b\".c' is already defined"),
    ]

    @Test(arguments: lines + strings + numbers + dates + composites + redefinitions)
    func fails(_ test: Case) {
        do {
            let table = try TOMLDocument.parse(test.toml)
            #expect(test.outcome == "{ok}", "parsed as \(Rendering.render(table))")
        } catch {
            #expect(error.description == test.outcome)
        }
    }

    @Test func invalidUTF8IsLocated() {
        let cases: [([UInt8], String)] = [
            (Array("a = \"".utf8) + [0xFF] + Array("\"".utf8), "1:6: invalid UTF-8"),
            (Array("a = 1\n# é ".utf8) + [0xC3, 0x28], "2:5: invalid UTF-8"),  // a lead byte without its continuation
            ([0xC0, 0xAF], "1:1: invalid UTF-8"),  // overlong '/'
            ([0xED, 0xA0, 0x80], "1:1: invalid UTF-8"),  // an encoded surrogate
            ([0xF4, 0x90, 0x80, 0x80], "1:1: invalid UTF-8"),  // past U+10FFFF
            (Array("ab".utf8) + [0xE2, 0x82], "1:3: invalid UTF-8"),  // truncated at the end
        ]
        for (bytes, expected) in cases {
            #expect(throws: TOMLError.self) { try TOMLDocument.parse(utf8: bytes) }
            do {
                _ = try TOMLDocument.parse(utf8: bytes)
            } catch {
                #expect(error.description == expected, "\(bytes)")
            }
        }
    }

    @Test func byteOrderMarkOnlyAtTheStart() throws {
        #expect(try TOMLDocument.parse(utf8: [0xEF, 0xBB, 0xBF] + Array("a = 1".utf8))["a"]?.position == TOMLPosition(line: 1, column: 5))
        #expect(throws: TOMLError("expected a key, found U+FEFF", at: TOMLPosition(line: 2, column: 1))) {
            try TOMLDocument.parse("a = 1\n\u{FEFF}b = 2")
        }
    }
}
