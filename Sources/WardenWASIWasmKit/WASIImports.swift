import WardenWASI
import WasmKit

/// Defines every `wasi_snapshot_preview1` import, each a raw host function (no array
/// allocation per call) that forwards to `WASIPreview1` and returns its errno as i32. The
/// functions, their signatures and their arguments are `WASIImportTable`'s, shared with the
/// wasmtime glue; this file says only how WasmKit passes arguments and results.
public struct WASIImports {
    public static let moduleName = WASIImportTable.moduleName

    let wasi: WASIPreview1
    let box = MemoryBox()

    public init(wasi: WASIPreview1) { self.wasi = wasi }

    /// Call after instantiation: host functions reach guest memory through this. The binding
    /// it returns must live as long as the instance is used; when the last copy of it goes,
    /// the host functions let go of the memory (see `MemoryBinding`).
    public func bind(to instance: Instance) -> MemoryBinding {
        box.memory = instance.exports[memory: "memory"]
        return MemoryBinding(box)
    }

    public func define(into imports: inout Imports, store: Store) {
        let wasi = self.wasi, box = self.box
        // The shared table, inlined here and specialized for this engine's reader (see
        // WASIImportTable.forEach).
        WASIImportTable.forEach(reading: WasmKitArguments.self) { name, parameters, body in
            let types = parameters.map { $0 == .i32 ? ValueType.i32 : ValueType.i64 }
            imports.define(module: Self.moduleName, name: name, Function(store: store, parameters: types, results: [.i32], raw: {
                _, arguments, results in
                try box.withView { memory in
                    do throws(WASIErrno) {
                        try body(wasi, memory, WasmKitArguments(values: arguments))
                        results[0] = .i32(0)
                    } catch {
                        results[0] = .i32(UInt32(error.rawValue))
                    }
                }
            }))
        }

        // proc_exit and proc_raise end the guest by unwinding with a GuestTermination.
        imports.define(module: Self.moduleName, name: "proc_exit", Function(store: store, parameters: [.i32], results: [], raw: {
            _, arguments, _ in throw wasi.procExit(code: WasmKitArguments(values: arguments).u32(0))
        }))
        imports.define(module: Self.moduleName, name: "proc_raise", Function(store: store, parameters: [.i32], results: [.i32], raw: {
            _, arguments, results in
            do {
                if let termination = try wasi.procRaise(signal: try WasmKitArguments(values: arguments).u8(0)) { throw termination }
                results[0] = .i32(0)
            } catch let error as WASIErrno {
                results[0] = .i32(UInt32(error.rawValue))
            }
        }))
    }
}

/// This engine's argument reader: the raw host function's argument array. The table declares
/// each parameter's type, so WasmKit has checked every value's case before the call.
struct WasmKitArguments: WASIArguments {
    let values: UnsafeBufferPointer<Value>

    @inline(__always) func u32(_ index: Int) -> UInt32 { values[index].i32 }
    @inline(__always) func u64(_ index: Int) -> UInt64 { values[index].i64 }
}
