import CWasmtime
import WardenWASI

/// wasmtime with Cranelift: compiled code for compute-heavy modules. The worker that runs it
/// hardens exactly as the WasmKit worker does; `compile` publishes the module's code (one
/// read+execute mapping, never writable and executable at once), after which the worker stacks
/// the exec lock, before the guest runs one instruction.
///
/// Settings, each for a reason:
/// - parallel compilation off: no threads, ever (seccomp and Landlock are per thread, and the
///   worker stays single-threaded; clone is not in its allowlist)
/// - signals-based traps on: bounds checks by guard pages (SIGSEGV) cost nothing per access;
///   the engine's SIGSEGV/SIGILL/SIGFPE handlers are installed when the engine is created,
///   after the seccomp step reset the crash handlers, and nothing replaces them afterwards
/// - copy-on-write memory images off: they would need memfd_create and file seals, which the
///   allowlist does not grant; data segments are copied at instantiation instead
/// - fuel metering only when the policy sets a budget (+100-180% compute)
public struct WasmtimeEngine: ArtifactEngine {
    public static let engineName = "wasmtime"

    public init() {}
    public var name: String { Self.engineName }
    public var version: String { WasmtimeLibrary.version }
    public var publishesCode: Bool { true }

    /// The settings that change generated code: part of every artifact's key.
    public static func codeSettings(fuel: Bool) -> String { EngineRelease.wasmtimeCodeSettings(fuel: fuel) }

    public func compile(_ binary: [UInt8], limits: GuestLimits, eager: Bool) throws(GuestLoadError) -> any CompiledGuest {
        let (engine, ceiling) = try Self.makeEngine(limits: limits)
        var module: OpaquePointer?
        let failure = binary.withUnsafeBufferPointer { wasmtime_module_new(engine, $0.baseAddress, $0.count, &module) }
        if let failure {
            wasm_engine_delete(engine)
            WasmtimeModule.release(ceiling)
            throw GuestLoadError("invalid WebAssembly module: \(oneLine(consume(failure)))")
        }
        return WasmtimeModule(engine: engine, module: module!, limits: limits, ceiling: ceiling)
    }

