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

    public func encoded() -> [UInt8] {
        var writer = WireWriter()
        switch self {
        case .connection: writer.u8(1)
        }
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> SupervisorMessage {
        var reader = WireReader(bytes)
        let message: SupervisorMessage
        switch try reader.u8() {
        case 1: message = .connection
        default: throw .invalid("supervisor message tag")
        }
        guard reader.isAtEnd else { throw .invalid("trailing bytes") }
        return message
    }
}
