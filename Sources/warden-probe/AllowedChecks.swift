import CWardenLinux
import Glibc
import WardenHardening
import WardenSystem

/// What a hardened worker must still be able to do, through the same WardenSystem wrappers
/// the WASI layer uses. A check fails only on a refusal (EPERM from the filter in errno mode;
/// in kill mode the process would die instead); other errors are the kernel's normal answers.
enum AllowedChecks {
    struct Context {
        var directory: FileDescriptor?
        var readWrite: Bool
        var listener: FileDescriptor?
    }

    /// Runs every check; returns the failures as `name: errno` lines.
    static func run(_ context: Context) -> [String] {
        var failures: [String] = []
        func expect(_ name: String, _ body: () throws -> Void) {
            do { try body() } catch let error as Errno {
                if error == .permissionDenied || error.rawValue == ENOSYS { failures.append("\(name): \(error.symbol)") }
            } catch { failures.append("\(name): \(error)") }
        }
        expect("fstat") { _ = try FileDescriptor.standardOutput.status() }
        expect("fcntl") { _ = try FileDescriptor.standardOutput.statusFlags() }
        expect("ioctl FIONREAD") { _ = try FileDescriptor.standardInput.bytesReadable() }
        expect("clock_gettime") { _ = try SystemClock.monotonic.now(); _ = try SystemClock.realtime.now() }
        expect("clock_getres") { _ = try SystemClock.monotonic.resolution() }
        expect("getrandom") {
            var bytes = [UInt8](repeating: 0, count: 32)
            try bytes.withUnsafeMutableBytes { buffer in try fillRandom(buffer) }
        }
        expect("mmap/mprotect/munmap without exec") {
            guard let page = mmap(nil, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), page != MAP_FAILED else { throw Errno.current }
            guard mprotect(page, 4096, PROT_READ) == 0, munmap(page, 1 << 20) == 0 else { throw Errno.current }
        }
        expect("heap") { var big = [UInt8](repeating: 1, count: 8 << 20); big[big.count - 1] = 2; if big.last != 2 { throw Errno.invalidArgument } }
        expect("ppoll") {
            var requests = [PollRequest(descriptor: .standardOutput, events: PollRequest.writable)]
            _ = try ppoll(&requests, timeoutNanoseconds: 0)
        }
        expect("sched_yield") { if sched_yield() != 0 { throw Errno.current } }
        expect("kill self") { if kill(getpid(), 0) != 0 { throw Errno.current } }
        expect("getrlimit") { var limit = rlimit(); if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 { throw Errno.current } }
        if let directory = context.directory { directoryChecks(directory, readWrite: context.readWrite, expect) }
        if let listener = context.listener {
            expect("accept4") {
                // Nothing is connecting: a non-blocking listener answers EAGAIN, which is fine.
                try listener.setStatusFlags(try listener.statusFlags() | O_NONBLOCK)
                _ = try listener.accept(nonBlocking: true)
            }
            expect("getsockopt") { if listener.socketType() == nil { throw Errno.current } }
        }
        return failures
    }

    private static func directoryChecks(_ directory: FileDescriptor, readWrite: Bool,
                                        _ expect: (String, () throws -> Void) -> Void) {
        expect("openat2 beneath + getdents64") {
            let listing = try directory.open(".", flags: O_RDONLY | O_DIRECTORY)
            defer { try? listing.close() }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
            defer { buffer.deallocate() }
            _ = try listing.readDirectoryEntries(into: buffer)
        }
        expect("openat with a real dirfd") {
            let fd = openat(directory.rawValue, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd < 0 { throw Errno.current }
            close(fd)
        }
        expect("newfstatat") { _ = try directory.status(of: ".", followSymlinks: false) }
        guard readWrite else { return }
        expect("file I/O beneath") {
            let file = try directory.open("probe-allowed.txt", flags: O_CREAT | O_RDWR | O_TRUNC, mode: 0o600)
            defer { try? file.close() }
            try file.writeAll("hello")
            var bytes = [UInt8](repeating: 0, count: 5)
            try bytes.withUnsafeMutableBytes { buffer in
                var vector = iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
                _ = try withUnsafePointer(to: &vector) { pointer in
                    try file.preadv(UnsafeBufferPointer(start: pointer, count: 1), offset: 0)
                }
            }
            _ = try file.seek(offset: 0, from: .end)
            try file.truncate(size: 2)
            try file.allocate(offset: 0, length: 4096)
            try file.advise(offset: 0, length: 0, advice: POSIX_FADV_SEQUENTIAL)
            try file.sync()
            try file.dataSync()
            try directory.setTimes("probe-allowed.txt", access: timespec(), modification: timespec(), followSymlinks: false)
        }
        expect("mkdirat/renameat/linkat/symlinkat/readlinkat/unlinkat") {
            try directory.makeDirectory("probe-dir")
            try directory.rename("probe-dir", to: directory, "probe-dir2")
            try directory.unlink("probe-dir2", directory: true)
            try directory.link("probe-allowed.txt", to: directory, "probe-link")
            try directory.makeSymlink("probe-symlink", pointingTo: "probe-allowed.txt")
            var target = [UInt8](repeating: 0, count: 64)
            _ = try target.withUnsafeMutableBytes { buffer in try directory.readLink("probe-symlink", into: buffer) }
            for name in ["probe-link", "probe-symlink", "probe-allowed.txt"] { try directory.unlink(name, directory: false) }
        }
    }
}
