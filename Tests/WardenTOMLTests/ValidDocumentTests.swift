import Testing
import WardenTOML

/// Valid TOML 1.0 documents and what they parse to (see `Rendering` for the notation).
@Suite struct ValidDocumentTests {
    typealias Case = DocumentCase

    static let structure: [Case] = [
        Case("empty", "", "{}"),
        Case("only comments and blank lines", "# a\n\n   # b\t\n", "{}"),
        Case("bom", "\u{FEFF}a = 1", "{a: 1}"),
        Case("crlf", "a = 1\r\nb = 2\r\n# c\r\n[t]\r\nc = 3\r\n", "{a: 1, b: 2, t: {c: 3}}"),
        Case("no final newline", "a = 1", "{a: 1}"),
        Case("whitespace around", " \t a \t = \t 1 \t # c\n", "{a: 1}"),
        Case("comment with unicode and tab", "a = 1 # é\t✓\n", "{a: 1}"),
        Case("bare keys", "A-b_9 = 1\n1234 = 2\n- = 3\n_ = 4", "{A-b_9: 1, 1234: 2, -: 3, _: 4}"),
        Case("keywords as keys", "true = 1\nfalse = 2\ninf = 3\nnan = 4", "{true: 1, false: 2, inf: 3, nan: 4}"),
        Case("quoted keys", "\"a b\" = 1\n'c.d' = 2\n\"\" = 3\n\"\\u00e9\" = 4", "{\"a b\": 1, \"c.d\": 2, \"\": 3, \"é\": 4}"),
        Case("dotted keys", "a.b.c = 1\na.b.d = 2\na.e = 3", "{a: {b: {c: 1, d: 2}, e: 3}}"),
        Case("dotted keys with whitespace and quotes", "a . \"b c\" . 'd' = 1", "{a: {\"b c\": {d: 1}}}"),
        Case("number-like dotted key", "3.14159 = \"pi\"", "{3: {14159: \"pi\"}}"),
        Case("tables", "[a]\nx = 1\n[b]\ny = 2", "{a: {x: 1}, b: {y: 2}}"),
        Case("empty table", "[a]", "{a: {}}"),
        Case("header whitespace", "[ a . b ]\n[ 'c d' ]\n[\t\"e\"\t]", "{a: {b: {}}, \"c d\": {}, e: {}}"),
        Case("implicit super-table defined later", "[a.b.c]\nx = 1\n[a]\ny = 2", "{a: {b: {c: {x: 1}}, y: 2}}"),
        Case("sub-table after super-table", "[a]\nx = 1\n[a.b]\ny = 2", "{a: {x: 1, b: {y: 2}}}"),
        Case("header under dotted-key table", "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true",
             "{fruit: {apple: {color: \"red\", taste: {sweet: true}, texture: {smooth: true}}}}"),
        Case("dotted keys define an implicit table", "[a.b.c]\n[a]\nb.d = 1", "{a: {b: {c: {}, d: 1}}}"),
        Case("root keys after nothing", "a = 1\n[t]\n", "{a: 1, t: {}}"),
        Case("array of tables", "[[p]]\nx = 1\n[[p]]\n[[p]]\nx = 3", "{p: [{x: 1}, {}, {x: 3}]}"),
        Case("nested array of tables", "[[f]]\nn = 1\n[f.p]\nc = 2\n[[f.v]]\nv = 3\n[[f.v]]\nv = 4\n[[f]]\nn = 5\n[[f.v]]\nv = 6",
             "{f: [{n: 1, p: {c: 2}, v: [{v: 3}, {v: 4}]}, {n: 5, v: [{v: 6}]}]}"),
        Case("array of tables under implicit table", "[[a.b]]\nx = 1\n[a]\ny = 2", "{a: {b: [{x: 1}], y: 2}}"),
        Case("header order kept", "z = 1\n[y]\n[x]", "{z: 1, y: {}, x: {}}"),
    ]

