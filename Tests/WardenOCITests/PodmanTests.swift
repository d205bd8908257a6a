import Foundation
import Testing
import WardenTestSupport

/// Rootful podman (conmon) with warden-oci as its runtime, on private storage and run
/// directories and a private CONTAINERS_CONF; everything it made is removed at the end.
@Suite(.serialized) struct PodmanTests {
    final class Podman {
        let tree: TemporaryTree
        let audit: String
        let environment: [String: String]

        init(tree: TemporaryTree) throws {
            self.tree = tree
            audit = tree.url("audit")
            // podman passes --log/--log-format json only to runtimes listed here; conmon gets
            // only conmon_env_vars, so warden-oci's settings go there.
            try tree.write("containers.conf", """
            [engine]
            runtime = "warden-oci"
            runtime_supports_json = ["warden-oci", "crun", "runc"]
            conmon_env_vars = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "WARDEN_OCI_AUDIT_DIR=\(audit)", "WARDEN_OCI_JOURNAL=0"]
            events_logger = "file"
            events_logfile_path = "\(tree.url("events.log"))"
            [engine.runtimes]
            warden-oci = ["\(OCITestSupport.runtime)"]
            """)
            var environment = ProcessInfo.processInfo.environment
            environment["CONTAINERS_CONF"] = tree.url("containers.conf")
            self.environment = environment
        }

        func callAsFunction(_ arguments: [String], timeout: TimeInterval = 90) throws -> Command.Result {
            try Command.run("podman", globalFlags + arguments, environment: environment, timeout: timeout)
        }

        var globalFlags: [String] {
            ["--root", tree.url("storage"), "--runroot", tree.url("run"), "--tmpdir", tree.url("tmp"),
             "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs"]
        }

        /// `podman run` flags every container needs here: no network, and rlimits root can
        /// set without CAP_SYS_RESOURCE.
        var runFlags: [String] {
            var limit = rlimit()
            getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
            return ["--network", "none", "--ulimit", "nofile=\(limit.rlim_max):\(limit.rlim_max)", "--ulimit", "nproc=1024:1024"]
        }

