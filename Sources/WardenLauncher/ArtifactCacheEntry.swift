// Glibc for constants only: O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NOATIME
import Glibc
import WardenSystem

/// One file of the artifact cache that the cache itself made and may therefore remove: an
/// artifact (`ArtifactKey.fileName`: 64 hex digits, `.cwasm`) or the temporary file a store
/// writes before its rename (`.NAME.PID.tmp`). Every other name in the directory is not ours:
/// it is never listed, counted or removed.
public struct ArtifactCacheEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case artifact, temporary }

    /// What the header says about loading it (read only when asked for: a stat is enough to
    /// sum sizes).
    public enum State: Sendable, Equatable {
        /// Not read.
        case unknown
        /// A run of this warden could load it (when its module runs with its settings).
        case current
        /// No run of this warden can ever load it: another format, wasmtime release, code
        /// settings or machine. Evicted first.
        case obsolete(String)
        /// Its header cannot be read as an artifact's; a lookup would refuse it.
        case damaged(String)
    }

    public let name: String
    public let kind: Kind
    public let size: Int64
    /// The last use, in nanoseconds since the epoch: the access time, set when the file is
    /// stored and at every cache hit (explicitly, so noatime and relatime mounts do not matter).
    public let lastUse: UInt64
    /// When it was written (the modification time), nanoseconds since the epoch.
    public let written: UInt64
    /// The key line of its header, when read and present.
    public internal(set) var key: String?
    public internal(set) var state: State = .unknown

    init(name: String, kind: Kind, size: Int64, lastUse: UInt64, written: UInt64) {
        self.name = name
        self.kind = kind
        self.size = size
        self.lastUse = lastUse
        self.written = written
    }

    /// The kind of file `name` is, or nil when the cache did not make it.
    static func kind(of name: String) -> Kind? {
        if ArtifactKey.isFileName(name) { return .artifact }
        // `.NAME.PID.tmp`, NAME an artifact's name.
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return nil }
        let middle = name.dropFirst().dropLast(".tmp".count)
        guard let dot = middle.lastIndex(of: ".") else { return nil }
        let pid = middle[middle.index(after: dot)...]
        guard !pid.isEmpty, pid.allSatisfy({ ("0"..."9").contains($0) }), ArtifactKey.isFileName(String(middle[..<dot])) else { return nil }
        return .temporary
    }
}

extension ArtifactCache {
    /// The cache's own files (see `ArtifactCacheEntry`): regular files only, a symlink or
    /// directory with such a name is not ours either. `readHeaders` also reads each artifact's
    /// header (its first 4 KiB, without touching its access time where this process may) to
    /// fill `key` and `state`.
    public func entries(readHeaders: Bool) throws(ArtifactError) -> [ArtifactCacheEntry] {
        let names: [String]
        do {
            // A descriptor of its own: reading entries moves the directory's offset.
            let listing = try directory.open(".", flags: O_RDONLY | O_DIRECTORY)
            defer { try? listing.close() }
            names = try listing.entryNames()
        } catch {
            throw ArtifactError("cannot list the artifact cache \(path): \(error)")
        }
        var entries: [ArtifactCacheEntry] = []
        for name in names {
            guard let kind = ArtifactCacheEntry.kind(of: name) else { continue }
            // Gone since the listing (another process evicted or renamed it): skip it.
            guard let status = try? directory.status(of: name, followSymlinks: false), status.isRegularFile else { continue }
            var entry = ArtifactCacheEntry(name: name, kind: kind, size: status.size,
                                           lastUse: Self.nanoseconds(status.accessTime), written: Self.nanoseconds(status.modificationTime))
            if readHeaders && kind == .artifact { readHeader(&entry) }
            entries.append(entry)
        }
        return entries
    }

    /// Fills `entry.key` and `entry.state` from its header.
    func readHeader(_ entry: inout ArtifactCacheEntry) {
        let file: FileDescriptor
        do {
            // O_NOATIME: listing is not a use. Only the owner (or CAP_FOWNER) may ask for it.
            do { file = try directory.open(entry.name, flags: O_RDONLY | O_NOFOLLOW | O_NOATIME) } catch {
                guard error == .permissionDenied else { throw error }
                file = try directory.open(entry.name, flags: O_RDONLY | O_NOFOLLOW)
            }
        } catch {
            entry.state = .damaged("cannot open it: \(error)")
            return
        }
        defer { try? file.close() }
        var bytes = [UInt8](repeating: 0, count: ArtifactFile.maximumHeader)
        var count = 0
        while count < bytes.count {
            let read: Int
            do {
                read = try bytes.withUnsafeMutableBytes { (buffer) throws(Errno) in
                    try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
                }
            } catch {
                entry.state = .damaged("cannot read it: \(error)")
                return
            }
            if read == 0 { break }
            count += read
        }
        do {
            let (fields, _) = try ArtifactFile.header(of: bytes.prefix(count), name: entry.name)
            guard let key = fields["key"] else { entry.state = .damaged("its header has no key"); return }
            entry.key = key
            entry.state = ArtifactKey.neverLoaded(keyText: key, fileName: entry.name).map { .obsolete($0) } ?? .current
        } catch {
            entry.state = .damaged(error.description)
        }
    }

    static func nanoseconds(_ time: timespec) -> UInt64 {
        time.tv_sec < 0 ? 0 : UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(max(0, time.tv_nsec))
    }
}
