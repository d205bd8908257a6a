/// A resolved, validated policy: every default filled in. Downstream code consumes this value
/// and never reads TOML again.
public struct Policy: Sendable, Equatable {
    public var version: Int = 1
    public var module: Module
    public var preopens: [Preopen] = []
    public var limits = Limits()
    public var stdio = Stdio()
    public var sandbox = Sandbox()
    public var service = Service()
    public var audit = Audit()
    public var engine = Engine()

    public struct Module: Sendable, Equatable {
        public var name: String
        public var path: String
        public var sha256: String?
        public var args: [String] = []
        /// Sorted by name so a policy always yields the same environment.
        public var env: [(name: String, value: String)] = []

        public static func == (a: Module, b: Module) -> Bool {
            a.name == b.name && a.path == b.path && a.sha256 == b.sha256 && a.args == b.args
                && a.env.map(\.name) == b.env.map(\.name) && a.env.map(\.value) == b.env.map(\.value)
        }
    }

    public struct Preopen: Sendable, Equatable {
        public enum Access: String, Sendable, CaseIterable { case read, readWrite = "read-write" }
        public var host: String
        public var guest: String
        public var access: Access = .read
        /// Line of the `[[preopen]]` header, for diagnostics that point back at it.
        public var line: Int = 0
    }

    public struct Limits: Sendable, Equatable {
        public static let defaultMemory = 256 << 20
        public var memory: Int = defaultMemory           // bytes of linear memory
        public var fuel: UInt64 = 0                       // 0 = unmetered
        public var cpuTime: Duration = .seconds(30)
        public var wallTime: Duration = .seconds(60)
        public var openFiles: Int = 64
    }

    public struct Stdio: Sendable, Equatable {
        public enum Input: String, Sendable, CaseIterable { case null, inherit }
        public enum Output: String, Sendable, CaseIterable { case inherit, null }
        public var stdin: Input = .null
        public var stdout: Output = .inherit
        public var stderr: Output = .inherit
    }

    public struct Sandbox: Sendable, Equatable {
        public enum ViolationAction: String, Sendable, CaseIterable { case kill, errno }
        public enum Landlock: String, Sendable, CaseIterable { case require, bestEffort = "best-effort", off }
        public enum Namespace: String, Sendable, CaseIterable { case user, mount, net, ipc, uts, pid, cgroup }
        /// The account a policy without `[sandbox] user` runs as (`make install` creates it).
        public static let defaultUser = "warden"
        public var user: String = Sandbox.defaultUser
        public var onSyscallViolation: ViolationAction = .kill
        public var landlock: Landlock = .bestEffort
        public var namespaces: [Namespace] = [.user, .mount, .net, .ipc, .uts]
        public var namespacesRequired = false
    }

    public struct Service: Sendable, Equatable {
        public enum Mode: String, Sendable, CaseIterable { case once, daemon, perConnection = "per-connection" }
        public enum Restart: String, Sendable, CaseIterable { case no, onFailure = "on-failure", always }
        public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
            case tcp(host: String, port: UInt16)
            case unix(path: String)
            case systemd(name: String)
            public var description: String {
                switch self {
                case .tcp(let host, let port): "tcp:\(host):\(port)"
                case .unix(let path): "unix:\(path)"
                case .systemd(let name): "systemd:\(name)"
                }
            }
        }
        public var mode: Mode = .once
        public var listen: [ListenAddress] = []
        public var restart: Restart = .no
        public var maxConnections: Int = 64
        public var connectionWallTime: Duration = .seconds(30)
    }

    /// Which engine runs the module. WasmKit (default) interprets: no executable memory at all.
    /// wasmtime compiles with Cranelift for compute; its code is mapped read+execute once, and
    /// the kernel then refuses any further executable memory.
    public struct Engine: Sendable, Equatable {
        public enum Name: String, Sendable, CaseIterable { case wasmkit, wasmtime }
        public var name: Name = .wasmkit
    }

    public struct Audit: Sendable, Equatable {
        public var log: String?
        public var rateLimit: Int = 100
        public var fsync = false
        /// When events can no longer be written: end the module (fail closed) or count the loss.
        public enum OnFailure: String, Sendable, CaseIterable { case stop, `continue` }
        public var onFailure: OnFailure = .stop
    }
}
