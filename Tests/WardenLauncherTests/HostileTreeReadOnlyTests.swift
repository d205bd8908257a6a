import Foundation
import Testing
import WardenTestSupport

/// A refusal through the read-only grant /ro: notcapable, reason read-only.
private func ro(_ arguments: String..., side: HostileStep.Side = .first) -> HostileStep {
    var step = HostileStep(arguments: arguments, errno: "notcapable", audit: nil)
    let subject = step.subject(side)
    step.audit = .init(op: HostileStep.wasiFunction(arguments[0]), fd: subject.fd, path: subject.path,
                       reason: "read-only", errno: "notcapable", preopen: "/ro")
    return step
}

/// wasi-libc's open() of `path` beneath /ro (fd 4) in `mode`, refused at path_open.
private func libcOpenRefused(_ path: String, _ name: String, _ mode: String) -> HostileStep {
    var step = ro("libcopen", path, mode)
    step.audit?.op = "path_open"
    step.audit?.fd = 4
    step.audit?.path = name
    return step
}

/// Every mutation through a `--ro-dir` grant is refused with notcapable, reason read-only, and
/// the host files keep their content and timestamps. (wasmtime's CLI has no read-only grant,
/// so there is no reference run for these.)
@Suite("Hostile tree: read-only grants", .onEveryEngine)
struct HostileTreeReadOnlyTests {
    @Test("path mutations through a read-only preopen")
    func pathMutations() throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        try HostileProbe.check([
            // Opening for change.
            ro("open", "4", "data.txt", "RT"),
            ro("open", "4", "data.txt", "TRW"),
            ro("open", "4", "new.txt", "CR"),
            ro("open", "4", "new.txt", "CRW"),
            ro("open", "4", "data.txt", "CERW"),
            ro("open", "4", "data.txt", "RW"),
            ro("open", "4", "data.txt", "W"),
            ro("open", "4", "data.txt", "RA"),
            ro("open", "4", "sub/inner.txt", "W"),
            // Timestamps by path.
            ro("settimes", "4", "data.txt", "n"),
            ro("settimes", "4", "data.txt", "f"),
            ro("settimes", "4", "sub", "n"),
            // Entries.
            ro("mkdir", "4", "newdir"),
            ro("mkdir", "4", "sub/newdir"),
            ro("rmdir", "4", "emptydir"),
            ro("unlink", "4", "data.txt"),
            ro("unlink", "4", "sub/inner.txt"),
            ro("symlink", "data.txt", "4", "sl"),
            ro("rename", "4", "data.txt", "4", "renamed"),
            ro("rename", "4", "sub", "4", "emptydir"),
            // Out of the read-only grant into the writable one, and back.
            ro("rename", "4", "data.txt", "3", "stolen"),
            ro("rename", "3", "inside.txt", "4", "planted", side: .second),
            ro("link", "4", "data.txt", "3", "hard"),
            ro("link", "3", "inside.txt", "4", "planted", side: .second),
            // Reading still works.
            succeeds("cat", "4", "data.txt", "FR", fields: ["data": HostileTree.readOnlyText]),
            succeeds("stat", "4", "sub/inner.txt", "n", fields: ["type": "4", "size": "5"]),
        ], grants: tree.sandboxAndReadOnlyGrants)
        expectUnchanged(before, tree.snapshot())
        #expect(tree.listing("readonly") == ["data.txt", "emptydir", "sub"])
        for name in ["stolen", "hard"] { #expect(tree.kind("sandbox/\(name)") == nil, "\(name)") }
        #expect(try tree.read("sandbox/inside.txt") == HostileTree.insideText)
    }

    @Test("descriptor mutations on a file opened read-write the way wasi-libc asks")
    func descriptorMutations() throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        // /ro advertises the write rights it refuses, so wasi-libc's open(O_RDWR) asks for them
        // and is refused at open; a file opened for reading refuses every change through it.
        try HostileProbe.check([
            ro("open", "4", "data.txt", "LRW"),
            succeeds("open", "4", "data.txt", "LR", fields: ["fd": "5"]),
            ro("write", "$", "overwritten"),
            ro("setsize", "$", "0"),
            ro("setsize", "$", "100"),
            ro("fsettimes", "$"),
            succeeds("read", "$", fields: ["data": HostileTree.readOnlyText]),
            // A directory opened beneath /ro passes on no more than /ro.
            succeeds("open", "4", "sub", "DRL", fields: ["fd": "6"]),
            ro("mkdir", "$", "x"),
            ro("open", "$", "inner.txt", "TR"),
            ro("open", "$", "new", "CR"),
            ro("unlink", "$", "inner.txt"),
            ro("rename", "$", "inner.txt", "3", "stolen"),
            ro("fsettimes", "$"),
            ro("open", "$", "inner.txt", "W"),
            succeeds("cat", "$", "inner.txt", "FR", fields: ["data": "inner"]),
        ], grants: tree.sandboxAndReadOnlyGrants)
        expectUnchanged(before, tree.snapshot())
    }

    @Test("a read-only grant never opens host files for writing")
    func hostDescriptorsStayReadOnly() throws {
        // An immutable file (chattr +i) cannot be opened for writing on the host, even by root:
        // if the same guest call works on data.txt but fails here, Warden opened data.txt's host
        // descriptor writable under a read-only grant (least privilege: inotify watchers then
        // see IN_CLOSE_WRITE, a busy executable gives ETXTBSY, a read-only mount EROFS).
        let tree = try HostileTree()
        try tree.tree.write("readonly/frozen.txt", "frozen")
        let chattr = try? Command.run("chattr", ["+i", tree.path("readonly/frozen.txt")])
        defer { _ = try? Command.run("chattr", ["-i", tree.path("readonly/frozen.txt")]) }
        guard chattr?.status == 0 else {
            // No CAP_LINUX_IMMUTABLE or no support on this file system: nothing to observe with.
            return
        }
        let before = tree.snapshot()
        try HostileProbe.check([
            succeeds("open", "4", "frozen.txt", "LR", fields: ["fd": "5"]),
            succeeds("read", "$", fields: ["data": "frozen"]),
            // Write intent is refused at open, before the host file is touched: wasi-libc's
            // O_RDWR, its own open(O_RDWR) and O_WRONLY-style requests.
            ro("open", "4", "frozen.txt", "LRW"),
            libcOpenRefused("/ro/frozen.txt", "frozen.txt", "rw"),
            ro("open", "4", "frozen.txt", "LW"),
            ro("write", "5", "x"),
        ], grants: tree.sandboxAndReadOnlyGrants)
        expectUnchanged(before, tree.snapshot())
    }

    @Test("a read-only grant stays read-only after fd_renumber and through wasi-libc")
    func renumberedAndLibc() throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        try HostileProbe.check([
            // wasi-libc's O_RDWR open is refused at open (the intent reaches path_open)…
            libcOpenRefused("/ro/data.txt", "data.txt", "rw"),
            // …and creating through wasi-libc is refused on the way in.
            libcOpenRefused("/ro/new.txt", "new.txt", "c"),
            // Reading is still fine, and a write through what it opened is refused.
            succeeds("libcopen", "/ro/data.txt", "r"),
            ro("write", "$", "x"),
            // Moving the read-only preopen to another number does not make it writable.
            succeeds("renumber", "4", "3"),
            succeeds("prestat", "3", fields: ["name": "/ro"]),
            ro("mkdir", "3", "x"),
            ro("unlink", "3", "data.txt"),
            ro("open", "3", "data.txt", "TR"),
        ], grants: tree.sandboxAndReadOnlyGrants)
        expectUnchanged(before, tree.snapshot())
    }
}
