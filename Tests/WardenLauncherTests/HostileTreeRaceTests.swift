import Foundation
import Glibc
import Synchronization
import Testing
import WardenTestSupport

/// A host thread swaps a directory inside the sandbox with a symlink leading out, thousands of
/// times, while the guest keeps going through that directory. Resolution beneath the preopen
/// is one openat2 walk in the kernel, so no interleaving may ever reach outside.
@Suite("Hostile tree: symlink-swap races", .onEveryEngine, .serialized)
struct HostileTreeRaceTests {
    /// renameat2(2), looked up at run time (Glibc's module map hides it without _GNU_SOURCE).
    typealias Renameat2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    static let renameat2: Renameat2? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: Renameat2.self)
    }()
    static let renameExchange: UInt32 = 1 << 1

    /// Counts and the stop flag shared with the swapping thread.
    final class Swapper: Sendable {
        let stop = Atomic<Bool>(false)
        let swaps = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        let lastError = Atomic<Int32>(0)
        let finished = Atomic<Bool>(false)
        let directory: String
        let links: [String]

        init(directory: String, links: [String]) {
            self.directory = directory
            self.links = links
        }

        /// Atomically exchanges `directory` with each link in turn (and back), until stopped.
        /// Falls back to plain renames (with a moment where `dir` is absent) if the file system
        /// refuses RENAME_EXCHANGE.
        func run() {
            defer { finished.store(true, ordering: .sequentiallyConsistent) }
            let exchange = HostileTreeRaceTests.renameat2
            var useExchange = exchange != nil
            while !stop.load(ordering: .relaxed) {
                for link in links {
                    for _ in 0..<2 {
                        if useExchange, let exchange {
                            if exchange(AT_FDCWD, directory, AT_FDCWD, link, HostileTreeRaceTests.renameExchange) != 0 {
                                if errno == EINVAL || errno == ENOSYS { useExchange = false; continue }
                                failures.add(1, ordering: .relaxed)
                                lastError.store(errno, ordering: .relaxed)
                                continue
                            }
                        } else {
                            // dir <-> link via a third name.
                            let parked = directory + ".parked"
                            guard rename(directory, parked) == 0 else { failures.add(1, ordering: .relaxed); continue }
                            if rename(link, directory) != 0 { failures.add(1, ordering: .relaxed) }
                            if rename(parked, link) != 0 { failures.add(1, ordering: .relaxed) }
                        }
                        swaps.add(1, ordering: .relaxed)
                    }
                }
            }
        }
    }

    /// Lays out sandbox/dir (real, holding `file` = "INSIDE") and sandbox/swaprel, swapabs
    /// (symlinks to vault/, which holds `file` = "OUTSIDE-SECRET"), runs the guest while the
    /// swapper runs, and returns the guest's counters.
    static func race(mode: String, iterations: Int, tree: HostileTree) throws -> (counts: [String: Int], swaps: Int, result: Command.Result) {
        try tree.tree.write("sandbox/dir/file", "INSIDE")
        try tree.tree.write("vault/file", "OUTSIDE-SECRET")
        try tree.tree.symlink("sandbox/swaprel", to: "../vault")
        try tree.tree.symlink("sandbox/swapabs", to: tree.path("vault"))
        let module = try HostileGuests.race()
        let swapper = Swapper(directory: tree.path("sandbox/dir"), links: [tree.path("sandbox/swaprel"), tree.path("sandbox/swapabs")])
        let thread = Thread { swapper.run() }
        thread.start()
        defer {
            swapper.stop.store(true, ordering: .relaxed)
            while !swapper.finished.load(ordering: .sequentiallyConsistent) { usleep(1000) }
        }
        // Let it get going before the guest starts.
        while swapper.swaps.load(ordering: .relaxed) < 100 { usleep(100) }
        let result = try Warden.run(tree.sandboxGrant + [module, mode, String(iterations)], timeout: 300)
        swapper.stop.store(true, ordering: .relaxed)
        while !swapper.finished.load(ordering: .sequentiallyConsistent) { usleep(1000) }
        #expect(swapper.failures.load(ordering: .relaxed) == 0, "swap failures, last errno \(swapper.lastError.load(ordering: .relaxed))")
        var counts: [String: Int] = [:]
        for word in result.stdout.split(whereSeparator: \.isWhitespace) {
            let parts = word.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let value = Int(parts[1]) { counts[String(parts[0])] = value }
        }
        return (counts, swapper.swaps.load(ordering: .relaxed), result)
    }

    @Test("reading dir/file while dir flips to a symlink out never reads outside")
    func readRace() throws {
        let tree = try HostileTree()
        let iterations = 20_000
        let (counts, swaps, result) = try Self.race(mode: "read", iterations: iterations, tree: tree)
        #expect(result.status == 0, "status \(result.status)\n\(result.stdout)\n\(result.stderr.prefix(2000))")
        #expect(counts["outside"] == 0, "the guest read outside content: \(result.stdout)")
        #expect((counts["inside"] ?? 0) > 0, "\(result.stdout)")
        // The race was real: some opens met the symlink, and each was an escape refusal.
        #expect((counts["notcapable"] ?? 0) > 0, "\(result.stdout) after \(swaps) swaps")
        #expect(counts["other"] == 0, "unexpected errno: \(result.stdout)")
        #expect((counts["inside"] ?? 0) + (counts["notcapable"] ?? 0) + (counts["other"] ?? 0) == iterations)
        #expect(swaps >= 1000, "only \(swaps) swaps during the run")
        #expect(!result.stdout.contains("OUTSIDE-SECRET") && !result.stderr.contains("OUTSIDE-SECRET"))
        // One escape-attempt event per refusal, or a count in a suppression summary (the rate
        // limiter summarizes a flood; it never drops one without a count).
        let events = Warden.auditEvents(in: result.stderr)
        let escapes = events.filter {
            $0["reason"] as? String == "escape-attempt" && $0["op"] as? String == "path_open" && $0["path"] as? String == "dir/file"
        }
        let suppressed = events.filter { $0["action"] as? String == "suppressed" }.flatMap { ($0["counts"] as? [[String: Any]]) ?? [] }
            .filter { $0["reason"] as? String == "escape-attempt" && $0["op"] as? String == "path_open" }
            .reduce(0) { $0 + (($1["count"] as? Int) ?? 0) }
        #expect(escapes.count + suppressed == counts["notcapable"], "\(escapes.count) audit events + \(suppressed) suppressed for \(counts["notcapable"] ?? -1) refusals")
        #expect(tree.listing("vault") == ["file", "secret", "sub"])
        #expect(try tree.read("vault/file") == "OUTSIDE-SECRET")
    }

    @Test("creating files and directories under dir while it flips never creates outside")
    func createRace() throws {
        let tree = try HostileTree()
        let iterations = 3_000
        let (counts, swaps, result) = try Self.race(mode: "create", iterations: iterations, tree: tree)
        #expect(result.status == 0, "status \(result.status)\n\(result.stdout)\n\(result.stderr.prefix(2000))")
        // Nothing appeared outside: vault still holds exactly what it held.
        #expect(tree.listing("vault") == ["file", "secret", "sub"], "created outside: \(tree.listing("vault"))")
        #expect(tree.listing("outside").isEmpty)
        #expect((counts["inside"] ?? 0) > 0, "\(result.stdout)")
        #expect((counts["notcapable"] ?? 0) > 0, "\(result.stdout) after \(swaps) swaps")
        #expect(counts["other"] == 0, "unexpected errno: \(result.stdout)")
        #expect(swaps >= 1000, "only \(swaps) swaps during the run")
        // Everything that was created is in the real dir, wherever it is now.
        let real = tree.kind("sandbox/dir") == "dir" ? "sandbox/dir" : tree.kind("sandbox/swaprel") == "dir" ? "sandbox/swaprel" : "sandbox/swapabs"
        #expect(tree.listing(real).count == (counts["inside"] ?? 0) + 1)
    }
}
