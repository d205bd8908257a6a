// Glibc for constants only: O_WRONLY
import Glibc
import WardenSystem

/// `linux.cgroupsPath`, honoured as runc honours it: the cgroupfs form (`/a/b`, relative to
/// each hierarchy's root) and the systemd form (`slice:prefix:name` → `/…/slice/prefix-name.scope`).
/// On cgroup v2 the holder goes into one directory; on v1 (this project's test host is a
/// hybrid) into the same path of each controller hierarchy warden-oci uses. The memory limit is
/// written where the controller exists; freezing uses `cgroup.freeze` (v2) or the v1 freezer.
public struct CgroupPlacement: Sendable {
    public static let mountPoint = "/sys/fs/cgroup"
    static let v1Controllers = ["memory", "pids", "freezer", "cpu,cpuacct", "blkio"]

    /// The path below a hierarchy's root that `cgroupsPath` names.
    public static func relativePath(_ cgroupsPath: String, systemd: Bool) -> String? {
        let parts = cgroupsPath.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if systemd || (parts.count == 3 && !cgroupsPath.hasPrefix("/")) {
            guard parts.count == 3 else { return nil }
            let slice = parts[0].isEmpty ? "system.slice" : parts[0]
            guard slice.hasSuffix(".slice"), !slice.contains("/") else { return nil }
            // "a-b-c.slice" lives in /a.slice/a-b.slice/a-b-c.slice.
            var path = ""
            let stem = slice.dropLast(".slice".count)
            if stem != "-" {
                var prefix = ""
                for component in stem.split(separator: "-") {
                    prefix = prefix.isEmpty ? String(component) : prefix + "-" + component
                    path += "/" + prefix + ".slice"
                }
            }
            let unit = parts[2].hasSuffix(".slice") ? parts[2] : (parts[1].isEmpty ? parts[2] : parts[1] + "-" + parts[2]) + ".scope"
            return path + "/" + unit
        }
        let components = cgroupsPath.split(separator: "/").filter { $0 != "." }
        guard !components.contains("..") else { return nil }
        return "/" + components.joined(separator: "/")
    }

    /// The directories a container at `relative` occupies on this host.
    public static func directories(for relative: String, authority: AmbientAuthority) -> [String] {
        if authority.exists(mountPoint + "/cgroup.controllers") { return [mountPoint + relative] }
        return v1Controllers.filter { authority.exists(mountPoint + "/" + $0 + "/cgroup.procs") }.map { mountPoint + "/" + $0 + relative }
    }

    /// Creates the directories, applies the memory and pids limits, and moves `pid` in.
    public static func place(_ pid: Int32, in directories: [String], memoryLimit: Int64?, pidsLimit: Int64?,
                             authority: AmbientAuthority) throws(Errno) {
        for directory in directories {
            try authority.makeDirectories(directory, mode: 0o755)
            if let memoryLimit, memoryLimit > 0 {
                if directory.hasPrefix(mountPoint + "/memory/") {
                    try write("\(memoryLimit)", to: directory + "/memory.limit_in_bytes", authority)
                } else if authority.exists(directory + "/memory.max") {
                    try write("\(memoryLimit)", to: directory + "/memory.max", authority)
                }
            }
            if let pidsLimit, pidsLimit > 0, authority.exists(directory + "/pids.max") {
                try write("\(pidsLimit)", to: directory + "/pids.max", authority)
            }
            try write("\(pid)", to: directory + "/cgroup.procs", authority)
        }
    }

    /// Removes the directories (the container's processes are gone by then).
    public static func remove(_ directories: [String], authority: AmbientAuthority) {
        for directory in directories { try? authority.removeDirectory(directory) }
    }

    public static func processes(in directories: [String], authority: AmbientAuthority) -> [Int32] {
        guard let first = directories.first,
              let bytes = try? authority.readFile(first + "/cgroup.procs", limit: 1 << 20) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { Int32($0) }
    }

    /// The freezer of these directories, if there is one: (file, frozen text, thawed text).
    static func freezer(_ directories: [String], authority: AmbientAuthority) -> (file: String, frozen: String, thawed: String)? {
        for directory in directories {
            if directory.hasPrefix(mountPoint + "/freezer/") { return (directory + "/freezer.state", "FROZEN", "THAWED") }
            if authority.exists(directory + "/cgroup.freeze") { return (directory + "/cgroup.freeze", "1", "0") }
        }
        return nil
    }

    public static func isFrozen(_ directories: [String], authority: AmbientAuthority) -> Bool {
        guard let freezer = freezer(directories, authority: authority),
              let bytes = try? authority.readFile(freezer.file, limit: 64) else { return false }
        return String(decoding: bytes, as: UTF8.self).hasPrefix(freezer.frozen)
    }

    /// Freezes or thaws; false when the container has no freezer to use.
    public static func setFrozen(_ frozen: Bool, _ directories: [String], authority: AmbientAuthority) throws(Errno) -> Bool {
        guard let freezer = freezer(directories, authority: authority) else { return false }
        try write(frozen ? freezer.frozen : freezer.thawed, to: freezer.file, authority)
        return true
    }

    static func write(_ text: String, to path: String, _ authority: AmbientAuthority) throws(Errno) {
        let fd = try authority.openFile(path, flags: O_WRONLY)
        defer { try? fd.close() }
        try fd.writeAll(text)
    }
}
