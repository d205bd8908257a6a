import Glibc

/// Shell patterns as fnmatch(3) with no flags reads them: `*`, `?`, `[...]`, and `*` also
/// crosses `/`. No I/O; here so the rooms above need libc for nothing they call.
public func shellPatternMatches(_ pattern: String, _ text: String) -> Bool {
    fnmatch(pattern, text, 0) == 0
}
