import CWasmtime
import WardenWASI

/// Defines every `wasi_snapshot_preview1` import on a wasmtime linker as an unchecked host
/// function (arguments and the i32 errno result share one untyped array: no per-call
/// allocation or type check) forwarding to `WASIPreview1`. The functions, their signatures and
/// their arguments are `WASIImportTable`'s, shared with the WasmKit glue.
///
/// Guest memory: the `memory` export is looked up once, after instantiation, and each call
/// asks wasmtime for that memory's current base and size (~16 ns; a per-call export lookup
/// costs ~80 ns). The view lives for one call: nothing calls back into the guest during it,
/// so the memory cannot grow or move underneath.
final class WasmtimeImports {
    static let moduleName = WASIImportTable.moduleName

    let wasi: WASIPreview1
    let context: OpaquePointer
    /// The exported memory's handle, allocated once so calls read it without an exclusivity
    /// check; nil until bound.
    private let memory = UnsafeMutablePointer<wasmtime_memory_t>.allocate(capacity: 1)
    private var hasMemory = false
    /// Set by proc_exit and a fatal proc_raise, which then unwind the guest with a trap.
    var termination: GuestTermination?

    init(wasi: WASIPreview1, context: OpaquePointer) {
        self.wasi = wasi
        self.context = context
    }

    deinit { memory.deallocate() }

    func bind(memory handle: wasmtime_memory_t) {
        memory.initialize(to: handle)
        hasMemory = true
    }

    /// A call before `bind` can only come from a start section (it runs during
    /// instantiation, before the export can be looked up): the memory is found through the
    /// caller, once, and kept.
    func bind(from caller: OpaquePointer?) -> GuestMemory? {
        var item = wasmtime_extern_t()
        guard let caller, wasmtime_caller_export_get(caller, "memory", 6, &item), item.kind == UInt8(WARDEN_WASMTIME_EXTERN_MEMORY) else { return nil }
        bind(memory: item.of.memory)
        return view()
    }

    var memorySize: Int { hasMemory ? wasmtime_memory_data_size(context, memory) : 0 }

    /// A bounds-checked view of the whole linear memory for one host call.
    @inline(__always)
    func view() -> GuestMemory? {
        guard hasMemory else { return nil }
        let count = wasmtime_memory_data_size(context, memory)
        guard let base = wasmtime_memory_data(context, memory), count > 0 else {
            return count == 0 ? GuestMemory(base: UnsafeMutableRawPointer(bitPattern: 1)!, count: 0) : nil
        }
        return GuestMemory(base: UnsafeMutableRawPointer(base), count: count)
    }

    typealias Arguments = UnsafeMutablePointer<wasmtime_val_raw_t>
    typealias Body = WASIImportBody

    /// Defines the WASI functions `module` imports, and only those: each definition costs a
    /// function type and a host-function record (all 46 took 0.22 ms of a 5 ms start), and an
    /// import left undefined still fails instantiation with wasmtime's own "unknown import".
    func define(into linker: OpaquePointer, for module: OpaquePointer) throws(GuestLoadError) {
        let i32 = wasm_valkind_t(WARDEN_WASM_I32), i64 = wasm_valkind_t(WARDEN_WASM_I64)
        let wanted = Self.importedNames(module)
        var failure: String?
        // The shared table, specialized for this engine's reader (see WASIImportTable.forEach).
        WASIImportTable.forEach(reading: WasmtimeArguments.self) { name, parameters, body in
            guard failure == nil, wanted.contains(name) else { return }
            let kinds = parameters.map { $0 == .i32 ? i32 : i64 }
            failure = define(linker, name, kinds, results: [i32], HostFunction(imports: self, body: body))
        }

        // proc_exit and proc_raise end the guest: the WASI layer's termination is recorded and
        // the call unwinds with a trap.
        if failure == nil, wanted.contains("proc_exit") {
            failure = define(linker, "proc_exit", [i32], results: [], HostFunction(imports: self, special: .exit))
        }
        if failure == nil, wanted.contains("proc_raise") {
            failure = define(linker, "proc_raise", [i32], results: [i32], HostFunction(imports: self, special: .raise))
        }
        if let failure { throw GuestLoadError("wasmtime: cannot define the WASI imports: \(failure)") }
    }

    /// The names `module` imports from WASI preview 1.
    static func importedNames(_ module: OpaquePointer) -> Set<String> {
        var imports = wasm_importtype_vec_t()
        wasmtime_module_imports(module, &imports)
        defer { wasm_importtype_vec_delete(&imports) }
        var names: Set<String> = []
        for index in 0..<imports.size {
            guard let type = imports.data[index], let from = wasm_importtype_module(type), let field = wasm_importtype_name(type) else { continue }
            func text(_ vector: UnsafePointer<wasm_byte_vec_t>) -> String {
                guard let data = vector.pointee.data else { return "" }
                return String(decoding: UnsafeRawBufferPointer(start: data, count: vector.pointee.size), as: UTF8.self)
            }
            if text(from) == Self.moduleName { names.insert(text(field)) }
        }
        return names
    }

