import CWasmtime
import WardenWASI

/// One store and one instance of a compiled module, with the WASI imports bound to it.
/// Instantiation and running need no new executable memory: everything here works under the
/// exec lock (memory growth only changes read/write protection inside the reservation).
final class WasmtimeInstance: GuestInstance {
    /// Kept alive for the store's life: its memory creator reads the module's ceiling.
    let compiled: WasmtimeModule
    let store: OpaquePointer
    let context: OpaquePointer
    let imports: WasmtimeImports
    let fuel: UInt64?
    private var instance = wasmtime_instance_t()
    private var start = wasmtime_func_t()
    /// Set when instantiation itself ended the guest (a start section called proc_exit).
    private var ended: GuestOutcome?

    init(module: WasmtimeModule, wasi: WASIPreview1, onMemoryRefused: ((Int) -> Void)?) throws(GuestLoadError) {
        guard let store = wasmtime_store_new(module.engine, nil, nil) else { throw GuestLoadError("wasmtime: cannot create a store") }
        compiled = module
        self.store = store
        context = wasmtime_store_context(store)
        fuel = module.limits.fuel
        // Memory: the ceiling is the memory creator's (it reports refusals). Tables: at most a
        // million elements, as on WasmKit.
        wasmtime_store_limiter(store, -1, 1_000_000, -1, -1, -1)
        if let onMemoryRefused {
            let box = Unmanaged.passRetained(RefusalBox(onMemoryRefused)).toOpaque()
            module.ceiling.pointee.context = box
            module.ceiling.pointee.refused = { context, requested in
                Unmanaged<RefusalBox>.fromOpaque(context!).takeUnretainedValue().report(Int(clamping: requested))
            }
        }
        if let fuel = module.limits.fuel, let failure = wasmtime_context_set_fuel(context, fuel) {
            throw GuestLoadError("wasmtime: cannot set fuel: \(consume(failure))")
        }
        imports = WasmtimeImports(wasi: wasi, context: context)

        guard let linker = wasmtime_linker_new(module.engine) else { throw GuestLoadError("wasmtime: cannot create a linker") }
        defer { wasmtime_linker_delete(linker) }
        try imports.define(into: linker, for: module.module)
        var trap: OpaquePointer?
        if let failure = wasmtime_linker_instantiate(linker, context, module.module, &instance, &trap) {
            throw GuestLoadError("cannot instantiate module: \(oneLine(consume(failure)))")
        }
        if let trap {
            if let termination = imports.termination {
                wasm_trap_delete(trap)
                ended = Self.outcome(termination)
                return
            }
            throw GuestLoadError("cannot instantiate module: \(WasmtimeTrap.describe(consuming: trap))")
        }
        var item = wasmtime_extern_t()
        if wasmtime_instance_export_get(context, &instance, "memory", 6, &item), item.kind == UInt8(WARDEN_WASMTIME_EXTERN_MEMORY) {
            imports.bind(memory: item.of.memory)
        }
        var entry = wasmtime_extern_t()
        guard wasmtime_instance_export_get(context, &instance, "_start", 6, &entry), entry.kind == UInt8(WARDEN_WASMTIME_EXTERN_FUNC) else {
            throw GuestLoadError("module exports no \"_start\" function (not a WASI command)")
        }
        start = entry.of.func
    }

    deinit { wasmtime_store_delete(store) }

    func run() -> GuestOutcome {
        if let ended { return ended }
        var trap: OpaquePointer?
        var slot = wasmtime_val_raw_t()
        let failure = wasmtime_func_call_unchecked(context, &start, &slot, 0, &trap)
        // proc_exit and proc_raise unwind as a trap carrying nothing: the WASI layer's
        // termination is the outcome.
        if let termination = imports.termination {
            if let trap { wasm_trap_delete(trap) }
            if let failure { wasmtime_error_delete(failure) }
            return Self.outcome(termination)
        }
        if let trap { return .trapped(WasmtimeTrap.describe(consuming: trap)) }
        if let failure { return .trapped(consume(failure)) }
        return .exited(0)
    }

    func usage() -> GuestUsage {
        var remaining: UInt64 = 0
        let consumed = fuel.flatMap { budget -> UInt64? in
            if let failure = wasmtime_context_get_fuel(context, &remaining) {
                wasmtime_error_delete(failure)
                return nil
            }
            return budget &- remaining
        }
        return GuestUsage(memoryBytes: imports.memorySize, fuelConsumed: consumed)
    }

    static func outcome(_ termination: GuestTermination) -> GuestOutcome {
        switch termination {
        case .exit(let code): .exited(code)
        case .signal(let signal): .signaled(signal)
        }
    }
}

/// Carries the refusal callback through the memory creator's C context (kept for the process's life).
final class RefusalBox {
    let report: (Int) -> Void
    init(_ report: @escaping (Int) -> Void) { self.report = report }
}

/// A wasmtime trap in the words WasmKit uses for the same trap, so both engines report (and
/// tests expect) one text: the reason first, then at most a dozen lines of wasmtime's own
/// message (its backtrace).
enum WasmtimeTrap {
    static func reason(_ code: wasmtime_trap_code_t) -> String? {
        switch Int32(code) {
        case Int32(WARDEN_TRAP_STACK_OVERFLOW): "call stack exhausted"
        case Int32(WARDEN_TRAP_MEMORY_OUT_OF_BOUNDS): "out of bounds memory access"
        case Int32(WARDEN_TRAP_HEAP_MISALIGNED): "unaligned atomic"
        case Int32(WARDEN_TRAP_TABLE_OUT_OF_BOUNDS): "out of bounds table access"
        case Int32(WARDEN_TRAP_INDIRECT_CALL_TO_NULL): "indirect call to null element"
        case Int32(WARDEN_TRAP_BAD_SIGNATURE): "indirect call type mismatch"
        case Int32(WARDEN_TRAP_INTEGER_OVERFLOW): "integer overflow"
        case Int32(WARDEN_TRAP_INTEGER_DIVISION_BY_ZERO): "integer divide by zero"
        case Int32(WARDEN_TRAP_BAD_CONVERSION_TO_INTEGER): "invalid conversion to integer"
        case Int32(WARDEN_TRAP_UNREACHABLE_CODE_REACHED): "unreachable"
        case Int32(WARDEN_TRAP_OUT_OF_FUEL): "out of fuel"
        default: nil
        }
    }

    static func describe(consuming trap: OpaquePointer) -> String {
        defer { wasm_trap_delete(trap) }
        var message = wasm_byte_vec_t()
        wasm_trap_message(trap, &message)
        var detail = text(message)
        wasm_byte_vec_delete(&message)
        // wasm_trap_message's text ends with a NUL (wasm.h's wasm_message_t convention).
        while detail.last == "\0" { detail.removeLast() }
        var code: wasmtime_trap_code_t = 0
        guard wasmtime_trap_code(trap, &code), let reason = reason(code) else { return detail }
        let lines = detail.split(separator: "\n", omittingEmptySubsequences: false)
        let shown = lines.prefix(12).joined(separator: "\n")
        let more = lines.count > 12 ? "\n    ... \(lines.count - 12) more lines" : ""
        return detail.isEmpty ? reason : reason + "\n" + shown + more
    }
}
