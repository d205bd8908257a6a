/// The seam between the worker and a WebAssembly engine. The worker runs every module through
/// these three steps, in this order, whatever the engine:
///
/// 1. `compile`: parse, validate and translate the module. This is all the code the guest will
///    ever run; an engine that `publishesCode` maps it executable here, exactly once.
/// 2. (the worker stacks the exec lock when the engine published code: from here on the kernel
///    refuses every new executable mapping)
/// 3. `instantiate` against this WASI layer (a start section runs here: guest code), then
///    `run` the `_start` export.
///
/// `WASIPreview1` is shared unchanged: each engine's glue hands it a `GuestMemory` per call.
public protocol GuestEngine {
    /// `wasmkit` or `wasmtime`: the name policies and `--engine` use.
    var name: String { get }
    /// The engine's release, for `warden status` and artifact keys.
    var version: String { get }
    /// Whether `compile` maps executable code (the worker then locks executable memory).
    var publishesCode: Bool { get }
    /// Everything the module needs before its first instruction: parsing, validation and, for a
    /// compiler, the machine code. `eager` asks an interpreter to translate every function now
    /// (a per-connection zygote pays once instead of every instance).
    func compile(_ binary: [UInt8], limits: GuestLimits, eager: Bool) throws(GuestLoadError) -> any CompiledGuest
    /// A warm worker, idle until a run borrows it: make now what a run with default limits
    /// would make first (wasmtime: its engine), before any module is known.
    func prepareWhileIdle()
}

extension GuestEngine {
    public func prepareWhileIdle() {}
}

/// An engine whose compiled code can be kept: `warden compile` and the artifact cache. Only a
/// compile-only worker calls `serialize` (it never runs guest code); a worker that runs the
/// module calls `load` on bytes the launcher verified against the artifact's key.
public protocol ArtifactEngine: GuestEngine {
    /// The machine code and metadata of `compiled`, in the engine's own format.
    func serialize(_ compiled: any CompiledGuest) throws(GuestLoadError) -> [UInt8]
    /// A module from `serialize`'s bytes: no compilation, the code is mapped as it was made.
    /// The engine refuses bytes made by another release or with other code settings.
    func load(artifact: [UInt8], limits: GuestLimits) throws(GuestLoadError) -> any CompiledGuest
}

public protocol CompiledGuest {
    /// Instantiates against `wasi`. `onMemoryRefused` is told the size of each memory growth
    /// the ceiling refuses (the `limit` audit event).
    func instantiate(wasi: WASIPreview1, onMemoryRefused: ((Int) -> Void)?) throws(GuestLoadError) -> any GuestInstance
}

public protocol GuestInstance {
    /// Runs `_start`, or reports how instantiation already ended the guest.
    func run() -> GuestOutcome
    /// What the run used so far (for `warden learn`).
    func usage() -> GuestUsage
}

/// The engine releases this build runs (WasmKit is pinned in Package.swift, wasmtime in the
/// Makefile), for `policy explain`, `warden status` and artifact keys.
public enum EngineRelease {
    public static let wasmkit = "0.4.2"
    public static let wasmtime = "50.0.1"

    /// Every wasmtime setting that changes the code it generates, as text: part of each
    /// artifact's key, so an artifact is loaded only by a worker configured the same way.
    /// Fuel metering adds code to every loop and call; the rest is fixed in `WasmtimeEngine`.
    public static func wasmtimeCodeSettings(fuel: Bool) -> String {
        "cranelift opt=speed signals-based-traps=on bounds-checks=guard-pages fuel=\(fuel ? "on" : "off") parallel=off cow=off"
    }

    /// `wasmkit 0.4.2`, `wasmtime 50.0.1`, or the name alone for an unknown engine.
    public static func named(_ name: String) -> String {
        switch name {
        case "wasmkit": "wasmkit \(wasmkit)"
        case "wasmtime": "wasmtime \(wasmtime)"
        default: name
        }
    }
}

/// The engine-enforced limits, the same on every engine.
public struct GuestLimits: Sendable, Equatable {
    /// Linear memory ceiling in bytes (nil: the module's own maximum, at most 4 GiB).
    public var maxMemoryBytes: Int?
    /// Instruction budget (nil: unmetered).
    public var fuel: UInt64?
    public init(maxMemoryBytes: Int? = nil, fuel: UInt64? = nil) {
        self.maxMemoryBytes = maxMemoryBytes
        self.fuel = fuel
    }
}

/// How the guest ended, the same on every engine (the launcher maps it to an exit status).
public enum GuestOutcome: Sendable, Equatable {
    case exited(UInt32)
    case signaled(Int32)
    /// A trap, with the engine-neutral reason first (`out of bounds memory access`, ...).
    case trapped(String)
}

/// What a run used: its linear memory at the end (memories never shrink, so also its peak)
/// and the fuel it burned (when metered).
public struct GuestUsage: Sendable, Equatable {
    public var memoryBytes: Int
    public var fuelConsumed: UInt64?
    public init(memoryBytes: Int, fuelConsumed: UInt64?) {
        self.memoryBytes = memoryBytes
        self.fuelConsumed = fuelConsumed
    }
}

/// Why a module could not be compiled or instantiated; the text is the operator's.
public struct GuestLoadError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
