import Glibc
import WardenSystem
import WardenWASI

// Module loading on every engine: any bytes are a loaded module or a load error. A crash in
// parsing or validation must become a load error, never a signal in the worker.

nonisolated(unsafe) var devNull: Int32 = -1

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModule(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if devNull < 0 { devNull = open("/dev/null", O_RDWR | O_CLOEXEC) }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for engine in engines {
        // No grants: a start function may call WASI, and reaches nothing.
        var configuration = WASIConfiguration()
        let null = FileDescriptor(rawValue: devNull)
        configuration.stdin = null
        configuration.stdout = null
        configuration.stderr = null
        guard let wasi = try? WASIPreview1(configuration: configuration) else { fatalError("WASIPreview1") }
        do {
            try engine.load(bytes, wasi: wasi)
        } catch {
            guard !"\(error)".isEmpty else { fatalError("\(engine.name): a load error without a message") }
        }
        wasi.closeAll()
    }
    return 0
}
