import Foundation
import Testing

/// The engines the suites run on. The same tests run on both (`.onEveryEngine` runs each test
/// once per engine; nothing is copied): `Warden.run` adds `--engine` for the current one.
public enum TestEngine: String, Sendable, CaseIterable, CustomStringConvertible {
    case wasmkit, wasmtime

    public var description: String { rawValue }

    /// The engine the running test is on (set by `.onEveryEngine`; WasmKit otherwise).
    @TaskLocal public static var current: TestEngine = .wasmkit

    /// `--engine NAME` for `warden run`, or nothing for the default.
    public var flags: [String] { self == .wasmkit ? [] : ["--engine", rawValue] }

    /// Why the wasmtime engine cannot be tested here, or nil: it needs its worker built and
    /// wasmtime's library next to it (`make test` links it there; `make wasmtime-lib`).
    public static var wasmtimeUnavailable: String? {
        let worker = Warden.product("warden-worker-wasmtime")
        guard FileManager.default.isExecutableFile(atPath: worker) else { return "warden-worker-wasmtime is not built" }
        let library = (worker as NSString).deletingLastPathComponent + "/libwasmtime.so"
        guard FileManager.default.fileExists(atPath: library) else {
            return "no libwasmtime.so next to warden-worker-wasmtime (run make link-wasmtime)"
        }
        return nil
    }

    /// The engines to test: both where wasmtime is available, narrowed by
    /// `WARDEN_TEST_ENGINES=wasmkit` (or `wasmtime`) to chase a failure on one.
    public static var available: [TestEngine] {
        var engines = wasmtimeUnavailable == nil ? allCases : [.wasmkit]
        if let only = ProcessInfo.processInfo.environment["WARDEN_TEST_ENGINES"], !only.isEmpty {
            let names = only.split(separator: ",").map(String.init)
            engines = engines.filter { names.contains($0.rawValue) }
        }
        return engines
    }
}

/// Runs every test of a suite (or one test) once per available engine, with
/// `TestEngine.current` set: the suite's tests stay as they are and `warden run` picks the
/// engine up. To see which engine a failure happened on, rerun with `WARDEN_TEST_ENGINES`.
public struct OnEveryEngine: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        // The suite itself (no test case) is only a container.
        guard testCase != nil, !test.isSuite else {
            try await function()
            return
        }
        if let reason = TestEngine.wasmtimeUnavailable, Self.noted.withLock({ $0.insert(reason).inserted }) {
            // Said once per process, in the test log: the wasmtime half is skipped, and why.
            print("note: the wasmtime engine's runs are skipped: \(reason)")
        }
        for engine in TestEngine.available {
            try await TestEngine.$current.withValue(engine) { try await function() }
        }
    }

    private static let noted = NotedReasons()
}

/// Reasons already printed (once each).
final class NotedReasons: @unchecked Sendable {
    private let lock = NSLock()
    private var reasons: Set<String> = []
    func withLock<R>(_ body: (inout Set<String>) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&reasons)
    }
}

extension Trait where Self == OnEveryEngine {
    /// Runs the test (or every test of the suite) once on each available engine.
    public static var onEveryEngine: OnEveryEngine { OnEveryEngine() }
}
