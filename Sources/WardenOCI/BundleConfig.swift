import WardenJSON

/// The parts of an OCI bundle's `config.json` warden-oci reads. Everything else in the file
/// grants nothing: a Wasm container gets only what `GrantMapping` derives from these fields.
public struct BundleConfig: Sendable, Equatable {
    public struct Mount: Sendable, Equatable {
        public var destination: String
        public var type: String?
        public var source: String?
        public var options: [String]
        public var isBind: Bool { type == "bind" || options.contains("bind") || options.contains("rbind") }
        public var isReadOnly: Bool { options.contains("ro") }
    }

    public struct Namespace: Sendable, Equatable {
        public var type: String
        public var path: String?
    }

    public var ociVersion: String
    public var args: [String]
    public var env: [String]
    public var cwd: String
    public var terminal: Bool
    /// `root.path`, relative to the bundle or absolute.
    public var rootPath: String
    public var rootReadOnly: Bool
    public var mounts: [Mount]
    public var annotations: [String: String]
    public var namespaces: [Namespace]
    public var cgroupsPath: String?
    public var memoryLimit: Int64?
    public var pidsLimit: Int64?
    public var hasHooks: Bool

    public enum ParseError: Error, Equatable, CustomStringConvertible, Sendable {
        case syntax(String)
        case missing(String)
        case invalid(String)
        public var description: String {
            switch self {
            case .syntax(let detail): "config.json is not valid JSON: \(detail)"
            case .missing(let field): "config.json has no \(field)"
            case .invalid(let detail): "config.json: \(detail)"
            }
        }
    }

    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> BundleConfig {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes: bytes) } catch { throw .syntax(error.description) }
        guard value.object != nil else { throw .invalid("the top level is not an object") }
        func strings(_ item: JSONValue?, _ name: String) throws(ParseError) -> [String] {
            guard let item, !item.isNull else { return [] }
            guard let array = item.array else { throw .invalid("\(name) is not an array") }
            var result: [String] = []
            for element in array {
                guard let text = element.string else { throw .invalid("\(name) holds a non-string") }
                result.append(text)
            }
            return result
        }
        let process = value["process"]
        guard let process, process.object != nil else { throw .missing("process") }
        let args = try strings(process["args"], "process.args")
        guard let root = value["root"]?["path"]?.string else { throw .missing("root.path") }
        var mounts: [Mount] = []
        for (index, item) in (value["mounts"]?.array ?? []).enumerated() {
            guard let destination = item["destination"]?.string else { throw .invalid("mounts[\(index)] has no destination") }
            mounts.append(Mount(destination: destination, type: item["type"]?.string, source: item["source"]?.string,
                                options: try strings(item["options"], "mounts[\(index)].options")))
        }
        var annotations: [String: String] = [:]
        for (key, item) in value["annotations"]?.object ?? [:] {
            guard let text = item.string else { throw .invalid("annotation '\(key)' is not a string") }
            annotations[key] = text
        }
        let linux = value["linux"]
        var namespaces: [Namespace] = []
        for item in linux?["namespaces"]?.array ?? [] {
            guard let type = item["type"]?.string else { throw .invalid("a linux.namespaces entry has no type") }
            namespaces.append(Namespace(type: type, path: item["path"]?.string))
        }
        let hooks = value["hooks"]?.object ?? [:]
        return BundleConfig(
            ociVersion: value["ociVersion"]?.string ?? "1.0.2",
            args: args,
            env: try strings(process["env"], "process.env"),
            cwd: process["cwd"]?.string ?? "/",
            terminal: process["terminal"]?.bool ?? false,
            rootPath: root,
            rootReadOnly: value["root"]?["readonly"]?.bool ?? false,
            mounts: mounts,
            annotations: annotations,
            namespaces: namespaces,
            cgroupsPath: linux?["cgroupsPath"]?.string,
            memoryLimit: linux?["resources"]?["memory"]?["limit"]?.int64,
            pidsLimit: linux?["resources"]?["pids"]?["limit"]?.int64,
            hasHooks: hooks.values.contains { !($0.array?.isEmpty ?? true) })
    }
}
