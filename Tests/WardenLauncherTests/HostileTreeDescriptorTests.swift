import Foundation
import Testing
import WardenTestSupport

/// Guests with no grant, and guests abusing the descriptor table.
@Suite("Hostile tree: descriptor table abuse", .onEveryEngine)
struct HostileTreeDescriptorTests {
    /// A path call on a descriptor that does not exist: badf, reported as no-preopen.
    static func noPreopen(_ arguments: String...) -> HostileStep {
        var step = HostileStep(arguments: arguments, errno: "badf", audit: nil)
        let subject = step.subject(.first)
        step.audit = .init(op: HostileStep.wasiFunction(arguments[0]), fd: subject.fd, path: subject.path,
                           reason: "no-preopen", errno: "badf", preopen: nil)
        return step
    }

    @Test("no --dir: there is no fd 3, and wasi-libc finds no preopen")
    func noDefaultPreopen() throws {
        let tree = try HostileTree()
        let before = tree.snapshot(excluding: [])
        try HostileProbe.check([
            fails("badf", "prestat", "3"),
            fails("badf", "fdstat", "3"),
            Self.noPreopen("open", "3", "x", "R"),
            Self.noPreopen("open", "3", ".", "DR"),
            Self.noPreopen("open", "3", "../secret.txt", "FR"),
            Self.noPreopen("stat", "3", ".", "n"),
            Self.noPreopen("mkdir", "3", "x"),
            Self.noPreopen("open", "4", "x", "CRW"),
            // wasi-libc resolves against its preopen list, finds none, and never calls the host.
            fails("notcapable", "libcopen", "x", "r"),
            fails("notcapable", "libcopen", "x", "c"),
            fails("notcapable", "libcopen", "/etc/passwd", "r"),
            fails("notcapable", "libcopen", tree.path("secret.txt"), "r"),
        ], grants: [])
        expectUnchanged(before, tree.snapshot(excluding: []), "(sandbox included)")
    }

