import Glibc

extension SystemClock {
    /// Sleeps this thread for about `milliseconds` (a signal may end it early).
    public static func sleep(milliseconds: UInt32) {
        _ = usleep(milliseconds * 1000)
    }
}
