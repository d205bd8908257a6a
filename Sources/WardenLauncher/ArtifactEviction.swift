import Synchronization
import WardenPolicy
import WardenSystem

/// Keeping the artifact cache under its size bound. Every module version and every wasmtime
/// release leaves artifacts behind; a store (a cache miss, after a compile that took far
/// longer than this) removes the least recently used ones until the artifacts fit again.
/// Hits only mark their file used (one futimens), they never scan.
extension ArtifactCache {
    public static let boundVariable = "WARDEN_ARTIFACT_CACHE_MAX"
    /// The bound when `$WARDEN_ARTIFACT_CACHE_MAX` does not name one.
    public static let defaultBound: Int64 = 1 << 30
    /// A temporary file older than this is left from a store that died (writing even the
    /// largest artifact takes seconds): removed.
    static let temporaryLifetime: UInt64 = 15 * 60 * 1_000_000_000

    /// `$WARDEN_ARTIFACT_CACHE_MAX` read: a size as policies write them (`512MiB`, `2GiB`), or
    /// `none` for no bound; unset or empty, the default (1 GiB). A value that is neither
    /// comes back as `problem` along with the default.
    public static func configuredBound(_ text: String? = Environment.value(boundVariable)) -> (bound: Int64?, problem: String?) {
        guard let text, !text.isEmpty else { return (defaultBound, nil) }
        if text == "none" { return (nil, nil) }
        if let size = Units.size(text) { return (Int64(size), nil) }
        return (defaultBound, "$\(boundVariable)='\(text)' is not a size (512MiB, 2GiB) or 'none'; using \(Units.format(size: Int(defaultBound)))")
    }

    /// What an eviction removed and what is left.
    public struct Eviction: Sendable {
        public var removed: [ArtifactCacheEntry] = []
        /// Bytes of artifacts left.
        public var remaining: Int64 = 0
        /// Files that could not be removed, with why.
        public var failures: [String] = []
    }

    /// Which of `entries` to remove: temporary files older than `temporaryLifetime`, always;
    /// then, while the artifacts total more than `bound` bytes, first those no run can load
    /// (`.obsolete`) and then the rest, each group least recently used first; never the
    /// artifact named `keeping` (just written: it stays even when it alone is over the bound).
    /// `dropObsolete` (`warden cache prune`): the obsolete ones go even under the bound.
    static func evictionPlan(_ entries: [ArtifactCacheEntry], bound: Int64?, keeping: String?, now: UInt64,
                             dropObsolete: Bool = false) -> [ArtifactCacheEntry] {
        var plan = entries.filter { $0.kind == .temporary && now > $0.written && now - $0.written > temporaryLifetime }
        let artifacts = entries.filter { $0.kind == .artifact && $0.name != keeping }
        var total = entries.filter { $0.kind == .artifact }.reduce(Int64(0)) { $0 + $1.size }
        func obsolete(_ entry: ArtifactCacheEntry) -> Bool { if case .obsolete = entry.state { true } else { false } }
        let order = artifacts.sorted { a, b in
            if obsolete(a) != obsolete(b) { return obsolete(a) }
            return a.lastUse != b.lastUse ? a.lastUse < b.lastUse : a.name < b.name
        }
        for entry in order {
            let over = bound.map { total > $0 } ?? false
            guard over || (dropObsolete && obsolete(entry)) else { break }
            plan.append(entry)
            total -= entry.size
        }
        return plan
    }

    /// Removes what `evictionPlan` chooses. Headers are read only when the artifacts are over
    /// the bound (to find the obsolete ones). A file another process removed first counts as
    /// removed by neither; one it stored again meanwhile may go too (it is only a cache).
    public func evict(bound: Int64?, keeping: String? = nil, dropObsolete: Bool = false) throws(ArtifactError) -> Eviction {
        var entries = try self.entries(readHeaders: false)
        let total = entries.filter { $0.kind == .artifact }.reduce(Int64(0)) { $0 + $1.size }
        if dropObsolete || bound.map({ total > $0 }) == true {
            for index in entries.indices where entries[index].kind == .artifact { readHeader(&entries[index]) }
        }
        let now = (try? SystemClock.realtime.now()) ?? 0
        var eviction = Eviction()
        eviction.remaining = total
        for entry in Self.evictionPlan(entries, bound: bound, keeping: keeping, now: now, dropObsolete: dropObsolete) {
            do throws(Errno) {
                try directory.unlink(entry.name, directory: false)
                eviction.removed.append(entry)
                if entry.kind == .artifact { eviction.remaining -= entry.size }
            } catch {
                if error == .noSuchFile {
                    if entry.kind == .artifact { eviction.remaining -= entry.size }
                } else {
                    eviction.failures.append("cannot remove \(path)/\(entry.name): \(error)")
                }
            }
        }
        return eviction
    }

    /// After a store: evicts to the configured bound, keeping `name`. Never fails the run; the
    /// first problem in this process is one line on standard error.
    func evictAfterStore(keeping name: String) {
        if let problem = boundProblem { Self.warnOnce(problem) }
        do {
            let eviction = try evict(bound: bound, keeping: name)
            if let failure = eviction.failures.first { Self.warnOnce("artifact cache eviction: \(failure)") }
        } catch {
            Self.warnOnce("artifact cache eviction: \(error)")
        }
    }

    private static let warned = Atomic<Bool>(false)

    static func warnOnce(_ message: String) {
        guard !warned.exchange(true, ordering: .relaxed) else { return }
        OperatorOutput.printError("warden: warning: \(message)")
    }
}
