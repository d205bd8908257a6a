import Foundation
import Testing
import WardenTestSupport

/// Every fuzz harness (Fuzz/Harnesses) on every seed it has: those generated from the encoders,
/// Fuzz/Seeds, the test fixtures it reads, and each committed finding in Fuzz/Regressions —
/// so a bug a fuzzer found stays fixed on every `make test`, without building the sanitized
/// fuzzer. Each harness runs in warden-fuzz-replay, a process of its own: a crash is reported
/// with the input it happened on, and the WASI harness's file-size limit stays there.
@Suite("Fuzz harnesses on their seeds and findings")
struct SeedReplayTests {
    static let harnesses = ["FuzzTOML", "FuzzPolicy", "FuzzAuditLog", "FuzzSuggest", "FuzzIPC", "FuzzWASI", "FuzzModule"]

    @Test(arguments: harnesses)
    func replay(harness: String) throws {
        let result = try Command.run(Warden.product("warden-fuzz-replay"), [Guests.packageRoot.path, harness], timeout: 600)
        let lastInput = result.stderr.split(separator: "\n").last { $0.hasPrefix("input ") } ?? "no input"
        #expect(!result.signaled, "\(harness) crashed (signal \(result.status)) on its \(lastInput.dropFirst(6)):\n\(result.stderr.suffix(2000))")
        #expect(result.status == 0, "\(result.stderr.split(separator: "\n").filter { !$0.hasPrefix("input ") }.joined(separator: "\n"))")
        // Seeds were found: the fixtures moved would otherwise pass silently.
        let count = result.stdout.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        #expect(count >= Self.minimumInputs[harness, default: 1], "\(harness) ran only \(count) inputs: \(result.stdout)")
    }

    /// Fewer inputs than this means a seed directory went missing (counted on this commit).
    static let minimumInputs = ["FuzzTOML": 40, "FuzzPolicy": 40, "FuzzAuditLog": 10, "FuzzSuggest": 3, "FuzzIPC": 15,
                                "FuzzWASI": 100, "FuzzModule": 8]

    /// Misuse is refused with its own statuses (and never read as "every check held").
    @Test func misuseIsRefused() throws {
        let usage = try Command.run(Warden.product("warden-fuzz-replay"), [Guests.packageRoot.path, "NoSuchHarness"])
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("FuzzWASI"))
        let missing = try Command.run(Warden.product("warden-fuzz-replay"), [Guests.packageRoot.path, "FuzzTOML", "/nonexistent/input"])
        #expect(missing.status == 66)
        #expect(!missing.stdout.contains("every check held"))
    }
}
