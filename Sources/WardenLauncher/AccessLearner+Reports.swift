import WardenAuthoring
import WardenIPC
import WardenWASI

extension AccessLearner {
    /// Adds one batch as a worker sent it. A compromised worker writes these, so every kind and
    /// preopen index is checked before the evidence reaches the learner: false for one naming
    /// a preopen or kind that does not exist, or once the run passes `distinctLimit`.
    public func add(_ batch: [LearnedAccess], preopenCount: Int) -> Bool {
        var observed: [ObservedAccess] = []
        observed.reserveCapacity(batch.count)
        for access in batch {
            guard let kind = AccessKind(rawValue: access.kind), Int(access.preopen) < preopenCount else { return false }
            observed.append(ObservedAccess(preopen: Int(access.preopen), path: access.path, kind: kind))
        }
        return add(observed)
    }
}
