// Seeds: call sequences a guest would make (open each dictionary path in several ways, then
// read, write, stat, readdir, rename, link, symlink through what it got), in the input
// encoding `Calls.one` reads.

extension WASIHarness {
    static func seeds() -> [(String, [UInt8])] {
        func le64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
        let result: [UInt8] = [1, 0x00, 0x70]  // pointer(): tag 1, u16 0x7000
        var seeds: [(String, [UInt8])] = []
        for path in 0..<dictionary.count {
            for (name, oflags, rights) in [("read", 0, 1), ("create", 1 | 8, 0), ("dir", 2, 1), ("all", 0, 0)] as [(String, UInt8, UInt8)] {
                var bytes: [UInt8] = []
                // path_open(fd 3 or 4, follow, path, oflags, rights, rights, fdflags 0, result)
                for fd: UInt8 in [3, 4] {
                    bytes += [31, fd, UInt8(path), 1, oflags, 0, rights, rights, 0, 0] + result
                }
                // fd_read / fd_write / fd_filestat_get / fd_readdir on the new descriptors (5, 6)
                bytes += [12, 0x04, 5] + result
                bytes += [11, 0x08, 5] + result
                bytes += [26, 6] + result
                bytes += [42, 5, 1, 0x00, 0x80, 0x21, 0xff, 0] + result
                // path_rename a → path, path_link path → "new", path_symlink path → "new"
                bytes += [40, 3, 0, 3, UInt8(path)]
                bytes += [39, 3, 1, UInt8(path), 3, 20]
                bytes += [38, UInt8(path), 3, 20]
                bytes += [6, 1] + le64(1) + result
                seeds.append(("\(name)-\(path)", bytes))
            }
        }
        return seeds
    }
}
