import Foundation
import Testing
import WardenLauncher
import WardenTestSupport

/// Compiled artifacts (`warden compile`, `--artifact`, the artifact cache): made only by a
/// compile-only worker, loaded only when their key and digest check out, from a cache only
/// root may write.
@Suite(.enabled(if: TestEngine.wasmtimeUnavailable == nil, "\(TestEngine.wasmtimeUnavailable ?? "")"))
struct ArtifactTests {
    static func hello(_ text: String = "hi") throws -> String {
        try Guests.wat("""
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "\(text)\\n")
              (func (export "_start")
                (i32.store (i32.const 0) (i32.const 16))
                (i32.store (i32.const 4) (i32.const \(text.utf8.count + 1)))
                (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
            """, name: "artifact-\(text)")
    }

    static func compile(_ module: String, to path: String, _ extra: [String] = []) throws {
        let compiled = try Command.run(Warden.executable, ["compile"] + extra + ["-o", path, module])
        #expect(compiled.status == 0 && compiled.stdout == "\(path)\n", "\(compiled.stderr)")
    }

    static func run(_ arguments: [String]) throws -> Command.Result {
        try Command.run(Warden.executable, ["run", "--user", "root", "--engine", "wasmtime", "--timings"] + arguments)
    }

    static func milestones(_ result: Command.Result) -> [String] {
        result.stderr.split(separator: "\n").compactMap { line in
            line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).dropFirst(2).first.map { String($0.drop { $0 == " " }) }
        }
    }

    @Test("warden compile -o FILE, then warden run --artifact FILE: the worker loads the code, compiles nothing")
    func compileThenRun() throws {
        let module = try Self.hello()
        let tree = try TemporaryTree("warden-artifact")
        try Self.compile(module, to: tree.url("hello.cwasm"))
        let header = try #require(String(data: try Data(contentsOf: URL(fileURLWithPath: tree.url("hello.cwasm"))).prefix(600), encoding: .isoLatin1))
        #expect(header.hasPrefix("WARDEN-ARTIFACT\nkey: warden-artifact/1 module=sha256:"), "\(header)")
        #expect(header.contains("engine=wasmtime-") && header.contains("fuel=off") && header.contains("payload-sha256: "))
        let result = try Self.run(["--artifact", tree.url("hello.cwasm"), module])
        #expect(result.status == 0 && result.stdout == "hi\n", "\(result.stderr)")
        let steps = Self.milestones(result)
        #expect(steps.contains("artifact verified") && steps.contains("worker: module loaded from artifact (wasmtime)"), "\(steps)")
        #expect(!steps.contains { $0.contains("module compiled") }, "\(steps)")
        // The worker is exec'd while the launcher verifies the artifact; the code reaches it
        // with its configuration, before it hardens.
        let spawned = try #require(steps.firstIndex(of: "worker spawned"))
        let verified = try #require(steps.firstIndex(of: "artifact verified"))
        let configured = try #require(steps.firstIndex(of: "worker: configuration received"))
        let hardened = try #require(steps.firstIndex(of: "worker: hardening step descriptors"))
        #expect(spawned < verified && configured < hardened, "\(steps)")
        // The lock still goes on before the first instruction.
        let loaded = try #require(steps.firstIndex(of: "worker: module loaded from artifact (wasmtime)"))
        let locked = try #require(steps.firstIndex(of: "worker: exec lock engaged"))
        let instantiated = try #require(steps.firstIndex(of: "worker: module parsed and instantiated"))
        #expect(loaded < locked && locked < instantiated)
    }

    @Test("an artifact compiled from another module, or with other code settings (fuel), is refused")
    func keyMismatch() throws {
        let module = try Self.hello(), other = try Self.hello("ho")
        let tree = try TemporaryTree("warden-artifact")
        try Self.compile(module, to: tree.url("hello.cwasm"))
        let wrongModule = try Self.run(["--artifact", tree.url("hello.cwasm"), other])
        #expect(wrongModule.status == 125 && wrongModule.stdout.isEmpty, "\(wrongModule.stderr)")
        #expect(wrongModule.stderr.contains("was compiled for another module or settings") && wrongModule.stderr.contains("refusing to load it"), "\(wrongModule.stderr)")
        let metered = try Self.run(["--fuel", "1000000", "--artifact", tree.url("hello.cwasm"), module])
        #expect(metered.status == 125 && metered.stderr.contains("fuel=on"), "\(metered.stderr)")
        // The message names what differs, and only that.
        #expect(wrongModule.stderr.contains("its module: sha256:") && !wrongModule.stderr.contains("code settings"), "\(wrongModule.stderr)")
        #expect(metered.stderr.contains("its code settings: [") && !metered.stderr.contains("its module"), "\(metered.stderr)")
        // Compiled for metering, it runs metered.
        try Self.compile(module, to: tree.url("metered.cwasm"), ["--metered"])
        let matching = try Self.run(["--fuel", "1000000", "--artifact", tree.url("metered.cwasm"), module])
        #expect(matching.status == 0 && matching.stdout == "hi\n", "\(matching.stderr)")
    }

    @Test("a tampered, truncated or foreign artifact is refused before any worker sees it")
    func damaged() throws {
        let module = try Self.hello()
        let tree = try TemporaryTree("warden-artifact")
        try Self.compile(module, to: tree.url("hello.cwasm"))
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: tree.url("hello.cwasm"))))
        func write(_ name: String, _ content: [UInt8]) throws {
            FileManager.default.createFile(atPath: tree.url(name), contents: Data(content), attributes: [.posixPermissions: 0o644])
        }
        try write("truncated.cwasm", Array(bytes.prefix(bytes.count - 100)))
        bytes[bytes.count - 50] ^= 0x5a
        try write("tampered.cwasm", bytes)
        try write("foreign.cwasm", Array("\u{7f}ELF not an artifact".utf8))
        for (name, words) in [("truncated.cwasm", "is truncated"), ("tampered.cwasm", "was altered"), ("foreign.cwasm", "is not a warden artifact")] {
            let result = try Self.run(["--artifact", tree.url(name), module])
            #expect(result.status == 125 && result.stdout.isEmpty, "\(name): \(result.stderr)")
            #expect(result.stderr.contains(words), "\(name): \(result.stderr)")
            // The worker is spawned before the artifact is read (its exec overlaps the
            // checks); refused, it is ended unconfigured: it never received the code, so none
            // of its milestones (sent only with its final report) appear.
            #expect(!Self.milestones(result).contains { $0.hasPrefix("worker: ") }, "\(name): no worker got a refused artifact")
        }
    }

    @Test("the cache is refused when anyone but root could write it, or an artifact in it")
    func cachePermissions() throws {
        let module = try Self.hello()
        let tree = try TemporaryTree("warden-artifact")
        try tree.makeDirectory("open")
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: tree.url("open"))
        let open = try Self.run(["--artifact-cache", tree.url("open"), module])
        #expect(open.status == 125 && open.stderr.contains("refusing the artifact cache") && open.stderr.contains("mode 777"), "\(open.stderr)")
        try tree.makeDirectory("foreign")
        try FileManager.default.setAttributes([.ownerAccountID: 65534, .posixPermissions: 0o755], ofItemAtPath: tree.url("foreign"))
        let foreign = try Self.run(["--artifact-cache", tree.url("foreign"), module])
        #expect(foreign.status == 125 && foreign.stderr.contains("is owned by uid 65534, not root"), "\(foreign.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tree.url("open")).isEmpty, "nothing written into a refused cache")
        // A good cache with a group-writable artifact in it: that artifact is refused.
        try tree.makeDirectory("cache")
        let filled = try Self.run(["--artifact-cache", tree.url("cache"), module])
        #expect(filled.status == 0, "\(filled.stderr)")
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: tree.url("cache")).first)
        try FileManager.default.setAttributes([.posixPermissions: 0o664], ofItemAtPath: tree.url("cache/\(file)"))
        let loose = try Self.run(["--artifact-cache", tree.url("cache"), module])
        #expect(loose.status == 125 && loose.stderr.contains("writable by its group or by others (mode 664)"), "\(loose.stderr)")
    }

    @Test("first run compiles in a compile-only worker and fills the cache; the second loads from it")
    func cacheHit() throws {
        let module = try Self.hello()
        let tree = try TemporaryTree("warden-artifact")
        try tree.makeDirectory("cache")
        let first = try Self.run(["--artifact-cache", tree.url("cache"), module])
        #expect(first.status == 0 && first.stdout == "hi\n", "\(first.stderr)")
        #expect(Self.milestones(first).contains("artifact compiled"), "\(Self.milestones(first))")
        let files = try FileManager.default.contentsOfDirectory(atPath: tree.url("cache"))
        #expect(files.count == 1 && files[0].hasSuffix(".cwasm"), "\(files)")
        let path = tree.url("cache/\(files[0])")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int).map { $0 & 0o022 } == 0)
        let before = attributes[.modificationDate] as? Date
        let second = try Self.run(["--artifact-cache", tree.url("cache"), module])
        #expect(second.status == 0 && second.stdout == "hi\n", "\(second.stderr)")
        let steps = Self.milestones(second)
        #expect(steps.contains("artifact found in cache") && !steps.contains("artifact compiled"), "\(steps)")
        #expect(steps.contains("worker: module loaded from artifact (wasmtime)"), "\(steps)")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == before, "the hit rewrote nothing")
        // A damaged file in the cache is reported, not silently replaced.
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: 700)
        try handle.write(contentsOf: Data([0xcc, 0xcc, 0xcc, 0xcc]))
        try handle.close()
        let damaged = try Self.run(["--artifact-cache", tree.url("cache"), module])
        #expect(damaged.status == 125 && damaged.stderr.contains("was altered"), "\(damaged.stderr)")
    }

    @Test("$WARDEN_ARTIFACT_CACHE_MAX bounds the cache: a new artifact evicts the least recently used; a bad value warns, the run goes on")
    func cacheBound() throws {
        let one = try Self.hello("one"), two = try Self.hello("two")
        let tree = try TemporaryTree("warden-artifact")
        try tree.makeDirectory("cache")
        func run(_ module: String, bound: String) throws -> Command.Result {
            var environment = ProcessInfo.processInfo.environment
            environment["WARDEN_ARTIFACT_CACHE_MAX"] = bound
            return try Command.run(Warden.executable, ["run", "--user", "root", "--engine", "wasmtime", "--artifact-cache", tree.url("cache"), module],
                                   environment: environment)
        }
        func artifacts() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: tree.url("cache")) }
        let first = try run(one, bound: "1B")
        #expect(first.status == 0 && first.stdout == "one\n", "\(first.stderr)")
        let kept = try artifacts()
        #expect(kept.count == 1, "\(kept)")
        // Over the bound: the new one stays (just written), the older one goes.
        let second = try run(two, bound: "1B")
        #expect(second.status == 0 && second.stdout == "two\n" && second.stderr.isEmpty, "\(second.stderr)")
        let after = try artifacts()
        #expect(after.count == 1 && after != kept, "\(after) after \(kept)")
        // Not a size: one warning, the default bound, and the run itself unchanged.
        let warned = try run(one, bound: "lots")
        #expect(warned.status == 0 && warned.stdout == "one\n", "\(warned.stderr)")
        #expect(warned.stderr.contains("warden: warning: $WARDEN_ARTIFACT_CACHE_MAX='lots' is not a size"), "\(warned.stderr)")
        #expect(try artifacts().count == 2)
    }

    @Test("the compile-only worker never runs the module: a start section that writes prints nothing")
    func compileRunsNothing() throws {
        let module = try Guests.wat("""
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "started\\n")
              (func $init
                (i32.store (i32.const 0) (i32.const 16))
                (i32.store (i32.const 4) (i32.const 8))
                (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
              (start $init)
              (func (export "_start")))
            """, name: "artifact-start")
        let tree = try TemporaryTree("warden-artifact")
        let compiled = try Command.run(Warden.executable, ["compile", "-o", tree.url("start.cwasm"), module])
        #expect(compiled.status == 0 && compiled.stdout == tree.url("start.cwasm") + "\n", "\(compiled.stdout) \(compiled.stderr)")
        let ran = try Self.run(["--artifact", tree.url("start.cwasm"), module])
        #expect(ran.status == 0 && ran.stdout == "started\n", "\(ran.stderr)")
    }

    @Test("warden compile: an invalid module is one clear line; the cache needs root or -o")
    func compileErrors() throws {
        let tree = try TemporaryTree("warden-artifact")
        try tree.write("bad.wat", "(module (func (export \"_start\") (i32.add)))")
        let invalid = try Command.run(Warden.executable, ["compile", "-o", tree.url("bad.cwasm"), tree.url("bad.wat")])
        #expect(invalid.status == 125 && invalid.stderr.contains("invalid WebAssembly module"), "\(invalid.stderr)")
        #expect(invalid.stderr.split(separator: "\n").count == 1, "\(invalid.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tree.url("bad.cwasm")) || (try? Data(contentsOf: URL(fileURLWithPath: tree.url("bad.cwasm"))))?.isEmpty == true)
        try tree.makeDirectory("cache")
        let intoCache = try Command.run(Warden.executable, ["compile", "--artifact-cache", tree.url("cache"), try Self.hello()])
        #expect(intoCache.status == 0 && intoCache.stdout.hasPrefix(tree.url("cache") + "/") && intoCache.stdout.hasSuffix(".cwasm\n"), "\(intoCache.stderr)")
        let hit = try Self.run(["--artifact-cache", tree.url("cache"), try Self.hello()])
        #expect(Self.milestones(hit).contains("artifact found in cache"), "warden compile fills the cache warden run reads")
    }
}

