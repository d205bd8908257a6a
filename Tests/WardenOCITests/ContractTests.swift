import Testing
import WardenOCI
import WardenTestSupport

/// The pure parts of the runc contract: command lines as podman, conmon and containerd's shim
/// spell them, the Wasm decision, signals, /proc parsing, the state record.
@Suite struct ContractTests {
    @Test func conmonCreateLine() throws {
        let line = ["--log", "/b/log.json", "--log-format", "json", "--systemd-cgroup", "create", "--bundle", "/b",
                    "--pid-file", "/b/pid", "--console-socket", "/s.sock", "--no-pivot", "abc"]
        let invocation = try RuntimeInvocation.parse(line)
        #expect(invocation.root == nil)
        #expect(invocation.stateRoot == RuntimeInvocation.defaultRoot)
        #expect(invocation.logPath == "/b/log.json" && invocation.logFormat == "json" && invocation.systemdCgroup)
        #expect(invocation.command == "create")
        #expect(invocation.flags["bundle"] == "/b" && invocation.flags["pid-file"] == "/b/pid")
        #expect(invocation.flags["console-socket"] == "/s.sock" && invocation.flags["no-pivot"] == "true")
        #expect(invocation.positionals == ["abc"])
        #expect(invocation.original == line)
    }

    @Test func shimLinesWithEqualsAndShortFlags() throws {
        let delete = try RuntimeInvocation.parse(["--root=/run/containerd/runc/default", "delete", "-f", "id1"])
        #expect(delete.root == "/run/containerd/runc/default" && delete.flags["force"] == "true" && delete.positionals == ["id1"])
        let kill = try RuntimeInvocation.parse(["-root", "/r", "kill", "--all", "id1", "9"])
        #expect(kill.root == "/r" && kill.flags["all"] == "true" && kill.positionals == ["id1", "9"])
        let ps = try RuntimeInvocation.parse(["ps", "-f", "json", "id1"])
        #expect(ps.flags["format"] == "json" && ps.positionals == ["id1"])
        let create = try RuntimeInvocation.parse(["create", "-b", "/b", "--pid-file=/p", "x"])
        #expect(create.flags["bundle"] == "/b" && create.flags["pid-file"] == "/p")
        #expect(throws: RuntimeInvocation.ParseError.noCommand) { try RuntimeInvocation.parse(["--root", "/r"]) }
        #expect(throws: RuntimeInvocation.ParseError.missingValue("bundle")) { try RuntimeInvocation.parse(["create", "--bundle"]) }
    }

    @Test func wasmDecisionFollowsCrun() {
        #expect(WasmDecision.isWasm(annotations: ["run.oci.handler": "wasm"], args: ["/bin/sh"]))
        #expect(WasmDecision.isWasm(annotations: ["run.oci.handler": "wasm-smart"], args: ["/app.wasm"]))
        #expect(WasmDecision.isWasm(annotations: ["run.oci.handler": "wasm-smart"], args: ["/app.wat"]))
        #expect(!WasmDecision.isWasm(annotations: ["run.oci.handler": "wasm-smart"], args: ["/pause"]))
        #expect(WasmDecision.isWasm(annotations: ["module.wasm.image/variant": "compat"], args: ["/pause"]))
        #expect(WasmDecision.isWasm(annotations: ["module.wasm.image/variant": "compat-smart"], args: ["x.wasm"]))
        #expect(!WasmDecision.isWasm(annotations: ["module.wasm.image/variant": "compat-smart"], args: ["/pause"]))
        #expect(!WasmDecision.isWasm(annotations: [:], args: ["/app.wasm"]))
        #expect(!WasmDecision.isWasm(annotations: ["run.oci.handler": "krun"], args: ["/app.wasm"]))
    }

    @Test func signalsByNumberAndName() {
        #expect(SignalName.parse("15") == 15)
        #expect(SignalName.parse("KILL") == 9)
        #expect(SignalName.parse("SIGTERM") == 15)
        #expect(SignalName.parse("term") == 15)
        #expect(SignalName.parse("0") == nil)
        #expect(SignalName.parse("NOPE") == nil)
    }

    @Test func procStatWithAwkwardCommandName() {
        let line = "4242 (a b) c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 18446744073709551615"
        let stat = ProcessStat.parse(line)
        #expect(stat?.state == "S")
        #expect(stat?.startTime == 987654)
        #expect(ProcessStat.parse("garbage") == nil)
        #expect(ProcessStat.parse("1 (x) Z 0")?.isGone == nil)
    }

