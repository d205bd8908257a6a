import Foundation
import Testing
@testable import WardenPolicy
@testable import WardenSupervisor
import WardenTestSupport

/// cgroup v2 placement against a directory standing in for a delegated subtree (this host's
/// hierarchy is v1), and what status says either way.
@Suite struct ResourceControlTests {
    func policy(mode: Policy.Service.Mode) -> Policy {
        var policy = Policy(module: .init(name: "thumbs", path: "/srv/thumbs.wasm"))
        policy.limits.memory = 32 << 20
        policy.service.mode = mode
        policy.service.maxConnections = 10
        return policy
    }

    @Test("a delegated subtree: one child cgroup per module with memory.max, pids.max, and the worker in cgroup.procs")
    func placement() throws {
        let tree = try TemporaryTree("cgroup")
        let control = ResourceControl(root: tree.path, unavailable: "")
        // cgroupfs creates these files with the directory; a plain directory needs them made.
        try tree.makeDirectory("module-thumbs")
        for file in ["memory.max", "pids.max", "cgroup.procs"] { try tree.write("module-thumbs/\(file)", "") }
        control.place(4242, module: "thumbs", policy: policy(mode: .perConnection))
        #expect(try tree.read("module-thumbs/cgroup.procs") == "4242")
        #expect(try tree.read("module-thumbs/pids.max") == "26", "max-connections + 16")
        #expect(try tree.read("module-thumbs/memory.max") == "\(((32 << 20) + ResourceControl.runtimeOverhead) * 11)")
        #expect(control.describe(policy(mode: .daemon)).contains("cgroup v2 \(tree.path) (memory.max, pids.max)"))
    }

    @Test("without delegation status says so and names rlimits and engine limits")
    func fallback() {
        let control = ResourceControl(root: nil, unavailable: "no cgroup v2 hierarchy at /sys/fs/cgroup (v1 or hybrid)")
        let line = control.describe(policy(mode: .once))
        #expect(line == "engine memory 32MiB; rlimits cpu 30s, core 0; open-files 64 (guest descriptors); wall-time by wardend; cgroup: none (no cgroup v2 hierarchy at /sys/fs/cgroup (v1 or hybrid))")
    }

    @Test("outside systemd (no INVOCATION_ID) wardend leaves cgroups alone", .enabled(if: getenv("INVOCATION_ID") == nil, "run outside a systemd service"))
    func notUnderSystemd() {
        let control = ResourceControl.detect()
        #expect(control.root == nil)
        #expect(control.unavailable == "not started by systemd (no delegated cgroup)")
    }
}
