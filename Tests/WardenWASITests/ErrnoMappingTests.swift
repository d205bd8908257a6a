import Glibc
import Testing
import WardenSystem
@testable import WardenWASI

@Suite struct ErrnoMappingTests {
    @Test func witxNamesMatchValues() {
        #expect(WASIErrno.allCases.count == 77)
        #expect(WASIErrno.toobig.description == "2big")
        #expect(WASIErrno.notcapable.rawValue == 76)
        #expect(WASIErrno.notcapable.description == "notcapable")
        #expect(WASIErrno.noent.rawValue == 44)
        #expect(WASIErrno.fault.rawValue == 21)
    }

    @Test func everyHostErrnoMapsToAWASIErrno() {
        // Every value the kernel can return maps somewhere, and never to success or notcapable
        // (notcapable is reserved for capability refusals the WASI layer decides itself).
        for value in Int32(1)...Int32(133) {
            let mapped = WASIErrno(Errno(rawValue: value))
            #expect(mapped != .success)
            #expect(mapped != .notcapable)
        }
    }

    @Test func commonHostErrnosMapByName() {
        let pairs: [(Int32, WASIErrno)] = [(ENOENT, .noent), (EEXIST, .exist), (ENOTDIR, .notdir), (EISDIR, .isdir),
                                           (ELOOP, .loop), (EXDEV, .xdev), (ENOTEMPTY, .notempty), (EACCES, .acces),
                                           (EPERM, .perm), (EBADF, .badf), (E2BIG, .toobig), (EOPNOTSUPP, .notsup)]
        for (host, wasi) in pairs { #expect(WASIErrno(Errno(rawValue: host)) == wasi) }
    }
}
