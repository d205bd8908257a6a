import Foundation
import Glibc
import Testing
import WardenTestSupport

// Shared machinery of the hostile-tree suite (HostileTree*.swift): a host tree laid out to
// tempt a guest out of its sandbox, a driver for the `hostile_probe` guest, and the host-side
// checks that nothing outside the sandbox was read or changed.

/// The host tree every hostile test runs against:
///
///     <root>/
///       secret.txt            "TOP-SECRET-OUTSIDE"   (never to be read by a guest)
///       outside/              empty; must stay empty
///       vault/secret          "VAULT-SECRET"; vault/sub/
///       readonly/             granted with --ro-dir as /ro: data.txt, sub/inner.txt, emptydir/
///       sandbox/              granted with --dir as /sandbox (fd 3)
///         inside.txt "inside", a/file, a/b/c/
///         symlinks leading out: relsecret abssecret reldir absdir relvault absvault absetc
///           abspasswd sneaky (a/b/../../../vault) chain (-> c1 -> c2 -> c3 -> ../vault)
///         loops: loopa <-> loopb, self -> self, cur -> ., hop0 -> hop1 -> ... -> hop49 -> inside.txt
///         magic links: fd1 -> /proc/self/fd/1, procroot -> /proc/self/root, proccwd -> /proc/self/cwd
///         benign links: goodfile -> inside.txt, gooddir -> a, updown -> a/../inside.txt
///       sandbox2/             a second writable grant for tests that need one (other.txt)
///
/// Everything outside the two sandboxes gets fixed timestamps (1e9 s) so that any write, and
/// (where the file system tracks atime) any read outside the grants, shows up in `snapshot()`.
final class HostileTree: @unchecked Sendable {
    static let secretText = "TOP-SECRET-OUTSIDE"
    static let vaultText = "VAULT-SECRET"
    static let insideText = "inside"
    static let readOnlyText = "read-only-data"
    static let fixedTime = 1_000_000_000

    /// Strings that must never appear in anything a guest prints.
    static let leakMarkers = [secretText, vaultText, "root:x:0:0"]

    let tree: TemporaryTree
    var root: String { tree.path }
    func path(_ relative: String) -> String { tree.url(relative) }
    var sandbox: String { path("sandbox") }

    /// `--dir <root>/sandbox::/sandbox` (fd 3).
    var sandboxGrant: [String] { ["--dir", "\(sandbox)::/sandbox"] }
    /// fd 3 = /sandbox, fd 4 = /ro.
    var sandboxAndReadOnlyGrants: [String] { sandboxGrant + ["--ro-dir", "\(path("readonly"))::/ro"] }

    init() throws {
        tree = try TemporaryTree("warden-hostile")
        try tree.write("secret.txt", Self.secretText)
        try tree.makeDirectory("outside")
        try tree.write("vault/secret", Self.vaultText)
        try tree.makeDirectory("vault/sub")
        try tree.write("readonly/data.txt", Self.readOnlyText)
        try tree.write("readonly/sub/inner.txt", "inner")
        try tree.makeDirectory("readonly/emptydir")

        try tree.write("sandbox/inside.txt", Self.insideText)
        try tree.write("sandbox/a/file", "a-file")
        try tree.makeDirectory("sandbox/a/b/c")
        let links: [(String, String)] = [
            ("relsecret", "../secret.txt"), ("abssecret", path("secret.txt")),
            ("reldir", "../outside"), ("absdir", path("outside")),
            ("relvault", "../vault"), ("absvault", path("vault")),
            ("absetc", "/etc"), ("abspasswd", "/etc/passwd"),
            ("sneaky", "a/b/../../../vault"),
            ("chain", "c1"), ("c1", "c2"), ("c2", "c3"), ("c3", "../vault"),
            ("loopa", "loopb"), ("loopb", "loopa"), ("self", "self"), ("cur", "."),
            ("fd1", "/proc/self/fd/1"), ("procroot", "/proc/self/root"), ("proccwd", "/proc/self/cwd"),
            ("goodfile", "inside.txt"), ("gooddir", "a"), ("updown", "a/../inside.txt"),
        ]
        for (name, target) in links { try tree.symlink("sandbox/\(name)", to: target) }
        for index in 0..<50 {
            try tree.symlink("sandbox/hop\(index)", to: index == 49 ? "inside.txt" : "hop\(index + 1)")
        }
        try tree.write("sandbox2/other.txt", "other")

        // Fixed timestamps on everything outside the sandboxes, children before parents.
        for relative in Self.walk(root, excluding: ["sandbox", "sandbox2"]).reversed() {
            var times = [timespec(tv_sec: Self.fixedTime, tv_nsec: 0), timespec(tv_sec: Self.fixedTime, tv_nsec: 0)]
            let full = relative.isEmpty ? root : path(relative)
            guard utimensat(AT_FDCWD, full, &times, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw HostileTreeError(description: "utimensat \(full): errno \(errno)")
            }
        }
    }

