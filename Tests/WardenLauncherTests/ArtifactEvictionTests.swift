import Foundation
import Glibc
import Testing
@testable import WardenLauncher
import WardenSystem
import WardenWASI
import WardenTestSupport

/// The artifact cache's size bound: a store evicts the least recently used artifacts (those
/// no run can load first), never the one just written, never a file the cache did not make;
/// a hit marks its file used. Real files in a root-owned temporary directory, no engine.
@Suite(.enabled(if: geteuid() == 0, "the artifact cache is root's: these tests run as root"))
struct ArtifactEvictionTests: ArtifactCacheFixture {
    let tree: TemporaryTree
    let cache: ArtifactCache

    init() throws {
        tree = try TemporaryTree("warden-evict")
        cache = try #require(try ArtifactCache.open(tree.path, authority: AmbientAuthority(purpose: "eviction tests")))
    }

    @Test("over the bound, the least recently used artifacts go first, until the rest fit")
    func leastRecentlyUsedFirst() throws {
        let a = try artifact(Self.key(1), used: 1_000_000_300)
        let b = try artifact(Self.key(2), used: 1_000_000_100)  // the oldest use
        let c = try artifact(Self.key(3), used: 1_000_000_400)
        let d = try artifact(Self.key(4), used: 1_000_000_200)
        let eviction = try cache.evict(bound: 2 * size + 10)
        #expect(eviction.removed.map(\.name) == [b, d], "\(eviction.removed.map(\.name))")
        #expect(try names() == [a, c])
        #expect(eviction.remaining == 2 * size && eviction.failures.isEmpty)
        // Under the bound nothing more goes.
        #expect(try cache.evict(bound: 2 * size).removed.isEmpty)
        #expect(try names() == [a, c])
    }

    @Test("the artifact just written stays even when it alone is over the bound")
    func justWrittenStays() throws {
        let old = try artifact(Self.key(1), used: 1_000_000_000)
        try artifact(Self.key(2), used: 1_000_000_500)
        let eviction = try cache.evict(bound: 1, keeping: old)
        #expect(eviction.removed.count == 1 && eviction.removed[0].name != old)
        #expect(try names() == [old])
    }

    @Test("a store evicts down to the bound and keeps what it stored; a hit marks its file used, rewriting nothing")
    func storeAndHit() throws {
        cache.bound = 2 * size + 100
        try cache.store(Self.key(1), payload: [UInt8](repeating: 1, count: Self.payload))
        try cache.store(Self.key(2), payload: [UInt8](repeating: 2, count: Self.payload))
        let first = Self.key(1).fileName, second = Self.key(2).fileName
        // Setting times moves the change time to now, and relatime then updates the access
        // time on the next read anyway; an access time ahead of the change time it leaves
        // alone, so only the cache's own mark can bring the first one back to now.
        let now = Int(time(nil))
        try setTimes(first, access: now + 3600, modification: now - 7200)
        try setTimes(second, access: now - 1800, modification: now - 7200)
        // A hit on the first: its use time moves to now, its modification time stays.
        #expect(try cache.lookup(Self.key(1)) == [UInt8](repeating: 1, count: Self.payload))
        let marked = accessTime(first)
        #expect(abs(marked.access - now) < 60 && marked.modification == now - 7200, "\(marked)")
        // The third store is over the bound: the second (least recently used now) goes.
        try cache.store(Self.key(3), payload: [UInt8](repeating: 3, count: Self.payload))
        #expect(try names() == [first, Self.key(3).fileName])
        #expect(try cache.lookup(Self.key(2)) == nil)
    }

    @Test("artifacts no run can load (another wasmtime release) go before any loadable one")
    func obsoleteFirst() throws {
        let stale = try obsoleteArtifact(1, used: 1_000_000_900)  // the most recently used
        let old = try artifact(Self.key(2), used: 1_000_000_100)
        let recent = try artifact(Self.key(3), used: 1_000_000_200)
        let eviction = try cache.evict(bound: 2 * size + 10)
        #expect(eviction.removed.map(\.name) == [stale])
        #expect(try names() == [old, recent])
        let entries = try cache.entries(readHeaders: true)
        #expect(entries.allSatisfy { $0.state == .current })
        // Entries say why an obsolete one can never load.
        try obsoleteArtifact(4, used: 1_000_000_000)
        let obsolete = try cache.entries(readHeaders: true).first { if case .obsolete = $0.state { true } else { false } }
        guard case .obsolete(let reason)? = obsolete?.state else { Issue.record("no obsolete entry"); return }
        #expect(reason.contains("its engine: wasmtime-49.0.3") && reason.contains("this warden's: wasmtime-\(EngineRelease.wasmtime)"), "\(reason)")
    }

    @Test("only the cache's own files are removed: foreign names, directories and symlinks stay")
    func foreignFilesStay() throws {
        let artifactName = try artifact(Self.key(1), used: 1_000_000_000)
        try tree.write("README", "not ours")
        try write("NOTOURS.cwasm", Array("x".utf8), used: 1_000_000_000)
        try write(String(repeating: "A", count: 64) + ".cwasm", Array("upper case".utf8), used: 1_000_000_000)
        try write(String(repeating: "a", count: 64) + ".cwasm.bak", Array("a backup".utf8), used: 1_000_000_000)
        try write(".notes.123.tmp", Array("not an artifact's temporary".utf8), used: 1_000_000_000)
        try tree.makeDirectory(String(repeating: "b", count: 64) + ".cwasm")
        try tree.symlink(String(repeating: "c", count: 64) + ".cwasm", to: tree.url("README"))
        let before = try names()
        let eviction = try cache.evict(bound: 0)
        #expect(eviction.removed.map(\.name) == [artifactName])
        #expect(try names() == before.subtracting([artifactName]))
        #expect(try tree.read("README") == "not ours")
    }

