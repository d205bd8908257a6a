import CWardenLinux

/// Landlock access rights by ABI. The ruleset *handles* every right the kernel's ABI knows,
/// so anything not granted by a rule is denied: the worker can reach only the preopen
/// directories, with the access the plan gives each, and nothing else in the file system.
public enum LandlockAccess {
    /// The running kernel's Landlock ABI, or nil when Landlock is missing or disabled.
    public static func kernelABI() -> Int? {
        let abi = warden_landlock_abi()
        return abi > 0 ? Int(abi) : nil
    }

    /// Filesystem rights the ABI knows (ABI 1: bits 0-12; 2: REFER; 3: TRUNCATE; 5: IOCTL_DEV).
    public static func handledFilesystem(abi: Int) -> UInt64 {
        var rights: UInt64 = (1 << 13) - 1
        if abi >= 2 { rights |= WARDEN_LANDLOCK_FS_REFER }
        if abi >= 3 { rights |= WARDEN_LANDLOCK_FS_TRUNCATE }
        if abi >= 5 { rights |= WARDEN_LANDLOCK_FS_IOCTL_DEV }
        return rights
    }

    /// ABI 4: TCP bind and connect, handled with no rule, so both are denied.
    public static func handledNetwork(abi: Int) -> UInt64 {
        abi >= 4 ? WARDEN_LANDLOCK_NET_BIND_TCP | WARDEN_LANDLOCK_NET_CONNECT_TCP : 0
    }

    /// ABI 6: no signals to, and no abstract unix sockets of, processes outside the sandbox.
    public static func scoped(abi: Int) -> UInt64 {
        abi >= 6 ? WARDEN_LANDLOCK_SCOPE_SIGNAL | WARDEN_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET : 0
    }

    /// A read-only preopen: list directories and read files. No EXECUTE anywhere (the worker
    /// never executes), no IOCTL_DEV (device ioctls are not part of WASI).
    public static func readOnly(abi: Int) -> UInt64 {
        WARDEN_LANDLOCK_FS_READ_FILE | WARDEN_LANDLOCK_FS_READ_DIR
    }

    /// A read-write preopen: also create, write, truncate, remove, rename and link regular
    /// files, directories and symlinks. Never device nodes, FIFOs or sockets.
    public static func readWrite(abi: Int) -> UInt64 {
        var rights = readOnly(abi: abi) | WARDEN_LANDLOCK_FS_WRITE_FILE | WARDEN_LANDLOCK_FS_REMOVE_DIR
            | WARDEN_LANDLOCK_FS_REMOVE_FILE | WARDEN_LANDLOCK_FS_MAKE_DIR | WARDEN_LANDLOCK_FS_MAKE_REG
            | WARDEN_LANDLOCK_FS_MAKE_SYM
        // REFER (rename/link across directories) and TRUNCATE are handled from ABI 2 and 3;
        // granting them inside a read-write root keeps renames and O_TRUNC working there.
        if abi >= 2 { rights |= WARDEN_LANDLOCK_FS_REFER }
        if abi >= 3 { rights |= WARDEN_LANDLOCK_FS_TRUNCATE }
        return rights
    }
}
