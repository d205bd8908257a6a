@_spi(Fuzzing) import WasmKit
import WAT
import WardenWASI

/// Parses, validates, instantiates and runs one WASI command module.
public struct GuestRunner {
    public struct Limits: Sendable {
        /// Linear memory ceiling in bytes (nil: the module's own maximum, at most 4 GiB).
        public var maxMemoryBytes: Int?
        /// Instruction budget (nil: unmetered).
        public var fuel: UInt64?
        public init(maxMemoryBytes: Int? = nil, fuel: UInt64? = nil) {
            self.maxMemoryBytes = maxMemoryBytes
            self.fuel = fuel
        }
    }

    /// How the guest ended (the engine-neutral outcome).
    public typealias Outcome = GuestOutcome

    public enum LoadError: Error, CustomStringConvertible, Sendable {
        case invalidText(String)
        case invalidModule(String)
        case instantiation(String)
        case noStart

        public var description: String {
            switch self {
            case .invalidText(let reason): "invalid WebAssembly text: \(reason)"
            case .invalidModule(let reason): "invalid WebAssembly module: \(reason)"
            case .instantiation(let reason): "cannot instantiate module: \(reason)"
            case .noStart: "module exports no \"_start\" function (not a WASI command)"
            }
        }
    }

    public let limits: Limits
    /// Told the size (bytes) of each memory growth the ceiling refuses, for the audit log.
    public var onMemoryRefused: ((Int) -> Void)?
    public init(limits: Limits) { self.limits = limits }

    /// Deeper parenthesis nesting than this is refused before the (recursive) WAT parser sees it.
    public static let maximumTextNesting = 1000

