import WardenSystem

/// Where warden-oci keeps its containers: `ROOT/@warden/ID/` holds `state.json` (the record)
/// and, until `start`, `exec.fifo`. `@` cannot appear in a runc container id, so a root shared
/// with runc (containerd passes the same `--root` to both) never mixes the two. Each call is
/// its own process; calls for different containers touch different directories, and `create`
/// claims an id with one atomic mkdir.
public struct StateDirectory: Sendable {
    public let root: String
    let authority = AmbientAuthority(purpose: "warden-oci: its state directory (--root)")

    public init(root: String) { self.root = root }

    public var containersPath: String { root + "/@warden" }
    public func path(_ id: String) -> String { containersPath + "/" + id }
    public func recordPath(_ id: String) -> String { path(id) + "/state.json" }
    public func fifoPath(_ id: String) -> String { path(id) + "/exec.fifo" }

    /// runc's rule for ids: letters, digits, `_+-.`, not "." or "..", at most 1024 bytes.
    public static func isValid(id: String) -> Bool {
        guard !id.isEmpty, id != ".", id != "..", id.utf8.count <= 1024 else { return false }
        return id.unicodeScalars.allSatisfy { scalar in
            (scalar.properties.isAlphabetic && scalar.isASCII) || ("0"..."9").contains(scalar) || "_+-.".unicodeScalars.contains(scalar)
        }
    }

    public func isWarden(_ id: String) -> Bool { Self.isValid(id: id) && authority.exists(path(id)) }

    /// Claims `id`: EEXIST when a container of that name exists (ours or runc's).
    public func claim(_ id: String) throws(Errno) {
        try authority.makeDirectories(containersPath)
        if authority.exists(root + "/" + id + "/state.json") { throw .exists }
        try authority.makeDirectory(path(id), mode: 0o700)
    }

    public func save(_ record: ContainerRecord) throws(Errno) {
        try authority.replaceFile(recordPath(record.id), with: record.encoded())
    }

    public func load(_ id: String) -> ContainerRecord? {
        (try? authority.readFile(recordPath(id), limit: 1 << 20)).flatMap(ContainerRecord.decode)
    }

    /// The container's directory and everything in it (a flat directory by construction).
    public func remove(_ id: String) {
        let directory = path(id)
        for name in (try? authority.directoryNames(directory)) ?? [] { try? authority.removeFile(directory + "/" + name) }
        try? authority.removeDirectory(directory)
    }

    /// The holder's /proc entry, if it is still the process `create` recorded.
    public func liveProcess(_ record: ContainerRecord) -> ProcessStat? {
        guard record.pid > 0,
              let bytes = try? authority.readFile("/proc/\(record.pid)/stat", limit: 4096),
              let stat = ProcessStat.parse(String(decoding: bytes, as: UTF8.self)),
              stat.startTime == record.processStartTime, !stat.isGone else { return nil }
        return stat
    }

    /// created (waiting for `start`), running, paused (frozen) or stopped.
    public func status(_ record: ContainerRecord) -> String {
        guard liveProcess(record) != nil else { return "stopped" }
        if authority.exists(fifoPath(record.id)) { return "created" }
        if CgroupPlacement.isFrozen(record.cgroups, authority: authority) { return "paused" }
        return "running"
    }

    /// The holder and every descendant (the worker), from /proc's children lists.
    public func processes(_ record: ContainerRecord) -> [Int32] {
        guard liveProcess(record) != nil else { return [] }
        var result: [Int32] = []
        var pending = [record.pid]
        while let pid = pending.popLast(), result.count < 4096 {
            result.append(pid)
            let text = (try? authority.readFile("/proc/\(pid)/task/\(pid)/children", limit: 1 << 16)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            pending += text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int32($0) }
        }
        return result
    }

    public func processStartTime(_ pid: Int32) -> UInt64? {
        (try? authority.readFile("/proc/\(pid)/stat", limit: 4096)).flatMap { ProcessStat.parse(String(decoding: $0, as: UTF8.self)) }?.startTime
    }
}
