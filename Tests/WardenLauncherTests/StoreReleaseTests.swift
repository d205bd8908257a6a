import Glibc  // O_RDWR
import Testing
import WardenSystem
import WardenWASI
@testable import WardenWASIWasmKit

/// Found by Fuzz's module harness under LeakSanitizer: every instantiated module's store stayed
/// allocated for the life of the process (the WASI imports' memory box held the exported
/// memory, which holds the store's allocator, which holds the imports' closures, which hold the
/// box). Harmless in a worker (one load per process); a long-lived host loading many modules
/// grew without bound. The `Store` object itself is freed either way (it is outside the cycle
/// and holds the allocator from outside): what is observed is the memory box, which is inside
/// it. Each case instantiates, runs and drops a module N times and checks, through weak
/// references, that every box and its memory binding are gone.
@Suite("Instantiated stores are freed")
struct StoreReleaseTests {
    static let rounds = 20

    /// A memory, a start function that writes through WASI (so the host functions hold the
    /// bound memory when the store is dropped), and a 1 MiB memory per instance.
    static let module = """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 16)
          (data (i32.const 16) "hi\\n")
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 16))
            (i32.store (i32.const 4) (i32.const 3))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
        """

    /// Instantiates (and, if `run`, runs) the module; returns weak references to what must go.
    static func once(run: Bool, fuel: UInt64?) throws -> (box: Weak, binding: Weak) {
        // The guest's standard streams (stdio is not the WASI table's to close).
        let null = try AmbientAuthority(purpose: "test").openFile("/dev/null", flags: O_RDWR)
        defer { try? null.close() }
        var configuration = WASIConfiguration()
        configuration.stdin = null
        configuration.stdout = null
        configuration.stderr = null
        let wasi = try WASIPreview1(configuration: configuration)
        defer { wasi.closeAll() }
        let binary = try GuestRunner.binary(from: Array(module.utf8))
        let instantiated = try GuestRunner(limits: .init(maxMemoryBytes: 16 << 20, fuel: fuel))
            .instantiate(moduleBytes: binary, wasi: wasi, compileEagerly: true)
        let binding = try #require(instantiated.binding)
        #expect(binding.box.memory != nil)
        if run { #expect(instantiated.run() == .exited(0)) }
        return (Weak(binding.box), Weak(binding))
    }

    @Test(arguments: [(false, nil), (true, nil), (true, 1_000_000)] as [(Bool, UInt64?)])
    func everyStoreIsFreed(run: Bool, fuel: UInt64?) throws {
        var kept = 0
        for _ in 0..<Self.rounds {
            let (box, binding) = try Self.once(run: run, fuel: fuel)
            #expect(binding.object == nil, "the memory binding outlived its instance")
            if box.object != nil { kept += 1 }
        }
        #expect(kept == 0, "\(kept) of \(Self.rounds) stores (found by their memory box) still allocated after their last use")
    }

    final class Weak {
        weak var object: AnyObject?
        init(_ object: AnyObject?) { self.object = object }
    }
}