    static let strings: [Case] = [
        Case("basic", #"s = "a b""#, #"{s: "a b"}"#),
        Case("escapes", #"s = "\b\t\n\f\r\"\\""#, #"{s: "\u{08}\t\n\u{0C}\r\"\\"}"#),
        Case("unicode escapes", #"s = "\u00E9\U0001F600\u0000""#, #"{s: "é😀\0"}"#),
        Case("tab allowed", "s = \"a\tb\"", #"{s: "a\tb"}"#),
        Case("non-ascii", "s = \"ü∂😀\"", #"{s: "ü∂😀"}"#),
        Case("empty", #"s = """#, #"{s: ""}"#),
        Case("literal", #"s = 'C:\Users\x'"#, #"{s: "C:\\Users\\x"}"#),
        Case("literal with quote", #"s = 'say "hi"'"#, #"{s: "say \"hi\""}"#),
        Case("empty literal", "s = ''", #"{s: ""}"#),
        Case("multi-line basic", "s = \"\"\"\nline1\nline2\"\"\"", #"{s: "line1\nline2"}"#),
        Case("multi-line basic crlf", "s = \"\"\"\r\na\r\nb\r\n\"\"\"", #"{s: "a\nb\n"}"#),
        Case("multi-line basic no first newline", "s = \"\"\"a\n\"\"\"", #"{s: "a\n"}"#),
        Case("line-ending backslash", "s = \"\"\"\nThe quick \\\n\n   brown \\   \n  fox\"\"\"", #"{s: "The quick brown fox"}"#),
        Case("line-ending backslash crlf", "s = \"\"\"a\\\r\n  b\"\"\"", #"{s: "ab"}"#),
        Case("quotes in multi-line basic", "s = \"\"\"a \"\" b \"\"\"\"\"", #"{s: "a \"\" b \"\""}"#),
        Case("one quote before close", "s = \"\"\"a\"\"\"\"", #"{s: "a\""}"#),
        Case("escapes in multi-line", "s = \"\"\"\\\"\\u0041\\t\"\"\"", #"{s: "\"A\t"}"#),
        Case("empty multi-line", "s = \"\"\"\"\"\"", #"{s: ""}"#),
        Case("multi-line literal", "s = '''\nraw \\n\n  'x' '''", #"{s: "raw \\n\n  \'x\' "}"#),
        Case("quotes in multi-line literal", "s = ''''a'' '''''", #"{s: "\'a\'\' \'\'"}"#),
        Case("empty multi-line literal", "s = ''''''", #"{s: ""}"#),
        Case("multi-line with tab", "s = '''a\tb'''", #"{s: "a\tb"}"#),
    ]

    static let numbers: [Case] = [
        Case("decimal", "a = 42\nb = +17\nc = -5\nd = 0\ne = -0\nf = +0", "{a: 42, b: 17, c: -5, d: 0, e: 0, f: 0}"),
        Case("underscores", "a = 1_000\nb = 5_349_221\nc = 1_2_3", "{a: 1000, b: 5349221, c: 123}"),
        Case("extremes", "a = 9223372036854775807\nb = -9223372036854775808", "{a: 9223372036854775807, b: -9223372036854775808}"),
        Case("hex", "a = 0xDEADBEEF\nb = 0xdead_beef\nc = 0x00\nd = 0x7fffffffffffffff", "{a: 3735928559, b: 3735928559, c: 0, d: 9223372036854775807}"),
        Case("octal", "a = 0o01234567\nb = 0o755", "{a: 342391, b: 493}"),
        Case("binary", "a = 0b11010110\nb = 0b1_0", "{a: 214, b: 2}"),
        Case("floats", "a = +1.0\nb = 3.1415\nc = -0.01\nd = 0.0\ne = -0.0", "{a: 1.0, b: 3.1415, c: -0.01, d: 0.0, e: -0.0}"),
        Case("exponents", "a = 5e+22\nb = 1e06\nc = -2E-2\nd = 6.626e-34\ne = 0e0\nf = 1E5", "{a: 5e+22, b: 1000000.0, c: -0.02, d: 6.626e-34, e: 0.0, f: 100000.0}"),
        Case("float underscores", "a = 224_617.445_991_228\nb = 1e1_0", "{a: 224617.445991228, b: 10000000000.0}"),
        Case("special floats", "a = inf\nb = +inf\nc = -inf\nd = nan\ne = +nan\nf = -nan", "{a: inf, b: inf, c: -inf, d: nan, e: nan, f: -nan}"),
        Case("booleans", "a = true\nb = false", "{a: true, b: false}"),
    ]

    static let dates: [Case] = [
        Case("offset date-time", "a = 1979-05-27T07:32:00Z\nb = 1979-05-27T00:32:00-07:00\nc = 1979-05-27T00:32:00.999999+07:30",
             "{a: odt(1979-05-27T07:32:00Z), b: odt(1979-05-27T00:32:00-07:00), c: odt(1979-05-27T00:32:00.999999+07:30)}"),
        Case("space and lowercase separators", "a = 1979-05-27 07:32:00Z\nb = 1979-05-27t07:32:00z",
             "{a: odt(1979-05-27 07:32:00Z), b: odt(1979-05-27t07:32:00z)}"),
        Case("local date-time", "a = 1979-05-27T07:32:00\nb = 1979-05-27 00:32:00.5", "{a: ldt(1979-05-27T07:32:00), b: ldt(1979-05-27 00:32:00.5)}"),
        Case("local date", "a = 1979-05-27\nb = 2000-02-29 # leap", "{a: ld(1979-05-27), b: ld(2000-02-29)}"),
        Case("local time", "a = 07:32:00\nb = 00:32:00.999999\nc = 23:59:60", "{a: lt(07:32:00), b: lt(00:32:00.999999), c: lt(23:59:60)}"),
        Case("date then space then comment", "a = 1979-05-27 # c", "{a: ld(1979-05-27)}"),
        Case("dates in arrays", "a = [1979-05-27, 07:32:00, 1979-05-27 07:32:00]", "{a: [ld(1979-05-27), lt(07:32:00), ldt(1979-05-27 07:32:00)]}"),
    ]

    static let composites: [Case] = [
        Case("arrays", "a = [1, 2, 3]\nb = []\nc = [ ]", "{a: [1, 2, 3], b: [], c: []}"),
        Case("mixed types", "a = [1, \"x\", 2.0, true, [], {}, 1979-05-27]", "{a: [1, \"x\", 2.0, true, [], {}, ld(1979-05-27)]}"),
        Case("nested arrays", "a = [[1, 2], [\"a\", [true]]]", "{a: [[1, 2], [\"a\", [true]]]}"),
        Case("multi-line array with comments and trailing comma", "a = [\n  1, # one\n  # alone\n  2,\n]\n", "{a: [1, 2]}"),
        Case("array crlf", "a = [\r\n1,\r\n2\r\n]", "{a: [1, 2]}"),
        Case("comma on next line", "a = [1\n,2]", "{a: [1, 2]}"),
        Case("inline tables", "a = { x = 1, y = \"z\" }\nb = {}\nc = { }", "{a: {x: 1, y: \"z\"}, b: {}, c: {}}"),
        Case("inline dotted keys", "a = { b.c = 1, b.d = 2, e = { f = 3 } }", "{a: {b: {c: 1, d: 2}, e: {f: 3}}}"),
        Case("array of inline tables", "p = [ { x = 1 }, { x = 2 } ]", "{p: [{x: 1}, {x: 2}]}"),
        Case("inline array of arrays in table", "[t]\na = [[{ b = [1] }]]", "{t: {a: [[{b: [1]}]]}}"),
    ]

    @Test(arguments: structure + strings + numbers + dates + composites)
    func parses(_ test: Case) throws {
        let table = try TOMLDocument.parse(test.toml)
        #expect(Rendering.render(table) == test.outcome)
    }

    @Test func byteInputMatchesStringInput() throws {
        for test in Self.structure + Self.strings {
            let table = try TOMLDocument.parse(utf8: Array(test.toml.utf8))
            #expect(Rendering.render(table) == test.outcome, "\(test.name)")
        }
    }

    @Test func typesAndAccessors() throws {
        let table = try TOMLDocument.parse("s = 'x'\ni = 1\nf = 1.5\nb = true\nd = 1979-05-27\na = [1]\nt = {}\n")
        #expect(table.keys == ["s", "i", "f", "b", "d", "a", "t"])
        #expect(table.entries.map(\.value.typeName) == ["string", "integer", "float", "boolean", "local date", "array", "table"])
        #expect(table["s"]?.string == "x" && table["i"]?.integer == 1 && table["f"]?.float == 1.5 && table["b"]?.boolean == true)
        #expect(table["d"]?.dateTime == TOMLDateTime(kind: .localDate, text: "1979-05-27"))
        #expect(table["a"]?.array?.count == 1 && table["t"]?.table?.isEmpty == true)
        #expect(table["s"]?.integer == nil && table["i"]?.string == nil && table["missing"] == nil)
    }

    @Test func tablesRememberHowTheyWereDefined() throws {
        let table = try TOMLDocument.parse("d.x = 1\ni = {}\n[h]\n[m.n]\n[[a]]\n")
        #expect(table.definition == .root)
        #expect(table["d"]?.table?.definition == .dottedKeys)
        #expect(table["i"]?.table?.definition == .inline)
        #expect(table["h"]?.table?.definition == .header)
        #expect(table["m"]?.table?.definition == .implicit)
        #expect(table["m"]?.table?["n"]?.table?.definition == .header)
        #expect(table["a"]?.array?.first?.table?.definition == .header)
    }
}
