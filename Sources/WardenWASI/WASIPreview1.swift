import WardenSystem

/// Our wasi_snapshot_preview1 implementation. Engine-agnostic: every function takes a
/// `GuestMemory` view and the raw integer arguments of the import, and either returns or
/// throws a `WASIErrno` (success is a normal return). Single-threaded by design.
public final class WASIPreview1 {
    public let configuration: WASIConfiguration
    public var table: DescriptorTable
    public var auditor: AccessAuditor?
    /// Every allowed path access, when learning (`warden learn`); nil costs nothing.
    public var observer: AccessObserver?
    /// With an observer: where each directory and file descriptor points beneath its preopen.
    var observedPaths: [UInt32: String] = [:]
    /// With an observer: the most descriptors the guest held at once (stdio and preopens included).
    public internal(set) var peakOpenDescriptors = 0
    /// With an observer: whether the guest asked for its environment (WASI hands over all of it
    /// at once, so which variables it used cannot be told).
    public internal(set) var environmentRead = false
    /// Scratch buffer for getdents64 and other host-side staging, reused across calls.
    var scratch: UnsafeMutableRawBufferPointer

    public init(configuration: WASIConfiguration, auditor: AccessAuditor? = nil) throws(WASIErrno) {
        self.configuration = configuration
        self.auditor = auditor
        self.table = DescriptorTable(limit: configuration.maxOpenDescriptors)
        self.scratch = .allocate(byteCount: 64 * 1024, alignment: 16)
        let stdio = [configuration.stdin, configuration.stdout, configuration.stderr]
        for (index, host) in stdio.enumerated() {
            table.place(Descriptor.stream(host: host, owned: false, output: index > 0), at: UInt32(index))
        }
        var next: UInt32 = 3
        for listener in configuration.listeners {
            table.place(Descriptor(host: listener, kind: .socket(listening: true), fileType: .socketStream,
                                   rights: .listeningSocket, inheriting: .socket, access: .readWrite,
                                   preopen: -1, ownsHost: false), at: next)
            next += 1
        }
        for (index, preopen) in configuration.preopens.enumerated() {
            let writable = preopen.access == .readWrite
            let base: Rights = writable ? Rights.directoryReading.union(.directoryMutating) : .directoryReading
            // Every preopen advertises the read-write inheriting rights, read-only ones too:
            // wasi-libc masks the rights it asks path_open for with these, so advertising less
            // would hide a write intent from path_open, which must see it to refuse it (see
            // pathOpen). What is opened still never holds more than its grant allows.
            let inheriting = Rights.directoryReading.union(.directoryMutating).union(.fileReading).union(.fileMutating)
            table.place(Descriptor(host: preopen.host, kind: .directory, fileType: .directory,
                                   rights: base, inheriting: inheriting, access: preopen.access,
                                   preopen: Int32(index), isPreopenRoot: true,
                                   ownsHost: false, fdflags: []), at: next)
            next += 1
        }
    }

    deinit { scratch.deallocate() }

    /// Closes every host descriptor the guest opened (not the launcher's stdio or preopens).
    public func closeAll() {
        for descriptor in table.all where descriptor.ownsHost { try? descriptor.host.close() }
        table = DescriptorTable(limit: configuration.maxOpenDescriptors)
    }

    // MARK: Learning

    /// Tells the observer (if any) that `kind` happened to `path` beneath descriptor `fd`.
    @inline(__always)
    func observe(_ fd: UInt32, _ descriptor: Descriptor, _ path: GuestPath?, _ kind: AccessKind) {
        guard let observer, descriptor.preopen >= 0 else { return }
        observer.observe(ObservedAccess(preopen: Int(descriptor.preopen), path: observedPath(fd, path), kind: kind))
    }

    /// The path `path` names beneath `fd`'s preopen ("" for the preopen itself).
    func observedPath(_ fd: UInt32, _ path: GuestPath?) -> String {
        let base = observedPaths[fd] ?? ""
        guard let path else { return base }
        return ObservedPath.join(base, path.text)
    }

    // MARK: Refusals

    /// Reports a refusal to the auditor and returns the errno to throw.
    func deny(_ operation: StaticString, fd: UInt32?, descriptor: Descriptor?, path: String?,
              _ reason: DenialReason, _ errno: WASIErrno = .notcapable) -> WASIErrno {
        auditor?.record(AccessDenial(operation: "\(operation)", fd: fd, preopen: descriptor.flatMap(preopenPath(of:)),
                                     path: path, reason: reason, errno: errno))
        return errno
    }

