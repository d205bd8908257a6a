// Glibc for constants only: O_RDONLY, O_NOFOLLOW
import Glibc
import WardenSystem

/// Where a wasmtime run's code comes from: an artifact named on the command line
/// (`--artifact FILE`), the cache (compiled by a compile-only worker on a miss, then kept), or
/// nowhere (the cache is off: the run's own worker compiles before the module's first
/// instruction). WasmKit interprets and keeps no code.
enum ArtifactSource {
    /// The verified serialized code for running `moduleBytes` (hashing to `digest`) as
    /// `options` says, or nil when the worker is to compile it itself.
    static func code(for moduleBytes: [UInt8], digest: String?, options: RunOptions, moduleName: String,
                     auditor: RunAuditor) throws(ArtifactError) -> [UInt8]? {
        try resolve(moduleBytes, digest: digest, options: options, moduleName: moduleName, auditor: auditor).code
    }

    /// As `code`, and where that code came from (for `warden status`).
    static func resolve(_ moduleBytes: [UInt8], digest: String?, options: RunOptions, moduleName: String,
                        auditor: RunAuditor) throws(ArtifactError) -> (code: [UInt8]?, provenance: CodeProvenance) {
        guard options.engine == "wasmtime" else { return (nil, .interpreted) }
        let key = ArtifactKey(moduleDigest: digest ?? SHA256.hex(of: moduleBytes), fuelMetered: options.fuel != nil)
        let authority = AmbientAuthority(purpose: "compiled artifacts: --artifact FILE and the artifact cache")
        if let path = options.artifactPath {
            let code = try named(path, key: key, authority: authority)
            options.timeline?.mark("artifact verified")
            return (code, .artifactFile(path))
        }
        guard let cache = try ArtifactCache.open(options.artifactCache, authority: authority) else { return (nil, .workerCompiles) }
        if let code = try cache.lookup(key) {
            options.timeline?.mark("artifact found in cache")
            return (code, .cacheHit(cache.path))
        }
        let code = try ArtifactCompiler.compile(moduleBytes, options: options, moduleName: moduleName, auditor: auditor)
        options.timeline?.mark("artifact compiled")
        // A cache this process cannot write (not root) still served the lookup; the code
        // just made is used for this run either way.
        let stores = ProcessControl.effectiveUserID == 0
        if stores { try cache.store(key, payload: code) }
        return (code, .compiled(storedIn: stores ? cache.path : nil))
    }

    /// `--artifact FILE`: owned by root or by whoever runs warden, writable by no one else,
    /// and compiled under exactly `key`.
    static func named(_ path: String, key: ArtifactKey, authority: AmbientAuthority) throws(ArtifactError) -> [UInt8] {
        let bytes: [UInt8]
        do {
            let file = try authority.openFile(path, flags: O_RDONLY | O_NOFOLLOW)
            defer { try? file.close() }
            let status = try file.status()
            guard status.isRegularFile else { throw ArtifactError("artifact \(path) is not a regular file") }
            let owner = status.owner
            if owner != 0 && owner != ProcessControl.effectiveUserID {
                throw ArtifactError("refusing artifact \(path): it is owned by uid \(owner), neither root nor you; an artifact is native code the worker runs")
            }
            if status.mode & 0o022 != 0 {
                throw ArtifactError("refusing artifact \(path): it is writable by its group or by others (mode \(String(status.mode & 0o7777, radix: 8))); an artifact is native code the worker runs")
            }
            bytes = try file.readToEnd(limit: ArtifactCache.maximumArtifact)
        } catch let error as ArtifactError {
            throw error
        } catch {
            throw ArtifactError("cannot read artifact \(path): \(error)")
        }
        return try ArtifactFile.payload(of: bytes, expected: key, name: "artifact \(path)")
    }
}

/// Where a run's code came from, as `warden status` tells it.
public enum CodeProvenance: Sendable, Equatable {
    /// WasmKit: an interpreter, nothing compiled.
    case interpreted
    /// `--artifact FILE`.
    case artifactFile(String)
    /// Found in the artifact cache at this path.
    case cacheHit(String)
    /// Not in the cache: compiled by a compile-only worker, then stored in the cache at this
    /// path (nil: this process may not write it).
    case compiled(storedIn: String?)
    /// The cache is off: each worker compiles the module itself before running it.
    case workerCompiles

    /// One word for JSON: `interpreted`, `artifact-file`, `cache-hit`, `compiled`, `worker-compiles`.
    public var name: String {
        switch self {
        case .interpreted: "interpreted"
        case .artifactFile: "artifact-file"
        case .cacheHit: "cache-hit"
        case .compiled: "compiled"
        case .workerCompiles: "worker-compiles"
        }
    }

    /// In words: `from the artifact cache /var/cache/warden (hit)`.
    public var description: String {
        switch self {
        case .interpreted: "interpreted by WasmKit (nothing compiled)"
        case .artifactFile(let path): "from the artifact \(path)"
        case .cacheHit(let path): "from the artifact cache \(path) (hit)"
        case .compiled(let path?): "compiled at load by a compile-only worker, stored in the artifact cache \(path) (miss)"
        case .compiled(nil): "compiled at load by a compile-only worker, not stored (the artifact cache is root's)"
        case .workerCompiles: "compiled by each worker before the module runs (the artifact cache is off)"
        }
    }
}
