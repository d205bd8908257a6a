import Foundation
import Testing
import WardenTestSupport

/// containerd 1.6 driving warden-oci through its runc shim (`ctr run --runc-binary`), on a
/// daemon this test starts on temporary directories (CRI plugin off) and stops again.
@Suite(.serialized) struct ContainerdTests {
    /// A containerd of our own: config, sockets, root and state under one temporary tree.
    final class Daemon {
        let tree: TemporaryTree
        let process = Process()
        let socket: String
        let namespace = "warden-oci-test-\(getpid())"
        let audit: String

        init(tree: TemporaryTree) throws {
            self.tree = tree
            // A node policy that grants the image's own rootfs, read-only, at /image.
            try tree.write("policies/image-ro.toml", """
            version = 1
            [module]
            name = "image-ro"
            path = "/hello.wasm"
            [[preopen]]
            host = "/"
            guest = "/image"
            access = "read"
            """)
            socket = tree.url("containerd.sock")
            audit = tree.url("audit")
            try tree.write("containerd.toml", """
            version = 2
            root = "\(tree.url("root"))"
            state = "\(tree.url("state"))"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "\(socket)"
            [ttrpc]
              address = "\(socket).ttrpc"
            [debug]
              address = "\(tree.url("debug.sock"))"
            """)
            process.executableURL = URL(fileURLWithPath: try Command.which("containerd"))
            process.arguments = ["--config", tree.url("containerd.toml")]
            var environment = ProcessInfo.processInfo.environment
            // The shim inherits containerd's environment, and warden-oci reads its settings there.
            environment["WARDEN_OCI_AUDIT_DIR"] = audit
            environment["WARDEN_OCI_JOURNAL"] = "0"
            environment["WARDEN_OCI_POLICY_DIR"] = tree.url("policies")
            process.environment = environment
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            FileManager.default.createFile(atPath: tree.url("containerd.log"), contents: nil)
            process.standardError = FileHandle(forWritingAtPath: tree.url("containerd.log"))
            try process.run()
            for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket) { usleep(50_000) }
            guard FileManager.default.fileExists(atPath: socket) else {
                stop()
                throw Guests.BuildError(description: "containerd did not start: \((try? tree.read("containerd.log")) ?? "")")
            }
        }

        func ctr(_ arguments: [String], timeout: TimeInterval = 60) throws -> Command.Result {
            try Command.run("ctr", ["--address", socket, "--namespace", namespace] + arguments, timeout: timeout)
        }

        /// `ctr run` through warden-oci, with runc's root and the FIFOs in our tree.
        func run(_ flags: [String], image: String, id: String, _ command: [String] = []) throws -> Command.Result {
            try ctr(["run", "--snapshotter", "native", "--runc-binary", OCITestSupport.runtime,
                     "--runc-root", tree.url("runc-root"), "--fifo-dir", tree.url("fifo")] + flags + [image, id] + command)
        }

