import WardenAudit
import WardenLauncher
import WardenPolicy
import WardenSystem

/// `warden cache list` and `warden cache prune`: the artifact cache as an operator sees it.
/// Listing reads each artifact's header (not its code) and does not count as a use; pruning
/// is root's, as every write to the cache is, and removes only the cache's own files.
public enum CacheCommandCore {
    /// What went wrong, and the exit status it means.
    public struct Failure: Error, Sendable {
        public let status: Int32
        public let message: String
    }

    /// Prints the cache's artifacts, most recently used first. Exit status 0, or 1 when the
    /// cache cannot be read, 64 when it is off.
    public static func list(cache: String?) -> Int32 {
        report { () throws(Failure) in
            guard let cache = try open(cache) else { return "\(ArtifactCache.configuredPath(cache)): no artifact cache (the directory does not exist)\n" }
            do throws(ArtifactError) { return listing(cache, try cache.entries(readHeaders: true)) } catch {
                throw Failure(status: 1, message: error.description)
            }
        }
    }

    /// Root only: removes stale temporary files and artifacts no run can load, then the least
    /// recently used artifacts until the rest fit `max` (default: the configured bound);
    /// `all` removes every artifact. Exit status 0, 1 when something could not be removed or
    /// this is not root, 64 when the cache is off.
    public static func prune(cache: String?, max: Int64?, all: Bool) -> Int32 {
        report { () throws(Failure) in
            guard ProcessControl.effectiveUserID == 0 else {
                throw Failure(status: 1, message: "only root may prune the artifact cache \(ArtifactCache.configuredPath(cache)) (warden cache list shows it)")
            }
            guard let cache = try open(cache) else { return "\(ArtifactCache.configuredPath(cache)): no artifact cache (the directory does not exist)\n" }
            let bound: Int64? = all ? 0 : (max ?? cache.bound)
            let eviction: ArtifactCache.Eviction
            do throws(ArtifactError) { eviction = try cache.evict(bound: bound, dropObsolete: true) } catch {
                throw Failure(status: 1, message: error.description)
            }
            let text = pruned(eviction, path: cache.path, bound: bound)
            guard eviction.failures.isEmpty else {
                try? FileDescriptor.standardOutput.writeAll(text)
                throw Failure(status: 1, message: eviction.failures.joined(separator: "\nwarden: "))
            }
            return text
        }
    }

    /// Runs `body`, prints its text or its failure; returns the exit status.
    static func report(_ body: () throws(Failure) -> String) -> Int32 {
        let text: String
        do throws(Failure) { text = try body() } catch {
            OperatorOutput.printError("warden: \(OperatorOutput.sanitized(error.message))")
            return error.status
        }
        try? FileDescriptor.standardOutput.writeAll(text)
        return 0
    }

    /// The cache at `configured`, nil when the directory does not exist (it is not created
    /// here).
    static func open(_ configured: String?) throws(Failure) -> ArtifactCache? {
        let path = ArtifactCache.configuredPath(configured)
        if path == "off" { throw Failure(status: ExitStatus.usage, message: "the artifact cache is off; name its directory with --artifact-cache DIR") }
        let authority = AmbientAuthority(purpose: "warden cache: the artifact cache directory")
        guard authority.isDirectory(path) else { return nil }
        let cache: ArtifactCache?
        do throws(ArtifactError) { cache = try ArtifactCache.open(path, authority: authority) } catch {
            throw Failure(status: 1, message: error.description)
        }
        if let problem = cache?.boundProblem { OperatorOutput.printError("warden: warning: \(problem)") }
        return cache
    }

