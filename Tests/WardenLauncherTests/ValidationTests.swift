import Foundation
import Testing
import WardenTestSupport
import WardenWASI
import WardenWASIWasmKit

/// No invalid module runs a single instruction. A corpus of byte mutations of a small C program
/// (`Guests/validate_hello.c`), generated at test time from a fixed seed, is judged by wabt's
/// `wasm-validate` (custom-section errors ignored: the spec says they never make a module
/// invalid) and by Warden's loader: every module the oracle finds invalid must fail to load,
/// and every one it finds valid must not fail as invalid (it may still fail to link, e.g. a
/// mutated import name).
@Suite("Validation before the first instruction", .serialized)
struct ValidationTests {
    static let seed: UInt64 = 0x5741_5244_454E_0012
    static let mutantCount = 400

    struct Mutant {
        let index: Int
        let path: String
        let bytes: [UInt8]
        /// wabt finds it valid, errors in custom sections ignored (the spec's rule).
        let valid: Bool
        /// wabt finds it valid with custom sections checked too (asked only of valid ones).
        let strictlyValid: Bool
        let oracle: String
    }

    /// SplitMix64: a fixed seed gives the same corpus on every machine.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    /// Mutants of the seed module: 1 to 3 bytes past the header replaced, each judged by
    /// `wasm-validate`. Written under `tree` (the CLI checks below run some of them).
    static func corpus(in tree: TemporaryTree) throws -> [Mutant] {
        let validator = try Command.which("wasm-validate")
        let seedPath = try FnGuest.c("validate_hello")
        let base = Array(try Data(contentsOf: URL(fileURLWithPath: seedPath)))
        var generator = Generator(state: seed)
        var mutants: [Mutant] = []
        for index in 0..<mutantCount {
            var bytes = base
            for _ in 0..<(1 + generator.below(3)) {
                bytes[8 + generator.below(bytes.count - 8)] = UInt8(truncatingIfNeeded: generator.next())
            }
            let path = tree.url("mutant-\(index).wasm")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let verdict = try Command.run(validator, ["--ignore-custom-section-errors", path])
            let strict = verdict.status == 0 ? try Command.run(validator, [path]).status == 0 : false
            mutants.append(Mutant(index: index, path: path, bytes: bytes, valid: verdict.status == 0, strictlyValid: strict,
                                  oracle: verdict.stderr))
        }
        return mutants
    }

    /// Warden's loader on `bytes`: nil if it instantiates, else the load error.
    static func load(_ bytes: [UInt8], wasi: WASIPreview1, eagerly: Bool) -> GuestRunner.LoadError? {
        do {
            _ = try GuestRunner(limits: .init(maxMemoryBytes: 64 << 20)).instantiate(moduleBytes: bytes, wasi: wasi, compileEagerly: eagerly)
            return nil
        } catch {
            return error
        }
    }

    @Test("every module wabt finds invalid fails to load, lazily or eagerly (the zygote); none it finds valid is called invalid")
    func mutationCorpus() throws {
        let tree = try TemporaryTree("warden-validate")
        let mutants = try Self.corpus(in: tree)
        let wasi = try WASIPreview1(configuration: WASIConfiguration())
        var invalidRan: [String] = [], validRejected: [String] = []
        var functionErrors: [Mutant] = []
        var invalid = 0, valid = 0
        for mutant in mutants {
            // Eagerly (the per-connection zygote's way) for the invalid ones only: the check
            // that matters there, at half the cost.
            for eagerly in mutant.valid ? [false] : [false, true] {
                let error = Self.load(mutant.bytes, wasi: wasi, eagerly: eagerly)
                if !mutant.valid {
                    if error == nil { invalidRan.append("#\(mutant.index) (eager: \(eagerly)): \(mutant.oracle)") }
                    if !eagerly, case .invalidFunction = error { functionErrors.append(mutant) }
                } else if let error {
                    switch error {
                    case .instantiation(let reason) where reason.contains("import"):
                        break  // imports what WASI does not provide (a mutated name or type): valid, not linkable
                    case .invalidModule(let reason) where !mutant.strictlyValid && reason.contains("malformed UTF-8"):
                        // A custom section whose *name* is not UTF-8 is malformed (a name is
                        // UTF-8 wherever it appears); wabt skips custom sections whole when
                        // told to ignore their errors, and rejects this one otherwise.
                        break
                    default: validRejected.append("#\(mutant.index): \(error)")
                    }
                }
            }
            if mutant.valid { valid += 1 } else { invalid += 1 }
        }
        #expect(invalidRan.isEmpty, "invalid modules that loaded:\n\(invalidRan.joined(separator: "\n"))")
        #expect(validRejected.isEmpty, "valid modules rejected as invalid:\n\(validRejected.joined(separator: "\n"))")
        // The corpus exercises what the fix is about: bodies found invalid at load.
        #expect(invalid > mutants.count / 2 && valid > 20, "corpus: \(invalid) invalid, \(valid) valid")
        #expect(functionErrors.count > 50, "only \(functionErrors.count) function-body errors")

        // Through the CLI's sandboxed worker: exit 125 naming the function, nothing written.
        for mutant in functionErrors.prefix(12) {
            let result = try Warden.run([mutant.path])
            #expect(result.status == 125, "#\(mutant.index): exit \(result.status)\n\(result.stderr)")
            #expect(result.stdout.isEmpty, "#\(mutant.index) wrote \(result.stdout)")
            #expect(result.stderr.contains("invalid WebAssembly module: function "), "#\(mutant.index): \(result.stderr)")
        }
    }

    /// A start function runs during instantiation: its module is validated before, so the
    /// start function below never ends the run with its exit code 7 when another body is
    /// invalid. (Its one observable act is proc_exit: WASI memory is bound after instantiation.)
    static let startModule = """
        (module
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (func $start (call $proc_exit (i32.const 7)))
          (start $start)
          (func (export "_start"))
          (func $never_called (result i32) (i32.const 42)))
        """

    @Test("a module with a start section is validated before its start function runs")
    func startSection() throws {
        let valid = try Guests.wat(Self.startModule, name: "validate-start")
        let ran = try Warden.run([valid])
        #expect(ran.status == 7, "the start function did not run: \(ran.status) \(ran.stderr)")

        // wat2wasm validates; the invalid body is made by hand: `i32.const 42` → `i64.const 42`
        // in the last function (index 3: one import, then $start, _start, $never_called).
        let tree = try TemporaryTree("warden-validate-start")
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: valid)))
        let body: [UInt8] = [0x41, 0x2A, 0x0B]
        let at = try #require(bytes.indices.dropLast(2).first { Array(bytes[$0..<($0 + 3)]) == body })
        bytes[at] = 0x42
        let invalid = tree.url("start-invalid.wasm")
        try Data(bytes).write(to: URL(fileURLWithPath: invalid))
        #expect(try Command.run(Command.which("wasm-validate"), [invalid]).status != 0)
        for flags in [[], ["--no-sandbox"]] {
            let result = try Warden.run(flags + [invalid])
            #expect(result.status == 125, "\(flags): the start function ran or the load failed otherwise: \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("invalid WebAssembly module: function 3: "), "\(flags): \(result.stderr)")
            // The offset is where WasmKit noticed: the mutated instruction or the body's `end`.
            let offset = result.stderr.components(separatedBy: "at offset 0x").last.flatMap { Int($0.prefix { $0.isHexDigit }, radix: 16) }
            #expect(offset.map { (at..<(at + 3)).contains($0) } == true, "\(flags): \(result.stderr)")
        }
    }
}
