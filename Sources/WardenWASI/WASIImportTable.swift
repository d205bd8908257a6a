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
    /// body. Built once per instantiation, never per call.
    ///
    /// Why a visitor that is `@inline(__always)`, not a returned array of entries: inlined into
    /// the engine's `define`, specialized for its reader, each body reaches the engine's host
    /// function as a concrete closure whose argument reads are plain loads. Read back out of a
    /// generic array, each came wrapped for the array's generic representation: counted with
    /// callgrind on WasmKit, that form took 8 more instructions per fd_write than the two
    /// per-engine tables it replaced; this one takes 4 fewer.
    @inlinable @inline(__always)
    public static func forEach<Arguments: WASIArguments>(
        reading _: Arguments.Type,
        _ add: (_ name: String, _ parameters: [WASIValueType], _ body: @escaping WASIImportBody<Arguments>) -> Void
    ) {
        let i32 = WASIValueType.i32, i64 = WASIValueType.i64

        add("args_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.argsGet(m, pointers: a.u32(0), buffer: a.u32(1)) }
        add("args_sizes_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.argsSizesGet(m, count: a.u32(0), bufferSize: a.u32(1)) }
        add("environ_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.environGet(m, pointers: a.u32(0), buffer: a.u32(1)) }
        add("environ_sizes_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.environSizesGet(m, count: a.u32(0), bufferSize: a.u32(1)) }
        add("clock_res_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.clockResGet(m, id: a.u32(0), result: a.u32(1)) }
        add("clock_time_get", [i32, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.clockTimeGet(m, id: a.u32(0), precision: a.u64(1), result: a.u32(2))
        }
        add("fd_advise", [i32, i64, i64, i32]) { w, _, a throws(WASIErrno) in
            try w.fdAdvise(fd: a.u32(0), offset: a.u64(1), length: a.u64(2), advice: try a.u8(3))
        }
        add("fd_allocate", [i32, i64, i64]) { w, _, a throws(WASIErrno) in try w.fdAllocate(fd: a.u32(0), offset: a.u64(1), length: a.u64(2)) }
        add("fd_close", [i32]) { w, _, a throws(WASIErrno) in try w.fdClose(fd: a.u32(0)) }
        add("fd_datasync", [i32]) { w, _, a throws(WASIErrno) in try w.fdDatasync(fd: a.u32(0)) }
        add("fd_fdstat_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.fdFdstatGet(m, fd: a.u32(0), result: a.u32(1)) }
        add("fd_fdstat_set_flags", [i32, i32]) { w, _, a throws(WASIErrno) in
            try w.fdFdstatSetFlags(fd: a.u32(0), flags: try a.u16(1))
        }
        add("fd_fdstat_set_rights", [i32, i64, i64]) { w, _, a throws(WASIErrno) in
            try w.fdFdstatSetRights(fd: a.u32(0), rights: a.u64(1), inheriting: a.u64(2))
        }
        add("fd_filestat_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.fdFilestatGet(m, fd: a.u32(0), result: a.u32(1)) }
        add("fd_filestat_set_size", [i32, i64]) { w, _, a throws(WASIErrno) in try w.fdFilestatSetSize(fd: a.u32(0), size: a.u64(1)) }
        add("fd_filestat_set_times", [i32, i64, i64, i32]) { w, _, a throws(WASIErrno) in
            try w.fdFilestatSetTimes(fd: a.u32(0), accessTime: a.u64(1), modificationTime: a.u64(2),
                                     flags: try a.u16(3))
        }
        add("fd_pread", [i32, i32, i32, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.fdPread(m, fd: a.u32(0), iovs: a.u32(1), iovsCount: a.u32(2), offset: a.u64(3), read: a.u32(4))
        }
        add("fd_prestat_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.fdPrestatGet(m, fd: a.u32(0), result: a.u32(1)) }
        add("fd_prestat_dir_name", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.fdPrestatDirName(m, fd: a.u32(0), path: a.u32(1), length: a.u32(2))
        }
        add("fd_pwrite", [i32, i32, i32, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.fdPwrite(m, fd: a.u32(0), iovs: a.u32(1), iovsCount: a.u32(2), offset: a.u64(3), written: a.u32(4))
        }
        add("fd_read", [i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.fdRead(m, fd: a.u32(0), iovs: a.u32(1), iovsCount: a.u32(2), read: a.u32(3))
        }
        add("fd_readdir", [i32, i32, i32, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.fdReaddir(m, fd: a.u32(0), buffer: a.u32(1), bufferLength: a.u32(2), cookie: a.u64(3), used: a.u32(4))
        }
        add("fd_renumber", [i32, i32]) { w, _, a throws(WASIErrno) in try w.fdRenumber(fd: a.u32(0), to: a.u32(1)) }
        add("fd_seek", [i32, i64, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.fdSeek(m, fd: a.u32(0), offset: Int64(bitPattern: a.u64(1)), whence: try a.u8(2), result: a.u32(3))
        }
        add("fd_sync", [i32]) { w, _, a throws(WASIErrno) in try w.fdSync(fd: a.u32(0)) }
        add("fd_tell", [i32, i32]) { w, m, a throws(WASIErrno) in try w.fdTell(m, fd: a.u32(0), result: a.u32(1)) }
        add("fd_write", [i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.fdWrite(m, fd: a.u32(0), iovs: a.u32(1), iovsCount: a.u32(2), written: a.u32(3))
        }
        add("path_create_directory", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathCreateDirectory(m, fd: a.u32(0), path: a.u32(1), pathLength: a.u32(2))
        }
        add("path_filestat_get", [i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathFilestatGet(m, fd: a.u32(0), flags: a.u32(1), path: a.u32(2), pathLength: a.u32(3), result: a.u32(4))
        }
        add("path_filestat_set_times", [i32, i32, i32, i32, i64, i64, i32]) { w, m, a throws(WASIErrno) in
            try w.pathFilestatSetTimes(m, fd: a.u32(0), flags: a.u32(1), path: a.u32(2), pathLength: a.u32(3),
                                       accessTime: a.u64(4), modificationTime: a.u64(5), fstFlags: try a.u16(6))
        }
        add("path_link", [i32, i32, i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathLink(m, oldFD: a.u32(0), flags: a.u32(1), oldPath: a.u32(2), oldPathLength: a.u32(3),
                           newFD: a.u32(4), newPath: a.u32(5), newPathLength: a.u32(6))
        }
        add("path_open", [i32, i32, i32, i32, i32, i64, i64, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathOpen(m, fd: a.u32(0), lookupFlags: a.u32(1), path: a.u32(2), pathLength: a.u32(3),
                           oflags: try a.u16(4), rightsBase: a.u64(5), rightsInheriting: a.u64(6),
                           fdflags: try a.u16(7), result: a.u32(8))
        }
        add("path_readlink", [i32, i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathReadlink(m, fd: a.u32(0), path: a.u32(1), pathLength: a.u32(2), buffer: a.u32(3),
                               bufferLength: a.u32(4), used: a.u32(5))
        }
        add("path_remove_directory", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathRemoveDirectory(m, fd: a.u32(0), path: a.u32(1), pathLength: a.u32(2))
        }
        add("path_rename", [i32, i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathRename(m, fd: a.u32(0), oldPath: a.u32(1), oldPathLength: a.u32(2), newFD: a.u32(3),
                             newPath: a.u32(4), newPathLength: a.u32(5))
        }
        add("path_symlink", [i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathSymlink(m, oldPath: a.u32(0), oldPathLength: a.u32(1), fd: a.u32(2), newPath: a.u32(3), newPathLength: a.u32(4))
        }
        add("path_unlink_file", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pathUnlinkFile(m, fd: a.u32(0), path: a.u32(1), pathLength: a.u32(2))
        }
        add("poll_oneoff", [i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.pollOneoff(m, input: a.u32(0), output: a.u32(1), count: a.u32(2), eventCount: a.u32(3))
        }
        add("random_get", [i32, i32]) { w, m, a throws(WASIErrno) in try w.randomGet(m, buffer: a.u32(0), length: a.u32(1)) }
        add("sched_yield", []) { w, _, _ throws(WASIErrno) in try w.schedYield() }
        add("sock_accept", [i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.sockAccept(m, fd: a.u32(0), flags: try a.u16(1), result: a.u32(2))
        }
        add("sock_recv", [i32, i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.sockRecv(m, fd: a.u32(0), iovs: a.u32(1), iovsCount: a.u32(2), flags: try a.u16(3),
                           dataLength: a.u32(4), resultFlags: a.u32(5))
        }
        add("sock_send", [i32, i32, i32, i32, i32]) { w, m, a throws(WASIErrno) in
            try w.sockSend(m, fd: a.u32(0), iovs: a.u32(1), iovsCount: a.u32(2), flags: try a.u16(3),
                           dataLength: a.u32(4))
        }
        add("sock_shutdown", [i32, i32]) { w, _, a throws(WASIErrno) in try w.sockShutdown(fd: a.u32(0), how: try a.u8(1)) }
    }
}

/// What an import does: reads its arguments, calls `WASIPreview1`, throws the errno to return.
public typealias WASIImportBody<Arguments: WASIArguments> = (WASIPreview1, GuestMemory, Arguments) throws(WASIErrno) -> Void
