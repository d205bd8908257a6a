import Foundation
import Testing
import WardenTestSupport

/// fd_readdir through `Guests/fn_readdir.c`: listings, entry types and inodes, cookies, many
/// entries over several calls, and buffers too small for one entry.
@Suite("WASI functions: fd_readdir", .onEveryEngine)
struct WASIFunctionReaddirTests {
    static let manyNames = (0..<300).map { String(format: "entry-with-a-longish-name-%03d.txt", $0) }

    /// data.txt, link -> data.txt, dir/, sub/{f.txt, empty/}, many/ with 300 files.
    static func tree() throws -> Sandbox {
        let box = Sandbox(tree: try TemporaryTree("warden-readdir"))
        try box.tree.write("box/data.txt", "0123456789")
        try box.tree.write("box/sub/f.txt", "x")
        try box.tree.makeDirectory("box/sub/empty")
        try box.tree.makeDirectory("box/dir")
        try box.tree.symlink("box/link", to: "data.txt")
        for name in manyNames { try box.tree.write("box/many/\(name)", "") }
        return box
    }

    func run(_ arguments: [String], _ box: Sandbox) throws -> Outcome {
        try FnGuest.run("fn_readdir", arguments, flags: box.grant)
    }

    static func manyListing() -> String {
        "count=302 first=<.> second=<..>\n" + manyNames.map { "\($0) type=4\n" }.joined()
    }

    @Test("fd_readdir: '.' and '..' first, then every entry with its type and inode")
    func listing() throws {
        let box = try Self.tree()
        expectRun(try run(["list"], box), stdout: """
            count=7 first=<.> second=<..>
            data.txt type=4
            dir type=3
            link type=7
            many type=3
            sub type=3
            inode-mismatches=0
            count=4 first=<.> second=<..>
            empty type=3
            f.txt type=4
            count=2 first=<.> second=<..>

            """)
    }

    @Test("fd_readdir: 300 entries through small buffers need several calls and lose nothing",
          arguments: [(57, true), (128, true), (1000, true), (65536, false)])
    func manyEntries(buffer: Int, several: Bool) throws {
        let box = try Self.tree()
        expectRun(try run(["many", "\(buffer)"], box),
                  stdout: "buffer=\(buffer) several-calls=\(several ? "yes" : "no")\n" + Self.manyListing() + "duplicates=0\n")
    }

    @Test("fd_readdir: a buffer smaller than every name entry reports that it cannot progress")
    func bufferTooSmallForAnEntry() throws {
        let box = try Self.tree()
        // Each many/ entry needs 24 + 33 bytes; "." and ".." fit in 56, the files never do.
        expectRun(try run(["many", "56"], box), stdout: "buffer 56 too small\n")
    }

    @Test("fd_readdir: resuming from any saved cookie continues right after that entry")
    func cookies() throws {
        let box = try Self.tree()
        expectRun(try run(["cookies"], box), stdout: """
            full count=302 calls=1
            resume-mismatches=0
            after-last errno=0 used=0
            restart count=302 first=<.>

            """)
    }

    @Test("fd_readdir: tiny buffers are filled exactly (bufused == size) and never overrun")
    func tinyBuffers() throws {
        let box = try Self.tree()
        expectRun(try run(["tiny"], box), stdout: """
            size=1 errno=0 used=1 past-end-untouched=yes
            size=24 errno=0 used=24 past-end-untouched=yes
            size=40 errno=0 used=40 past-end-untouched=yes
            header-only errno=0 used=24 namlen=1 type=3
            list-with-25-byte-buffer result=-1
            list-with-26-byte-buffer result=-1 count=2

            """)
    }

    @Test("fd_readdir: a bad fd is badf, a regular file is refused")
    func errors() throws {
        let box = try Self.tree()
        expectRun(try run(["errors"], box), stdout: "bad-fd errno=8\nregular-file refused\n")
    }
}