    /// Binary modules start with "\0asm"; anything else is treated as WAT text.
    public static func binary(from bytes: [UInt8]) throws(LoadError) -> [UInt8] {
        if bytes.starts(with: [0x00, 0x61, 0x73, 0x6d]) { return bytes }
        if let depth = textNestingExceeding(maximumTextNesting, bytes) {
            throw .invalidText("nesting deeper than \(maximumTextNesting) levels (\(depth)+)")
        }
        do {
            return try wat2wasm(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw .invalidText("\(error)")
        }
    }

    /// What a run used (for `warden learn`).
    public typealias Usage = GuestUsage

    /// A module parsed, validated and instantiated, its `_start` not yet called. A
    /// per-connection zygote makes one and forks: each instance starts from this state.
    public struct Instantiated {
        let store: Store
        /// nil when instantiation already ended the guest (a start section called proc_exit).
        let instance: Instance?
        let start: Function?
        let ended: Outcome?

        /// What the run used so far, given the budget it started with.
        public func usage(fuelBudget: UInt64?) -> Usage {
            let consumed = fuelBudget.flatMap { budget in store.fuel.map { budget &- $0.remaining } }
            return Usage(memoryBytes: instance?.exports[memory: "memory"]?.byteCount ?? 0, fuelConsumed: consumed)
        }

        /// Runs `_start` (or reports how instantiation ended the guest).
        public func run() -> Outcome {
            guard let start else { return ended ?? .exited(0) }
            do {
                _ = try start()
                return .exited(0)
            } catch let termination as GuestTermination {
                return GuestRunner.outcome(termination)
            } catch {
                return .trapped(GuestRunner.describe(error))
            }
        }
    }

    /// Parses, validates and instantiates the module against `wasi`. `compileEagerly`
    /// translates every function now rather than on its first call: a per-connection zygote
    /// pays once, where lazily each forked instance would translate again (and throw it away).
    public func instantiate(moduleBytes: [UInt8], wasi: WASIPreview1, compileEagerly: Bool = false) throws(LoadError) -> Instantiated {
        try instantiate(module: try Self.parse(moduleBytes), wasi: wasi, compileEagerly: compileEagerly)
    }

    /// Parses and validates a binary module.
    static func parse(_ moduleBytes: [UInt8]) throws(LoadError) -> Module {
        do { return try parseWasm(bytes: moduleBytes) } catch { throw .invalidModule("\(error)") }
    }

    /// Instantiates a module already parsed (`parse`).
    func instantiate(module: Module, wasi: WASIPreview1, compileEagerly: Bool) throws(LoadError) -> Instantiated {
        let mode: EngineConfiguration.CompilationMode = compileEagerly ? .eager : .lazy
        let engine = Engine(configuration: EngineConfiguration(compilationMode: mode, fuelMetering: limits.fuel != nil))
        let store = Store(engine: engine)
        if let maxMemoryBytes = limits.maxMemoryBytes { store.resourceLimiter = MemoryCeiling(bytes: maxMemoryBytes, onRefusal: onMemoryRefused) }
        if let fuel = limits.fuel { store.fuel = Fuel(remaining: fuel) }

        var imports = Imports()
        let bridge = WASIImports(wasi: wasi)
        bridge.define(into: &imports, store: store)
        let instance: Instance
        do {
            instance = try module.instantiate(store: store, imports: imports)
        } catch let termination as GuestTermination {
            return Instantiated(store: store, instance: nil, start: nil, ended: Self.outcome(termination))
        } catch {
            throw .instantiation("\(error)")
        }
        bridge.bind(to: instance)
        guard let start = instance.exports[function: "_start"] else { throw .noStart }
        return Instantiated(store: store, instance: instance, start: start, ended: nil)
    }

    /// `beforeStart` runs once the module is parsed and instantiated, just before `_start`;
    /// `afterRun`, once `_start` has ended (however it ended).
    public func run(moduleBytes: [UInt8], wasi: WASIPreview1, beforeStart: (() -> Void)? = nil,
                    afterRun: ((Usage) -> Void)? = nil) throws(LoadError) -> Outcome {
        let instantiated = try instantiate(moduleBytes: moduleBytes, wasi: wasi)
        guard instantiated.ended == nil else { return instantiated.run() }
        beforeStart?()
        defer {
            if let afterRun, instantiated.instance != nil { afterRun(instantiated.usage(fuelBudget: limits.fuel)) }
        }
        return instantiated.run()
    }

    /// The first nesting depth above `limit`, skipping strings and comments, or nil.
    static func textNestingExceeding(_ limit: Int, _ bytes: [UInt8]) -> Int? {
        var depth = 0, index = 0, commentDepth = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if commentDepth > 0 {
                if byte == UInt8(ascii: "(") && index + 1 < count && bytes[index + 1] == UInt8(ascii: ";") { commentDepth += 1; index += 2; continue }
                if byte == UInt8(ascii: ";") && index + 1 < count && bytes[index + 1] == UInt8(ascii: ")") { commentDepth -= 1; index += 2; continue }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                while index < count && bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
            case UInt8(ascii: ";") where index + 1 < count && bytes[index + 1] == UInt8(ascii: ";"):
                while index < count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "(") where index + 1 < count && bytes[index + 1] == UInt8(ascii: ";"):
                commentDepth = 1
                index += 1
            case UInt8(ascii: "("):
                depth += 1
                if depth > limit { return depth }
            case UInt8(ascii: ")"):
                depth -= 1
            default:
                break
            }
            index += 1
        }
        return nil
    }

    static func outcome(_ termination: GuestTermination) -> Outcome {
        switch termination {
        case .exit(let code): .exited(code)
        case .signal(let signal): .signaled(signal)
        }
    }

    /// The trap's reason and at most a dozen backtrace frames (a stack-exhaustion trap would
    /// otherwise print thousands).
    static func describe(_ error: any Error) -> String {
        var text = "\(error)"
        if text.hasPrefix("Trap: ") { text.removeFirst(6) }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 13 else { return text }
        return lines.prefix(13).joined(separator: "\n") + "\n    ... \(lines.count - 13) more frames"
    }
}

/// Refuses linear-memory growth past the configured ceiling (memory.grow returns -1).
/// Unchecked Sendable: the store that holds it runs on one thread (the guest's).
final class MemoryCeiling: ResourceLimiter, @unchecked Sendable {
    let bytes: Int
    let onRefusal: ((Int) -> Void)?
    init(bytes: Int, onRefusal: ((Int) -> Void)?) {
        self.bytes = bytes
        self.onRefusal = onRefusal
    }
    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        guard desired <= bytes else {
            onRefusal?(desired)
            return false
        }
        return true
    }
    func limitTableGrowth(to desired: Int) throws -> Bool { desired <= 1_000_000 }
}