    // MARK: Host-side state

    /// Every entry beneath the root (relative paths, "" for the root), without following links.
    static func walk(_ root: String, excluding: Set<String>) -> [String] {
        var result: [String] = [""]
        func visit(_ relative: String) {
            let full = relative.isEmpty ? root : "\(root)/\(relative)"
            let fd = open(full, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | HostileTree.oNoAtime)
            guard fd >= 0, let directory = fdopendir(fd) else { return }
            defer { closedir(directory) }
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
                }
                if name == "." || name == ".." { continue }
                names.append(name)
            }
            for name in names.sorted() {
                let child = relative.isEmpty ? name : "\(relative)/\(name)"
                if excluding.contains(child) { continue }
                result.append(child)
                var info = stat()
                if lstat("\(root)/\(child)", &info) == 0, info.st_mode & S_IFMT == S_IFDIR { visit(child) }
            }
        }
        visit("")
        return result
    }

    /// O_NOATIME (Linux value on x86-64 and arm64): the snapshot itself never updates atimes.
    static let oNoAtime: Int32 = 0o1000000

    /// Whether this file system records reads in atime (relatime with an old atime does).
    static let atimeTracked: Bool = {
        guard let probe = try? TemporaryTree("warden-atime") else { return false }
        let file = probe.url("probe")
        guard (try? "x".write(toFile: file, atomically: false, encoding: .utf8)) != nil else { return false }
        var times = [timespec(tv_sec: fixedTime, tv_nsec: 0), timespec(tv_sec: fixedTime, tv_nsec: 0)]
        guard utimensat(AT_FDCWD, file, &times, 0) == 0 else { return false }
        let fd = open(file, O_RDONLY)
        guard fd >= 0 else { return false }
        var byte: UInt8 = 0
        _ = Glibc.read(fd, &byte, 1)
        close(fd)
        var info = stat()
        guard lstat(file, &info) == 0 else { return false }
        // And O_NOATIME must work for us, or the snapshot would disturb what it measures.
        var again = [timespec(tv_sec: fixedTime, tv_nsec: 0), timespec(tv_sec: fixedTime, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, file, &again, 0)
        let quiet = open(file, O_RDONLY | oNoAtime)
        guard quiet >= 0 else { return false }
        _ = Glibc.read(quiet, &byte, 1)
        close(quiet)
        var after = stat()
        guard lstat(file, &after) == 0 else { return false }
        return info.st_atim.tv_sec != fixedTime && after.st_atim.tv_sec == fixedTime
    }()

    /// A description of every entry outside `excluding` (by default: outside both sandboxes):
    /// type, mode, inode, link count, size, mtime, ctime, atime (where tracked), and the
    /// content of files / target of links.
    func snapshot(excluding: Set<String> = ["sandbox", "sandbox2"]) -> [String: String] {
        var result: [String: String] = [:]
        for relative in Self.walk(root, excluding: excluding) {
            let full = relative.isEmpty ? root : path(relative)
            var info = stat()
            guard lstat(full, &info) == 0 else { continue }
            var line = "mode=\(String(info.st_mode, radix: 8)) ino=\(info.st_ino) nlink=\(info.st_nlink) size=\(info.st_size)"
            line += " mtime=\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) ctime=\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
            // Reads are legitimate inside the grants (the read-only one included).
            let granted = ["sandbox", "sandbox2", "readonly"].contains { relative == $0 || relative.hasPrefix($0 + "/") }
            if Self.atimeTracked, !granted, info.st_mode & S_IFMT != S_IFLNK {
                line += " atime=\(info.st_atim.tv_sec).\(info.st_atim.tv_nsec)"
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                let fd = open(full, O_RDONLY | O_NOFOLLOW | Self.oNoAtime)
                if fd >= 0 {
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    let count = Glibc.read(fd, &buffer, buffer.count)
                    close(fd)
                    line += " content=\(String(decoding: buffer.prefix(max(0, count)), as: UTF8.self))"
                }
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: 4097)
                let count = readlink(full, &buffer, 4096)
                if count >= 0 { line += " target=\(String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self))" }
            default: break
            }
            result[relative.isEmpty ? "." : relative] = line
        }
        return result
    }

    /// Names directly inside a directory of the tree (sorted).
    func listing(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(relative))) ?? []).sorted()
    }

    /// lstat type of an entry: "file", "dir", "link", "other", or nil when absent.
    func kind(_ relative: String) -> String? {
        var info = stat()
        guard lstat(path(relative), &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return "file"
        case S_IFDIR: return "dir"
        case S_IFLNK: return "link"
        default: return "other"
        }
    }

    func read(_ relative: String) throws -> String { try tree.read(relative) }

    func linkTarget(_ relative: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: path(relative))
    }
}