        func stop() {
            // Every container and the image go first; then the daemon, its shims and our cgroups.
            if let tasks = try? ctr(["tasks", "list", "-q"]) {
                for id in tasks.stdout.split(separator: "\n") {
                    _ = try? ctr(["tasks", "kill", "-s", "KILL", String(id)])
                    _ = try? ctr(["tasks", "delete", "-f", String(id)])
                }
            }
            if let containers = try? ctr(["containers", "list", "-q"]) {
                for id in containers.stdout.split(separator: "\n") { _ = try? ctr(["containers", "delete", String(id)]) }
            }
            if let images = try? ctr(["images", "list", "-q"]) {
                for name in images.stdout.split(separator: "\n") { _ = try? ctr(["images", "remove", String(name)]) }
            }
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
                rmdir("/sys/fs/cgroup/\(hierarchy)/\(namespace)")
            }
            // containerd makes /run/containerd/s for shim sockets whatever its state directory;
            // removed when empty (another containerd on the host keeps it).
            rmdir("/run/containerd/s")
            rmdir("/run/containerd")
        }
    }

    @Test(.enabled(if: getuid() == 0, "containerd, runc shims and cgroups need root"), .timeLimit(.minutes(3)))
    func wasmRunsThroughWardenOCIAndTheRestThroughRunc() throws {
        if let missing = OCITestSupport.unavailable(["containerd", "ctr", "runc", "tar"]) {
            Issue.record(Comment(rawValue: missing))
            return
        }
        let tree = try TemporaryTree("warden-oci-ctr")
        let wasm = try OCITestSupport.wasmGuest()
        let native = try OCITestSupport.nativeGuest(in: tree.path)
        let image = "docker.io/warden/hello:latest"
        let archive = try OCITestSupport.imageArchive(files: ["hello.wasm": wasm, "hello": native], command: ["/hello.wasm"],
                                                      name: image, in: tree)
        let daemon = try Daemon(tree: tree)
        defer { daemon.stop() }
        try OCITestSupport.check(daemon.ctr(["images", "import", "--snapshotter", "native", archive]), "ctr images import")

        // Standard output and the exit status come through the shim.
        let hello = try daemon.run(["--rm", "--annotation", "run.oci.handler=wasm"], image: image, id: "wasm-hello")
        #expect(hello.status == 0, "\(hello.stderr)")
        #expect(hello.stdout == "hello from /hello.wasm\n")
        let exit = try daemon.run(["--rm", "--annotation", "run.oci.handler=wasm"], image: image, id: "wasm-exit",
                                  ["/hello.wasm", "exit", "7"])
        #expect(exit.status == 7, "\(exit.stderr)")
        #expect(exit.stdout == "hello from /hello.wasm\n")

        // The rootfs is granted only by a policy: without one /image is nothing; with the node
        // policy it is the image, read-only.
        let unattached = try daemon.run(["--rm", "--annotation", "run.oci.handler=wasm"], image: image, id: "wasm-norootfs",
                                        ["/hello.wasm", "read", "/image/hello.wasm"])
        #expect(unattached.status == 3 && unattached.stdout.hasPrefix("refused:"), "\(unattached.stdout) \(unattached.stderr)")
        let attached = try daemon.run(["--rm", "--annotation", "run.oci.handler=wasm", "--annotation", "warden.policy=image-ro"],
                                      image: image, id: "wasm-rootfs", ["/hello.wasm", "read", "/image/hello.wasm"])
        #expect(attached.status == 0 && attached.stdout.hasPrefix("read: "), "\(attached.stdout) \(attached.stderr)")
        let writeImage = try daemon.run(["--rm", "--annotation", "run.oci.handler=wasm", "--annotation", "warden.policy=image-ro"],
                                        image: image, id: "wasm-rootfs-write", ["/hello.wasm", "write", "/image/planted", "x"])
        #expect(writeImage.status == 3 && writeImage.stdout.hasPrefix("refused:"), "\(writeImage.stdout) \(writeImage.stderr)")
        let policyEvents = OCITestSupport.auditEvents(daemon.audit + "/wasm-rootfs-write.jsonl")
        #expect(policyEvents.contains { $0["reason"] as? String == "read-only" }, "\(policyEvents)")

        // wasm-smart: the same image, judged by args[0]; the native program goes to runc.
        let native1 = try daemon.run(["--rm", "--annotation", "run.oci.handler=wasm-smart"], image: image, id: "native-hello", ["/hello"])
        #expect(native1.status == 0, "\(native1.stderr)")
        #expect(native1.stdout == "hello from /hello\n")
        #expect(FileManager.default.fileExists(atPath: daemon.audit + "/wasm-hello.jsonl"))
        #expect(!FileManager.default.fileExists(atPath: daemon.audit + "/native-hello.jsonl"))

        // Detached: running, listed with its pids, killed (SIGTERM → 143), deleted twice.
        let detached = try daemon.run(["-d", "--annotation", "run.oci.handler=wasm"], image: image, id: "wasm-sleep",
                                      ["/hello.wasm", "sleep", "60"])
        #expect(detached.status == 0, "\(detached.stderr)")
        let state = try Command.run(OCITestSupport.runtime, ["--root", tree.url("runc-root") + "/" + daemon.namespace, "state", "wasm-sleep"])
        #expect(state.stdout.contains("\"status\": \"running\""), "\(state.stdout) \(state.stderr)")
        let ps = try daemon.ctr(["tasks", "ps", "wasm-sleep"])
        #expect(ps.status == 0 && ps.stdout.split(separator: "\n").count >= 3, "holder and worker: \(ps.stdout) \(ps.stderr)")
        // Paused and resumed through the cgroup freezer.
        try OCITestSupport.check(daemon.ctr(["tasks", "pause", "wasm-sleep"]), "ctr tasks pause")
        #expect(try daemon.ctr(["tasks", "list"]).stdout.contains("PAUSED"))
        try OCITestSupport.check(daemon.ctr(["tasks", "resume", "wasm-sleep"]), "ctr tasks resume")
        #expect(try daemon.ctr(["tasks", "list"]).stdout.contains("RUNNING"))
        // A module has no second process.
        let exec = try daemon.ctr(["tasks", "exec", "--exec-id", "x", "wasm-sleep", "/hello.wasm"])
        #expect(exec.status != 0 && exec.stderr.contains("no second process"), "\(exec.stderr)")
        try OCITestSupport.check(daemon.ctr(["tasks", "kill", "wasm-sleep"]), "ctr tasks kill")
        var listed = ""
        for _ in 0..<100 {
            listed = (try? daemon.ctr(["tasks", "list"]).stdout) ?? ""
            if listed.contains("STOPPED") { break }
            usleep(50_000)
        }
        #expect(listed.contains("wasm-sleep") && listed.contains("STOPPED"), "\(listed)")
        let deleted = try daemon.ctr(["tasks", "delete", "wasm-sleep"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(deleted.stderr.contains("exit code 143"), "SIGTERM ends the container with 128+15: \(deleted.stderr)")
        try OCITestSupport.check(daemon.ctr(["containers", "delete", "wasm-sleep"]), "ctr containers delete")
        let gone = try Command.run(OCITestSupport.runtime, ["--root", tree.url("runc-root") + "/" + daemon.namespace, "delete", "--force", "wasm-sleep"])
        #expect(gone.status == 0 || gone.stderr.contains("does not exist"), "\(gone.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tree.url("runc-root") + "/" + daemon.namespace + "/@warden/wasm-sleep"))
        // The SIGTERM'd run closed its own audit log with the signal.
        let ended = OCITestSupport.auditEvents(daemon.audit + "/wasm-sleep.jsonl").last { $0["layer"] as? String == "lifecycle" }
        #expect(ended?["action"] as? String == "exited" && ended?["signal"] as? Int == 15, "\(String(describing: ended))")

        // SIGKILL: nothing inside can record it, so warden-oci writes the run's end for it.
        let doomed = try daemon.run(["-d", "--annotation", "run.oci.handler=wasm"], image: image, id: "wasm-doomed",
                                    ["/hello.wasm", "sleep", "60"])
        #expect(doomed.status == 0, "\(doomed.stderr)")
        try OCITestSupport.check(daemon.ctr(["tasks", "kill", "-s", "KILL", "wasm-doomed"]), "ctr tasks kill -s KILL")
        for _ in 0..<100 where !((try? daemon.ctr(["tasks", "list"]).stdout) ?? "").contains("STOPPED") { usleep(50_000) }
        _ = try daemon.ctr(["tasks", "delete", "wasm-doomed"])
        _ = try daemon.ctr(["containers", "delete", "wasm-doomed"])
        let doomedEvents = OCITestSupport.auditEvents(daemon.audit + "/wasm-doomed.jsonl").filter { $0["layer"] as? String == "lifecycle" }
        #expect(doomedEvents.map { $0["action"] as? String } == ["started", "exited"], "\(doomedEvents)")
        #expect(doomedEvents.last?["signal"] as? Int == 9 && doomedEvents.last?["status"] as? Int == 137, "\(doomedEvents)")
        #expect(doomedEvents.first?["instance"] as? String == doomedEvents.last?["instance"] as? String)
    }
}
