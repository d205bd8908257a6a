import Glibc  // the host tree, inotify, poll and /proc/self/fd: what the checks look at
import WardenSystem
import WardenWASI

// Random sequences of WASI host calls with random arguments, over a 64 KiB guest memory and a
// tree with symlinks out, a FIFO, a socket node and canaries outside the grants (Tree.swift).
// After every input: no host crash, nothing outside opened or read (inotify), nothing outside
// or in the read-only grant changed (stat), no host descriptor leaked.
//
// Process-wide: file sizes are capped at 1 MiB (RLIMIT_FSIZE) in the process that runs it (the
// fuzzer, or warden-fuzz-replay: never the test process, whose children would inherit it).
enum WASIHarness {
    static let harness = FuzzHarness("FuzzWASI", generatedSeeds: seeds, check: check)

    static let memorySize = 64 * 1024
    /// Paths the fuzzer can name with one byte (placed in guest memory at `dictionaryBase`).
    static let dictionary = [
        "a", "d", "d/b", "d/e", "up", "abs", "out", "dotdot", "loop", "deep", "self", "dangling", "fifo", "sock",
        "d/up2", ".", "..", "../canary", "../outside/secret", "/etc/passwd", "new", "d/new", "dotdot/canary",
        "out/secret", "self/up", "d/e/../../up", "a/", "d/./b", "up/..", "x/y/z", "../ro/r", "r", "sub", "up2",
        "d/e/../../../canary", "self/self/dotdot", "new/", "d/e/f", "deep/..", "a/b",
    ]
    static let dictionaryBase = 0xF000
    /// Four iovecs at `iovecBase`: 64 bytes, empty, 4 KiB, and one pointing outside memory.
    static let iovecBase: UInt32 = 0xE000

    struct Process {
        let tree = Tree()
        let memory = UnsafeMutableRawPointer.allocate(byteCount: memorySize, alignment: 16)
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)

        init() {
            // fd_allocate and fd_pwrite could fill the disk: cap file sizes as the worker's rlimit
            // does, and take EFBIG instead of the signal.
            signal(SIGXFSZ, SIG_IGN)
            var limit = rlimit(rlim_cur: 1 << 20, rlim_max: 1 << 20)
            guard setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit) == 0 else { fatalError("setrlimit: \(errno)") }
        }
    }

    nonisolated(unsafe) static var process: Process?

    static func check(_ bytes: [UInt8]) throws(HarnessFailure) {
        if process == nil { process = Process() }
        let host = process!
        host.tree.reset()
        let before = host.tree.snapshot()
        let descriptorsBefore = openDescriptors()
        _ = host.tree.escapes()

        // Fresh guest memory: zeros, the path dictionary, the iovecs.
        host.memory.initializeMemory(as: UInt8.self, repeating: 0, count: memorySize)
        var cursor = dictionaryBase
        var entries: [(UInt32, UInt32)] = []
        for path in dictionary {
            let bytes = Array(path.utf8)
            host.memory.advanced(by: cursor).copyMemory(from: bytes, byteCount: bytes.count)
            entries.append((UInt32(cursor), UInt32(bytes.count)))
            cursor += bytes.count + 1
        }
        let memory = GuestMemory(base: host.memory, count: memorySize)
        for (index, iovec) in [(0x8000, 64), (0x8100, 0), (0x9000, 4096), (0xFFFF_0000, 16)].enumerated() {
            try! memory.store(UInt32(iovec.0), at: iovecBase + UInt32(index * 8))
            try! memory.store(UInt32(iovec.1), at: iovecBase + UInt32(index * 8 + 4))
        }

        let root = open(host.tree.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        let readOnly = open(host.tree.readOnly, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        // Held open for reading and writing, so opening the FIFO never waits for a peer.
        let fifo = open(host.tree.root + "/fifo", O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard root >= 0, readOnly >= 0, fifo >= 0 else { fatalError("cannot open the grants: \(errno)") }

        var configuration = WASIConfiguration()
        configuration.arguments = ["fuzz", "--flag", ""]
        configuration.environment = ["A=1", "EMPTY="]
        configuration.preopens = [
            PreopenDirectory(host: FileDescriptor(rawValue: root), guestPath: "/data", access: .readWrite),
            PreopenDirectory(host: FileDescriptor(rawValue: readOnly), guestPath: "/ro", access: .read),
        ]
        let null = FileDescriptor(rawValue: host.devNull)
        configuration.stdin = null
        configuration.stdout = null
        configuration.stderr = null
        configuration.maxOpenDescriptors = 24
        configuration.maxPollSubscriptions = 64
        let auditor = RecordingAuditor()
        let wasi: WASIPreview1
        do { wasi = try WASIPreview1(configuration: configuration, auditor: auditor) } catch { fatalError("WASIPreview1: \(error)") }

        var input = Input(bytes)
        var calls = 0
        while !input.isAtEnd, calls < 256 {
            calls += 1
            settleFIFO(fifo, wasi)
            if Calls.one(&input, wasi, memory, entries) { break }
        }

        wasi.closeAll()
        close(root)
        close(readOnly)
        close(fifo)

        for denial in auditor.denials where denial.preopen != nil && denial.preopen != "/data" && denial.preopen != "/ro" {
            throw HarnessFailure("denial names preopen \(denial.preopen!)")
        }
        let escapes = host.tree.escapes()
        guard escapes.isEmpty else { throw HarnessFailure("the outside was opened or read: \(escapes)") }
        let after = host.tree.snapshot()
        guard after == before else {
            let changed = zip(before, after).filter { $0 != $1 }
            throw HarnessFailure("the outside or the read-only grant changed: \(changed)")
        }
        let descriptorsAfter = openDescriptors()
        guard descriptorsAfter == descriptorsBefore else { throw HarnessFailure("host descriptors leaked: \(descriptorsBefore) → \(descriptorsAfter)") }
    }

    /// Keeps the FIFO neither empty nor full, and every guest descriptor on it non-blocking, so no
    /// call waits forever on it (a guest that blocks on a FIFO only stalls itself; the harness
    /// must not).
    static func settleFIFO(_ fifo: Int32, _ wasi: WASIPreview1) {
        var poll = pollfd(fd: fifo, events: Int16(POLLIN | POLLOUT), revents: 0)
        _ = Glibc.poll(&poll, 1, 0)
        var byte: UInt8 = 0x2a
        if poll.revents & Int16(POLLIN) == 0 { _ = write(fifo, &byte, 1) }
        if poll.revents & Int16(POLLOUT) == 0 {
            var scratch = [UInt8](repeating: 0, count: 8192)
            _ = read(fifo, &scratch, scratch.count)
        }
        for descriptor in wasi.table.all {
            var status = stat()
            guard fstat(descriptor.host.rawValue, &status) == 0, status.st_mode & S_IFMT == S_IFIFO else { continue }
            let flags = fcntl(descriptor.host.rawValue, F_GETFL)
            if flags >= 0, flags & O_NONBLOCK == 0 { _ = fcntl(descriptor.host.rawValue, F_SETFL, flags | O_NONBLOCK) }
        }
    }

    /// How many descriptors this process holds.
    static func openDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { fatalError("opendir /proc/self/fd: \(errno)") }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        closedir(directory)
        return count
    }
}
