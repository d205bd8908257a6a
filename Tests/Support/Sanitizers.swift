import Foundation

/// What `make test-sanitize` tells the suite (WARDEN_SANITIZER=address|thread): instrumented
/// code runs several times slower, and the address sanitizer reserves ~15 TiB of shadow
/// address space when a process starts, so no instrumented process starts under RLIMIT_AS.
public enum Sanitizers {
    /// "address" or "thread" under `make test-sanitize`; nil in a normal run.
    public static let active: String? = ProcessInfo.processInfo.environment["WARDEN_SANITIZER"]
    public static var address: Bool { active == "address" }

    /// What a time bound or a wall-time limit is multiplied by: WARDEN_TEST_TIME_SCALE, else 5
    /// under a sanitizer (measured: the suite's slowest timed steps took 3-4x as long under
    /// ASan on a loaded 2-core machine), else 1.
    public static let timeScale: Int = {
        if let text = ProcessInfo.processInfo.environment["WARDEN_TEST_TIME_SCALE"], let scale = Int(text), scale >= 1 { return scale }
        return active == nil ? 1 : 5
    }()

    /// `duration` times `timeScale`.
    public static func scaled(_ duration: Duration) -> Duration { duration * timeScale }
}
