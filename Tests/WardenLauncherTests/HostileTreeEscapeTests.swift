import Foundation
import Testing
import WardenTestSupport

/// `..` past the preopen and absolute paths, through every path-taking call.
///
/// wasmtime 49 refuses every one of these too, but with `perm` (63); Warden's contract is
/// `notcapable` (76) plus an `escape-attempt` audit event.
@Suite("Hostile tree: .. and absolute escapes", .onEveryEngine)
struct HostileTreeEscapeTests {
    /// `..` in every shape. The last two come back into the sandbox or reach a real file
    /// outside; RESOLVE_BENEATH refuses them all the same.
    static let dotDotShapes = [
        "..", "../", "../x", "../secret.txt", "a/../../x", "a/b/../../../x", "./../x", "../../../../..", "a/../..",
        "a/b/c/../../../../vault/secret", "../sandbox/inside.txt", "..//secret.txt", "a/./../.././x",
    ]

    /// Absolute paths straight through the raw calls (wasi-libc would strip a leading `/`
    /// against the preopen names; the probe bypasses it). `ROOT` becomes the host tree's path,
    /// and `/sandbox/inside.txt` is the guest's own name for a file inside its preopen.
    static let absoluteShapes = ["/etc/passwd", "/", "//x", "/sandbox/inside.txt", "/tmp", "ROOT/secret.txt", "ROOT/sandbox/inside.txt"]

    /// Every path-taking call with `path` in the escaping position (both sides of the two-path
    /// calls, the link location of path_symlink).
    static func everyCall(_ path: String) -> [HostileStep] {
        [
            escape("open", "3", path, "R"),
            escape("open", "3", path, "FR"),
            escape("open", "3", path, "CRW"),
            escape("open", "3", path, "DP"),
            escape("open", "3", path, "TRW"),
            escape("stat", "3", path, "n"),
            escape("stat", "3", path, "f"),
            escape("mkdir", "3", path),
            escape("unlink", "3", path),
            escape("rmdir", "3", path),
            escape("rename", "3", path, "3", "renamed"),
            escape("rename", "3", "inside.txt", "3", path, side: .second),
            escape("link", "3", path, "3", "hardlink"),
            escape("link", "3", "inside.txt", "3", path, side: .second),
            escape("symlink", "inside.txt", "3", path),
            escape("readlink", "3", path),
            escape("settimes", "3", path, "n"),
            escape("settimes", "3", path, "f"),
        ]
    }

    @Test("`..` escapes are refused by every path call", arguments: dotDotShapes)
    func dotDot(_ shape: String) throws {
        let tree = try HostileTree()
        let before = tree.snapshot(excluding: [])
        try HostileProbe.check(Self.everyCall(shape), grants: tree.sandboxGrant)
        // Nothing at all changed: not outside, and not inside either (every call was refused).
        expectUnchanged(before, tree.snapshot(excluding: []), "(sandbox included)")
    }

    @Test("absolute paths are refused by every path call", arguments: absoluteShapes)
    func absolute(_ shape: String) throws {
        let tree = try HostileTree()
        let path = shape.replacingOccurrences(of: "ROOT", with: tree.root)
        let before = tree.snapshot(excluding: [])
        try HostileProbe.check(Self.everyCall(path), grants: tree.sandboxGrant)
        expectUnchanged(before, tree.snapshot(excluding: []), "(sandbox included)")
    }

    @Test("a descriptor opened beneath the preopen is a jail of its own")
    func subdirectoryDescriptorIsBeneathItself() throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        try HostileProbe.check([
            succeeds("open", "3", "a", "DP", fields: ["fd": "4"]),
            fails("badf", "prestat", "4"),
            succeeds("cat", "4", "file", "FR", fields: ["data": "a-file"]),
            // Still inside the preopen, but above fd 4: refused.
            escape("cat", "4", "../inside.txt", "FR"),
            escape("stat", "4", "..", "n"),
            escape("open", "4", "b/../../inside.txt", "R"),
            escape("mkdir", "4", "../x"),
            escape("rename", "4", "file", "4", "../stolen", side: .second),
            escape("cat", "4", "../../secret.txt", "FR"),
            escape("cat", "4", "../relsecret", "FR"),
            // A symlink beneath fd 4 that climbs to the preopen: refused beneath fd 4.
            succeeds("symlink", "../inside.txt", "4", "up"),
            escape("cat", "4", "up", "FR"),
            succeeds("cat", "3", "a/up", "FR", fields: ["data": "inside"]),
        ], grants: tree.sandboxGrant)
        expectUnchanged(before, tree.snapshot())
        #expect(tree.kind("sandbox/x") == nil && tree.kind("sandbox/stolen") == nil)
        #expect(try tree.read("sandbox/a/file") == "a-file")
    }

    @Test("benign relative paths with `..` that stay inside still work")
    func benignDotDotStillWorks() throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        try HostileProbe.check([
            succeeds("cat", "3", "a/../inside.txt", "FR", fields: ["data": "inside"]),
            succeeds("cat", "3", "a/b/c/../../file", "FR", fields: ["data": "a-file"]),
            succeeds("cat", "3", "./inside.txt", "FR", fields: ["data": "inside"]),
            succeeds("cat", "3", "updown", "FR", fields: ["data": "inside"]),
            succeeds("cat", "3", "gooddir/file", "FR", fields: ["data": "a-file"]),
            succeeds("stat", "3", "a/b/..", "n", fields: ["type": "3"]),
            succeeds("mkdir", "3", "a/b/../new"),
            succeeds("rename", "3", "a/new", "3", "a/b/c/../../moved"),
            succeeds("rmdir", "3", "a/moved"),
        ], grants: tree.sandboxGrant)
        expectUnchanged(before, tree.snapshot())
    }

    @Test("a NUL byte inside a path is inval, never a truncated path")
    func nulBytes() throws {
        let tree = try HostileTree()
        let before = tree.snapshot(excluding: [])
        // Truncated at the NUL, these would name inside.txt or the sandbox itself.
        try HostileProbe.check([
            fails("inval", "cat", "3", "inside.txt%00../../secret.txt", "FR"),
            fails("inval", "cat", "3", "../secret.txt%00", "FR"),
            fails("inval", "open", "3", "%00", "DR"),
            fails("inval", "mkdir", "3", "a%00b"),
            fails("inval", "unlink", "3", "inside.txt%00x"),
            fails("inval", "rename", "3", "inside.txt%00", "3", "x"),
            fails("inval", "symlink", "inside.txt%00/etc", "3", "nul"),
            fails("inval", "stat", "3", "inside.txt%00", "n"),
        ], grants: tree.sandboxGrant)
        expectUnchanged(before, tree.snapshot(excluding: []), "(sandbox included)")
    }

    @Test("wasi-libc's own open() with `..` past a preopen reaches the host and is refused")
    func libcDotDot() throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        // wasi-libc matches "/sandbox" and passes "../secret.txt" to path_open on fd 3.
        var step = escape("libcopen", "/sandbox/../secret.txt", "r")
        step.audit?.op = "path_open"
        step.audit?.fd = 3
        step.audit?.path = "../secret.txt"
        try HostileProbe.check([step, succeeds("libcopen", "/sandbox/inside.txt", "r")], grants: tree.sandboxGrant)
        expectUnchanged(before, tree.snapshot())
    }
}
