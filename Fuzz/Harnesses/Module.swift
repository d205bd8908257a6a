import Glibc  // open("/dev/null") for the guest's standard streams
import WardenSystem
import WardenWASI
import WardenWASIWasmKit
import WardenWASIWasmtime

// Module loading on every engine: any bytes are a loaded module or a load error. A crash in
// parsing or validation must become a load error, never a signal in the worker. Under
// LeakSanitizer (the fuzzer's default) a module that instantiates must also free its store.
enum ModuleHarness {
    static let harness = FuzzHarness(
        "FuzzModule",
        // The test guests written in WAT, where they live; each also fed as its binary.
        seedDirectories: ["Tests/WardenLauncherTests/Guests", "Tests/WardenAuditTests/Guests", "Tests/WardenSupervisorTests/Guests",
                          "Tests/WardenFaultTests/Guests"],
        seedSuffix: ".wat",
        variants: { bytes in (try? GuestRunner.binary(from: bytes)).map { $0 == bytes ? [] : [$0] } ?? [] },
        check: check)

    /// One engine's way from module bytes to a loaded module, through the same public entry
    /// point the worker uses. A second engine is one more conformance in `engines`.
    protocol Engine: Sendable {
        var name: String { get }
        /// Parses, validates and instantiates (a module with a start function runs it, bounded
        /// by fuel); throws the engine's load error. Anything else — a signal, a trap in the
        /// host — is a finding.
        func load(_ bytes: [UInt8], wasi: WASIPreview1) throws
    }

    struct WasmKit: Engine {
        let name = "wasmkit"
        func load(_ bytes: [UInt8], wasi: WASIPreview1) throws {
            // As the worker does: text or binary, then everything compiled (validated) up front.
            let binary = try GuestRunner.binary(from: bytes)
            let runner = GuestRunner(limits: GuestRunner.Limits(maxMemoryBytes: 16 << 20, fuel: 100_000))
            _ = try runner.instantiate(moduleBytes: binary, wasi: wasi, compileEagerly: true)
        }
    }

    /// wasmtime: parse, validate and compile with Cranelift, as the compile-only worker does
    /// (instantiation and traps are the worker's, under its own signal handlers). Any bytes must
    /// come back as a module or as `GuestLoadError`.
    struct Wasmtime: Engine {
        let name = "wasmtime"
        func load(_ bytes: [UInt8], wasi: WASIPreview1) throws {
            let binary = try GuestRunner.binary(from: bytes)
            _ = try WasmtimeEngine().compile(binary, limits: GuestLimits(maxMemoryBytes: 16 << 20, fuel: 100_000), eager: true)
        }
    }

    /// WasmKit always; wasmtime when the pinned library is in the main package's build tree
    /// (`make wasmtime-lib`; `make test` fetches it): WARDEN_FUZZ_ROOT is that package's root.
    static let engines: [any Engine] = {
        var engines: [any Engine] = [WasmKit()]
        let root = Environment.value("WARDEN_FUZZ_ROOT") ?? "."
        if WasmtimeLibrary.load(root + "/.build/wasmtime/libwasmtime.so") == nil { engines.append(Wasmtime()) }
        return engines
    }()

    nonisolated(unsafe) static var devNull: Int32 = -1

    static func check(_ bytes: [UInt8]) throws(HarnessFailure) {
        if devNull < 0 { devNull = open("/dev/null", O_RDWR | O_CLOEXEC) }
        for engine in engines {
            // No grants: a start function may call WASI, and reaches nothing.
            var configuration = WASIConfiguration()
            let null = FileDescriptor(rawValue: devNull)
            configuration.stdin = null
            configuration.stdout = null
            configuration.stderr = null
            guard let wasi = try? WASIPreview1(configuration: configuration) else { fatalError("WASIPreview1") }
            defer { wasi.closeAll() }
            do {
                try engine.load(bytes, wasi: wasi)
            } catch {
                guard !"\(error)".isEmpty else { throw HarnessFailure("\(engine.name): a load error without a message") }
            }
        }
    }
}
