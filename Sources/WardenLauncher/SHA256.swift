import CCrypto

/// SHA-256 from OpenSSL's libcrypto, for module pins (`sha256 =`), the reload check and the
/// policy digest in audit events. The launcher hashes a whole module at every start, and
/// modules of tens of MiB are common: libcrypto uses the CPU's SHA extensions where present.
public enum SHA256 {
    public static let byteCount = 32

    /// The digest of `bytes`.
    public static func digest(of bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: byteCount)
        let succeeded = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { warden_sha256(input.baseAddress, input.count, $0.baseAddress) == 1 }
        }
        // libcrypto fails only when it cannot allocate or find SHA-256 at all; a
        // digest that silently came out as zeros would pass a pin check it must fail.
        precondition(succeeded, "libcrypto could not compute SHA-256")
        return digest
    }

    /// The digest of `bytes` as 64 lowercase hex digits (the form policies pin).
    public static func hex(of bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(2 * byteCount)
        for byte in digest(of: bytes) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
