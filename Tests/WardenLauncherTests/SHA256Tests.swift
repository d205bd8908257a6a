import Foundation
import Testing
import WardenLauncher
import WardenTestSupport

/// Warden's SHA-256 (libcrypto) against the FIPS 180-2 test vectors and coreutils' sha256sum.
@Suite struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex(of: []) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        #expect(SHA256.digest(of: Array("abc".utf8)).count == 32)
    }

    @Test func agreesWithSha256sumOnAFile() throws {
        let tree = try TemporaryTree("sha256")
        // 3 MiB and a few bytes of varied content: several blocks, an unaligned tail.
        var bytes = [UInt8](repeating: 0, count: 3 << 20 + 13)
        var state: UInt32 = 2_463_534_242
        for index in bytes.indices {
            state ^= state << 13; state ^= state >> 17; state ^= state << 5
            bytes[index] = UInt8(truncatingIfNeeded: state)
        }
        let path = tree.url("module.wasm")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let result = try Command.run("sha256sum", [path])
        let expected = String(result.stdout.prefix(64))
        #expect(expected.count == 64)
        #expect(SHA256.hex(of: bytes) == expected)
    }
}
