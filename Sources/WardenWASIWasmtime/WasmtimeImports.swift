import CWasmtime
import WardenWASI

/// Defines every `wasi_snapshot_preview1` import on a wasmtime linker as an unchecked host
/// function (arguments and the i32 errno result share one untyped array: no per-call
/// allocation or type check) forwarding to `WASIPreview1`, as the WasmKit glue does.
///
/// Guest memory: the `memory` export is looked up once, after instantiation, and each call
/// asks wasmtime for that memory's current base and size (~16 ns; a per-call export lookup
/// costs ~80 ns). The view lives for one call: nothing calls back into the guest during it,
/// so the memory cannot grow or move underneath.
final class WasmtimeImports {
    static let moduleName = "wasi_snapshot_preview1"

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

    /// Narrow witx integers arrive as i32: a value outside the type's range is refused rather
    /// than truncated into a different, valid value (as in the WasmKit glue).
    @inline(__always) static func u8(_ value: UInt32) throws(WASIErrno) -> UInt8 {
        guard let narrow = UInt8(exactly: value) else { throw .inval }
        return narrow
    }

    @inline(__always) static func u16(_ value: UInt32) throws(WASIErrno) -> UInt16 {
        guard let narrow = UInt16(exactly: value) else { throw .inval }
        return narrow
    }

    typealias Arguments = UnsafeMutablePointer<wasmtime_val_raw_t>
    typealias Body = (WASIPreview1, GuestMemory, Arguments) throws(WASIErrno) -> Void

