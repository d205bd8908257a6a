/// Every `wasi_snapshot_preview1` function that returns an errno, once for both engines: its
/// name, its parameter types, and which `WASIPreview1` method it calls with which arguments.
/// Each engine's glue turns the entries into its own host functions (WasmKit's raw functions,
/// wasmtime's unchecked ones), reading arguments through its `WASIArguments` reader, calling
/// `body` with a view of guest memory, and storing 0 or the thrown errno as the i32 result.
///
/// Not here: `proc_exit` and `proc_raise`, which end the guest, and each engine unwinds its
/// guest its own way (WasmKit: a thrown `GuestTermination`; wasmtime: a trap).
public enum WASIImportTable {
    public static let moduleName = "wasi_snapshot_preview1"

    /// Calls `add` once per import, in a fixed order, with its name, parameter types and
    /// body. Built once per instantiation, never per call; `@inlinable` so each engine's module
    /// specializes it for its reader `A`.
    ///
    /// Why the bodies take the argument array as an address and read it through `A`'s static
    /// functions, rather than taking an `A` value: a closure written in a generic function
    /// with a generic parameter type keeps the generic (indirect) calling convention, so the
    /// engine received it wrapped in a reabstraction thunk, one more call on every host call
    /// (WasmKit, 300,000 one-byte fd_writes, CPU-time medians of interleaved runs: ~12% over
    /// the per-engine tables this replaced). With a concrete body type there is nothing to
    /// wrap; WasmKit's glue also keeps one host-function closure for all bodies. What remains
    /// on WasmKit is ~20 ns per call (~4%), not explained yet (callgrind counts no more
    /// instructions per call than before); the wasmtime engine is unchanged.
    @inlinable
    public static func forEach<A: WASIArguments>(
        reading _: A.Type,
        _ add: (_ name: String, _ parameters: [WASIValueType], _ body: @escaping WASIImportBody) -> Void
    ) {
        let i32 = WASIValueType.i32, i64 = WASIValueType.i64

        add("args_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.argsGet(m, pointers: A.u32(a, 0), buffer: A.u32(a, 1)) }
        add("args_sizes_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.argsSizesGet(m, count: A.u32(a, 0), bufferSize: A.u32(a, 1)) }
        add("environ_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.environGet(m, pointers: A.u32(a, 0), buffer: A.u32(a, 1)) }
        add("environ_sizes_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.environSizesGet(m, count: A.u32(a, 0), bufferSize: A.u32(a, 1)) }
        add("clock_res_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.clockResGet(m, id: A.u32(a, 0), result: A.u32(a, 1)) }
        add("clock_time_get", [i32, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.clockTimeGet(m, id: A.u32(a, 0), precision: A.u64(a, 1), result: A.u32(a, 2))
        }
        add("fd_advise", [i32, i64, i64, i32]) { w, _, a throws(WASIErrno) in
            try w.fdAdvise(fd: A.u32(a, 0), offset: A.u64(a, 1), length: A.u64(a, 2), advice: try A.u8(a, 3))
        }
        add("fd_allocate", [i32, i64, i64]) { w, _, a throws(WASIErrno) in try w.fdAllocate(fd: A.u32(a, 0), offset: A.u64(a, 1), length: A.u64(a, 2)) }
        add("fd_close", [i32]) { w, _, a throws(WASIErrno) in try w.fdClose(fd: A.u32(a, 0)) }
        add("fd_datasync", [i32]) { w, _, a throws(WASIErrno) in try w.fdDatasync(fd: A.u32(a, 0)) }
        add("fd_fdstat_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.fdFdstatGet(m, fd: A.u32(a, 0), result: A.u32(a, 1)) }
        add("fd_fdstat_set_flags", [i32, i32]) { w, _, a throws(WASIErrno) in
            try w.fdFdstatSetFlags(fd: A.u32(a, 0), flags: try A.u16(a, 1))
        }
        add("fd_fdstat_set_rights", [i32, i64, i64]) { w, _, a throws(WASIErrno) in
            try w.fdFdstatSetRights(fd: A.u32(a, 0), rights: A.u64(a, 1), inheriting: A.u64(a, 2))
        }
        add("fd_filestat_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.fdFilestatGet(m, fd: A.u32(a, 0), result: A.u32(a, 1)) }
        add("fd_filestat_set_size", [i32, i64]) { w, _, a throws(WASIErrno) in try w.fdFilestatSetSize(fd: A.u32(a, 0), size: A.u64(a, 1)) }
        add("fd_filestat_set_times", [i32, i64, i64, i32]) { w, _, a throws(WASIErrno) in
            try w.fdFilestatSetTimes(fd: A.u32(a, 0), accessTime: A.u64(a, 1), modificationTime: A.u64(a, 2),
                                     flags: try A.u16(a, 3))
        }
        add("fd_pread", [i32, i32, i32, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.fdPread(m, fd: A.u32(a, 0), iovs: A.u32(a, 1), iovsCount: A.u32(a, 2), offset: A.u64(a, 3), read: A.u32(a, 4))
        }
        add("fd_prestat_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.fdPrestatGet(m, fd: A.u32(a, 0), result: A.u32(a, 1)) }
        add("fd_prestat_dir_name", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.fdPrestatDirName(m, fd: A.u32(a, 0), path: A.u32(a, 1), length: A.u32(a, 2))
        }
        add("fd_pwrite", [i32, i32, i32, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.fdPwrite(m, fd: A.u32(a, 0), iovs: A.u32(a, 1), iovsCount: A.u32(a, 2), offset: A.u64(a, 3), written: A.u32(a, 4))
        }
        add("fd_read", [i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.fdRead(m, fd: A.u32(a, 0), iovs: A.u32(a, 1), iovsCount: A.u32(a, 2), read: A.u32(a, 3))
        }
        add("fd_readdir", [i32, i32, i32, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.fdReaddir(m, fd: A.u32(a, 0), buffer: A.u32(a, 1), bufferLength: A.u32(a, 2), cookie: A.u64(a, 3), used: A.u32(a, 4))
        }
        add("fd_renumber", [i32, i32]) { w, _, a throws(WASIErrno) in try w.fdRenumber(fd: A.u32(a, 0), to: A.u32(a, 1)) }
        add("fd_seek", [i32, i64, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.fdSeek(m, fd: A.u32(a, 0), offset: Int64(bitPattern: A.u64(a, 1)), whence: try A.u8(a, 2), result: A.u32(a, 3))
        }
        add("fd_sync", [i32]) { w, _, a throws(WASIErrno) in try w.fdSync(fd: A.u32(a, 0)) }
        add("fd_tell", [i32, i32]) { w, m, a throws(WASIErrno) in try w.fdTell(m, fd: A.u32(a, 0), result: A.u32(a, 1)) }
        add("fd_write", [i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.fdWrite(m, fd: A.u32(a, 0), iovs: A.u32(a, 1), iovsCount: A.u32(a, 2), written: A.u32(a, 3))
        }
        add("path_create_directory", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathCreateDirectory(m, fd: A.u32(a, 0), path: A.u32(a, 1), pathLength: A.u32(a, 2))
        }
        add("path_filestat_get", [i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathFilestatGet(m, fd: A.u32(a, 0), flags: A.u32(a, 1), path: A.u32(a, 2), pathLength: A.u32(a, 3), result: A.u32(a, 4))
        }
        add("path_filestat_set_times", [i32, i32, i32, i32, i64, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.pathFilestatSetTimes(m, fd: A.u32(a, 0), flags: A.u32(a, 1), path: A.u32(a, 2), pathLength: A.u32(a, 3),
                                       accessTime: A.u64(a, 4), modificationTime: A.u64(a, 5), fstFlags: try A.u16(a, 6))
        }
        add("path_link", [i32, i32, i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathLink(m, oldFD: A.u32(a, 0), flags: A.u32(a, 1), oldPath: A.u32(a, 2), oldPathLength: A.u32(a, 3),
                           newFD: A.u32(a, 4), newPath: A.u32(a, 5), newPathLength: A.u32(a, 6))
        }
        add("path_open", [i32, i32, i32, i32, i32, i64, i64, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathOpen(m, fd: A.u32(a, 0), lookupFlags: A.u32(a, 1), path: A.u32(a, 2), pathLength: A.u32(a, 3),
                           oflags: try A.u16(a, 4), rightsBase: A.u64(a, 5), rightsInheriting: A.u64(a, 6),
                           fdflags: try A.u16(a, 7), result: A.u32(a, 8))
        }
        add("path_readlink", [i32, i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathReadlink(m, fd: A.u32(a, 0), path: A.u32(a, 1), pathLength: A.u32(a, 2), buffer: A.u32(a, 3),
                               bufferLength: A.u32(a, 4), used: A.u32(a, 5))
        }
        add("path_remove_directory", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathRemoveDirectory(m, fd: A.u32(a, 0), path: A.u32(a, 1), pathLength: A.u32(a, 2))
        }
        add("path_rename", [i32, i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathRename(m, fd: A.u32(a, 0), oldPath: A.u32(a, 1), oldPathLength: A.u32(a, 2), newFD: A.u32(a, 3),
                             newPath: A.u32(a, 4), newPathLength: A.u32(a, 5))
        }
        add("path_symlink", [i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathSymlink(m, oldPath: A.u32(a, 0), oldPathLength: A.u32(a, 1), fd: A.u32(a, 2), newPath: A.u32(a, 3), newPathLength: A.u32(a, 4))
        }
        add("path_unlink_file", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathUnlinkFile(m, fd: A.u32(a, 0), path: A.u32(a, 1), pathLength: A.u32(a, 2))
        }
        add("poll_oneoff", [i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pollOneoff(m, input: A.u32(a, 0), output: A.u32(a, 1), count: A.u32(a, 2), eventCount: A.u32(a, 3))
        }
        add("random_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.randomGet(m, buffer: A.u32(a, 0), length: A.u32(a, 1)) }
        add("sched_yield", []) { w, _, _ throws(WASIErrno) in try w.schedYield() }
        add("sock_accept", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.sockAccept(m, fd: A.u32(a, 0), flags: try A.u16(a, 1), result: A.u32(a, 2))
        }
        add("sock_recv", [i32, i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.sockRecv(m, fd: A.u32(a, 0), iovs: A.u32(a, 1), iovsCount: A.u32(a, 2), flags: try A.u16(a, 3),
                           dataLength: A.u32(a, 4), resultFlags: A.u32(a, 5))
        }
        add("sock_send", [i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.sockSend(m, fd: A.u32(a, 0), iovs: A.u32(a, 1), iovsCount: A.u32(a, 2), flags: try A.u16(a, 3),
                           dataLength: A.u32(a, 4))
        }
        add("sock_shutdown", [i32, i32]) { w, _, a throws(WASIErrno) in try w.sockShutdown(fd: A.u32(a, 0), how: try A.u8(a, 1)) }
    }
}

/// What an import does: reads its arguments from the engine's argument array (its address),
/// calls `WASIPreview1`, throws the errno to return.
public typealias WASIImportBody = (WASIPreview1, GuestMemory, UnsafeRawPointer?) throws(WASIErrno) -> Void
