import Glibc  // open, read, opendir/readdir for seed files (test-only code, like the probe)

// The fuzz harnesses as plain functions, in the main package (test-only, like warden-probe):
// the one libFuzzer executable in Fuzz/ (Fuzz/Sources/WardenFuzz) calls them with what the
// fuzzer makes, and `swift test` (Tests/WardenFuzzTests, through warden-fuzz-replay) calls
// them with every seed and every committed finding, so a regression runs on every `make test`.

/// A broken invariant: a finding. (Set-up failures of the harness itself trap.)
public struct HarnessFailure: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One place hostile bytes enter, its checks and its seeds.
public struct FuzzHarness: Sendable {
    public let name: String
    /// Runs one input; a thrown failure is a finding, as is a crash.
    public let check: @Sendable ([UInt8]) throws(HarnessFailure) -> Void
    /// Seeds written from the encoders (name, bytes), so they follow the formats as they change.
    public let generatedSeeds: @Sendable () -> [(String, [UInt8])]
    /// Repository-relative directories whose files are seeds, besides `Fuzz/Seeds/NAME` and
    /// `Fuzz/Regressions/NAME`: the test fixtures, where they live.
    public let seedDirectories: [String]
    /// Only files whose names end so are taken from `seedDirectories` (".wat": not the C guests).
    public let seedSuffix: String
    /// Inputs made from one seed file besides itself (a module's text is also fed as binary).
    public let variants: @Sendable ([UInt8]) -> [[UInt8]]

    init(_ name: String, seedDirectories: [String] = [], seedSuffix: String = "", variants: @escaping @Sendable ([UInt8]) -> [[UInt8]] = { _ in [] },
         generatedSeeds: @escaping @Sendable () -> [(String, [UInt8])] = { [] },
         check: @escaping @Sendable ([UInt8]) throws(HarnessFailure) -> Void) {
        self.name = name
        self.check = check
        self.generatedSeeds = generatedSeeds
        self.seedDirectories = seedDirectories
        self.seedSuffix = seedSuffix
        self.variants = variants
    }

    public static let all: [FuzzHarness] = [
        TOMLHarness.harness, PolicyHarness.harness, AuditLogHarness.harness, SuggestHarness.harness,
        IPCHarness.harness, WASIHarness.harness, ModuleHarness.harness,
    ]

    public static func named(_ name: String) -> FuzzHarness? { all.first { $0.name == name } }

    /// Every seed: generated, then the files of `Fuzz/Seeds/NAME`, the fixture directories and
    /// `Fuzz/Regressions/NAME` (each finding's input, kept), with their variants. `root` is
    /// the repository's top directory. A file named `*.hex` holds its input in hexadecimal
    /// (a finding that is a binary module: no .wasm is committed).
    public func seeds(root: String) -> [(name: String, bytes: [UInt8])] {
        var seeds = generatedSeeds().map { (name: "generated/\($0.0)", bytes: $0.1) }
        let directories = [("Fuzz/Seeds/\(name)", "")] + seedDirectories.map { ($0, seedSuffix) } + [("Fuzz/Regressions/\(name)", "")]
        for (directory, suffix) in directories {
            for file in Self.files(in: root + "/" + directory) where file.hasSuffix(suffix) {
                guard var bytes = Self.read(root + "/" + directory + "/" + file) else { continue }
                if file.hasSuffix(".hex") { bytes = Self.hex(bytes) }
                seeds.append((name: directory + "/" + file, bytes: bytes))
                for (index, variant) in variants(bytes).enumerated() {
                    seeds.append((name: directory + "/" + file + "#\(index + 1)", bytes: variant))
                }
            }
        }
        return seeds
    }

    /// Hexadecimal digits to bytes; anything else (blanks, line breaks) is skipped.
    static func hex(_ text: [UInt8]) -> [UInt8] {
        let digits = text.compactMap { byte -> UInt8? in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        return stride(from: 0, to: digits.count - 1, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }

    /// The regular files directly in `path`, sorted (none if it does not exist).
    static func files(in path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            guard entry.pointee.d_type == UInt8(DT_REG) else { continue }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted()
    }

    /// A whole file, or nil if it cannot be read.
    public static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }
}
