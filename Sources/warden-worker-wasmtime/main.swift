import WardenWASIWasmKit
import WardenWASIWasmtime
import WardenWorker

// The worker for compiled code: WasmKit and wasmtime. It is linked dynamically (wasmtime's C
// API is a shared library) and loads the library first, before it hardens: loading maps the
// library's code executable, which the allowlist then permits only for Cranelift's output, and
// the exec lock not at all. A missing library is reported when the module is loaded
// ("the wasmtime engine is unavailable: ..."), after hardening, like any other load failure.
WasmtimeLibrary.load()
Worker.main(engines: [WasmKitEngine(), WasmtimeEngine()])
