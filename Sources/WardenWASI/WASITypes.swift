/// Bit sets and enumerations of wasi_snapshot_preview1, with witx values.
public struct Rights: OptionSet, Sendable, Hashable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public static let fdDatasync = Rights(rawValue: 1 << 0)
    public static let fdRead = Rights(rawValue: 1 << 1)
    public static let fdSeek = Rights(rawValue: 1 << 2)
    public static let fdFdstatSetFlags = Rights(rawValue: 1 << 3)
    public static let fdSync = Rights(rawValue: 1 << 4)
    public static let fdTell = Rights(rawValue: 1 << 5)
    public static let fdWrite = Rights(rawValue: 1 << 6)
    public static let fdAdvise = Rights(rawValue: 1 << 7)
    public static let fdAllocate = Rights(rawValue: 1 << 8)
    public static let pathCreateDirectory = Rights(rawValue: 1 << 9)
    public static let pathCreateFile = Rights(rawValue: 1 << 10)
    public static let pathLinkSource = Rights(rawValue: 1 << 11)
    public static let pathLinkTarget = Rights(rawValue: 1 << 12)
    public static let pathOpen = Rights(rawValue: 1 << 13)
    public static let fdReaddir = Rights(rawValue: 1 << 14)
    public static let pathReadlink = Rights(rawValue: 1 << 15)
    public static let pathRenameSource = Rights(rawValue: 1 << 16)
    public static let pathRenameTarget = Rights(rawValue: 1 << 17)
    public static let pathFilestatGet = Rights(rawValue: 1 << 18)
    public static let pathFilestatSetSize = Rights(rawValue: 1 << 19)
    public static let pathFilestatSetTimes = Rights(rawValue: 1 << 20)
    public static let fdFilestatGet = Rights(rawValue: 1 << 21)
    public static let fdFilestatSetSize = Rights(rawValue: 1 << 22)
    public static let fdFilestatSetTimes = Rights(rawValue: 1 << 23)
    public static let pathSymlink = Rights(rawValue: 1 << 24)
    public static let pathRemoveDirectory = Rights(rawValue: 1 << 25)
    public static let pathUnlinkFile = Rights(rawValue: 1 << 26)
    public static let pollFdReadwrite = Rights(rawValue: 1 << 27)
    public static let sockShutdown = Rights(rawValue: 1 << 28)
    public static let sockAccept = Rights(rawValue: 1 << 29)

    public static let all = Rights(rawValue: (1 << 30) - 1)

    /// What a file descriptor may do when nothing in it mutates the file.
    public static let fileReading: Rights = [
        .fdDatasync, .fdRead, .fdSeek, .fdFdstatSetFlags, .fdSync, .fdTell, .fdAdvise,
        .fdFilestatGet, .pollFdReadwrite,
    ]
    /// The rights that change a file's contents or metadata.
    public static let fileMutating: Rights = [.fdWrite, .fdAllocate, .fdFilestatSetSize, .fdFilestatSetTimes]
    public static let directoryReading: Rights = [
        .fdFdstatSetFlags, .fdSync, .fdDatasync, .pathOpen, .fdReaddir, .pathReadlink,
        .pathFilestatGet, .fdFilestatGet, .fdAdvise,
    ]
    /// The rights that create, change or remove entries beneath a directory.
    public static let directoryMutating: Rights = [
        .pathCreateDirectory, .pathCreateFile, .pathLinkSource, .pathLinkTarget, .pathRenameSource,
        .pathRenameTarget, .pathFilestatSetSize, .pathFilestatSetTimes, .fdFilestatSetTimes,
        .pathSymlink, .pathRemoveDirectory, .pathUnlinkFile,
    ]
    public static let socket: Rights = [
        .fdRead, .fdWrite, .fdFdstatSetFlags, .fdFilestatGet, .pollFdReadwrite, .sockShutdown,
    ]
    public static let listeningSocket: Rights = [.sockAccept, .fdFdstatSetFlags, .fdFilestatGet, .pollFdReadwrite]
    public static let mutating: Rights = fileMutating.union(directoryMutating)
}

public enum FileType: UInt8, Sendable {
    case unknown = 0, blockDevice, characterDevice, directory, regularFile, socketDgram, socketStream, symbolicLink
}

public struct FdFlags: OptionSet, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let append = FdFlags(rawValue: 1 << 0)
    public static let dsync = FdFlags(rawValue: 1 << 1)
    public static let nonblock = FdFlags(rawValue: 1 << 2)
    public static let rsync = FdFlags(rawValue: 1 << 3)
    public static let sync = FdFlags(rawValue: 1 << 4)

    /// As the host reports them back: Linux has one O_SYNC for sync and rsync, and O_SYNC
    /// implies O_DSYNC.
    public var normalized: FdFlags {
        var result = intersection([.append, .nonblock])
        if contains(.sync) || contains(.rsync) { result.insert([.sync, .rsync]) } else if contains(.dsync) { result.insert(.dsync) }
        return result
    }
}

public struct OFlags: OptionSet, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let create = OFlags(rawValue: 1 << 0)
    public static let directory = OFlags(rawValue: 1 << 1)
    public static let exclusive = OFlags(rawValue: 1 << 2)
    public static let truncate = OFlags(rawValue: 1 << 3)
}

public struct LookupFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let symlinkFollow = LookupFlags(rawValue: 1 << 0)
}

public struct FstFlags: OptionSet, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let accessTime = FstFlags(rawValue: 1 << 0)
    public static let accessTimeNow = FstFlags(rawValue: 1 << 1)
    public static let modificationTime = FstFlags(rawValue: 1 << 2)
    public static let modificationTimeNow = FstFlags(rawValue: 1 << 3)
}

public enum ClockID: UInt32, Sendable {
    case realtime = 0, monotonic, processCPUTime, threadCPUTime
}

/// Byte offsets of the structs the guest reads and writes (wasm32 layout).
enum Layout {
    static let fdstatSize = 24
    static let filestatSize = 64
    static let direntHeaderSize = 24
    static let subscriptionSize = 48
    static let eventSize = 32
    static let iovecSize = 8
}
