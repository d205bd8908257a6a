import WardenSystem

/// What the guest can reach through one of its descriptors.
public enum DirectoryAccess: String, Sendable {
    case read
    case readWrite = "read-write"
}

/// One entry of the guest's descriptor table: a host descriptor plus what the guest may do
/// with it. Rights only ever narrow as they flow from a preopen to what is opened beneath it.
public struct Descriptor {
    public enum Kind: Sendable, Equatable {
        case file
        case directory
        /// Opened by path_open without `O_DIRECTORY`: file or directory is learned with one
        /// fstat on first need (`WASIPreview1.resolved`), saving a syscall on every open.
        case pending
        /// A connected or listening socket handed in by the launcher, or accepted from one.
        case socket(listening: Bool)
        /// stdin/stdout/stderr and other inherited non-directory descriptors.
        case stream
    }

    public var host: FileDescriptor
    public var kind: Kind
    public var fileType: FileType
    public var rights: Rights
    public var inheriting: Rights
    /// Read-only or read-write, inherited from the preopen this was opened beneath.
    public var access: DirectoryAccess
    /// Index (in `WASIConfiguration.preopens`) of the preopen this descriptor was reached
    /// through, for audit events; -1 for none. An index rather than the path keeps the
    /// descriptor free of reference-counted fields, so the hot calls copy it for free.
    public var preopen: Int32
    /// Set only on the preopen roots themselves: `fd_prestat_*` describe them.
    public var isPreopenRoot: Bool
    /// fdflags as last set through WASI, for descriptors nobody else shares (files and
    /// directories); nil means ask the host (stdio and sockets the launcher also holds).
    public var fdflags: FdFlags?
    /// Whether `fd_close` closes the host descriptor (stdio is shared with the launcher).
    public var ownsHost: Bool
    /// fd_readdir position: the next cookie and the kernel offset where that entry starts.
    var readdirCookie: UInt64 = 0
    var readdirKernelOffset: Int64 = 0

    public init(host: FileDescriptor, kind: Kind, fileType: FileType, rights: Rights, inheriting: Rights,
                access: DirectoryAccess, preopen: Int32, isPreopenRoot: Bool = false, ownsHost: Bool = true,
                fdflags: FdFlags? = nil) {
        self.host = host
        self.kind = kind
        self.fileType = fileType
        self.rights = rights
        self.inheriting = inheriting
        self.access = access
        self.preopen = preopen
        self.isPreopenRoot = isPreopenRoot
        self.ownsHost = ownsHost
        self.fdflags = fdflags
    }
}

/// The guest's descriptor table: guest fd numbers are indices; lowest free slot first.
public struct DescriptorTable {
    private(set) var slots: [Descriptor?] = []
    public let limit: Int

    public init(limit: Int) { self.limit = limit }

    public var openCount: Int { slots.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    @inline(__always)
    public func get(_ fd: UInt32) throws(WASIErrno) -> Descriptor {
        let index = Int(fd)
        guard index < slots.count, let descriptor = slots[index] else { throw .badf }
        return descriptor
    }

    public func contains(_ fd: UInt32) -> Bool {
        Int(fd) < slots.count && slots[Int(fd)] != nil
    }

    public mutating func update(_ fd: UInt32, _ body: (inout Descriptor) -> Void) throws(WASIErrno) {
        let index = Int(fd)
        guard index < slots.count, slots[index] != nil else { throw .badf }
        body(&slots[index]!)
    }

    /// Places `descriptor` in the lowest free slot; `.nfile` when the table is full (the caller
    /// still owns the host descriptor and must close it).
    public mutating func insert(_ descriptor: Descriptor) throws(WASIErrno) -> UInt32 {
        if let free = slots.firstIndex(where: { $0 == nil }) {
            slots[free] = descriptor
            return UInt32(free)
        }
        guard slots.count < limit else { throw .nfile }
        slots.append(descriptor)
        return UInt32(slots.count - 1)
    }

    /// Places `descriptor` at exactly `fd` (used to lay out stdio and preopens).
    public mutating func place(_ descriptor: Descriptor, at fd: UInt32) {
        while slots.count <= Int(fd) { slots.append(nil) }
        slots[Int(fd)] = descriptor
    }

    public mutating func remove(_ fd: UInt32) throws(WASIErrno) -> Descriptor {
        let descriptor = try get(fd)
        slots[Int(fd)] = nil
        while let last = slots.last, last == nil { slots.removeLast() }
        return descriptor
    }

    /// Every open descriptor, for closing at the end of a run.
    public var all: [Descriptor] { slots.compactMap { $0 } }
}