    @Test("a store's temporary file left over 15 minutes is removed, under the bound too; a fresh one stays")
    func staleTemporaries() throws {
        let name = Self.key(1).fileName
        let now = Int(time(nil))
        let stale = try write(".\(name).4242.tmp", [1, 2, 3], used: now - 3600, written: now - 3600)
        let fresh = try write(".\(Self.key(2).fileName).4243.tmp", [1, 2, 3], used: now - 10, written: now - 10)
        let kept = try artifact(Self.key(3), used: now)
        let eviction = try cache.evict(bound: nil)
        #expect(eviction.removed.map(\.name) == [stale])
        #expect(try names() == [fresh, kept])
    }

    @Test("$WARDEN_ARTIFACT_CACHE_MAX: a policy size, none, or the 1 GiB default with a problem")
    func configuredBound() {
        #expect(ArtifactCache.configuredBound("512MiB").bound == 512 << 20 && ArtifactCache.configuredBound("512MiB").problem == nil)
        #expect(ArtifactCache.configuredBound("none").bound == nil)
        #expect(ArtifactCache.configuredBound(nil).bound == 1 << 30 && ArtifactCache.configuredBound(nil).problem == nil)
        #expect(ArtifactCache.configuredBound("").bound == 1 << 30)
        let bad = ArtifactCache.configuredBound("lots")
        #expect(bad.bound == 1 << 30 && bad.problem?.contains("WARDEN_ARTIFACT_CACHE_MAX='lots' is not a size") == true)
    }

    @Test("file names: artifacts and their temporaries, nothing else")
    func fileNames() {
        let name = Self.key(1).fileName
        #expect(ArtifactCacheEntry.kind(of: name) == .artifact)
        #expect(ArtifactCacheEntry.kind(of: ".\(name).17.tmp") == .temporary)
        for other in [".\(name).tmp", ".\(name).x7.tmp", "\(name).17.tmp", ".\(name)..tmp", name.uppercased(), "a.cwasm", name + "x"] {
            #expect(ArtifactCacheEntry.kind(of: other) == nil, "\(other)")
        }
    }
}

/// A root-owned temporary cache directory with artifacts written by hand: real headers, use
/// times set with utimensat.
protocol ArtifactCacheFixture {
    var tree: TemporaryTree { get }
}

extension ArtifactCacheFixture {
    /// A payload size that makes each artifact a little over 4 KiB.
    static var payload: Int { 4000 }

    static func key(_ index: Int, metered: Bool = false) -> ArtifactKey {
        ArtifactKey(moduleDigest: SHA256.hex(of: Array("module \(index)".utf8)), fuelMetered: metered)
    }

    /// Writes an artifact for `key` (with its own header) and sets its last use to `used`
    /// seconds since the epoch; returns its name.
    @discardableResult
    func artifact(_ key: ArtifactKey, used: Int) throws -> String {
        try write(key.fileName, ArtifactFile.encode(key: key, payload: [UInt8](repeating: 7, count: Self.payload)), used: used)
    }

    /// An artifact compiled by another wasmtime release (it can never be loaded here).
    @discardableResult
    func obsoleteArtifact(_ index: Int, used: Int) throws -> String {
        let text = Self.key(index).description.replacing("engine=wasmtime-\(EngineRelease.wasmtime)", with: "engine=wasmtime-49.0.3")
        #expect(text != Self.key(index).description)
        let payload = [UInt8](repeating: 9, count: Self.payload)
        let header = "WARDEN-ARTIFACT\nkey: \(text)\npayload-sha256: \(SHA256.hex(of: payload))\npayload-bytes: \(payload.count)\n\n"
        return try write(SHA256.hex(of: Array(text.utf8)) + ".cwasm", Array(header.utf8) + payload, used: used)
    }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8], used: Int, written: Int? = nil) throws -> String {
        #expect(FileManager.default.createFile(atPath: tree.url(name), contents: Data(bytes), attributes: [.posixPermissions: 0o644]))
        try setTimes(name, access: used, modification: written ?? used)
        return name
    }

    func setTimes(_ name: String, access: Int, modification: Int) throws {
        var times = [timespec(tv_sec: access, tv_nsec: 0), timespec(tv_sec: modification, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, tree.url(name), &times, AT_SYMLINK_NOFOLLOW) == 0, "utimensat \(name): errno \(errno)")
    }

    func names() throws -> Set<String> { Set(try FileManager.default.contentsOfDirectory(atPath: tree.path)) }

    func accessTime(_ name: String) -> (access: Int, modification: Int) {
        var info = stat()
        _ = lstat(tree.url(name), &info)
        return (info.st_atim.tv_sec, info.st_mtim.tv_sec)
    }

    var size: Int64 { Int64(ArtifactFile.encode(key: Self.key(0), payload: [UInt8](repeating: 0, count: Self.payload)).count) }

}