struct HostileTreeError: Error, CustomStringConvertible {
    let description: String
}

/// Records one issue per entry that differs between two snapshots.
func expectUnchanged(_ before: [String: String], _ after: [String: String], _ what: String = "outside the sandbox",
                     sourceLocation: SourceLocation = #_sourceLocation) {
    let keys = Set(before.keys).union(after.keys).sorted()
    var differences: [String] = []
    for key in keys where before[key] != after[key] {
        differences.append("\(key):\n  before: \(before[key] ?? "<absent>")\n  after:  \(after[key] ?? "<absent>")")
    }
    #expect(differences.isEmpty, "host tree \(what) changed:\n\(differences.joined(separator: "\n"))",
            sourceLocation: sourceLocation)
}

// MARK: The probe guest

/// Guest modules of this suite, built once per test process (concurrent first builds of the
/// same guest would race on the build cache's temporary file).
enum HostileGuests {
    static let probeBuild: Result<String, any Error> = Result { try Guests.c("Tests/WardenLauncherTests/Guests/hostile_probe.c") }
    static let raceBuild: Result<String, any Error> = Result { try Guests.c("Tests/WardenLauncherTests/Guests/hostile_race.c") }
    static func probe() throws -> String { try probeBuild.get() }
    static func race() throws -> String { try raceBuild.get() }
}

/// One operation for `hostile_probe` and what must come of it.
struct HostileStep: CustomStringConvertible, Sendable {
    /// The audit event a refusal must produce.
    struct Audit: Sendable {
        var op: String
        var fd: UInt32?
        var path: String?
        var reason: String
        var errno: String
        var preopen: String?
    }

    var arguments: [String]
    var errno: String
    var audit: Audit?
    /// Output fields that must match exactly (e.g. "data": "inside", "type": "7").
    var fields: [String: String] = [:]

    var description: String { arguments.map { $0.isEmpty ? "''" : $0 }.joined(separator: " ") }

    /// Which path argument of a two-path call the refusal is about.
    enum Side: Sendable { case first, second }

    /// The WASI function a probe operation calls.
    static func wasiFunction(_ op: String) -> String {
        switch op {
        case "open", "cat": "path_open"
        case "stat": "path_filestat_get"
        case "settimes": "path_filestat_set_times"
        case "mkdir": "path_create_directory"
        case "rmdir": "path_remove_directory"
        case "unlink": "path_unlink_file"
        case "rename": "path_rename"
        case "link", "linkf": "path_link"
        case "symlink": "path_symlink"
        case "readlink": "path_readlink"
        case "write": "fd_write"
        case "read": "fd_read"
        case "setsize": "fd_filestat_set_size"
        case "fsettimes": "fd_filestat_set_times"
        case "close": "fd_close"
        case "renumber": "fd_renumber"
        case "prestat": "fd_prestat_get"
        case "fdstat": "fd_fdstat_get"
        case "fstat": "fd_filestat_get"
        default: op
        }
    }

    /// (fd, path) a refusal of this step is reported with.
    func subject(_ side: Side) -> (fd: UInt32?, path: String?) {
        let a = arguments
        switch a[0] {
        case "rename", "link", "linkf":
            return side == .first ? (HostileStep.fd(a[1]), HostileStep.decode(a[2])) : (HostileStep.fd(a[3]), HostileStep.decode(a[4]))
        case "symlink": return (HostileStep.fd(a[2]), HostileStep.decode(a[3]))
        case "write", "read", "setsize", "fsettimes", "close", "renumber", "prestat", "fdstat", "fstat":
            return (HostileStep.fd(a[1]), nil)
        default: return (a.count > 1 ? HostileStep.fd(a[1]) : nil, a.count > 2 ? HostileStep.decode(a[2]) : nil)
        }
    }

