import WardenIPC
import WardenWASI

/// `warden learn` in the worker: each distinct allowed access goes to the launcher once, in
/// batches over the control socket (a module that reads one file a million times sends one
/// entry). The set of what was sent is bounded; past it the launcher has been told too much
/// to learn from anyway and ends the run.
final class LearningObserver: AccessObserver {
    static let batchSize = 256
    static let distinctLimit = 100_000

    let control: ControlChannel
    private var sent: Set<Key> = []
    private var pending: [LearnedAccess] = []

    private struct Key: Hashable {
        var preopen: Int
        var path: String
        var kind: UInt8
    }

    init(control: ControlChannel) { self.control = control }

    func observe(_ access: ObservedAccess) {
        guard sent.count <= Self.distinctLimit else { return }
        guard sent.insert(Key(preopen: access.preopen, path: access.path, kind: access.kind.rawValue)).inserted else { return }
        pending.append(LearnedAccess(preopen: UInt32(access.preopen), path: access.path, kind: access.kind.rawValue))
        if pending.count >= Self.batchSize { flush() }
    }

    func flush() {
        guard !pending.isEmpty else { return }
        try? control.send(WorkerMessage.accesses(pending).encoded())
        pending.removeAll(keepingCapacity: true)
    }
}
