import Glibc

/// The process environment (getenv/unsetenv). Not thread-safe in libc: read it at start-up,
/// before threads that might change it exist, as wardend does.
public enum Environment {
    public static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// Removes `name`, so nothing this process starts later sees it.
    public static func remove(_ name: String) {
        unsetenv(name)
    }
}
