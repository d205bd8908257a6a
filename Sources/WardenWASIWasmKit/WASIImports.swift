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
        // One host-function shape for every body of the shared table (specialized for this
        // engine's reader, see WASIImportTable.forEach). Not inlined into the table's 44 call
        // sites: one closure, one entry point for every WASI call, as before the table was shared.
        @inline(never)
        func add(_ name: String, _ parameters: [WASIValueType], _ body: @escaping WASIImportBody) {
            let types = parameters.map { $0 == .i32 ? ValueType.i32 : ValueType.i64 }
            imports.define(module: Self.moduleName, name: name, Function(store: store, parameters: types, results: [.i32], raw: {
                _, arguments, results in
                try box.withView { memory in
                    do throws(WASIErrno) {
                        try body(wasi, memory, UnsafeRawPointer(arguments.baseAddress))
                        results[0] = .i32(0)
                    } catch {
                        results[0] = .i32(UInt32(error.rawValue))
                    }
                }
            }))
        }
        WASIImportTable.forEach(reading: WasmKitArguments.self, add)

        // proc_exit and proc_raise end the guest by unwinding with a GuestTermination.
        imports.define(module: Self.moduleName, name: "proc_exit", Function(store: store, parameters: [.i32], results: [], raw: {
            _, arguments, _ in throw wasi.procExit(code: WasmKitArguments.u32(UnsafeRawPointer(arguments.baseAddress), 0))
        }))
        imports.define(module: Self.moduleName, name: "proc_raise", Function(store: store, parameters: [.i32], results: [.i32], raw: {
            _, arguments, results in
            do {
                if let termination = try wasi.procRaise(signal: try WasmKitArguments.u8(UnsafeRawPointer(arguments.baseAddress), 0)) { throw termination }
                results[0] = .i32(0)
            } catch let error as WASIErrno {
                results[0] = .i32(UInt32(error.rawValue))
            }
        }))
    }
}

/// This engine's argument reader: the raw host function's array of `Value`. The table declares
/// each parameter's type, so WasmKit has checked every value's case before the call.
enum WasmKitArguments: WASIArguments {
    @inline(__always) static func u32(_ arguments: UnsafeRawPointer?, _ index: Int) -> UInt32 {
        arguments.unsafelyUnwrapped.assumingMemoryBound(to: Value.self)[index].i32
    }

    @inline(__always) static func u64(_ arguments: UnsafeRawPointer?, _ index: Int) -> UInt64 {
        arguments.unsafelyUnwrapped.assumingMemoryBound(to: Value.self)[index].i64
    }
}