        func tearDown() {
            _ = try? self(["rm", "--all", "--force", "--time", "0"])
            _ = try? self(["rmi", "--all", "--force"])
            _ = try? self(["system", "reset", "--force"])
            for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
                rmdir("/sys/fs/cgroup/\(hierarchy)/libpod_parent/conmon")
                rmdir("/sys/fs/cgroup/\(hierarchy)/libpod_parent")
            }
        }
    }

    @Test(.enabled(if: getuid() == 0, "rootful podman needs root"), .timeLimit(.minutes(4)))
    func wasmImagesRunUnderPodman() throws {
        if let missing = OCITestSupport.unavailable(["podman", "conmon", "runc"]) {
            Issue.record(Comment(rawValue: missing))
            return
        }
        let tree = try TemporaryTree("warden-oci-podman")
        let podman = try Podman(tree: tree)
        defer { podman.tearDown() }
        try tree.makeDirectory("context")
        try FileManager.default.copyItem(atPath: try OCITestSupport.wasmGuest(), toPath: tree.url("context/hello.wasm"))
        try tree.write("context/Containerfile", "FROM scratch\nCOPY hello.wasm /hello.wasm\nCMD [\"/hello.wasm\"]\n")
        try OCITestSupport.check(podman(["build", "--quiet", "-t", "localhost/warden-hello", tree.url("context")]), "podman build")
        let wasm = podman.runFlags + ["--annotation", "run.oci.handler=wasm"]

        // Standard output and the exit status.
        let hello = try podman(["run", "--rm"] + wasm + ["localhost/warden-hello"])
        #expect(hello.status == 0, "\(hello.stderr)")
        #expect(hello.stdout == "hello from /hello.wasm\n")
        let exit = try podman(["run", "--rm"] + wasm + ["localhost/warden-hello", "/hello.wasm", "exit", "7"])
        #expect(exit.status == 7, "\(exit.stderr)")

        // A terminal: the module writes to the pty conmon holds.
        let tty = try podman(["run", "--rm", "-t"] + wasm + ["localhost/warden-hello"])
        #expect(tty.status == 0, "\(tty.stderr)")
        #expect(tty.stdout.contains("hello from /hello.wasm"), "\(tty.stdout)")

        // Detached, then stopped: SIGTERM ends the module's container with 143.
        // Started with posix_spawn and reaped with a blocking waitpid: under this test runner,
        // Foundation's Process left `podman run -d` a zombie (unreaped) until the container
        // ended, which turned "detached" into "waited for" (a shell or Python caller sees
        // podman return at once).
        let started = Date()
        let detached = OCITestSupport.spawnAndWait(["/usr/bin/podman"] + podman.globalFlags + ["run", "-d", "--name", "sleeper"] + wasm
            + ["localhost/warden-hello", "/hello.wasm", "sleep", "60"], environment: podman.environment, output: tree.url("run-d.out"))
        #expect(detached == 0, "\((try? tree.read("run-d.out")) ?? "")")
        #expect(Date().timeIntervalSince(started) < 30, "run -d returned only when the container ended")
        let stopped = try podman(["stop", "--time", "5", "sleeper"])
        #expect(stopped.status == 0, "\(stopped.stderr)")
        let code = try podman(["inspect", "--format", "{{.State.ExitCode}}", "sleeper"])
        #expect(code.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "143", "\(code.stdout) \(code.stderr)")
        try OCITestSupport.check(podman(["rm", "sleeper"]), "podman rm")

        // A bind-mounted directory is a grant (read-only here); escapes and writes are refused
        // and audited in the container's own file.
        try tree.write("data/in.txt", "granted text")
        try tree.write("secret.txt", "never")
        let volume = ["-v", tree.url("data") + ":/data:ro"]
        let read = try podman(["run", "--rm"] + wasm + volume + ["localhost/warden-hello", "/hello.wasm", "read", "/data/in.txt"])
        #expect(read.stdout == "read: granted text\n", "\(read.stderr)")
        let escape = try podman(["run", "--name", "escaper"] + wasm + volume + ["localhost/warden-hello", "/hello.wasm", "read", "/data/../secret.txt"])
        #expect(escape.status == 3 && escape.stdout.hasPrefix("refused:"), "\(escape.stdout) \(escape.stderr)")
        let write = try podman(["run", "--name", "writer"] + wasm + volume + ["localhost/warden-hello", "/hello.wasm", "write", "/data/new.txt", "x"])
        #expect(write.status == 3 && write.stdout.hasPrefix("refused:"), "\(write.stdout) \(write.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tree.url("data/new.txt")))
        let escaperID = try podman(["inspect", "--format", "{{.Id}}", "escaper"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let events = OCITestSupport.auditEvents(podman.audit + "/" + escaperID + ".jsonl")
        #expect(events.contains { $0["layer"] as? String == "wasi" && $0["reason"] as? String == "escape-attempt" && $0["module"] as? String == escaperID },
                "\(events)")
        // `warden audit` reads the container's file.
        let audit = try Command.run(Warden.executable, ["audit", podman.audit + "/" + escaperID + ".jsonl"])
        #expect(audit.status == 0 && audit.stdout.contains("escape"), "\(audit.stdout) \(audit.stderr)")
        _ = try podman(["rm", "escaper", "writer"])

        // A container that is not Wasm goes to runc unchanged: here it fails in runc (the image
        // has no native program), and the error is runc's, not warden-oci's.
        let plain = try podman(["run", "--rm"] + podman.runFlags + ["localhost/warden-hello"])
        #expect(plain.status != 0)
        #expect(!plain.stderr.contains("warden-oci:"), "\(plain.stderr)")
    }
}
