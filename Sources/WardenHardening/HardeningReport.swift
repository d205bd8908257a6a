import WardenSystem

/// What is actually in force after `HardeningSequence` ran. A best-effort layer the kernel or
/// the situation did not allow is listed as not applied, with the reason: never skipped
/// silently. The worker sends this to the supervisor, which logs it and shows it in
/// `warden status`.
public struct HardeningReport: Sendable, CustomStringConvertible {
    public enum State: Sendable, Equatable {
        case applied
        case notApplied
    }

    public struct Layer: Sendable, Equatable {
        /// A short name: `descriptors`, `namespace user`, `landlock`, `seccomp`, ...
        public let name: String
        public let state: State
        /// What is in force (`ABI 7, 2 rules`) or why not (`kernel lacks Landlock (ENOSYS)`).
        public let detail: String
    }

    public private(set) var layers: [Layer] = []
    /// The kernel's Landlock ABI (nil when Landlock is unavailable or not probed).
    public internal(set) var landlockABI: Int?
    /// The seccomp user-notification listener (close-on-exec), when the plan asked for one
    /// (`SeccompPlan.notifyListener`). The worker must send it to the launcher over the
    /// control socket and close its own copy before it makes any refused call.
    public internal(set) var notificationListener: FileDescriptor?
    /// When each step started and ended (CLOCK_MONOTONIC nanoseconds, comparable across
    /// processes), in sequence order: the start-up breakdown `warden run --timings` prints.
    public internal(set) var stepTimes: [(step: HardeningStepName, started: UInt64, ended: UInt64)] = []

    public init() {}

    mutating func applied(_ name: String, _ detail: String = "") {
        layers.append(Layer(name: name, state: .applied, detail: detail))
    }

    mutating func notApplied(_ name: String, _ reason: String) {
        layers.append(Layer(name: name, state: .notApplied, detail: reason))
    }

    /// The layer named `name`, if the sequence got to it.
    public func layer(_ name: String) -> Layer? { layers.first { $0.name == name } }

    public var inForce: [Layer] { layers.filter { $0.state == .applied } }
    public var notInForce: [Layer] { layers.filter { $0.state == .notApplied } }

    /// One line per layer: `applied  landlock: ABI 7, 2 rules`.
    public var description: String {
        layers.map { "\($0.state == .applied ? "applied    " : "not applied") \($0.name)\($0.detail.isEmpty ? "" : ": \($0.detail)")" }
            .joined(separator: "\n")
    }
}
