import CWasmtime
import WardenWASI

/// wasmtime's C API library, loaded once at the start of the wasmtime worker (before it
/// hardens: loading maps the library's code executable, which the worker's seccomp filter
/// allows only for Cranelift's own publication afterwards).
public enum WasmtimeLibrary {
    /// The pinned release (Makefile: WASMTIME_VERSION); its compiled code and artifacts are
    /// bound to exactly this version.
    public static let version = EngineRelease.wasmtime
    /// Looked for next to the worker (the build tree), then in ../lib/warden (installed).
    public static let fileName = "libwasmtime.so"

    /// nil until `load` ran; then nil (loaded) or why not, kept for the load step's report.
    nonisolated(unsafe) private static var state: LoadState = .notTried

    private enum LoadState {
        case notTried, loaded, failed(String)
    }

    /// Loads the library; returns why it is unavailable, or nil.
    @discardableResult
    public static func load(_ name: String = fileName) -> String? {
        switch state {
        case .loaded: return nil
        case .failed(let reason): return reason
        case .notTried: break
        }
        var buffer = [CChar](repeating: 0, count: 1024)
        if warden_wasmtime_open(name, &buffer, buffer.count) == 0 {
            state = .loaded
            return nil
        }
        let reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        state = .failed(reason)
        return reason
    }

    /// Why the engine cannot run, or nil when the library is loaded.
    static var unavailableReason: String? {
        switch state {
        case .loaded: nil
        case .failed(let reason): reason
        case .notTried: "the library was never loaded"
        }
    }
}

/// Takes a wasmtime error's message and frees the error.
func consume(_ error: OpaquePointer) -> String {
    var message = wasm_byte_vec_t()
    wasmtime_error_message(error, &message)
    defer {
        wasm_byte_vec_delete(&message)
        wasmtime_error_delete(error)
    }
    return text(message)
}

func text(_ vector: wasm_byte_vec_t) -> String {
    guard let data = vector.data, vector.size > 0 else { return "" }
    return data.withMemoryRebound(to: UInt8.self, capacity: vector.size) {
        String(decoding: UnsafeBufferPointer(start: $0, count: vector.size), as: UTF8.self)
    }
}
