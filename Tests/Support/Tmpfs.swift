import Foundation

/// A small tmpfs mounted for one test, so a full filesystem is real (ENOSPC from the kernel)
/// without filling the host's disk. Needs root (CAP_SYS_ADMIN): `available` says whether a
/// mount works here, for `.enabled(if:)`. Unmounted (lazily) when released.
public final class Tmpfs: @unchecked Sendable {
    public let path: String
    let tree: TemporaryTree
    var filler: Int32 = -1

    /// Whether this process can mount a tmpfs (tried once).
    public static let available: Bool = {
        guard let probe = try? Tmpfs(size: "64k") else { return false }
        return FileManager.default.isWritableFile(atPath: probe.path)
    }()

    public init(size: String = "1m") throws {
        tree = try TemporaryTree("warden-tmpfs")
        path = tree.path
        let result = try Command.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "warden-test", path], timeout: 10)
        guard result.status == 0 else { throw Guests.BuildError(description: "mount tmpfs failed: \(result.stderr)") }
    }

    deinit {
        if filler >= 0 { close(filler) }
        _ = try? Command.run("/bin/umount", ["-l", path], timeout: 10)
    }

    /// Fills the filesystem with one file, then gives back `leaving` bytes (rounded to pages):
    /// writes beyond that fail with ENOSPC.
    public func fill(leaving: Int = 0) throws {
        filler = open(path + "/filler", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard filler >= 0 else { throw Guests.BuildError(description: "cannot create filler: errno \(errno)") }
        let chunk = [UInt8](repeating: 0x55, count: 65536)
        var size = 0
        while true {
            let count = chunk.withUnsafeBytes { write(filler, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            size += count
        }
        guard errno == ENOSPC else { throw Guests.BuildError(description: "filling tmpfs stopped with errno \(errno), not ENOSPC") }
        if leaving > 0 { ftruncate(filler, off_t(max(0, size - leaving))) }
    }

    /// Frees the whole filler: writes succeed again.
    public func free() {
        if filler >= 0 { ftruncate(filler, 0) }
    }
}
