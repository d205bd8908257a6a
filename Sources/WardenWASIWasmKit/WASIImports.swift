import WardenWASI
import WasmKit

/// Defines every `wasi_snapshot_preview1` import, each a raw host function (no array
/// allocation per call) that forwards to `WASIPreview1` and returns its errno as i32.
public struct WASIImports {
    public static let moduleName = "wasi_snapshot_preview1"

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

    /// Narrow witx integers (whence, advice, flags, signals) arrive as i32: a value outside the
    /// type's range is refused rather than truncated into a different, valid value.
    @inline(__always) static func u8(_ value: UInt32) throws(WASIErrno) -> UInt8 {
        guard let narrow = UInt8(exactly: value) else { throw .inval }
        return narrow
    }

    @inline(__always) static func u16(_ value: UInt32) throws(WASIErrno) -> UInt16 {
        guard let narrow = UInt16(exactly: value) else { throw .inval }
        return narrow
    }

    typealias Body = (WASIPreview1, WardenWASI.GuestMemory, UnsafeBufferPointer<Value>) throws(WASIErrno) -> Void

    public func define(into imports: inout Imports, store: Store) {
        let i32 = ValueType.i32, i64 = ValueType.i64
        func add(_ name: String, _ parameters: [ValueType], _ body: @escaping Body) {
            let wasi = self.wasi, box = self.box
            imports.define(module: Self.moduleName, name: name, Function(store: store, parameters: parameters, results: [.i32], raw: {
                _, arguments, results in
                try box.withView { memory in
                    do throws(WASIErrno) {
                        try body(wasi, memory, arguments)
                        results[0] = .i32(0)
                    } catch {
                        results[0] = .i32(UInt32(error.rawValue))
                    }
                }
            }))
        }

        add("args_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.argsGet(m, pointers: a[0].i32, buffer: a[1].i32) }
        add("args_sizes_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.argsSizesGet(m, count: a[0].i32, bufferSize: a[1].i32) }
        add("environ_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.environGet(m, pointers: a[0].i32, buffer: a[1].i32) }
        add("environ_sizes_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.environSizesGet(m, count: a[0].i32, bufferSize: a[1].i32) }
        add("clock_res_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.clockResGet(m, id: a[0].i32, result: a[1].i32) }
        add("clock_time_get", [i32, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.clockTimeGet(m, id: a[0].i32, precision: a[1].i64, result: a[2].i32)
        }
        add("fd_advise", [i32, i64, i64, i32]) { w, _, a throws(WASIErrno) in
            try w.fdAdvise(fd: a[0].i32, offset: a[1].i64, length: a[2].i64, advice: try Self.u8(a[3].i32))
        }
        add("fd_allocate", [i32, i64, i64]) { w, _, a throws(WASIErrno) in try w.fdAllocate(fd: a[0].i32, offset: a[1].i64, length: a[2].i64) }
        add("fd_close", [i32]) { w, _, a throws(WASIErrno) in try w.fdClose(fd: a[0].i32) }
        add("fd_datasync", [i32]) { w, _, a throws(WASIErrno) in try w.fdDatasync(fd: a[0].i32) }
        add("fd_fdstat_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.fdFdstatGet(m, fd: a[0].i32, result: a[1].i32) }
        add("fd_fdstat_set_flags", [i32, i32]) { w, _, a throws(WASIErrno) in
            try w.fdFdstatSetFlags(fd: a[0].i32, flags: try Self.u16(a[1].i32))
        }
        add("fd_fdstat_set_rights", [i32, i64, i64]) { w, _, a throws(WASIErrno) in
            try w.fdFdstatSetRights(fd: a[0].i32, rights: a[1].i64, inheriting: a[2].i64)
        }
        add("fd_filestat_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.fdFilestatGet(m, fd: a[0].i32, result: a[1].i32) }
        add("fd_filestat_set_size", [i32, i64]) { w, _, a throws(WASIErrno) in try w.fdFilestatSetSize(fd: a[0].i32, size: a[1].i64) }
        add("fd_filestat_set_times", [i32, i64, i64, i32]) { w, _, a throws(WASIErrno) in
            try w.fdFilestatSetTimes(fd: a[0].i32, accessTime: a[1].i64, modificationTime: a[2].i64,
                                     flags: try Self.u16(a[3].i32))
        }
        add("fd_pread", [i32, i32, i32, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.fdPread(m, fd: a[0].i32, iovs: a[1].i32, iovsCount: a[2].i32, offset: a[3].i64, read: a[4].i32)
        }
        add("fd_prestat_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.fdPrestatGet(m, fd: a[0].i32, result: a[1].i32) }
        add("fd_prestat_dir_name", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.fdPrestatDirName(m, fd: a[0].i32, path: a[1].i32, length: a[2].i32)
        }
        add("fd_pwrite", [i32, i32, i32, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.fdPwrite(m, fd: a[0].i32, iovs: a[1].i32, iovsCount: a[2].i32, offset: a[3].i64, written: a[4].i32)
        }
        add("fd_read", [i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.fdRead(m, fd: a[0].i32, iovs: a[1].i32, iovsCount: a[2].i32, read: a[3].i32)
        }
        add("fd_readdir", [i32, i32, i32, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.fdReaddir(m, fd: a[0].i32, buffer: a[1].i32, bufferLength: a[2].i32, cookie: a[3].i64, used: a[4].i32)
        }
        add("fd_renumber", [i32, i32]) { w, _, a throws(WASIErrno) in try w.fdRenumber(fd: a[0].i32, to: a[1].i32) }
        add("fd_seek", [i32, i64, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.fdSeek(m, fd: a[0].i32, offset: Int64(bitPattern: a[1].i64), whence: try Self.u8(a[2].i32), result: a[3].i32)
        }
        add("fd_sync", [i32]) { w, _, a throws(WASIErrno) in try w.fdSync(fd: a[0].i32) }
        add("fd_tell", [i32, i32]) { w, m, a throws(WASIErrno) in try w.fdTell(m, fd: a[0].i32, result: a[1].i32) }
        add("fd_write", [i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.fdWrite(m, fd: a[0].i32, iovs: a[1].i32, iovsCount: a[2].i32, written: a[3].i32)
        }
        add("path_create_directory", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathCreateDirectory(m, fd: a[0].i32, path: a[1].i32, pathLength: a[2].i32)
        }
        add("path_filestat_get", [i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathFilestatGet(m, fd: a[0].i32, flags: a[1].i32, path: a[2].i32, pathLength: a[3].i32, result: a[4].i32)
        }
        add("path_filestat_set_times", [i32, i32, i32, i32, i64, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.pathFilestatSetTimes(m, fd: a[0].i32, flags: a[1].i32, path: a[2].i32, pathLength: a[3].i32,
                                       accessTime: a[4].i64, modificationTime: a[5].i64, fstFlags: try Self.u16(a[6].i32))
        }
        add("path_link", [i32, i32, i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathLink(m, oldFD: a[0].i32, flags: a[1].i32, oldPath: a[2].i32, oldPathLength: a[3].i32,
                           newFD: a[4].i32, newPath: a[5].i32, newPathLength: a[6].i32)
        }
        add("path_open", [i32, i32, i32, i32, i32, i64, i64, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathOpen(m, fd: a[0].i32, lookupFlags: a[1].i32, path: a[2].i32, pathLength: a[3].i32,
                           oflags: try Self.u16(a[4].i32), rightsBase: a[5].i64, rightsInheriting: a[6].i64,
                           fdflags: try Self.u16(a[7].i32), result: a[8].i32)
        }
        add("path_readlink", [i32, i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathReadlink(m, fd: a[0].i32, path: a[1].i32, pathLength: a[2].i32, buffer: a[3].i32,
                               bufferLength: a[4].i32, used: a[5].i32)
        }
        add("path_remove_directory", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathRemoveDirectory(m, fd: a[0].i32, path: a[1].i32, pathLength: a[2].i32)
        }
        add("path_rename", [i32, i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathRename(m, fd: a[0].i32, oldPath: a[1].i32, oldPathLength: a[2].i32, newFD: a[3].i32,
                             newPath: a[4].i32, newPathLength: a[5].i32)
        }
        add("path_symlink", [i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathSymlink(m, oldPath: a[0].i32, oldPathLength: a[1].i32, fd: a[2].i32, newPath: a[3].i32, newPathLength: a[4].i32)
        }
        add("path_unlink_file", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathUnlinkFile(m, fd: a[0].i32, path: a[1].i32, pathLength: a[2].i32)
        }
        add("poll_oneoff", [i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pollOneoff(m, input: a[0].i32, output: a[1].i32, count: a[2].i32, eventCount: a[3].i32)
        }
        add("random_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.randomGet(m, buffer: a[0].i32, length: a[1].i32) }
        add("sched_yield", []) { w, _, _ throws(WASIErrno) in try w.schedYield() }
        add("sock_accept", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.sockAccept(m, fd: a[0].i32, flags: try Self.u16(a[1].i32), result: a[2].i32)
        }
        add("sock_recv", [i32, i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.sockRecv(m, fd: a[0].i32, iovs: a[1].i32, iovsCount: a[2].i32, flags: try Self.u16(a[3].i32),
                           dataLength: a[4].i32, resultFlags: a[5].i32)
        }
        add("sock_send", [i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.sockSend(m, fd: a[0].i32, iovs: a[1].i32, iovsCount: a[2].i32, flags: try Self.u16(a[3].i32),
                           dataLength: a[4].i32)
        }
        add("sock_shutdown", [i32, i32]) { w, _, a throws(WASIErrno) in try w.sockShutdown(fd: a[0].i32, how: try Self.u8(a[1].i32)) }

        // proc_exit and proc_raise end the guest by unwinding with a GuestTermination.
        let wasi = self.wasi
        imports.define(module: Self.moduleName, name: "proc_exit", Function(store: store, parameters: [i32], results: [], raw: {
            _, arguments, _ in throw wasi.procExit(code: arguments[0].i32)
        }))
        imports.define(module: Self.moduleName, name: "proc_raise", Function(store: store, parameters: [i32], results: [.i32], raw: {
            _, arguments, results in
            do {
                if let termination = try wasi.procRaise(signal: try Self.u8(arguments[0].i32)) { throw termination }
                results[0] = .i32(0)
            } catch let error as WASIErrno {
                results[0] = .i32(UInt32(error.rawValue))
            }
        }))
    }
}