    static func fd(_ text: String) -> UInt32? {
        if text.hasPrefix("0x") { return UInt32(text.dropFirst(2), radix: 16) }
        return UInt32(text)
    }

    /// The probe's percent-decoding, for comparing paths with audit events.
    static func decode(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.first {
            if byte == UInt8(ascii: "%"), utf8.count >= 3,
               let value = UInt8(String(decoding: utf8.dropFirst().prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
                utf8 = utf8.dropFirst()
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A successful call, optionally with output fields that must match.
func succeeds(_ arguments: String..., fields: [String: String] = [:]) -> HostileStep {
    HostileStep(arguments: arguments, errno: "success", audit: nil, fields: fields)
}

/// A call failing with `errno` that is not a policy refusal (no audit event).
func fails(_ errno: String, _ arguments: String...) -> HostileStep {
    HostileStep(arguments: arguments, errno: errno, audit: nil)
}

/// A refusal: `errno` (notcapable unless given) plus one audit event with `reason`.
func refused(_ reason: String, _ arguments: String..., errno: String = "notcapable", side: HostileStep.Side = .first,
             preopen: String? = nil) -> HostileStep {
    var step = HostileStep(arguments: arguments, errno: errno, audit: nil)
    let subject = step.subject(side)
    step.audit = .init(op: HostileStep.wasiFunction(arguments[0]), fd: subject.fd, path: subject.path, reason: reason,
                       errno: errno, preopen: preopen)
    return step
}

/// An escape attempt: notcapable, reason escape-attempt.
func escape(_ arguments: String..., side: HostileStep.Side = .first, preopen: String? = "/sandbox") -> HostileStep {
    var step = HostileStep(arguments: arguments, errno: "notcapable", audit: nil)
    let subject = step.subject(side)
    step.audit = .init(op: HostileStep.wasiFunction(arguments[0]), fd: subject.fd, path: subject.path,
                       reason: "escape-attempt", errno: "notcapable", preopen: preopen)
    return step
}

/// One line of probe output.
struct HostileOutcome {
    var index: Int
    var op: String
    var errno: String
    var fields: [String: String]
}

struct HostileRun {
    var result: Command.Result
    var outcomes: [HostileOutcome]
    var events: [[String: Any]]
    var elapsed: Duration
}

enum HostileProbe {
    /// Runs the probe guest with `grants` and the steps' arguments.
    static func run(_ steps: [HostileStep], grants: [String], timeout: TimeInterval = 120) throws -> HostileRun {
        let module = try HostileGuests.probe()
        let clock = ContinuousClock()
        let start = clock.now
        let result = try Warden.run(grants + [module] + steps.flatMap(\.arguments), timeout: timeout)
        let elapsed = clock.now - start
        return HostileRun(result: result, outcomes: parse(result.stdout), events: Warden.auditEvents(in: result.stderr),
                          elapsed: elapsed)
    }

    static func parse(_ stdout: String) -> [HostileOutcome] {
        stdout.split(separator: "\n").compactMap { line -> HostileOutcome? in
            guard line.hasPrefix("#") else { return nil }
            let words = line.dropFirst().split(separator: " ").map(String.init)
            guard words.count >= 3, let index = Int(words[0]) else { return nil }
            var fields: [String: String] = [:]
            for word in words.dropFirst(3) {
                guard let equals = word.firstIndex(of: "=") else { continue }
                fields[String(word[..<equals])] = HostileStep.decode(String(word[word.index(after: equals)...]))
            }
            return HostileOutcome(index: index, op: words[1], errno: words[2], fields: fields)
        }
    }

    /// Runs `steps` and checks every errno, output field, audit event (one per refusal, in
    /// order, and no others), the exit status, and that nothing secret was printed.
    @discardableResult
    static func check(_ steps: [HostileStep], grants: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> HostileRun {
        let run = try run(steps, grants: grants)
        verify(steps, run, sourceLocation: sourceLocation)
        return run
    }

    static func verify(_ steps: [HostileStep], _ run: HostileRun, sourceLocation: SourceLocation = #_sourceLocation) {
        let result = run.result
        #expect(result.status == 0 && !result.signaled,
                "guest exited \(result.status) (signaled: \(result.signaled))\nstdout:\n\(result.stdout)\nstderr:\n\(result.stderr)",
                sourceLocation: sourceLocation)
        #expect(run.outcomes.count == steps.count,
                "expected \(steps.count) results, got \(run.outcomes.count)\nstdout:\n\(result.stdout)\nstderr:\n\(result.stderr)",
                sourceLocation: sourceLocation)
        for (index, step) in steps.enumerated() where index < run.outcomes.count {
            let outcome = run.outcomes[index]
            #expect(outcome.errno == step.errno, "#\(index) `\(step)`: expected \(step.errno), got \(outcome.errno)",
                    sourceLocation: sourceLocation)
            for (key, value) in step.fields {
                #expect(outcome.fields[key] == value,
                        "#\(index) `\(step)`: \(key) expected \(value), got \(outcome.fields[key] ?? "<none>")",
                        sourceLocation: sourceLocation)
            }
        }
        for marker in HostileTree.leakMarkers {
            #expect(!result.stdout.contains(marker), "guest output leaked \(marker):\n\(result.stdout)", sourceLocation: sourceLocation)
        }
        verifyAudit(steps, run, sourceLocation: sourceLocation)
    }

    /// Every step with an expected audit event must find it, in order; events nobody expected fail.
    static func verifyAudit(_ steps: [HostileStep], _ run: HostileRun, sourceLocation: SourceLocation = #_sourceLocation) {
        var cursor = 0
        let events = run.events
        for (index, step) in steps.enumerated() {
            // Steps that are not refusals expect no event; any event found while looking for a
            // later step's, or left over at the end, is reported as unexpected.
            guard let audit = step.audit else { continue }
            guard cursor < events.count else {
                Issue.record("#\(index) `\(step)`: no audit event (expected op=\(audit.op) reason=\(audit.reason) errno=\(audit.errno) path=\(audit.path ?? "-"))",
                             sourceLocation: sourceLocation)
                continue
            }
            let event = events[cursor]
            let problems = mismatches(event, audit)
            if problems.isEmpty {
                cursor += 1
            } else if let later = events[cursor...].firstIndex(where: { mismatches($0, audit).isEmpty }) {
                for extra in events[cursor..<later] {
                    Issue.record("unexpected audit event before #\(index) `\(step)`: \(describe(extra))", sourceLocation: sourceLocation)
                }
                cursor = later + 1
            } else {
                Issue.record("#\(index) `\(step)`: audit event mismatch (\(problems.joined(separator: ", "))): \(describe(event))",
                             sourceLocation: sourceLocation)
                // Consume it only if it is plausibly this step's (same op).
                if (event["op"] as? String) == audit.op { cursor += 1 }
            }
        }
        for extra in events.dropFirst(cursor) {
            Issue.record("unexpected audit event: \(describe(extra))", sourceLocation: sourceLocation)
        }
    }

    static func mismatches(_ event: [String: Any], _ audit: HostileStep.Audit) -> [String] {
        var problems: [String] = []
        if event["v"].flatMap(number) != 1 { problems.append("v") }
        if event["layer"] as? String != "wasi" { problems.append("layer") }
        if event["action"] as? String != "denied" { problems.append("action") }
        if event["op"] as? String != audit.op { problems.append("op≠\(audit.op)") }
        if event["reason"] as? String != audit.reason { problems.append("reason≠\(audit.reason)") }
        if event["errno"] as? String != audit.errno { problems.append("errno≠\(audit.errno)") }
        if let fd = audit.fd, event["fd"].flatMap(number) != Int64(fd) { problems.append("fd≠\(fd)") }
        if let path = audit.path {
            let reported = event["path"] as? String ?? ""
            // path_symlink may report "link -> target".
            if reported != path, !reported.hasPrefix(path + " -> ") { problems.append("path≠\(path)") }
        }
        if let preopen = audit.preopen, event["preopen"] as? String != preopen { problems.append("preopen≠\(preopen)") }
        return problems
    }

    static func number(_ value: Any) -> Int64? {
        if let number = value as? NSNumber { return number.int64Value }
        if let int = value as? Int { return Int64(int) }
        return nil
    }

    static func describe(_ event: [String: Any]) -> String {
        (try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) }
            ?? "\(event)"
    }
}