    @Test func recordRoundTripsAndStateIsTheSpecsObject() throws {
        let record = ContainerRecord(id: "c1", bundle: "/b \"q\"", pid: 77, processStartTime: 12, created: "2026-12-06T07:00:00.000Z",
                                     ociVersion: "1.0.2", annotations: ["run.oci.handler": "wasm"], cgroups: ["/sys/fs/cgroup/memory/x"],
                                     auditPath: "/var/log/warden-oci/c1.jsonl")
        #expect(ContainerRecord.decode(record.encoded()) == record)
        let state = record.stateJSON(status: "running", rootfs: nil)
        #expect(state.contains("\"status\": \"running\"") && state.contains("\"pid\": 77") && state.contains("\"id\": \"c1\""))
        #expect(state.contains("\"ociVersion\": \"1.0.2\"") && state.contains("\"run.oci.handler\":\"wasm\""))
        #expect(record.stateJSON(status: "stopped", rootfs: nil).contains("\"pid\": 0"))
    }

    /// Each runtime call is its own process; podman and containerd call in parallel for
    /// different containers, and a retried create races itself. One atomic mkdir decides.
    @Test func concurrentClaimsAndSaves() async throws {
        let tree = try TemporaryTree("warden-oci-state")
        let state = StateDirectory(root: tree.url("root"))
        let outcomes = await withTaskGroup(of: (String, Bool).self) { group in
            for index in 0..<32 {
                let id = index < 16 ? "own-\(index)" : "contended"
                group.addTask {
                    do {
                        try state.claim(id)
                        try state.save(ContainerRecord(id: id, bundle: "/b", pid: Int32(index), processStartTime: 1, created: "",
                                                       ociVersion: "1.0.2", annotations: [:], cgroups: [], auditPath: ""))
                        return (id, true)
                    } catch { return (id, false) }
                }
            }
            var all: [(String, Bool)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.filter { $0.0.hasPrefix("own-") }.allSatisfy { $0.1 })
        #expect(outcomes.filter { $0.0 == "contended" && $0.1 }.count == 1)
        for index in 0..<16 { #expect(state.load("own-\(index)")?.pid == Int32(index)) }
        #expect(state.load("contended") != nil)
    }

    @Test func versionAndHelpInFlagForm() throws {
        #expect(try RuntimeInvocation.parse(["--version"]).command == "--version")
        #expect(try RuntimeInvocation.parse(["--root", "/r", "-v"]).command == "-v")
        #expect(try RuntimeInvocation.parse(["--help"]).command == "--help")
        #expect(throws: RuntimeInvocation.ParseError.noCommand) { try RuntimeInvocation.parse(["--root", "/r"]) }
    }

    @Test func containerIDsAsRuncAllowsThem() {
        #expect(StateDirectory.isValid(id: "abc-DEF_1.2+3"))
        #expect(!StateDirectory.isValid(id: ".."))
        #expect(!StateDirectory.isValid(id: "a/b"))
        #expect(!StateDirectory.isValid(id: "@warden"))
        #expect(!StateDirectory.isValid(id: ""))
    }

    @Test func cgroupPathsInBothForms() {
        #expect(CgroupPlacement.relativePath("/default/c1", systemd: false) == "/default/c1")
        #expect(CgroupPlacement.relativePath("libpod_parent/libpod-c1", systemd: false) == "/libpod_parent/libpod-c1")
        #expect(CgroupPlacement.relativePath("machine.slice:libpod:c1", systemd: true) == "/machine.slice/libpod-c1.scope")
        #expect(CgroupPlacement.relativePath("kubepods-besteffort-pod1.slice:cri-containerd:c1", systemd: true)
                == "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-c1.scope")
        #expect(CgroupPlacement.relativePath("/a/../../etc", systemd: false) == nil)
    }

    @Test func runtimeLogLinesAreWhatTheShimReads() {
        let line = RuntimeLog.line(level: "error", message: "container \"x\" does not exist", json: true)
        #expect(line.hasPrefix("{\"level\":\"error\",\"msg\":\"container \\\"x\\\" does not exist\",\"time\":\""))
        #expect(line.hasSuffix("\"}\n"))
    }
}