/// The artifact header alone (no processes).
@Suite struct ArtifactFileTests {
    let key = ArtifactKey(moduleDigest: String(repeating: "ab", count: 32), fuelMetered: false)

    @Test("encode then verify gives the payload back; any other key, length or digest is refused")
    func roundTrip() throws {
        let payload: [UInt8] = Array(0..<200).map { UInt8($0) }
        let file = ArtifactFile.encode(key: key, payload: payload)
        #expect(try ArtifactFile.payload(of: file, expected: key, name: "f") == payload)
        let metered = ArtifactKey(moduleDigest: key.moduleDigest, fuelMetered: true)
        #expect(metered.fileName != key.fileName)
        #expect(throws: ArtifactError.self) { try ArtifactFile.payload(of: file, expected: metered, name: "f") }
        #expect(throws: ArtifactError.self) { try ArtifactFile.payload(of: Array(file.dropLast()), expected: key, name: "f") }
        #expect(throws: ArtifactError.self) { try ArtifactFile.payload(of: file + [0], expected: key, name: "f") }
        var flipped = file
        flipped[flipped.count - 1] ^= 1
        #expect(throws: ArtifactError.self) { try ArtifactFile.payload(of: flipped, expected: key, name: "f") }
        #expect(throws: ArtifactError.self) { try ArtifactFile.payload(of: [], expected: key, name: "f") }
        #expect(throws: ArtifactError.self) { try ArtifactFile.payload(of: Array(repeating: 0x41, count: 10_000), expected: key, name: "f") }
    }
}
