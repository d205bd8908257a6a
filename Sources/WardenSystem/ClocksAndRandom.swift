import CWardenLinux
import Glibc

public enum SystemClock: Sendable {
    case realtime, monotonic, processCPUTime, threadCPUTime

    var id: clockid_t {
        switch self {
        case .realtime: CLOCK_REALTIME
        case .monotonic: CLOCK_MONOTONIC
        case .processCPUTime: CLOCK_PROCESS_CPUTIME_ID
        case .threadCPUTime: CLOCK_THREAD_CPUTIME_ID
        }
    }

    /// Nanoseconds since the clock's epoch.
    /// CLOCK_MONOTONIC in nanoseconds (0 if it cannot be read): one time base for the
    /// launcher and its workers, so their milestones line up.
    public static func monotonicNow() -> UInt64 { (try? SystemClock.monotonic.now()) ?? 0 }

    public func now() throws(Errno) -> UInt64 {
        var time = timespec()
        _ = try retryingOnInterrupt { clock_gettime(id, &time) }
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    public func resolution() throws(Errno) -> UInt64 {
        var time = timespec()
        _ = try retryingOnInterrupt { clock_getres(id, &time) }
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}

/// Fills `buffer` from the kernel's CSPRNG (getrandom, looping over partial fills).
public func fillRandom(_ buffer: UnsafeMutableRawBufferPointer) throws(Errno) {
    var done = 0
    while done < buffer.count {
        done += try retryingOnInterrupt { warden_getrandom(buffer.baseAddress! + done, buffer.count - done, 0) }
    }
}
