import Foundation
import Testing
import WardenTestSupport

/// The engine choice itself: the command-line contract, what happens where wasmtime is not
/// installed, and the exec lock in a real wasmtime worker. (Every other behaviour is checked on
/// both engines by the suites marked `.onEveryEngine`.)
@Suite struct EngineTests {
    static func hello() throws -> String {
        try Guests.wat("""
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "hi\\n")
              (func (export "_start")
                (i32.store (i32.const 0) (i32.const 16))
                (i32.store (i32.const 4) (i32.const 3))
                (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
            """, name: "engine-hello")
    }

    @Test("--engine takes wasmkit or wasmtime; with --policy it may only repeat the policy's; --no-sandbox is WasmKit's")
    func commandLine() throws {
        let module = try Self.hello()
        let bogus = try Command.run(Warden.executable, ["run", "--engine", "v8", module])
        #expect(bogus.status == 64 && bogus.stderr.contains("--engine must be wasmkit or wasmtime"), "\(bogus.stderr)")
        let tree = try TemporaryTree()
        try tree.write("p.toml", "version = 1\n[module]\nname = \"m\"\npath = \"\(module)\"\n[sandbox]\nuser = \"nobody\"\n")
        let conflict = try Command.run(Warden.executable, ["run", "--engine", "wasmtime", "--policy", tree.url("p.toml")])
        #expect(conflict.status == 64 && conflict.stderr.contains("[engine] name (wasmkit) applies"), "\(conflict.stderr)")
        let repeated = try Command.run(Warden.executable, ["run", "--engine", "wasmkit", "--policy", tree.url("p.toml")])
        #expect(repeated.status == 0 && repeated.stdout == "hi\n", "\(repeated.stderr)")
        let inProcess = try Command.run(Warden.executable, ["run", "--no-sandbox", "--engine", "wasmtime", module])
        #expect(inProcess.status == 64 && inProcess.stderr.contains("WasmKit only"), "\(inProcess.stderr)")
    }

    @Test("without wasmtime's worker or library, --engine wasmtime says plainly what is missing; WasmKit runs on")
    func unavailable() throws {
        let module = try Self.hello()
        // warden finds its workers next to itself: a copy in a directory of its own lacks them.
        let tree = try TemporaryTree("warden-engine")
        for name in ["warden", "warden-worker"] {
            try FileManager.default.copyItem(atPath: Warden.product(name), toPath: tree.url(name))
        }
        let noWorker = try Command.run(tree.url("warden"), ["run", "--engine", "wasmtime", module])
        #expect(noWorker.status == 125, "\(noWorker.stderr)")
        #expect(noWorker.stderr.contains("cannot find warden-worker-wasmtime next to warden; the wasmtime engine is unavailable"), "\(noWorker.stderr)")
        try FileManager.default.copyItem(atPath: Warden.product("warden-worker-wasmtime"), toPath: tree.url("warden-worker-wasmtime"))
        let noLibrary = try Command.run(tree.url("warden"), ["run", "--engine", "wasmtime", module])
        #expect(noLibrary.status == 125, "\(noLibrary.stderr)")
        #expect(noLibrary.stderr.contains("the wasmtime engine is unavailable: libwasmtime.so: cannot open shared object file"), "\(noLibrary.stderr)")
        #expect(noLibrary.stderr.split(separator: "\n").count == 1, "one clear line: \(noLibrary.stderr)")
        let wasmkit = try Command.run(tree.url("warden"), ["run", module])
        #expect(wasmkit.status == 0 && wasmkit.stdout == "hi\n", "\(wasmkit.stderr)")
    }

    @Test("a wasmtime worker stacks the exec lock after compiling and before instantiating",
          .enabled(if: TestEngine.wasmtimeUnavailable == nil, "\(TestEngine.wasmtimeUnavailable ?? "")"))
    func lockOrder() throws {
        let result = try Warden.run(["--engine", "wasmtime", "--artifact-cache", "off", "--timings", try Self.hello()])
        #expect(result.status == 0 && result.stdout == "hi\n", "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        func index(_ milestone: String) -> Int? { lines.firstIndex { $0.hasSuffix("worker: \(milestone)") } }
        let compiled = try #require(index("module compiled (wasmtime)"), "\(result.stderr)")
        let locked = try #require(index("exec lock engaged"), "\(result.stderr)")
        let instantiated = try #require(index("module parsed and instantiated"), "\(result.stderr)")
        #expect(compiled < locked && locked < instantiated)
    }
}
