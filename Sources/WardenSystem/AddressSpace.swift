import Glibc

/// The process's address space as RLIMIT_AS bounds it.
public enum AddressSpace {
    /// Whether `bytes` more could be mapped right now: a PROT_NONE, MAP_NORESERVE probe mapping,
    /// unmapped at once. It costs no memory; it fails (ENOMEM) exactly when RLIMIT_AS or the
    /// address space itself has no room, which an allocation of that size would then hit too.
    public static func hasRoom(for bytes: Int) -> Bool {
        guard bytes > 0 else { return true }
        guard let probe = mmap(nil, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              probe != MAP_FAILED else { return false }
        munmap(probe, bytes)
        return true
    }
}
