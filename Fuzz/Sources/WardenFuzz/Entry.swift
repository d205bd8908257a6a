import Glibc  // getenv, abort, open/write: the seed directory and the harness's choice
import WardenFuzzHarnesses

// The one libFuzzer executable: every harness (WardenFuzzHarnesses, in the main package), the
// one to fuzz chosen by name — `--harness=NAME` (libFuzzer ignores flags starting with `--`),
// $WARDEN_FUZZ_HARNESS, or the name it was started by (fuzz.sh links FuzzTOML etc. to it).
// One compile of the dependency graph with coverage and ASan, one link.

nonisolated(unsafe) var selected: FuzzHarness?

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    var names: [String] = []
    if let value = getenv("WARDEN_FUZZ_HARNESS") { names.append(String(cString: value)) }
    if let vector = argv.pointee {
        for index in 0..<Int(argc.pointee) {
            guard let raw = vector[index] else { continue }
            let argument = String(cString: raw)
            if argument.hasPrefix("--harness=") { names.insert(String(argument.dropFirst(10)), at: 0) }
            if index == 0 { names.append(String(argument.split(separator: "/").last ?? "")) }
        }
    }
    guard let harness = names.lazy.compactMap(FuzzHarness.named).first else {
        say("warden-fuzz: name a harness: --harness=NAME or WARDEN_FUZZ_HARNESS (\(FuzzHarness.all.map(\.name).joined(separator: " ")))\n")
        exit(64)
    }
    selected = harness
    // Seeds for libFuzzer to read after this returns: $WARDEN_FUZZ_SEEDS, from the repository
    // at $WARDEN_FUZZ_ROOT (fuzz.sh sets both).
    if let directory = getenv("WARDEN_FUZZ_SEEDS").map({ String(cString: $0) }) {
        let root = getenv("WARDEN_FUZZ_ROOT").map { String(cString: $0) } ?? ".."
        for (index, seed) in harness.seeds(root: root).enumerated() {
            let fd = open("\(directory)/seed-\(index)", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { fatalError("cannot write seeds to \(directory): \(errno)") }
            _ = seed.bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let harness = selected else { fatalError("LLVMFuzzerInitialize did not run") }
    do {
        try harness.check(Array(UnsafeBufferPointer(start: data, count: size)))
    } catch {
        // libFuzzer's deadly-signal handler saves the input as a finding.
        say("\(harness.name): \(error)\n")
        abort()
    }
    return 0
}

/// One line to standard error, unbuffered (so it is out before a crash).
func say(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
