/// How a per-connection worker (the zygote) serves: it parses, validates and instantiates the
/// module once, then forks one instance per connection the supervisor hands it. The zygote
/// holds no listening socket: the supervisor accepts, counts and refuses.
public struct PerConnectionSettings: Sendable, Equatable {
    /// Instances alive at once (the supervisor refuses beyond it; the zygote checks again).
    public var maxConnections: Int
    /// RLIMIT_CPU for each instance (set after fork, soft = hard, so it cannot be raised).
    public var cpuSeconds: UInt64

    public init(maxConnections: Int, cpuSeconds: UInt64) {
        self.maxConnections = maxConnections
        self.cpuSeconds = cpuSeconds
    }

    func encode(into writer: inout WireWriter) {
        writer.u32(UInt32(maxConnections))
        writer.u64(cpuSeconds)
    }

    static func decode(from reader: inout WireReader) throws(WireError) -> PerConnectionSettings {
        PerConnectionSettings(maxConnections: Int(try reader.u32()), cpuSeconds: try reader.u64())
    }
}

/// What the supervisor sends a zygote after its configuration.
public enum SupervisorMessage: Sendable, Equatable {
    /// One accepted connection rides along (SCM_RIGHTS): fork an instance that serves it on
    /// its stdin and stdout.
    case connection
    /// The module image rides along (`WorkerConfiguration.imageLater`), holding what `artifact`
    /// says: the launcher's second and last frame to a warm worker.
    case image(artifact: WorkerConfiguration.ArtifactUse)

    public func encoded() -> [UInt8] {
        var writer = WireWriter()
        switch self {
        case .connection: writer.u8(1)
        case .image(let artifact):
            writer.u8(2)
            writer.u8(artifact.rawValue)
        }
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> SupervisorMessage {
        var reader = WireReader(bytes)
        let message: SupervisorMessage
        switch try reader.u8() {
        case 1: message = .connection
        case 2:
            guard let artifact = WorkerConfiguration.ArtifactUse(rawValue: try reader.u8()) else { throw .invalid("artifact use") }
            message = .image(artifact: artifact)
        default: throw .invalid("supervisor message tag")
        }
        guard reader.isAtEnd else { throw .invalid("trailing bytes") }
        return message
    }
}
