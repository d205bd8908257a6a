import WardenSystem

/// A directory the guest is granted, already open (the launcher opens it with ambient
/// authority; this layer only ever holds the descriptor).
public struct PreopenDirectory: Sendable {
    public var host: FileDescriptor
    public var guestPath: String
    public var access: DirectoryAccess
    /// The grant as the kernel layers below hold it (Landlock): `access`, unless the layer's
    /// own read-only check is switched off for debugging (`--debug-without wasi-read-only`).
    public var grantedAccess: DirectoryAccess
    public init(host: FileDescriptor, guestPath: String, access: DirectoryAccess, grantedAccess: DirectoryAccess? = nil) {
        self.host = host
        self.guestPath = guestPath
        self.access = access
        self.grantedAccess = grantedAccess ?? access
    }
}

/// Everything a guest is given. Nothing is granted by default: no preopens, no env, no sockets.
public struct WASIConfiguration: Sendable {
    public var arguments: [String] = []
    public var environment: [String] = []  // "KEY=VALUE"
    public var preopens: [PreopenDirectory] = []
    /// Listening sockets handed to the guest (placed before the directories, as wasmtime does).
    public var listeners: [FileDescriptor] = []
    public var stdin: FileDescriptor = .standardInput
    public var stdout: FileDescriptor = .standardOutput
    public var stderr: FileDescriptor = .standardError
    /// Upper bound on open guest descriptors.
    public var maxOpenDescriptors: Int = 1024
    /// Upper bound on subscriptions in one `poll_oneoff`.
    public var maxPollSubscriptions: Int = 4096

    public init() {}
}

/// How a guest ended other than by returning from `_start`.
public enum GuestTermination: Error, Sendable, Equatable {
    /// `proc_exit(code)`.
    case exit(UInt32)
    /// `proc_raise(signal)` with a signal whose default action ends a process.
    case signal(Int32)
}
