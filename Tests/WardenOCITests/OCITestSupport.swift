import Foundation
import WardenLauncher
import WardenTestSupport

/// What the integration tests share: the executables under test, the guest built for both
/// worlds (wasm32-wasi and native static), a hand-made OCI image archive, and the skip rule.
enum OCITestSupport {
    static var runtime: String { Warden.product("warden-oci") }

    /// Why a test with the real clients cannot run here, or nil.
    static func unavailable(_ tools: [String]) -> String? {
        guard getuid() == 0 else { return "needs root (container engines, cgroups, namespaces)" }
        for tool in tools where (try? Command.which(tool)) == nil {
            return "\(tool) is not installed (make test installs podman containerd runc conmon)"
        }
        return nil
    }

    static func wasmGuest() throws -> String { try Guests.c("Tests/WardenOCITests/Guests/hello.c") }

    /// The same program built natively and statically: the non-Wasm container runc runs.
    static func nativeGuest(in directory: String) throws -> String {
        let output = directory + "/hello-native"
        let result = try Command.run(Guests.clang, ["-static", "-O2", Guests.packageRoot.path + "/Tests/WardenOCITests/Guests/hello.c", "-o", output])
        guard result.status == 0 else { throw Guests.BuildError(description: "native build failed: \(result.stderr)") }
        return output
    }

    static func sha256(_ path: String) throws -> (digest: String, size: Int) {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        return ("sha256:" + SHA256.hex(of: bytes), bytes.count)
    }

    /// An OCI image archive (oci-layout, index.json, blobs) of one layer holding `files`
    /// (image path → host file), named `name` for `ctr images import`.
    static func imageArchive(files: [String: String], command: [String], name: String, in tree: TemporaryTree) throws -> String {
        let layerRoot = tree.url("image-layer")
        try tree.makeDirectory("image-layer")
        for (inImage, host) in files {
            try FileManager.default.copyItem(atPath: host, toPath: layerRoot + "/" + inImage)
            chmod(layerRoot + "/" + inImage, 0o755)
        }
        try tree.makeDirectory("oci/blobs/sha256")
        let layer = tree.url("layer.tar")
        try check(Command.run("tar", ["--owner=0", "--group=0", "-C", layerRoot, "-cf", layer, "."]))
        let layerDigest = try sha256(layer)
        func blob(_ path: String) throws -> (digest: String, size: Int) {
            let digest = try sha256(path)
            try FileManager.default.copyItem(atPath: path, toPath: tree.url("oci/blobs/sha256/" + digest.digest.dropFirst(7)))
            return digest
        }
        _ = try blob(layer)
        let commandJSON = command.map { "\"\($0)\"" }.joined(separator: ",")
        try tree.write("config.json", """
        {"architecture":"amd64","os":"linux","config":{"Cmd":[\(commandJSON)]},"rootfs":{"type":"layers","diff_ids":["\(layerDigest.digest)"]}}
        """)
        let config = try blob(tree.url("config.json"))
        try tree.write("manifest.json", """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
         "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\(config.digest)","size":\(config.size)},
         "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\(layerDigest.digest)","size":\(layerDigest.size)}]}
        """)
        let manifest = try blob(tree.url("manifest.json"))
        try tree.write("oci/oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
        try tree.write("oci/index.json", """
        {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\(manifest.digest)","size":\(manifest.size),
         "annotations":{"io.containerd.image.name":"\(name)","org.opencontainers.image.ref.name":"latest"}}]}
        """)
        let archive = tree.url("image.tar")
        try check(Command.run("tar", ["-C", tree.url("oci"), "-cf", archive, "."]))
        return archive
    }

    @discardableResult
    static func check(_ result: Command.Result, _ what: String = "") throws -> Command.Result {
        guard result.status == 0 else {
            throw Guests.BuildError(description: "\(what) failed (\(result.status)): \(result.stderr) \(result.stdout)")
        }
        return result
    }

    /// The audit events in a container's JSON Lines file.
    static func auditEvents(_ path: String) -> [[String: Any]] {
        Warden.auditEvents(in: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
    }

    /// posix_spawn `arguments` with stdin /dev/null and stdout+stderr to `output`, then a
    /// blocking waitpid; the exit status (or 128+signal).
    static func spawnAndWait(_ arguments: [String], environment: [String: String], output: String) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, arguments[0], &actions, nil, argv, envp) == 0 else { return 127 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