    public func serialize(_ compiled: any CompiledGuest) throws(GuestLoadError) -> [UInt8] {
        guard let compiled = compiled as? WasmtimeModule else { throw GuestLoadError("wasmtime: not a wasmtime module") }
        var vector = wasm_byte_vec_t()
        if let failure = wasmtime_module_serialize(compiled.module, &vector) {
            throw GuestLoadError("wasmtime: cannot serialize the module: \(oneLine(consume(failure)))")
        }
        defer { wasm_byte_vec_delete(&vector) }
        guard let data = vector.data, vector.size > 0 else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: vector.size) { Array(UnsafeBufferPointer(start: $0, count: vector.size)) }
    }

    /// wasmtime checks the bytes' own header (its release, the engine's settings, the CPU's
    /// features) and refuses any mismatch; the launcher already checked our key and digest.
    public func load(artifact: [UInt8], limits: GuestLimits) throws(GuestLoadError) -> any CompiledGuest {
        let (engine, ceiling) = try Self.makeEngine(limits: limits)
        var module: OpaquePointer?
        let failure = artifact.withUnsafeBufferPointer { wasmtime_module_deserialize(engine, $0.baseAddress, $0.count, &module) }
        if let failure {
            wasm_engine_delete(engine)
            WasmtimeModule.release(ceiling)
            throw GuestLoadError("the compiled artifact does not load: \(oneLine(consume(failure)))")
        }
        return WasmtimeModule(engine: engine, module: module!, limits: limits, ceiling: ceiling)
    }

    /// A warm worker's engine for a run without fuel (the default code settings), made while
    /// idle (0.1-0.15 ms, with wasmtime's trap handlers) and taken by the first `makeEngine`
    /// with those settings. A worker is single-threaded.
    nonisolated(unsafe) static var idleEngine: (OpaquePointer, UnsafeMutablePointer<warden_memory_ceiling_t>)?

    public func prepareWhileIdle() {
        if Self.idleEngine == nil { Self.idleEngine = try? Self.makeEngine(limits: GuestLimits()) }
    }

    /// An engine configured as `codeSettings` says, with the memory ceiling of `limits`.
    static func makeEngine(limits: GuestLimits) throws(GuestLoadError) -> (OpaquePointer, UnsafeMutablePointer<warden_memory_ceiling_t>) {
        if limits.fuel == nil, let (engine, ceiling) = idleEngine {
            // The code settings match (no fuel); the ceiling is the memory creator's to read.
            idleEngine = nil
            ceiling.pointee.ceiling = limits.maxMemoryBytes.map { max(0, $0) } ?? Int.max
            return (engine, ceiling)
        }
        if let reason = WasmtimeLibrary.unavailableReason { throw GuestLoadError("the wasmtime engine is unavailable: \(reason)") }
        guard let config = wasm_config_new() else { throw GuestLoadError("wasmtime: cannot create a configuration") }
        wasmtime_config_parallel_compilation_set(config, false)
        wasmtime_config_signals_based_traps_set(config, true)
        wasmtime_config_memory_init_cow_set(config, false)
        wasmtime_config_consume_fuel_set(config, limits.fuel != nil)
        // The memory ceiling lives in our memory creator, which reports refusals (wasmtime's
        // store limiter would refuse silently). Freed with the module that owns the engine.
        let ceiling = UnsafeMutablePointer<warden_memory_ceiling_t>.allocate(capacity: 1)
        ceiling.initialize(to: warden_memory_ceiling_t(ceiling: limits.maxMemoryBytes.map { max(0, $0) } ?? Int.max, refused: nil, context: nil))
        warden_wasmtime_set_memory_ceiling(config, ceiling)
        // Takes ownership of the configuration.
        guard let engine = wasm_engine_new_with_config(config) else { throw GuestLoadError("wasmtime: cannot create the engine") }
        return (engine, ceiling)
    }
}

/// A compiled module: its code is published (read+execute) and will not change. In a worker it
/// lives until the process ends; a host that compiles many (the fuzzer, the compile-only path)
/// frees each: module, engine and memory ceiling go with the last reference, and every
/// instance holds one, because the ceiling is read by the memory creator of its store.
final class WasmtimeModule: CompiledGuest {
    let engine: OpaquePointer
    let module: OpaquePointer
    let limits: GuestLimits
    let ceiling: UnsafeMutablePointer<warden_memory_ceiling_t>

    init(engine: OpaquePointer, module: OpaquePointer, limits: GuestLimits, ceiling: UnsafeMutablePointer<warden_memory_ceiling_t>) {
        self.engine = engine
        self.module = module
        self.limits = limits
        self.ceiling = ceiling
    }

    deinit {
        wasmtime_module_delete(module)
        wasm_engine_delete(engine)
        Self.release(ceiling)
    }

    static func release(_ ceiling: UnsafeMutablePointer<warden_memory_ceiling_t>) {
        ceiling.deinitialize(count: 1)
        ceiling.deallocate()
    }

    func instantiate(wasi: WASIPreview1, onMemoryRefused: ((Int) -> Void)?) throws(GuestLoadError) -> any GuestInstance {
        try WasmtimeInstance(module: self, wasi: wasi, onMemoryRefused: onMemoryRefused)
    }
}

/// wasmtime's multi-line error ("failed to parse...\n\nCaused by:\n    0: ...") as one line,
/// causes joined with ": ", for the operator's one clear line.
func oneLine(_ message: String) -> String {
    message.split(separator: "\n")
        .map { line -> Substring in
            var text = line.drop { $0 == " " }
            if let colon = text.firstIndex(of: ":"), text[..<colon].allSatisfy(\.isNumber), !text[..<colon].isEmpty {
                text = text[text.index(after: colon)...].drop { $0 == " " }
            }
            return text
        }
        .filter { !$0.isEmpty && $0 != "Caused by:" }
        .joined(separator: ": ")
}
