/// What a guest did to a path it was allowed to reach (for `warden learn`).
public enum AccessKind: UInt8, Sendable, CaseIterable, Comparable {
    case read = 0, written, created, deleted, listed, stated

    public var name: String {
        switch self {
        case .read: "read"
        case .written: "written"
        case .created: "created"
        case .deleted: "deleted"
        case .listed: "listed"
        case .stated: "stat'ed"
        }
    }

    /// Whether the access needs a read-write grant.
    public var mutates: Bool { self == .written || self == .created || self == .deleted }

    public static func < (a: AccessKind, b: AccessKind) -> Bool { a.rawValue < b.rawValue }
}

/// One allowed access, as the WASI layer saw it: the preopen (its index in the
/// configuration) and the path beneath it, normalized lexically ("" is the preopen itself).
/// Host paths never appear here.
public struct ObservedAccess: Sendable, Equatable {
    public var preopen: Int
    public var path: String
    public var kind: AccessKind

    public init(preopen: Int, path: String, kind: AccessKind) {
        self.preopen = preopen
        self.path = path
        self.kind = kind
    }
}

/// Receives every allowed path access (refusals go to the `AccessAuditor`). Only set when
/// learning: it costs a path join per call. Called synchronously on the guest's thread.
public protocol AccessObserver: AnyObject {
    func observe(_ access: ObservedAccess)
}

/// Lexical path arithmetic beneath a preopen, for observed accesses. Symlinks inside the
/// grant are not followed here: a path is attributed to where it was spelled.
public enum ObservedPath {
    /// `base` joined with `relative`, `.` and `..` applied ("" is the preopen root). A `..`
    /// past the root cannot reach here: the resolver refused it.
    public static func join(_ base: String, _ relative: String) -> String {
        var parts = base.split(separator: "/").map(String.init)
        for component in relative.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(String(component))
            }
        }
        return parts.joined(separator: "/")
    }
}