    /// The listing: a summary line, a table, and why each unusable artifact is.
    static func listing(_ cache: ArtifactCache, _ entries: [ArtifactCacheEntry]) -> String {
        let artifacts = entries.filter { $0.kind == .artifact }
        let total = artifacts.reduce(Int64(0)) { $0 + $1.size }
        var out = "\(cache.path): \(artifacts.count) artifact\(artifacts.count == 1 ? "" : "s"), \(size(total)) of \(cache.bound.map(size) ?? "no bound")"
        let temporaries = entries.count - artifacts.count
        if temporaries > 0 { out += ", \(temporaries) temporary file\(temporaries == 1 ? "" : "s")" }
        out += "\n"
        guard !entries.isEmpty else { return out }
        var rows = [["LAST USE", "SIZE", "STATE", "MODULE", "ENGINE", "FUEL", "FILE"]]
        var notes: [String] = []
        for entry in entries.sorted(by: { $0.lastUse != $1.lastUse ? $0.lastUse > $1.lastUse : $0.name < $1.name }) {
            let fields = entry.key.map(keyFields) ?? [:]
            let state: String
            switch (entry.kind, entry.state) {
            case (.temporary, _): state = "temporary"
            case (_, .current), (_, .unknown): state = "current"
            case (_, .obsolete(let why)): state = "obsolete"; notes.append("\(entry.name): no run of this warden can load it: \(why)")
            case (_, .damaged(let why)): state = "damaged"; notes.append("\(entry.name): \(why)")
            }
            let module = fields["module"].map { String($0.prefix("sha256:".count + 16)) } ?? "-"
            let fuel = fields["code"].map { $0.contains("fuel=on") ? "on" : "off" } ?? "-"
            rows.append([time(entry.lastUse), size(entry.size), state, module, fields["engine"] ?? "-", fuel, entry.name])
        }
        out += table(rows)
        for note in notes { out += "\n" + OperatorOutput.sanitized(note) }
        return notes.isEmpty ? out : out + "\n"
    }

    /// What a prune removed, one line a file, then what is left.
    static func pruned(_ eviction: ArtifactCache.Eviction, path: String, bound: Int64?) -> String {
        var out = ""
        for entry in eviction.removed {
            let why: String
            switch (entry.kind, entry.state) {
            case (.temporary, _): why = "temporary file left by a store"
            case (_, .obsolete): why = "obsolete"
            default: why = "last used \(time(entry.lastUse))"
            }
            out += "removed \(path)/\(entry.name) (\(size(entry.size)), \(why))\n"
        }
        let artifacts = eviction.removed.filter { $0.kind == .artifact }
        let freed = artifacts.reduce(Int64(0)) { $0 + $1.size }
        out += "\(path): removed \(artifacts.count) artifact\(artifacts.count == 1 ? "" : "s") (\(size(freed)))"
        out += ", \(size(eviction.remaining)) left of \(bound.map(size) ?? "no bound")\n"
        return out
    }

    /// Key fields by name (`module`, `engine`, `code`, `target`), as the header writes them.
    static func keyFields(_ key: String) -> [String: String] {
        var fields: [String: String] = [:]
        var rest = Substring(key)
        if let open = rest.firstRange(of: " code=["), let close = rest[open.upperBound...].firstIndex(of: "]") {
            fields["code"] = String(rest[open.upperBound..<close])
            rest = rest[..<open.lowerBound] + rest[rest.index(after: close)...]
        }
        for word in rest.split(separator: " ") {
            guard let equals = word.firstIndex(of: "=") else { continue }
            fields[String(word[..<equals])] = String(word[word.index(after: equals)...])
        }
        return fields
    }

    /// `4.2KiB`, `1.5MiB`; exact below 1 KiB (`312B`).
    static func size(_ bytes: Int64) -> String {
        guard bytes >= 1024 else { return "\(bytes)B" }
        var value = Double(bytes) / 1024
        for unit in ["KiB", "MiB", "GiB"] {
            if value < 1024 || unit == "GiB" {
                let tenths = Int((value * 10).rounded())
                return "\(tenths / 10).\(tenths % 10)\(unit)"
            }
            value /= 1024
        }
        return "\(bytes)B"
    }

    /// RFC 3339 UTC to the second.
    static func time(_ nanoseconds: UInt64) -> String {
        let text = AuditTime(millisecondsSinceEpoch: Int64(nanoseconds / 1_000_000)).description
        return String(text.prefix(19)) + "Z"
    }


    static func table(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