    /// Guest path of the preopen a descriptor was reached through.
    func preopenPath(of descriptor: Descriptor) -> String? {
        descriptor.preopen >= 0 && Int(descriptor.preopen) < configuration.preopens.count
            ? configuration.preopens[Int(descriptor.preopen)].guestPath : nil
    }

    /// What `fd_prestat_dir_name` reports: only for a preopen root.
    func preopenName(of descriptor: Descriptor) -> String? {
        descriptor.isPreopenRoot ? preopenPath(of: descriptor) : nil
    }

    /// The descriptor at `fd` if it holds every right in `needed`; a missing right is refused
    /// and reported (as `read-only` when the right is a mutation and the grant is read-only).
    @inline(__always)
    func descriptor(_ fd: UInt32, _ needed: Rights, _ operation: StaticString, path: GuestPath? = nil) throws(WASIErrno) -> Descriptor {
        let descriptor = try table.get(fd)
        if !descriptor.rights.isSuperset(of: needed) {
            let reason: DenialReason = descriptor.access == .read && !needed.isDisjoint(with: .mutating) ? .readOnly : .rights
            throw deny(operation, fd: fd, descriptor: descriptor, path: path?.text, reason)
        }
        return descriptor
    }

    /// A directory descriptor for a path operation; anything else is `.notdir` (a missing fd
    /// is `.badf` and reported as `no-preopen`).
    func directory(_ fd: UInt32, _ needed: Rights, _ operation: StaticString, path: GuestPath) throws(WASIErrno) -> Descriptor {
        guard table.contains(fd) else { throw deny(operation, fd: fd, descriptor: nil, path: path.text, .noPreopen, .badf) }
        let candidate = try resolved(fd)
        if candidate.kind == .directory, candidate.rights.isSuperset(of: needed) { return candidate }
        guard candidate.kind == .directory else {
            throw deny(operation, fd: fd, descriptor: candidate, path: path.text, .noPreopen, .notdir)
        }
        return try self.descriptor(fd, needed, operation, path: path)
    }

    /// The descriptor at `fd` with a `.pending` kind settled (one fstat, then cached), and its
    /// rights narrowed to what a file or a directory may hold.
    func resolved(_ fd: UInt32) throws(WASIErrno) -> Descriptor {
        var descriptor = try table.get(fd)
        guard descriptor.kind == .pending else { return descriptor }
        let status: FileStatus
        do throws(Errno) { status = try descriptor.host.status() } catch { throw WASIErrno(error) }
        descriptor.fileType = FileType(status: status)
        let isDirectory = descriptor.fileType == .directory
        descriptor.kind = isDirectory ? .directory : .file
        descriptor.rights.formIntersection(Self.rightsLimit(directory: isDirectory, access: descriptor.access))
        let settled = descriptor
        try table.update(fd) { $0 = settled }
        return settled
    }

    /// The most a descriptor beneath a grant of `access` may hold.
    static func rightsLimit(directory: Bool, access: DirectoryAccess) -> Rights {
        switch (directory, access) {
        case (true, .readWrite): Rights.directoryReading.union(.directoryMutating)
        case (true, .read): .directoryReading
        case (false, .readWrite): Rights.fileReading.union(.fileMutating)
        case (false, .read): .fileReading
        }
    }
}

extension Descriptor {
    /// Standard streams are shared with the launcher (and, for stderr, its audit lines): the
    /// guest may read stdin or write stdout/stderr and ask what they are, but not seek,
    /// truncate, allocate or change the flags of the open file description it shares.
    static func stream(host: FileDescriptor, owned: Bool, output: Bool) -> Descriptor {
        let type = (try? host.status()).map { FileType(status: $0) } ?? .unknown
        let isSocket = type == .socketStream || type == .socketDgram
        var rights: Rights = [output ? .fdWrite : .fdRead, .pollFdReadwrite, .fdFilestatGet]
        if isSocket { rights.insert(.sockShutdown) }
        return Descriptor(host: host, kind: isSocket ? .socket(listening: false) : .stream, fileType: type,
                          rights: rights, inheriting: [], access: .readWrite, preopen: -1, ownsHost: owned)
    }
}

// Glibc for types only: S_IF* file-type bits
import Glibc

extension FileType {
    init(mode: UInt32) {
        switch mode & S_IFMT {
        case S_IFBLK: self = .blockDevice
        case S_IFCHR: self = .characterDevice
        case S_IFDIR: self = .directory
        case S_IFREG: self = .regularFile
        case S_IFLNK: self = .symbolicLink
        case S_IFSOCK: self = .socketStream
        default: self = .unknown
        }
    }

    init(status: FileStatus) { self.init(mode: status.mode) }
}
