import Testing
import WardenTOML
import WardenTestSupport

/// Untrusted input: nesting is bounded with an error (never a stack overflow), and large
/// inputs take linear time.
@Suite struct HostileInputTests {
    static let limit = TOMLDocument.maximumDepth
    static let tooDeep = "nesting is deeper than \(TOMLDocument.maximumDepth) levels"

    static func error(_ text: String) -> TOMLError? {
        do {
            _ = try TOMLDocument.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func nestingUpToTheLimitParses() throws {
        // The value of `a` sits at depth 1; the innermost array at `limit`.
        let arrays = "a = " + String(repeating: "[", count: Self.limit) + String(repeating: "]", count: Self.limit)
        var value = try #require(try TOMLDocument.parse(arrays)["a"])
        for _ in 1..<Self.limit { value = try #require(value.array?.first) }
        #expect(value.array?.isEmpty == true)
        let dotted = Array(repeating: "k", count: Self.limit).joined(separator: ".") + " = 1"
        #expect(try TOMLDocument.parse(dotted)["k"] != nil)
    }

    @Test func deepArraysAreAnError() {
        let text = "a = " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(Self.error(text) == TOMLError(Self.tooDeep, at: TOMLPosition(line: 1, column: 5 + Self.limit)))
        let unclosed = "a = " + String(repeating: "[", count: 100_000)
        #expect(Self.error(unclosed)?.message == Self.tooDeep)
    }

    @Test func deepInlineTablesAreAnError() {
        let text = "a = " + String(repeating: "{ a = ", count: 10_000) + "1" + String(repeating: " }", count: 10_000)
        #expect(Self.error(text) == TOMLError(Self.tooDeep, at: TOMLPosition(line: 1, column: 5 + 6 * Self.limit)))
    }

    @Test func deepKeysAndHeadersAreAnError() {
        let key = Array(repeating: "k", count: 10_000).joined(separator: ".")
        #expect(Self.error(key + " = 1") == TOMLError(Self.tooDeep, at: TOMLPosition(line: 1, column: 1 + 2 * Self.limit)))
        #expect(Self.error("[" + key + "]")?.message == Self.tooDeep)
        #expect(Self.error("[[" + key + "]]")?.message == Self.tooDeep)
        // Depth adds up across a header, dotted keys and the value (a table or an array; a
        // scalar adds no container).
        let half = Array(repeating: "k", count: Self.limit / 2).joined(separator: ".")
        #expect(Self.error("[\(half)]\n\(half).x = 1") == nil)
        #expect(Self.error("[\(half)]\n\(half).x.y = 1")?.message == Self.tooDeep)
        #expect(Self.error("[\(half)]\n\(half) = " + String(repeating: "[", count: 2) + "]]")?.message == Self.tooDeep)
    }

    @Test func largeInputsStayLinear() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let count = 100_000
        let longArray = "a = [" + (0..<count).map(String.init).joined(separator: ",") + "]\n"
        #expect(try TOMLDocument.parse(longArray)["a"]?.array?.count == count)
        let manyKeys = (0..<count).map { "k\($0) = \($0)\n" }.joined()
        #expect(try TOMLDocument.parse(manyKeys).count == count)
        let manyTables = (0..<20_000).map { "[[p]]\nx = \($0)\n[p.q]\ny = 1\n" }.joined()
        #expect(try TOMLDocument.parse(manyTables)["p"]?.array?.count == 20_000)
        let sharedPrefix = (0..<count).map { "t.k\($0) = 1\n" }.joined()
        #expect(try TOMLDocument.parse(sharedPrefix)["t"]?.table?.count == count)
        let inline = "t = {" + (0..<count).map { "a.k\($0) = 1" }.joined(separator: ", ") + "}"
        #expect(try TOMLDocument.parse(inline)["t"]?.table?["a"]?.table?.count == count)
        let longString = "s = \"" + String(repeating: "é", count: 1 << 20) + "\"\nb = 1"
        #expect(try TOMLDocument.parse(longString)["b"]?.position == TOMLPosition(line: 2, column: 5))
        // Quadratic work on these inputs would take minutes even in a release build.
        #expect(clock.now - start < Sanitizers.scaled(.seconds(30)))
    }

    @Test func manyErrorsCandidatesStopAtTheFirst() {
        let text = String(repeating: "a = 1\n", count: 50_000)
        #expect(Self.error(text) == TOMLError("duplicate key 'a'", at: TOMLPosition(line: 2, column: 1)))
    }
}
