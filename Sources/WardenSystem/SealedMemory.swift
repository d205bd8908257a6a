import CWardenLinux

extension FileDescriptor {
    /// A sealed, read-only memfd called `name` holding `bytes`: the module image a worker
    /// reads, so what the launcher hashed is exactly what runs (no one can change it after).
    public static func sealedMemory(named name: String, holding bytes: [UInt8]) throws(Errno) -> FileDescriptor {
        let descriptor = bytes.withUnsafeBytes { warden_sealed_memfd(name, $0.baseAddress, $0.count) }
        guard descriptor >= 0 else { throw .current }
        return FileDescriptor(rawValue: descriptor)
    }
}
