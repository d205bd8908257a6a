import Testing
import WardenTOML

/// Every value, key and header carries where it was written (1-based line, column counted
/// in Unicode scalars).
@Suite struct PositionTests {
    static func at(_ line: Int, _ column: Int) -> TOMLPosition { TOMLPosition(line: line, column: column) }

    @Test func keysAndValues() throws {
        let table = try TOMLDocument.parse("a = 1\n  b\t=\t\"x\"\n")
        #expect(table.entry("a")?.keyPosition == Self.at(1, 1))
        #expect(table["a"]?.position == Self.at(1, 5))
        #expect(table.entry("b")?.keyPosition == Self.at(2, 3))
        #expect(table["b"]?.position == Self.at(2, 7))
    }

    @Test func columnsCountUnicodeScalars() throws {
        let table = try TOMLDocument.parse("\"é😀\" = \"ü\"\nx = [\"∂\", 2]")
        #expect(table.entry("é😀")?.keyPosition == Self.at(1, 1))
        #expect(table["é😀"]?.position == Self.at(1, 8))
        #expect(table["x"]?.array?.map(\.position) == [Self.at(2, 6), Self.at(2, 11)])
        #expect(throws: TOMLError("expected a value, found '@'", at: Self.at(1, 7))) { try TOMLDocument.parse("\"é\" = @") }
    }

    @Test func dottedKeys() throws {
        let table = try TOMLDocument.parse("a . b = 1\n")
        #expect(table.entry("a")?.keyPosition == Self.at(1, 1))
        #expect(table["a"]?.position == Self.at(1, 1))  // the key that created the table
        #expect(table["a"]?.table?.entry("b")?.keyPosition == Self.at(1, 5))
        #expect(table["a"]?.table?["b"]?.position == Self.at(1, 9))
    }

    @Test func headers() throws {
        let table = try TOMLDocument.parse("[t]\nk = 1\n[ x . y ]\n[a.b]\n[a]\n")
        #expect(table["t"]?.position == Self.at(1, 1))
        #expect(table.entry("t")?.keyPosition == Self.at(1, 2))
        #expect(table["t"]?.table?["k"]?.position == Self.at(2, 5))
        let x = try #require(table["x"])
        #expect(x.position == Self.at(3, 3) && table.entry("x")?.keyPosition == Self.at(3, 3))  // implicit: its key
        #expect(x.table?["y"]?.position == Self.at(3, 1) && x.table?.entry("y")?.keyPosition == Self.at(3, 7))
        // Named first by [a.b], defined by [a]: the definition is where it is.
        #expect(table["a"]?.position == Self.at(5, 1) && table.entry("a")?.keyPosition == Self.at(5, 2))
        #expect(table["a"]?.table?["b"]?.position == Self.at(4, 1))
    }

    @Test func arraysOfTables() throws {
        let table = try TOMLDocument.parse("[[p]]\nh = 1\n\n[[p]]\nh = 2\n")
        let p = try #require(table["p"])
        #expect(p.position == Self.at(1, 1))
        #expect(p.array?.map(\.position) == [Self.at(1, 1), Self.at(4, 1)])
        #expect(p.array?.last?.table?["h"]?.position == Self.at(5, 5))
    }

    @Test func arraysAndInlineTables() throws {
        let table = try TOMLDocument.parse("a = [1, \"x\", [2]]\nt = { x = 1, y.z = 2 }")
        let a = try #require(table["a"]?.array)
        #expect(a.map(\.position) == [Self.at(1, 6), Self.at(1, 9), Self.at(1, 14)])
        #expect(a[2].array?.first?.position == Self.at(1, 15))
        let t = try #require(table["t"]?.table)
        #expect(table["t"]?.position == Self.at(2, 5))
        #expect(t.entry("x")?.keyPosition == Self.at(2, 7) && t["x"]?.position == Self.at(2, 11))
        #expect(t.entry("y")?.keyPosition == Self.at(2, 14))
        #expect(t["y"]?.table?.entry("z")?.keyPosition == Self.at(2, 16) && t["y"]?.table?["z"]?.position == Self.at(2, 20))
    }

    @Test func linesAfterMultiLineValues() throws {
        let table = try TOMLDocument.parse("s = \"\"\"\nab\ncd\"\"\"\nl = '''\n'''\nm = [\r\n1,\r\n]\r\nb = 1")
        #expect(table["s"]?.position == Self.at(1, 5))
        #expect(table["l"]?.position == Self.at(4, 5))
        #expect(table["m"]?.array?.first?.position == Self.at(7, 1))
        #expect(table.entry("b")?.keyPosition == Self.at(9, 1) && table["b"]?.position == Self.at(9, 5))
    }

    @Test func errorsAfterEscapesAndTabs() {
        #expect(throws: TOMLError("invalid escape '\\q'", at: Self.at(2, 13))) {
            try TOMLDocument.parse("a = 1\nb = \"\\u00e9\t\\q\"")
        }
        #expect(throws: TOMLError("duplicate key 'k'", at: Self.at(4, 1))) {
            try TOMLDocument.parse("k = \"\"\"\n\n\"\"\"\nk = 2")
        }
    }
}