    /// Defines one host function; returns wasmtime's error text, or nil.
    private func define(_ linker: OpaquePointer, _ name: String, _ parameters: [wasm_valkind_t], results: [wasm_valkind_t],
                        _ function: HostFunction) -> String? {
        let type = Self.functionType(parameters, results)
        defer { wasm_functype_delete(type) }
        // The linker keeps the function (and its retained environment) for the store's life.
        let environment = Unmanaged.passRetained(function).toOpaque()
        let failure = Self.moduleName.withCString { module in
            name.withCString { field in
                wasmtime_linker_define_func_unchecked(linker, module, Self.moduleName.utf8.count, field, name.utf8.count, type,
                                                      hostCall, environment, releaseHostFunction)
            }
        }
        return failure.map(consume)
    }

    /// A function type; wasm_functype_new takes ownership of both vectors and their types.
    private static func functionType(_ parameters: [wasm_valkind_t], _ results: [wasm_valkind_t]) -> OpaquePointer {
        func vector(_ kinds: [wasm_valkind_t]) -> wasm_valtype_vec_t {
            var vector = wasm_valtype_vec_t()
            if kinds.isEmpty {
                wasm_valtype_vec_new_empty(&vector)
            } else {
                let types: [OpaquePointer?] = kinds.map { wasm_valtype_new($0) }
                types.withUnsafeBufferPointer { wasm_valtype_vec_new(&vector, kinds.count, $0.baseAddress) }
            }
            return vector
        }
        var parameterVector = vector(parameters)
        var resultVector = vector(results)
        return wasm_functype_new(&parameterVector, &resultVector)
    }
}

/// One host function's environment: the shared import state and what the call does.
final class HostFunction {
    enum Special { case exit, raise }
    unowned let imports: WasmtimeImports
    let body: WasmtimeImports.Body?
    let special: Special?

    init(imports: WasmtimeImports, body: @escaping WasmtimeImports.Body) {
        self.imports = imports
        self.body = body
        special = nil
    }

    init(imports: WasmtimeImports, special: Special) {
        self.imports = imports
        body = nil
        self.special = special
    }

    /// Runs the call; returns a trap to raise in the guest, or nil with the errno in slot 0.
    @inline(__always)
    func call(_ arguments: WasmtimeImports.Arguments, caller: OpaquePointer?) -> OpaquePointer? {
        if let special { return callSpecial(special, arguments) }
        guard let memory = imports.view() ?? imports.bind(from: caller) else {
            return Self.trap("the module exports no memory named \"memory\"")
        }
        do throws(WASIErrno) {
            try body!(imports.wasi, memory, UnsafeRawPointer(arguments))
            arguments[0].i32 = 0
        } catch {
            arguments[0].i32 = Int32(error.rawValue)
        }
        return nil
    }

    private func callSpecial(_ special: Special, _ arguments: WasmtimeImports.Arguments) -> OpaquePointer? {
        switch special {
        case .exit:
            imports.termination = imports.wasi.procExit(code: WasmtimeArguments.u32(UnsafeRawPointer(arguments), 0))
            return Self.trap("proc_exit")
        case .raise:
            do throws(WASIErrno) {
                if let termination = try imports.wasi.procRaise(signal: try WasmtimeArguments.u8(UnsafeRawPointer(arguments), 0)) {
                    imports.termination = termination
                    return Self.trap("proc_raise")
                }
                arguments[0].i32 = 0
            } catch {
                arguments[0].i32 = Int32(error.rawValue)
            }
            return nil
        }
    }

    static func trap(_ message: String) -> OpaquePointer? {
        message.withCString { wasmtime_trap_new($0, message.utf8.count) }
    }
}

/// The one C entry point for every WASI import; `environment` is the function's HostFunction.
private func hostCall(_ environment: UnsafeMutableRawPointer?, _ caller: OpaquePointer?,
                      _ arguments: UnsafeMutablePointer<wasmtime_val_raw_t>?, _ count: Int) -> OpaquePointer? {
    Unmanaged<HostFunction>.fromOpaque(environment!).takeUnretainedValue().call(arguments!, caller: caller)
}

private func releaseHostFunction(_ environment: UnsafeMutableRawPointer?) {
    if let environment { Unmanaged<HostFunction>.fromOpaque(environment).release() }
}

/// This engine's argument reader: the unchecked call's untyped slot array, i32 and i64 slots
/// reinterpreted as the unsigned values WASIPreview1 takes.
enum WasmtimeArguments: WASIArguments {
    @inline(__always) static func u32(_ arguments: UnsafeRawPointer?, _ index: Int) -> UInt32 {
        UInt32(bitPattern: arguments.unsafelyUnwrapped.assumingMemoryBound(to: wasmtime_val_raw_t.self)[index].i32)
    }

    @inline(__always) static func u64(_ arguments: UnsafeRawPointer?, _ index: Int) -> UInt64 {
        UInt64(bitPattern: arguments.unsafelyUnwrapped.assumingMemoryBound(to: wasmtime_val_raw_t.self)[index].i64)
    }
}
