import WardenWASI

/// `warden learn`'s evidence from one run: every distinct allowed access the worker reported,
/// what the run used, and every refusal (which the learned policy lists, never grants).
public final class AccessLearner {
    /// More distinct accesses than this ends the run: a policy learned from them would be
    /// unreadable, and the launcher's memory is not the module's to fill.
    public static let distinctLimit = 100_000

    public private(set) var accesses: [ObservedAccess] = []
    public private(set) var refusals: [Refusal] = []
    public private(set) var memoryBytes: UInt64 = 0
    public private(set) var fuelConsumed: UInt64?
    public private(set) var peakOpenDescriptors = 0
    public private(set) var environmentRead = false
    public private(set) var usageReported = false
    /// Worker CPU time (user + system) and wall time from spawn to exit, in nanoseconds.
    public var cpuNanoseconds: UInt64 = 0
    public var wallNanoseconds: UInt64 = 0
    /// When the worker was spawned (monotonic nanoseconds), for `wallNanoseconds`.
    public var spawnedAt: UInt64 = 0

    public init() {}

    /// False once the run has reported more than `distinctLimit` accesses.
    public func add(_ batch: [ObservedAccess]) -> Bool {
        accesses += batch
        return accesses.count <= Self.distinctLimit
    }

    public func usage(memoryBytes: UInt64, fuelConsumed: UInt64?, peakOpenDescriptors: UInt32, environmentRead: Bool) {
        self.memoryBytes = memoryBytes
        self.fuelConsumed = fuelConsumed
        self.peakOpenDescriptors = Int(peakOpenDescriptors)
        self.environmentRead = environmentRead
        usageReported = true
    }

    public func refused(layer: String, operation: String, preopen: String?, path: String?, reason: String) {
        let refusal = Refusal(layer: layer, operation: operation, preopen: preopen, path: path, reason: reason)
        if refusals.count < 1000, !refusals.contains(refusal) { refusals.append(refusal) }
    }
}
