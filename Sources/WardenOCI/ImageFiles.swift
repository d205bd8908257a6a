// Glibc for constants only: O_RDONLY
import Glibc
import WardenSystem

/// Files named by a container's config: resolved beneath its rootfs (never by host path), and
/// bind-mount sources checked on the host.
enum ImageFiles {
    struct OpenError: Error, CustomStringConvertible {
        var errno: Errno
        var detail: String
        var description: String { detail }
    }

    /// A regular file at `path` (relative) beneath `root`, opened read-only.
    static func openFile(_ path: String, in root: FileDescriptor) throws(OpenError) -> FileDescriptor {
        let fd: FileDescriptor
        do { fd = try root.open(path, flags: O_RDONLY, resolve: [.beneath, .noMagicLinks]) } catch {
            let detail = error == .crossDevice ? "resolves outside the image (refused)" : "\(error)"
            throw OpenError(errno: error, detail: detail)
        }
        guard let status = try? fd.status(), status.isRegularFile else {
            try? fd.close()
            throw OpenError(errno: .invalidArgument, detail: "not a regular file")
        }
        return fd
    }

    static func kind(of source: String, authority: AmbientAuthority) -> GrantMapping.SourceKind {
        guard let fd = try? authority.openFile(source, flags: O_PATH) else { return .missing }
        defer { try? fd.close() }
        guard let status = try? fd.status() else { return .missing }
        return status.isDirectory ? .directory : status.isRegularFile ? .file : .other
    }

    /// `warden.policy`: an absolute path is a file in the image (read beneath the rootfs; it
    /// may not add listeners); a bare name is `NAME` or `NAME.toml` in the node's policy
    /// directory (the operator's).
    static func policyLocation(_ name: String, rootfs: FileDescriptor, settings: RuntimeSettings) throws(OpenError) -> (path: String, fromNode: Bool) {
        if name.hasPrefix("/") {
            guard let relative = GrantMapping.normalized(name), !relative.isEmpty else {
                throw OpenError(errno: .invalidArgument, detail: "not a file path in the image")
            }
            let fd = try openFile(relative, in: rootfs)
            return ("/proc/self/fd/\(fd.rawValue)", false)
        }
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw OpenError(errno: .invalidArgument, detail: "a node policy is named by a plain file name")
        }
        let authority = AmbientAuthority(purpose: "warden-oci: node policies")
        for candidate in [settings.policyDirectory + "/" + name, settings.policyDirectory + "/" + name + ".toml"]
        where authority.exists(candidate) {
            return (candidate, true)
        }
        throw OpenError(errno: .noSuchFile, detail: "no such policy in \(settings.policyDirectory)")
    }
}
