@_spi(Fuzzing) import WasmKit
import WAT
import WardenWASI
import WardenSystem

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
        /// A function body that does not validate: its index in the function index space
        /// (imports first) and WasmKit's reason, which names the byte offset in the module.
        case invalidFunction(index: Int, reason: String)
        case instantiation(String)
        case noStart

        public var description: String {
            switch self {
            case .invalidText(let reason): "invalid WebAssembly text: \(reason)"
            case .invalidModule(let reason): "invalid WebAssembly module: \(reason)"
            case .invalidFunction(let index, let reason): "invalid WebAssembly module: function \(index): \(reason)"
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

    /// Binary modules start with "\0asm"; text (WAT) starts with '(' after blanks and
    /// comments. Anything else is not a module at all, and is told apart from broken text.
    public static func binary(from bytes: [UInt8]) throws(LoadError) -> [UInt8] {
        if bytes.starts(with: [0x00, 0x61, 0x73, 0x6d]) { return bytes }
        guard !bytes.isEmpty else { throw .invalidModule("the file is empty") }
        guard looksLikeText(bytes) else {
            throw .invalidModule("not a WebAssembly module: a binary module starts with the bytes \\0asm, a text module with '('")
        }
        if let depth = textNestingExceeding(maximumTextNesting, bytes) {
            throw .invalidText("nesting deeper than \(maximumTextNesting) levels (\(depth)+)")
        }
        do {
            return try wat2wasm(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw .invalidText(describe(error))
        }
    }

    /// WasmKit's `"message" at offset 0x1f` as `byte offset 31: message`.
    static func describeBinaryError(_ text: String) -> String {
        let marker = " at offset 0x"
        guard let range = text.utf8.indices.first(where: { text[$0...].hasPrefix(marker) }) else { return text }
        let after = text[text.index(range, offsetBy: marker.count)...]
        let hex = after.prefix { $0.isHexDigit }
        guard let offset = Int(hex, radix: 16) else { return text }
        var message = String(text[..<range]) + String(after.dropFirst(hex.count))
        if message.hasPrefix("\""), let close = message.dropFirst().firstIndex(of: "\"") {
            message = String(message[message.index(after: message.startIndex)..<close]) + String(message[message.index(after: close)...])
        }
        while message.hasSuffix(".") || message.hasSuffix(" ") { message.removeLast() }
        return "byte offset \(offset): \(message)"
    }

    /// Whether the first thing after blanks and `;;` line comments is '(' or a `(;` block
    /// comment: what every WAT module starts with.
    static func looksLikeText(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
            case UInt8(ascii: ";") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: ";"):
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "("): return true
            default: return false
            }
        }
        return false
    }

    /// "line 3, column 5: expected '('" (both from 1) instead of WasmKit's value dump
    /// (`expected leftParen at Location(line: 1, column: 0)`, column from 0).
    static func describe(_ error: WatParserError) -> String {
        var text = "\(error)"
        if error.location != nil, let cut = text.utf8.lastIndex(of: UInt8(ascii: "L")).flatMap({ text[$0...].hasPrefix("Location(") ? $0 : nil }),
           text[..<cut].hasSuffix(" at ") {
            text = String(text[..<text.index(cut, offsetBy: -4)])
        }
        // The lexer's token kinds, in words (whole words only).
        let spelled = ["leftParen": "'('", "rightParen": "')'", "lineComment": "a comment", "blockComment": "a comment",
                       "keyword": "a keyword", "id": "an identifier", "integer": "an integer", "float": "a number"]
        let problem = text.split(separator: " ", omittingEmptySubsequences: false).map { spelled[String($0)] ?? String($0) }.joined(separator: " ")
        guard let location = error.location else { return problem }
        let (line, column) = location.computeLineAndColumn()
        return "line \(line), column \(column + 1): \(problem)"
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
        /// The host functions' hold on the memory: released with the last copy of this value,
        /// which frees the store (MemoryBinding says why).
        let binding: MemoryBinding?

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

    /// Parses, validates and instantiates the module against `wasi`. Every function body is
    /// validated before the module's first instruction runs, as the spec requires (WasmKit
    /// validates a body while translating it, and translates lazily by default, so an invalid
    /// body would otherwise surface as a trap when first called, after the guest had run):
    /// a module without a start section is instantiated with eager translation, which
    /// translates every body before anything is called; one with a start section (which runs
    /// during instantiation, before an eager translation would) is first validated in a
    /// throwaway store with its start dropped. `compileEagerly` keeps the eager translation in
    /// every case: a per-connection zygote pays once, where lazily each forked instance would
    /// translate again (and throw it away).
    public func instantiate(moduleBytes: [UInt8], wasi: WASIPreview1, compileEagerly: Bool = false) throws(LoadError) -> Instantiated {
        try instantiate(try Self.parse(moduleBytes), wasi: wasi, compileEagerly: compileEagerly)
    }

    /// A binary module parsed (what the engine seam's `compile` keeps), with where its
    /// function bodies lie for naming an invalid one.
    struct Parsed {
        let module: Module
        let layout: ModuleLayout
        let importedFunctions: Int
    }

    /// Parses a binary module.
    static func parse(_ moduleBytes: [UInt8]) throws(LoadError) -> Parsed {
        let module: Module
        // The features a module may use: WebAssembly 2.0 (bulk memory, multi-value, reference
        // types, SIMD, sign extension, saturating conversions, mutable globals), what wabt's
        // validator and wasmtime accept by default. WasmKit's own default adds the exception-
        // handling proposal, which would run modules other validators reject.
        do { module = try parseWasm(bytes: moduleBytes, features: [.referenceTypes]) } catch { throw .invalidModule(Self.describeBinaryError("\(error)")) }
        let importedFunctions = module.imports.reduce(0) { count, entry in
            if case .function = entry.descriptor { count + 1 } else { count }
        }
        return Parsed(module: module, layout: ModuleLayout(moduleBytes), importedFunctions: importedFunctions)
    }

    /// Instantiates a module already parsed (`parse`), validating every body first.
    func instantiate(_ parsed: Parsed, wasi: WASIPreview1, compileEagerly: Bool) throws(LoadError) -> Instantiated {
        let (module, layout, importedFunctions) = (parsed.module, parsed.layout, parsed.importedFunctions)
        if layout.hasStart {
            try validateWithoutStart(module, wasi: wasi, layout: layout, importedFunctions: importedFunctions)
        }

        let mode: EngineConfiguration.CompilationMode = compileEagerly || !layout.hasStart ? .eager : .lazy
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
            return Instantiated(store: store, instance: nil, start: nil, ended: Self.outcome(termination), binding: nil)
        } catch {
            throw Self.loadError(error, layout: layout, importedFunctions: importedFunctions)
        }
        let binding = bridge.bind(to: instance)
        guard let start = instance.exports[function: "_start"] else { throw .noStart }
        return Instantiated(store: store, instance: instance, start: start, ended: nil, binding: binding)
    }

    /// Instantiates `module` with its start function dropped and every body translated, in a
    /// store of its own that is then thrown away: validation of a module whose start function
    /// would run before an eager translation. Nothing in it is ever called.
    func validateWithoutStart(_ module: Module, wasi: WASIPreview1, layout: ModuleLayout, importedFunctions: Int) throws(LoadError) {
        var probe = module
        probe.dropStartFunction()
        let store = Store(engine: Engine(configuration: EngineConfiguration(compilationMode: .eager)))
        if let maxMemoryBytes = limits.maxMemoryBytes { store.resourceLimiter = MemoryCeiling(bytes: maxMemoryBytes, onRefusal: nil) }
        var imports = Imports()
        WASIImports(wasi: wasi).define(into: &imports, store: store)
        do { _ = try probe.instantiate(store: store, imports: imports) } catch {
            throw Self.loadError(error, layout: layout, importedFunctions: importedFunctions)
        }
    }

    /// An instantiation failure as a load error: a validation error located inside a function
    /// body names that function. WasmKit keeps an error's offset to itself and prints it as
    /// `at offset 0x…`, so that is where it is read from.
    static func loadError(_ error: any Error, layout: ModuleLayout, importedFunctions: Int) -> LoadError {
        let text = "\(error)"
        if let offset = offset(in: text), let defined = layout.definedFunction(containing: offset) {
            return .invalidFunction(index: importedFunctions + defined, reason: text)
        }
        return .instantiation(text)
    }

    /// The hexadecimal offset of the last "at offset 0x…" in `text`, or nil.
    static func offset(in text: String) -> Int? {
        let bytes = Array(text.utf8), marker = Array("at offset 0x".utf8)
        guard bytes.count >= marker.count else { return nil }
        for start in stride(from: bytes.count - marker.count, through: 0, by: -1)
        where bytes[start..<(start + marker.count)].elementsEqual(marker) {
            let digits = bytes[(start + marker.count)...].prefix { Character(Unicode.Scalar($0)).isHexDigit }
            return Int(String(decoding: digits, as: UTF8.self), radix: 16)
        }
        return nil
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
        // Past the policy's ceiling; or past what the address space (RLIMIT_AS) can still
        // hold for the new memory (the engine may allocate it beside the old one), where the
        // engine's allocation would fail and trap the module instead of letting memory.grow
        // return -1. (Under a finite RLIMIT_AS this can refuse a growth that fitted in an
        // engine reservation made earlier: refusing is the safe side.)
        guard desired <= bytes, AddressSpace.hasRoom(for: desired) else {
            onRefusal?(desired)
            return false
        }
        return true
    }
    func limitTableGrowth(to desired: Int) throws -> Bool { desired <= 1_000_000 }
}