    @Test("fd_renumber onto itself, onto a preopen, onto stdio; from and onto closed descriptors")
    func renumber() throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        try HostileProbe.check([
            // Onto itself: a no-op; the preopen is still a preopen.
            succeeds("renumber", "3", "3"),
            succeeds("prestat", "3", fields: ["name": "/sandbox"]),
            succeeds("cat", "3", "inside.txt", "FR", fields: ["data": "inside"]),
            // A file onto the preopen: allowed, and fd 3 is then that file, not a preopen.
            succeeds("open", "3", "inside.txt", "R", fields: ["fd": "4"]),
            succeeds("renumber", "4", "3"),
            fails("badf", "prestat", "3"),
            succeeds("fstat", "3", fields: ["type": "4", "size": "6"]),
            // The file at fd 3 is no directory to resolve paths beneath.
            refused("no-preopen", "open", "3", "inside.txt", "R", errno: "notdir", preopen: "/sandbox"),
            refused("no-preopen", "open", "3", "../secret.txt", "FR", errno: "notdir", preopen: "/sandbox"),
            refused("no-preopen", "stat", "3", "x", "n", errno: "notdir", preopen: "/sandbox"),
            refused("no-preopen", "mkdir", "3", "x", errno: "notdir", preopen: "/sandbox"),
            // fd 4 moved away: everything on it is badf now.
            fails("badf", "fdstat", "4"),
            fails("badf", "renumber", "4", "3"),
            fails("badf", "close", "4"),
            Self.noPreopen("open", "4", "inside.txt", "R"),
            // Onto and from descriptors that were never open.
            fails("badf", "renumber", "3", "9"),
            fails("badf", "renumber", "9", "3"),
            succeeds("fstat", "3", fields: ["type": "4"]),
        ], grants: tree.sandboxGrant)
        expectUnchanged(before, tree.snapshot())
    }

    @Test("fd_renumber of a file onto stdin; of a preopen onto another preopen")
    func renumberOntoStdioAndPreopens() throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        // fd 3 = /sandbox, fd 4 = /other (sandbox2).
        let grants = tree.sandboxGrant + ["--dir", "\(tree.path("sandbox2"))::/other"]
        try HostileProbe.check([
            succeeds("open", "3", "inside.txt", "R", fields: ["fd": "5"]),
            succeeds("renumber", "5", "0"),
            succeeds("read", "0", fields: ["data": "inside"]),
            fails("badf", "fdstat", "5"),
            // The moved preopen keeps its name and its confinement at its new number.
            succeeds("renumber", "3", "4"),
            fails("badf", "prestat", "3"),
            succeeds("prestat", "4", fields: ["name": "/sandbox"]),
            succeeds("cat", "4", "inside.txt", "FR", fields: ["data": "inside"]),
            fails("noent", "cat", "4", "other.txt", "FR"),
            escape("cat", "4", "../secret.txt", "FR"),
            escape("cat", "4", "../sandbox2/other.txt", "FR"),
            escape("mkdir", "4", ".."),
            escape("cat", "4", "relsecret", "FR"),
            Self.noPreopen("open", "3", "inside.txt", "R"),
        ], grants: grants)
        expectUnchanged(before, tree.snapshot())
        #expect(tree.listing("sandbox2") == ["other.txt"])
    }

    @Test("a closed preopen is gone for good")
    func closedPreopen() throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        try HostileProbe.check([
            succeeds("close", "3"),
            fails("badf", "prestat", "3"),
            Self.noPreopen("open", "3", "inside.txt", "R"),
            Self.noPreopen("mkdir", "3", "x"),
            Self.noPreopen("unlink", "3", "inside.txt"),
            Self.noPreopen("stat", "3", "inside.txt", "n"),
            fails("badf", "close", "3"),
            fails("badf", "renumber", "3", "3"),
            // A new open cannot come back through it either; nothing is left to open from.
            Self.noPreopen("open", "3", ".", "DR"),
        ], grants: tree.sandboxGrant)
        expectUnchanged(before, tree.snapshot())
        #expect(tree.kind("sandbox/inside.txt") == "file")
    }

    @Test("non-directory descriptors as dirfd: notdir")
    func nonDirectoryDirfd() throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        try HostileProbe.check([
            succeeds("open", "3", "inside.txt", "R", fields: ["fd": "4"]),
            refused("no-preopen", "open", "4", "x", "R", errno: "notdir", preopen: "/sandbox"),
            refused("no-preopen", "open", "4", ".", "DR", errno: "notdir", preopen: "/sandbox"),
            refused("no-preopen", "open", "4", "..", "DR", errno: "notdir", preopen: "/sandbox"),
            refused("no-preopen", "open", "4", "../secret.txt", "FR", errno: "notdir", preopen: "/sandbox"),
            refused("no-preopen", "mkdir", "4", "x", errno: "notdir", preopen: "/sandbox"),
            refused("no-preopen", "stat", "4", "x", "n", errno: "notdir", preopen: "/sandbox"),
            refused("no-preopen", "rename", "3", "inside.txt", "4", "x", errno: "notdir", side: .second, preopen: "/sandbox"),
            // stdio is not a directory either.
            refused("no-preopen", "open", "0", "x", "R", errno: "notdir"),
            refused("no-preopen", "open", "1", "..", "DR", errno: "notdir"),
            refused("no-preopen", "open", "2", "/etc/passwd", "R", errno: "notdir"),
        ], grants: tree.sandboxGrant)
        expectUnchanged(before, tree.snapshot())
    }

    @Test("out-of-range descriptor numbers are badf everywhere")
    func hugeDescriptorNumbers() throws {
        let tree = try HostileTree()
        let before = tree.snapshot(excluding: [])
        var steps: [HostileStep] = []
        for fd in ["0xffffffff", "0x80000000", "0x7fffffff", "1000000", "64", "5"] {
            steps += [
                fails("badf", "prestat", fd),
                fails("badf", "fdstat", fd),
                fails("badf", "fstat", fd),
                fails("badf", "close", fd),
                fails("badf", "renumber", fd, "3"),
                fails("badf", "renumber", "3", fd),
                fails("badf", "write", fd, "x"),
                fails("badf", "read", fd),
                Self.noPreopen("open", fd, "inside.txt", "R"),
                Self.noPreopen("stat", fd, "x", "n"),
                Self.noPreopen("mkdir", fd, "x"),
                Self.noPreopen("symlink", "x", fd, "y"),
            ]
        }
        steps.append(succeeds("prestat", "3", fields: ["name": "/sandbox"]))
        try HostileProbe.check(steps, grants: tree.sandboxGrant)
        expectUnchanged(before, tree.snapshot(excluding: []), "(sandbox included)")
    }
}
