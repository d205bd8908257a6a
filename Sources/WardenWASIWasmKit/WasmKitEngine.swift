import WardenWASI
import WasmKit

/// The default engine: WasmKit's interpreter. It maps no executable memory at all, so the
/// worker running it needs no exec lock and stays a fully static executable.
public struct WasmKitEngine: GuestEngine {
    public static let engineName = "wasmkit"
    /// The WasmKit release Package.swift pins (`exact:`).
    public static let engineVersion = EngineRelease.wasmkit

    public init() {}
    public var name: String { Self.engineName }
    public var version: String { Self.engineVersion }
    public var publishesCode: Bool { false }

    public func compile(_ binary: [UInt8], limits: GuestLimits, eager: Bool) throws(GuestLoadError) -> any CompiledGuest {
        do throws(GuestRunner.LoadError) {
            return Compiled(parsed: try GuestRunner.parse(binary), limits: limits, eager: eager)
        } catch {
            throw GuestLoadError(error.description)
        }
    }

    struct Compiled: CompiledGuest {
        let parsed: GuestRunner.Parsed
        let limits: GuestLimits
        let eager: Bool

        func instantiate(wasi: WASIPreview1, onMemoryRefused: ((Int) -> Void)?) throws(GuestLoadError) -> any GuestInstance {
            var runner = GuestRunner(limits: .init(maxMemoryBytes: limits.maxMemoryBytes, fuel: limits.fuel))
            runner.onMemoryRefused = onMemoryRefused
            do throws(GuestRunner.LoadError) {
                return Instance(instantiated: try runner.instantiate(parsed, wasi: wasi, compileEagerly: eager), fuel: limits.fuel)
            } catch {
                throw GuestLoadError(error.description)
            }
        }
    }

    struct Instance: GuestInstance {
        let instantiated: GuestRunner.Instantiated
        let fuel: UInt64?
        func run() -> GuestOutcome { instantiated.run() }
        func usage() -> GuestUsage { instantiated.usage(fuelBudget: fuel) }
    }
}
