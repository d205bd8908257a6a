import Glibc

// The host side of the WASI harness: a temporary tree with a writable grant, a read-only
// grant and canaries outside both, plus the checks run after every input.
//
//   T/canary            outside: must never be opened, read or changed
//   T/outside/secret    outside, in a directory: the same
//   T/ro/r, T/ro/sub/   the read-only grant: readable, never changed
//   T/root/             the read-write grant, rebuilt before every input:
//     a, d/b, d/e/      files and directories
//     up -> ../canary, abs -> T/canary, out -> ../outside, dotdot -> .., loop -> loop,
//     deep -> d/../../outside/secret, self -> ., dangling -> nowhere
//     fifo              a FIFO (the harness keeps it from blocking, see Harness.settleFIFO)
//     sock              a socket node (opening it is ENXIO)

struct Tree {
    let top: String
    var root: String { top + "/root" }
    var readOnly: String { top + "/ro" }
    /// Watches the outside: any open or read of the canaries, the outside directory or the
    /// top directory (other than through the grants' own names) is an escape.
    let inotify: Int32

    init() {
        var template = Array("/tmp/warden-fuzz-wasi-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { fatalError("mkdtemp: \(errno)") }
        top = String(cString: made)
        Tree.must(mkdir(top + "/root", 0o755), "mkdir root")
        Tree.must(mkdir(top + "/ro", 0o755), "mkdir ro")
        Tree.must(mkdir(top + "/ro/sub", 0o755), "mkdir ro/sub")
        Tree.must(mkdir(top + "/outside", 0o755), "mkdir outside")
        Tree.write(top + "/canary", "CANARY: a guest read this\n")
        Tree.write(top + "/outside/secret", "SECRET: a guest read this\n")
        Tree.write(top + "/ro/r", "read-only grant\n")
        Tree.must(symlink("../canary", top + "/ro/up"), "symlink ro/up")
        inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard inotify >= 0 else { fatalError("inotify_init1: \(errno)") }
        let reads = UInt32(IN_OPEN | IN_ACCESS)
        for path in [top, top + "/canary", top + "/outside", top + "/outside/secret"] {
            guard inotify_add_watch(inotify, path, reads) >= 0 else { fatalError("inotify_add_watch \(path): \(errno)") }
        }
    }

    /// Empties the writable grant and lays its entries out again.
    func reset() {
        Tree.removeContents(of: root)
        Tree.write(root + "/a", "file a\n")
        Tree.must(mkdir(root + "/d", 0o755), "mkdir d")
        Tree.write(root + "/d/b", "file b\n")
        Tree.must(mkdir(root + "/d/e", 0o755), "mkdir d/e")
        let links = [("up", "../canary"), ("abs", top + "/canary"), ("out", "../outside"), ("dotdot", ".."),
                     ("loop", "loop"), ("deep", "d/../../outside/secret"), ("self", "."), ("dangling", "nowhere"),
                     ("d/up2", "../../outside/secret")]
        for (name, target) in links { Tree.must(symlink(target, root + "/" + name), "symlink \(name)") }
        Tree.must(mkfifo(root + "/fifo", 0o644), "mkfifo")
        Tree.must(mknod(root + "/sock", S_IFSOCK | 0o644, 0), "mknod sock")
    }

    /// What must not change: the outside and the read-only grant, as stat sees them (stat
    /// neither opens nor reads, so it leaves the inotify watches quiet).
    func snapshot() -> [String] {
        ["", "/canary", "/outside", "/outside/secret", "/ro", "/ro/r", "/ro/sub", "/ro/up"].map { name in
            var status = stat()
            guard lstat(top + name, &status) == 0 else { return "\(name): missing (\(errno))" }
            return "\(name): ino \(status.st_ino) mode \(status.st_mode) nlink \(status.st_nlink) size \(status.st_size) " +
                "mtime \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec) ctime \(status.st_ctim.tv_sec).\(status.st_ctim.tv_nsec)"
        }
    }

    /// Inotify events since the last call, except the harness's own opens of the grants.
    func escapes() -> [String] {
        var found: [String] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(inotify, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            var offset = 0
            while offset < count {
                let (mask, nameLength) = buffer.withUnsafeBytes { raw in
                    (raw.load(fromByteOffset: offset + 4, as: UInt32.self), Int(raw.load(fromByteOffset: offset + 12, as: UInt32.self)))
                }
                let nameBytes = buffer[(offset + 16)..<(offset + 16 + nameLength)].prefix { $0 != 0 }
                let name = String(decoding: nameBytes, as: UTF8.self)
                if name != "root", name != "ro" { found.append("mask 0x\(String(mask, radix: 16)) name '\(name)'") }
                offset += 16 + nameLength
            }
        }
        return found
    }

    static func must(_ result: Int32, _ what: String) {
        guard result == 0 else { fatalError("\(what): errno \(errno)") }
    }

    static func write(_ path: String, _ text: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { fatalError("open \(path): \(errno)") }
        let bytes = Array(text.utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else { fatalError("write \(path): \(errno)") }
        close(fd)
    }

    /// `rm -rf path/*` without following symlinks.
    static func removeContents(of path: String) {
        let directory = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard directory >= 0 else { fatalError("open \(path): \(errno)") }
        removeContents(directory)
        close(directory)
    }

    static func removeContents(_ directory: Int32) {
        // Read every name first: removing while iterating may skip entries.
        let duplicate = dup(directory)
        guard let stream = fdopendir(duplicate) else { fatalError("fdopendir: \(errno)") }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != ".", name != ".." { names.append(name) }
        }
        closedir(stream)
        for name in names {
            if unlinkat(directory, name, 0) == 0 { continue }
            let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard child >= 0 else { fatalError("cannot remove \(name): errno \(errno)") }
            removeContents(child)
            close(child)
            guard unlinkat(directory, name, AT_REMOVEDIR) == 0 else { fatalError("rmdir \(name): errno \(errno)") }
        }
    }
}
