import Foundation
import Glibc
import Testing
import WardenLauncher
import WardenTestSupport

/// `warden cache list` and `warden cache prune`, run as the binary against a hand-filled
/// root-owned cache (no engine needed).
@Suite(.enabled(if: geteuid() == 0, "the artifact cache is root's: these tests run as root"))
struct CacheCommandTests: ArtifactCacheFixture {
    let tree: TemporaryTree

    init() throws { tree = try TemporaryTree("warden-cache-cli") }

    /// As warden prints sizes of a KiB and more: one decimal (the artifacts here are ~4 KiB).
    static func human(_ bytes: Int64) -> String {
        let tenths = Int((Double(bytes) / 1024 * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)KiB"
    }

    func warden(_ arguments: [String], bound: String? = nil) throws -> Command.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["WARDEN_ARTIFACT_CACHE_MAX"] = bound
        return try Command.run(Warden.executable, ["cache"] + arguments + ["--artifact-cache", tree.path], environment: environment)
    }

    @Test("list: every artifact, most recently used first, with its state; foreign files unlisted; listing is no use")
    func list() throws {
        let now = Int(time(nil))
        let older = try artifact(Self.key(1), used: 1_700_000_000)
        let newer = try artifact(Self.key(2, metered: true), used: 1_700_000_600)
        let stale = try obsoleteArtifact(3, used: 1_700_000_300)
        try write(".\(Self.key(4).fileName).99.tmp", [1], used: now, written: now)
        try tree.write("README", "not ours")
        let result = try warden(["list"], bound: "64MiB")
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "\(tree.path): 3 artifacts, \(Self.human(3 * size)) of 64.0MiB, 1 temporary file", "\(result.stdout)")
        #expect(lines.count >= 6 && lines[1].hasPrefix("LAST USE"), "\(result.stdout)")
        // Rows: the temporary (used now), then newer, stale, older.
        let rows = Array(lines[2...5])
        #expect(rows[0].contains("temporary") && rows[1].hasSuffix(newer) && rows[2].hasSuffix(stale) && rows[3].hasSuffix(older), "\(rows)")
        #expect(rows[1].hasPrefix("2023-11-14T22:23:20Z") && rows[1].contains(" current ") && rows[1].contains(" on "), "\(rows[1])")
        #expect(rows[3].contains(" off ") && rows[3].contains("sha256:" + String(Self.key(1).moduleDigest.prefix(16))), "\(rows[3])")
        #expect(rows[2].contains(" obsolete ") && rows[2].contains("wasmtime-49.0.3"), "\(rows[2])")
        #expect(result.stdout.contains("\(stale): no run of this warden can load it: its engine: wasmtime-49.0.3"), "\(result.stdout)")
        #expect(!result.stdout.contains("README"))
        // Reading the headers left the use times alone (a plain read would move them: the
        // change time is later than these access times).
        #expect(accessTime(older).access == 1_700_000_000 && accessTime(newer).access == 1_700_000_600)
    }

    @Test("prune: obsolete artifacts and old temporaries go even under the bound; --max evicts the least recently used; --all the rest")
    func prune() throws {
        let now = Int(time(nil))
        let older = try artifact(Self.key(1), used: 1_700_000_000)
        let newer = try artifact(Self.key(2), used: 1_700_000_600)
        let stale = try obsoleteArtifact(3, used: 1_700_000_900)
        let leftover = try write(".\(Self.key(4).fileName).99.tmp", [1], used: now - 7200, written: now - 7200)
        try tree.write("README", "not ours")
        let first = try warden(["prune"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("removed \(tree.url(stale)) (") && first.stdout.contains("obsolete)"), "\(first.stdout)")
        #expect(first.stdout.contains("removed \(tree.url(leftover)) (1B, temporary file left by a store)"), "\(first.stdout)")
        #expect(first.stdout.hasSuffix("\(tree.path): removed 1 artifact (\(Self.human(size))), \(Self.human(2 * size)) left of 1.0GiB\n"), "\(first.stdout)")
        #expect(try names() == [older, newer, "README"])
        let trimmed = try warden(["prune", "--max", "6KiB"])
        #expect(trimmed.status == 0 && trimmed.stdout.contains("removed \(tree.url(older)) (") && trimmed.stdout.contains("last used 2023-11-14T22:13:20Z"), "\(trimmed.stdout)\(trimmed.stderr)")
        #expect(try names() == [newer, "README"])
        let all = try warden(["prune", "--all"])
        #expect(all.status == 0 && all.stdout.contains("removed \(tree.url(newer))"), "\(all.stdout)\(all.stderr)")
        #expect(try names() == ["README"])
        #expect(try warden(["list"]).stdout == "\(tree.path): 0 artifacts, 0B of 1.0GiB\n")
    }

    @Test("prune is root's: another user is refused and nothing is removed")
    func pruneNeedsRoot() throws {
        guard let setpriv = try? Command.which("setpriv") else { return }
        let kept = try artifact(Self.key(1), used: 1_700_000_000)
        let result = try Command.run(setpriv, ["--reuid", "65534", "--regid", "65534", "--clear-groups", Warden.executable,
                                               "cache", "prune", "--all", "--artifact-cache", tree.path])
        #expect(result.status == 1 && result.stderr == "warden: only root may prune the artifact cache \(tree.path) (warden cache list shows it)\n", "\(result.stderr)")
        #expect(try names() == [kept])
    }

    @Test("usage: --all with --max, a --max that is not a size, the cache turned off; a missing cache is said, not made")
    func usage() throws {
        let both = try warden(["prune", "--all", "--max", "1GiB"])
        #expect(both.status == 64 && both.stderr.hasPrefix("warden: --all and --max exclude each other"), "\(both.stderr)")
        let notSize = try warden(["prune", "--max", "lots"])
        #expect(notSize.status == 64 && notSize.stderr.contains("--max 'lots' is not a size"), "\(notSize.stderr)")
        let off = try Command.run(Warden.executable, ["cache", "list", "--artifact-cache", "off"])
        #expect(off.status == 64 && off.stderr.contains("the artifact cache is off"), "\(off.stderr)")
        let missing = try Command.run(Warden.executable, ["cache", "prune", "--artifact-cache", tree.url("none")])
        #expect(missing.status == 0 && missing.stdout == "\(tree.url("none")): no artifact cache (the directory does not exist)\n", "\(missing.stdout)\(missing.stderr)")
        #expect(!tree.exists("none"))
        let badBound = try warden(["list"], bound: "lots")
        #expect(badBound.status == 0 && badBound.stdout.hasSuffix("0 artifacts, 0B of 1.0GiB\n"), "\(badBound.stdout)")
        #expect(badBound.stderr == "warden: warning: $WARDEN_ARTIFACT_CACHE_MAX='lots' is not a size (512MiB, 2GiB) or 'none'; using 1GiB\n", "\(badBound.stderr)")
        let listed = try Command.run(Warden.executable, ["cache", "list", "--artifact-cache", tree.url("none")])
        #expect(listed.status == 0 && listed.stdout == "\(tree.url("none")): no artifact cache (the directory does not exist)\n")
    }
}
