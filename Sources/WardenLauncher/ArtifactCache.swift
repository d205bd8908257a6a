// Glibc for constants only: O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW
import Glibc
import WardenSystem

/// Compiled artifacts kept between runs, one file per key (`ArtifactKey.fileName`), in a
/// directory only root may write. Loading an artifact means running its native code in the
/// worker, so the cache is trusted exactly as much as the warden binary: the directory must
/// be owned by root and writable by no group or other, each artifact too, or the cache is
/// refused (the run does not start) rather than used.
///
/// Where it is: `--artifact-cache DIR`, else `$WARDEN_ARTIFACT_CACHE`, else
/// `/var/cache/warden`; `off` turns it off (the worker then compiles the module itself).
/// How large it may grow: `$WARDEN_ARTIFACT_CACHE_MAX` (default 1 GiB); a store evicts the
/// least recently used artifacts beyond it (ArtifactEviction.swift), a hit marks its file used.
public final class ArtifactCache {
    public static let defaultDirectory = "/var/cache/warden"
    public static let environmentVariable = "WARDEN_ARTIFACT_CACHE"
    /// An artifact larger than this is not read (the module limit, plus room for code).
    static let maximumArtifact = 2 << 30

    public let path: String
    let directory: FileDescriptor
    /// The size the artifacts are kept under (nil: no bound), from `$WARDEN_ARTIFACT_CACHE_MAX`.
    public internal(set) var bound: Int64?
    /// Why `$WARDEN_ARTIFACT_CACHE_MAX` was not used, if it was set and is not a size.
    public let boundProblem: String?

    private init(path: String, directory: FileDescriptor) {
        self.path = path
        self.directory = directory
        (bound, boundProblem) = Self.configuredBound()
    }

    deinit { try? directory.close() }

    /// The configured directory name: the flag's, else the environment's, else the default.
    public static func configuredPath(_ flag: String?) -> String {
        flag ?? Environment.value(environmentVariable).flatMap { $0.isEmpty ? nil : $0 } ?? defaultDirectory
    }

    /// The cache at `configured` (see `configuredPath`), created (0755) when root and missing.
    /// nil when it is `off`, or missing and not creatable by this (non-root) process. Throws when
    /// it exists but someone other than root could write it.
    public static func open(_ configured: String?, authority: AmbientAuthority) throws(ArtifactError) -> ArtifactCache? {
        let path = configuredPath(configured)
        if path == "off" { return nil }
        if !authority.isDirectory(path) {
            guard ProcessControl.effectiveUserID == 0 else { return nil }
            do throws(Errno) { try authority.makeDirectory(path, mode: 0o755) } catch {
                if error != .exists {
                    throw ArtifactError("cannot create the artifact cache \(path): \(error) (--artifact-cache DIR names another, 'off' turns it off)")
                }
            }
        }
        let directory: FileDescriptor
        do { directory = try authority.openDirectory(path) } catch {
            throw ArtifactError("cannot open the artifact cache \(path): \(error)")
        }
        do {
            let status = try directory.status()
            if let problem = writableByOthers(status) {
                try? directory.close()
                throw ArtifactError("refusing the artifact cache \(path): it \(problem); an artifact is native code the worker runs, so only root may write there (chown root \(path); chmod go-w \(path)), or pass --artifact-cache off")
            }
        } catch let error as Errno {
            try? directory.close()
            throw ArtifactError("cannot examine the artifact cache \(path): \(error)")
        } catch let error as ArtifactError {
            throw error
        } catch {
            throw ArtifactError("\(error)")
        }
        return ArtifactCache(path: path, directory: directory)
    }

    /// Why a file or directory could be written by someone other than root, or nil.
    static func writableByOthers(_ status: FileStatus) -> String? {
        if status.owner != 0 { return "is owned by uid \(status.owner), not root" }
        if status.mode & 0o022 != 0 { return "is writable by its group or by others (mode \(String(status.mode & 0o7777, radix: 8)))" }
        return nil
    }

    /// The verified code for `key`, or nil when the cache has none. Throws when the file
    /// there is not to be trusted (writable by others, not a regular file) or fails the
    /// header's checks: a damaged cache is reported, never silently used or replaced.
    /// A hit marks the file used (its access time, for eviction): one futimens on the open
    /// descriptor, no directory scan; a process that may not (not root) leaves it.
    public func lookup(_ key: ArtifactKey) throws(ArtifactError) -> [UInt8]? {
        let name = key.fileName
        let file: FileDescriptor
        do { file = try directory.open(name, flags: O_RDONLY | O_NOFOLLOW) } catch {
            if error == .noSuchFile { return nil }
            throw ArtifactError("cannot open \(path)/\(name): \(error)")
        }
        defer { try? file.close() }
        let bytes: [UInt8]
        do {
            let status = try file.status()
            guard status.isRegularFile else { throw ArtifactError("\(path)/\(name) is not a regular file; refusing it") }
            if let problem = Self.writableByOthers(status) { throw ArtifactError("refusing \(path)/\(name): it \(problem)") }
            bytes = try file.readToEnd(limit: Self.maximumArtifact)
        } catch let error as ArtifactError {
            throw error
        } catch {
            throw ArtifactError("cannot read \(path)/\(name): \(error)")
        }
        let payload = try ArtifactFile.payload(of: bytes, expected: key, name: "\(path)/\(name)")
        try? file.markAccessed()
        return payload
    }

    /// Writes `payload` under `key`: a new file beside it, then a rename, so a reader sees the
    /// old file or the whole new one, never a part. Then evicts down to `bound`, never the
    /// file just written; an eviction problem is a warning, never a failed store.
    public func store(_ key: ArtifactKey, payload: [UInt8]) throws(ArtifactError) {
        let name = key.fileName
        let temporary = ".\(name).\(ProcessControl.currentID).tmp"
        do {
            let file = try directory.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o644)
            do {
                defer { try? file.close() }
                let bytes = ArtifactFile.encode(key: key, payload: payload)
                let written: Errno? = bytes.withUnsafeBytes { buffer in
                    do throws(Errno) { try file.writeAll(buffer); return nil } catch { return error }
                }
                if let written { throw written }
                try file.sync()
            }
            try directory.rename(temporary, to: directory, name)
        } catch {
            try? directory.unlink(temporary, directory: false)
            throw ArtifactError("cannot write \(path)/\(name): \(error)")
        }
        evictAfterStore(keeping: name)
    }
}
