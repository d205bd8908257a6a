import Foundation
import Testing
import WardenTestSupport

/// wardend on the wasmtime engine compiles each module once, at load and at every reload, in
/// a compile-only worker, and starts its workers (a per-connection zygote here) from the
/// artifact in the cache.
@Suite(.serialized, .enabled(if: TestEngine.wasmtimeUnavailable == nil, "\(TestEngine.wasmtimeUnavailable ?? "")"))
struct ArtifactDaemonTests {
    @Test("load and reload compile into the cache ($WARDEN_ARTIFACT_CACHE); the zygote serves from the artifact")
    func compilesAtLoadAndReload() throws {
        let cacheTree = try TemporaryTree("warden-cache")
        try cacheTree.makeDirectory("cache")
        let cache = cacheTree.url("cache")
        func artifacts() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? []).filter { $0.hasSuffix(".cwasm") } }

        let wardend = try WardendHarness(launch: false)
        let module = wardend.tree.url("service.wasm")
        try FileManager.default.copyItem(atPath: try Guests.c("Tests/WardenSupervisorTests/Guests/greeter.c"), toPath: module)
        let port = WardendHarness.freePort()
        try TestEngine.$current.withValue(.wasmtime) {
            try wardend.policy("svc", module: module, service: "mode = \"per-connection\"\nlisten = [\"tcp:127.0.0.1:\(port)\"]")
        }
        try wardend.start([], environment: [ "WARDEN_ARTIFACT_CACHE": cache ])
        try wardend.waitFor("svc", "running") { $0["state"] as? String == "running" }
        #expect(artifacts().count == 1, "compiled at load: \(artifacts())\n\(wardend.log)")
        let loaded = try #require(try wardend.status()["svc"])
        #expect(loaded["code"] as? String == "compiled", "\(loaded)")
        #expect((loaded["code_detail"] as? String)?.contains("stored in the artifact cache \(cache) (miss)") == true, "\(loaded)")
        #expect(Client.exchange(port, "ada\n") == "hello ada #1\n")
        #expect(Client.exchange(port, "bob\n") == "hello bob #1\n")

        // New bytes at the module's path: reload compiles them before the new zygote starts.
        let replacement = try Guests.wat("""
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "v2\\n")
              (func (export "_start")
                (i32.store (i32.const 0) (i32.const 16))
                (i32.store (i32.const 4) (i32.const 3))
                (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
            """, name: "artifact-daemon-v2")
        try FileManager.default.removeItem(atPath: module)
        try FileManager.default.copyItem(atPath: replacement, toPath: module)
        let reload = try wardend.warden(["reload"])
        #expect(reload.status == 0, "\(reload.stderr)")
        let deadline = Date().addingTimeInterval(20)
        var answer: String?
        while Date() < deadline {
            answer = Client.exchange(port, "x\n")
            if answer == "v2\n" { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(answer == "v2\n", "\(wardend.log)")
        #expect(artifacts().count == 2, "compiled at reload: \(artifacts())")
        #expect(wardend.terminate() == 0)
    }

    @Test("warden status says where a module's code came from: compiled at load (miss), the cache (hit), each worker (cache off), or WasmKit")
    func statusProvenance() throws {
        let cacheTree = try TemporaryTree("warden-cache")
        try cacheTree.makeDirectory("cache")
        let module = try Guests.c("Tests/WardenSupervisorTests/Guests/greeter.c")
        func wardend(cache: String, _ check: (WardendHarness) throws -> Void) throws {
            let wardend = try WardendHarness(launch: false)
            try TestEngine.$current.withValue(.wasmtime) {
                try wardend.policy("svc", module: module, service: "mode = \"per-connection\"\nlisten = [\"tcp:127.0.0.1:\(WardendHarness.freePort())\"]")
            }
            try TestEngine.$current.withValue(.wasmkit) {
                try wardend.policy("plain", module: module, service: "mode = \"per-connection\"\nlisten = [\"tcp:127.0.0.1:\(WardendHarness.freePort())\"]")
            }
            try wardend.start([], environment: ["WARDEN_ARTIFACT_CACHE": cache])
            try wardend.waitFor("svc", "running") { $0["state"] as? String == "running" }
            try wardend.waitFor("plain", "running") { $0["state"] as? String == "running" }
            try check(wardend)
            #expect(wardend.terminate() == 0)
        }
        func code(_ wardend: WardendHarness, _ module: String) throws -> (String?, String?) {
            let fields = try wardend.status()[module]
            return (fields?["code"] as? String, fields?["code_detail"] as? String)
        }
        let cache = cacheTree.url("cache")
        try wardend(cache: cache) { wardend in
            let svc = try code(wardend, "svc"), plain = try code(wardend, "plain")
            #expect(svc.0 == "compiled", "\(svc)")
            #expect(plain.0 == "interpreted" && plain.1 == "interpreted by WasmKit (nothing compiled)", "\(plain)")
        }
        // A second wardend finds the same module's code in the cache.
        try wardend(cache: cache) { wardend in
            let svc = try code(wardend, "svc")
            #expect(svc.0 == "cache-hit" && svc.1 == "from the artifact cache \(cache) (hit)", "\(svc)")
            let text = try wardend.warden(["status"]).stdout
            #expect(text.contains("  code: from the artifact cache \(cache) (hit)\n"), "\(text)")
        }
        try wardend(cache: "off") { wardend in
            let svc = try code(wardend, "svc")
            let text = try wardend.warden(["status"]).stdout
            #expect(svc.0 == "worker-compiles", "\(svc)")
            #expect(text.contains("  code: compiled by each worker before the module runs (the artifact cache is off)\n"), "\(text)")
        }
    }

    @Test("a cache others could write keeps the module from loading, with the reason in the log")
    func refusesAnOpenCache() throws {
        let cacheTree = try TemporaryTree("warden-cache")
        try cacheTree.makeDirectory("open")
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: cacheTree.url("open"))
        let wardend = try WardendHarness(launch: false)
        try TestEngine.$current.withValue(.wasmtime) {
            try wardend.policy("svc", module: try Guests.c("Tests/WardenSupervisorTests/Guests/greeter.c"),
                               service: "mode = \"per-connection\"\nlisten = [\"tcp:127.0.0.1:\(WardendHarness.freePort())\"]")
        }
        try wardend.start([], environment: ["WARDEN_ARTIFACT_CACHE": cacheTree.url("open")])
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline && !wardend.log.contains("refusing the artifact cache") { Thread.sleep(forTimeInterval: 0.05) }
        #expect(wardend.log.contains("refusing the artifact cache \(cacheTree.url("open"))"), "\(wardend.log)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cacheTree.url("open")).isEmpty)
        _ = wardend.terminate()
    }
}
