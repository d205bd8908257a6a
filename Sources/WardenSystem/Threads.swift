import Glibc

/// Threads the rooms above start or yield by hand (not Swift concurrency): wardend's reactor
/// lives on one dedicated pthread, because PR_SET_PDEATHSIG follows the spawning thread and a
/// pool thread may be retired under a worker it started.
public enum SystemThread {
    /// Runs `body` on a new detached thread. Throws the pthread_create error (it returns the
    /// error number rather than setting errno).
    public static func startDetached(_ body: @escaping @Sendable () -> Void) throws(Errno) {
        let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, threadEntry, box)
        guard rc == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(box).release()
            throw Errno(rawValue: rc)
        }
        pthread_detach(thread)
    }

    /// sched_yield(2): lets another runnable thread have the CPU.
    public static func yield() {
        _ = sched_yield()
    }
}

private final class ThreadBody {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// A C callback: file scope, no captures.
private func threadEntry(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let context else { return nil }
    Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().body()
    return nil
}
