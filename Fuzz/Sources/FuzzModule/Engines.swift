import Glibc
import WardenSystem
import WardenWASI
import WardenWASIWasmKit

/// One engine's way from module bytes to a loaded module, through the same public entry point
/// the worker uses. A second engine is one more conformance appended to `engines`.
protocol FuzzEngine: Sendable {
    var name: String { get }
    /// Parses, validates and instantiates (a module with a start function runs it, bounded by
    /// fuel); throws the engine's load error. Anything else — a signal, a trap in the host —
    /// is a finding.
    func load(_ bytes: [UInt8], wasi: WASIPreview1) throws
}

struct WasmKitEngine: FuzzEngine {
    let name = "wasmkit"
    func load(_ bytes: [UInt8], wasi: WASIPreview1) throws {
        // As the worker does: text or binary, then everything compiled (validated) up front.
        let binary = try GuestRunner.binary(from: bytes)
        let runner = GuestRunner(limits: GuestRunner.Limits(maxMemoryBytes: 16 << 20, fuel: 100_000))
        _ = try runner.instantiate(moduleBytes: binary, wasi: wasi, compileEagerly: true)
    }
}

let engines: [any FuzzEngine] = [WasmKitEngine()]