    func define(into linker: OpaquePointer) throws(GuestLoadError) {
        let i32 = wasm_valkind_t(WARDEN_WASM_I32), i64 = wasm_valkind_t(WARDEN_WASM_I64)
        var failure: String?
        func add(_ name: String, _ parameters: [wasm_valkind_t], _ body: @escaping Body) {
            guard failure == nil else { return }
            failure = define(linker, name, parameters, results: [i32], HostFunction(imports: self, body: body))
        }

        add("args_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.argsGet(m, pointers: a[0].u32, buffer: a[1].u32) }
        add("args_sizes_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.argsSizesGet(m, count: a[0].u32, bufferSize: a[1].u32) }
        add("environ_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.environGet(m, pointers: a[0].u32, buffer: a[1].u32) }
        add("environ_sizes_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.environSizesGet(m, count: a[0].u32, bufferSize: a[1].u32) }
        add("clock_res_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.clockResGet(m, id: a[0].u32, result: a[1].u32) }
        add("clock_time_get", [i32, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.clockTimeGet(m, id: a[0].u32, precision: a[1].u64, result: a[2].u32)
        }
        add("fd_advise", [i32, i64, i64, i32]) { w, _, a throws(WASIErrno) in
            try w.fdAdvise(fd: a[0].u32, offset: a[1].u64, length: a[2].u64, advice: try Self.u8(a[3].u32))
        }
        add("fd_allocate", [i32, i64, i64]) { w, _, a throws(WASIErrno) in try w.fdAllocate(fd: a[0].u32, offset: a[1].u64, length: a[2].u64) }
        add("fd_close", [i32]) { w, _, a throws(WASIErrno) in try w.fdClose(fd: a[0].u32) }
        add("fd_datasync", [i32]) { w, _, a throws(WASIErrno) in try w.fdDatasync(fd: a[0].u32) }
        add("fd_fdstat_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.fdFdstatGet(m, fd: a[0].u32, result: a[1].u32) }
        add("fd_fdstat_set_flags", [i32, i32]) { w, _, a throws(WASIErrno) in
            try w.fdFdstatSetFlags(fd: a[0].u32, flags: try Self.u16(a[1].u32))
        }
        add("fd_fdstat_set_rights", [i32, i64, i64]) { w, _, a throws(WASIErrno) in
            try w.fdFdstatSetRights(fd: a[0].u32, rights: a[1].u64, inheriting: a[2].u64)
        }
        add("fd_filestat_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.fdFilestatGet(m, fd: a[0].u32, result: a[1].u32) }
        add("fd_filestat_set_size", [i32, i64]) { w, _, a throws(WASIErrno) in try w.fdFilestatSetSize(fd: a[0].u32, size: a[1].u64) }
        add("fd_filestat_set_times", [i32, i64, i64, i32]) { w, _, a throws(WASIErrno) in
            try w.fdFilestatSetTimes(fd: a[0].u32, accessTime: a[1].u64, modificationTime: a[2].u64,
                                     flags: try Self.u16(a[3].u32))
        }
        add("fd_pread", [i32, i32, i32, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.fdPread(m, fd: a[0].u32, iovs: a[1].u32, iovsCount: a[2].u32, offset: a[3].u64, read: a[4].u32)
        }
        add("fd_prestat_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.fdPrestatGet(m, fd: a[0].u32, result: a[1].u32) }
        add("fd_prestat_dir_name", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.fdPrestatDirName(m, fd: a[0].u32, path: a[1].u32, length: a[2].u32)
        }
        add("fd_pwrite", [i32, i32, i32, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.fdPwrite(m, fd: a[0].u32, iovs: a[1].u32, iovsCount: a[2].u32, offset: a[3].u64, written: a[4].u32)
        }
        add("fd_read", [i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.fdRead(m, fd: a[0].u32, iovs: a[1].u32, iovsCount: a[2].u32, read: a[3].u32)
        }
        add("fd_readdir", [i32, i32, i32, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.fdReaddir(m, fd: a[0].u32, buffer: a[1].u32, bufferLength: a[2].u32, cookie: a[3].u64, used: a[4].u32)
        }
        add("fd_renumber", [i32, i32]) { w, _, a throws(WASIErrno) in try w.fdRenumber(fd: a[0].u32, to: a[1].u32) }
        add("fd_seek", [i32, i64, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.fdSeek(m, fd: a[0].u32, offset: Int64(bitPattern: a[1].u64), whence: try Self.u8(a[2].u32), result: a[3].u32)
        }
        add("fd_sync", [i32]) { w, _, a throws(WASIErrno) in try w.fdSync(fd: a[0].u32) }
        add("fd_tell", [i32, i32]) { w, m, a throws(WASIErrno) in try w.fdTell(m, fd: a[0].u32, result: a[1].u32) }
        add("fd_write", [i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.fdWrite(m, fd: a[0].u32, iovs: a[1].u32, iovsCount: a[2].u32, written: a[3].u32)
        }
        add("path_create_directory", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathCreateDirectory(m, fd: a[0].u32, path: a[1].u32, pathLength: a[2].u32)
        }
        add("path_filestat_get", [i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathFilestatGet(m, fd: a[0].u32, flags: a[1].u32, path: a[2].u32, pathLength: a[3].u32, result: a[4].u32)
        }
        add("path_filestat_set_times", [i32, i32, i32, i32, i64, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.pathFilestatSetTimes(m, fd: a[0].u32, flags: a[1].u32, path: a[2].u32, pathLength: a[3].u32,
                                       accessTime: a[4].u64, modificationTime: a[5].u64, fstFlags: try Self.u16(a[6].u32))
        }
        add("path_link", [i32, i32, i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathLink(m, oldFD: a[0].u32, flags: a[1].u32, oldPath: a[2].u32, oldPathLength: a[3].u32,
                           newFD: a[4].u32, newPath: a[5].u32, newPathLength: a[6].u32)
        }
        add("path_open", [i32, i32, i32, i32, i32, i64, i64, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathOpen(m, fd: a[0].u32, lookupFlags: a[1].u32, path: a[2].u32, pathLength: a[3].u32,
                           oflags: try Self.u16(a[4].u32), rightsBase: a[5].u64, rightsInheriting: a[6].u64,
                           fdflags: try Self.u16(a[7].u32), result: a[8].u32)
        }
        add("path_readlink", [i32, i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathReadlink(m, fd: a[0].u32, path: a[1].u32, pathLength: a[2].u32, buffer: a[3].u32,
                               bufferLength: a[4].u32, used: a[5].u32)
        }
        add("path_remove_directory", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathRemoveDirectory(m, fd: a[0].u32, path: a[1].u32, pathLength: a[2].u32)
        }
        add("path_rename", [i32, i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathRename(m, fd: a[0].u32, oldPath: a[1].u32, oldPathLength: a[2].u32, newFD: a[3].u32,
                             newPath: a[4].u32, newPathLength: a[5].u32)
        }
        add("path_symlink", [i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathSymlink(m, oldPath: a[0].u32, oldPathLength: a[1].u32, fd: a[2].u32, newPath: a[3].u32, newPathLength: a[4].u32)
        }
        add("path_unlink_file", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathUnlinkFile(m, fd: a[0].u32, path: a[1].u32, pathLength: a[2].u32)
        }
        add("poll_oneoff", [i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pollOneoff(m, input: a[0].u32, output: a[1].u32, count: a[2].u32, eventCount: a[3].u32)
        }
        add("random_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.randomGet(m, buffer: a[0].u32, length: a[1].u32) }
        add("sched_yield", []) { w, _, _ throws(WASIErrno) in try w.schedYield() }
        add("sock_accept", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.sockAccept(m, fd: a[0].u32, flags: try Self.u16(a[1].u32), result: a[2].u32)
        }
        add("sock_recv", [i32, i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.sockRecv(m, fd: a[0].u32, iovs: a[1].u32, iovsCount: a[2].u32, flags: try Self.u16(a[3].u32),
                           dataLength: a[4].u32, resultFlags: a[5].u32)
        }
        add("sock_send", [i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.sockSend(m, fd: a[0].u32, iovs: a[1].u32, iovsCount: a[2].u32, flags: try Self.u16(a[3].u32),
                           dataLength: a[4].u32)
        }
        add("sock_shutdown", [i32, i32]) { w, _, a throws(WASIErrno) in try w.sockShutdown(fd: a[0].u32, how: try Self.u8(a[1].u32)) }

        // proc_exit and proc_raise end the guest: the WASI layer's termination is recorded and
        // the call unwinds with a trap.
        if failure == nil {
            failure = define(linker, "proc_exit", [i32], results: [], HostFunction(imports: self, special: .exit))
            failure = failure ?? define(linker, "proc_raise", [i32], results: [i32], HostFunction(imports: self, special: .raise))
        }
        if let failure { throw GuestLoadError("wasmtime: cannot define the WASI imports: \(failure)") }
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
            try body!(imports.wasi, memory, arguments)
            arguments[0].i32 = 0
        } catch {
            arguments[0].i32 = Int32(error.rawValue)
        }
        return nil
    }

    private func callSpecial(_ special: Special, _ arguments: WasmtimeImports.Arguments) -> OpaquePointer? {
        switch special {
        case .exit:
            imports.termination = imports.wasi.procExit(code: arguments[0].u32)
            return Self.trap("proc_exit")
        case .raise:
            do throws(WASIErrno) {
                if let termination = try imports.wasi.procRaise(signal: try WasmtimeImports.u8(arguments[0].u32)) {
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

extension wasmtime_val_raw_t {
    /// An i32 argument as the unsigned value WASIPreview1 takes (guest pointers, fds, flags).
    var u32: UInt32 { UInt32(bitPattern: i32) }
    var u64: UInt64 { UInt64(bitPattern: i64) }
}
