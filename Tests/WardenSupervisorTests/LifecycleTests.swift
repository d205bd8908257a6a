import Foundation
import Testing
import WardenTestSupport

/// Start-up validation, SIGHUP reload, SIGTERM drain, and no orphans when wardend is killed.
@Suite(.serialized) struct LifecycleTests {
    @Test("an invalid policy in the directory: nothing starts, diagnostics with file:line:col, exit 2")
    func invalidPolicyStartsNothing() throws {
        let wardend = try WardendHarness(launch: false)
        try wardend.policy("good", module: try ModeTests.guest("sleeper"), args: ["10"], service: "mode = \"once\"")
        try wardend.tree.write("policies/bad.toml", "version = 1\n[module]\nname = \"bad\"\npath = \"/x.wasm\"\n[service]\nmode = \"sometimes\"\n")
        try wardend.start([])
        #expect(wardend.waitForExit(timeout: 10) == 2)
        #expect(wardend.log.contains("\(wardend.policies)/bad.toml:6:8: error: invalid value 'sometimes'"), "\(wardend.log)")
        #expect(wardend.log.contains("nothing started"))
        #expect(!wardend.log.contains("started ("))
    }

    @Test("duplicate module names across files are refused before anything starts")
    func duplicateNames() throws {
        let wardend = try WardendHarness(launch: false)
        let module = try ModeTests.guest("sleeper")
        try wardend.policy("same", module: module, service: "mode = \"once\"")
        try wardend.tree.write("policies/zz-copy.toml", try wardend.tree.read("policies/same.toml"))
        try wardend.start([])
        #expect(wardend.waitForExit(timeout: 10) == 2)
        #expect(wardend.log.contains("zz-copy.toml:3:8: error: duplicate module name 'same'"), "\(wardend.log)")
    }

    @Test("SIGHUP: a changed policy restarts its module; a policy that fails validation is rejected and the running version keeps running")
    func reload() throws {
        let wardend = try WardendHarness(launch: false)
        let sleeper = try ModeTests.guest("sleeper")
        try wardend.policy("alpha", module: sleeper, service: "mode = \"daemon\"")
        try wardend.policy("beta", module: sleeper, service: "mode = \"daemon\"")
        try wardend.start([])
        let alpha = try #require((try wardend.waitFor("alpha", "running") { $0["state"] as? String == "running" })["pids"] as? [Int])
        let beta = try #require((try wardend.waitFor("beta", "running") { $0["state"] as? String == "running" })["pids"] as? [Int])

        // alpha changes (new args); beta's new text is invalid; gamma is new.
        try wardend.policy("alpha", module: sleeper, args: ["86400001"], service: "mode = \"daemon\"")
        try wardend.tree.write("policies/beta.toml", try wardend.tree.read("policies/beta.toml").replacingOccurrences(of: "[limits]", with: "[limits]\nmemroy = \"1MiB\""))
        try wardend.policy("gamma", module: sleeper, service: "mode = \"daemon\"")
        kill(wardend.process.processIdentifier, SIGHUP)

        try wardend.waitFor("alpha", "restarted with the new policy") {
            $0["state"] as? String == "running" && ($0["pids"] as? [Int]) != alpha
        }
        try wardend.waitFor("gamma", "started") { $0["state"] as? String == "running" }
        let betaNow = try #require(try wardend.status()["beta"])
        #expect(betaNow["pids"] as? [Int] == beta, "the rejected policy's module keeps running untouched")
        #expect(wardend.log.contains("reload: \(wardend.policies)/beta.toml:7:1: error: unknown key 'memroy' in [limits]"), "\(wardend.log)")
        #expect(wardend.log.contains("1 changed, 1 added, 0 removed, 1 rejected"), "\(wardend.log)")

        // `warden reload` says the same, and fails while a policy is rejected.
        let again = try wardend.warden(["reload"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("beta.toml:7:1: error: unknown key 'memroy'"), "\(again.stderr)")

        // Removing a policy stops its module.
        try FileManager.default.removeItem(atPath: wardend.tree.url("policies/gamma.toml"))
        #expect(try wardend.warden(["reload"]).status == 1)
        let deadline = Date().addingTimeInterval(10)
        while try wardend.status()["gamma"] != nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(try wardend.status()["gamma"] == nil)
        #expect(wardend.terminate() == 0)
    }

    @Test("reload: new bytes at an unchanged policy's module path restart the module with them; the same bytes do not")
    func reloadFollowsTheModuleFile() throws {
        let wardend = try WardendHarness(launch: false)
        let module = wardend.tree.url("module.wasm")
        try FileManager.default.copyItem(atPath: try ModeTests.guest("sleeper"), toPath: module)
        try wardend.policy("alpha", module: module, service: "mode = \"daemon\"")
        try wardend.start([])
        let first = try #require((try wardend.waitFor("alpha", "running") { $0["state"] as? String == "running" })["pids"] as? [Int])

        // Nothing changed: nothing restarts.
        let unchanged = try wardend.warden(["reload"])
        #expect(unchanged.status == 0 && unchanged.stdout.contains("0 changed, 0 added, 0 removed"), "\(unchanged.stdout)\(unchanged.stderr)")
        #expect(try wardend.status()["alpha"]?["pids"] as? [Int] == first)

        // Other bytes at the same path (the greeter exits at once; as a daemon it restarts).
        try FileManager.default.removeItem(atPath: module)
        try FileManager.default.copyItem(atPath: try ModeTests.guest("greeter"), toPath: module)
        let reloaded = try wardend.warden(["reload"])
        #expect(reloaded.status == 0 && reloaded.stdout.contains("1 changed, 0 added, 0 removed"), "\(reloaded.stdout)\(reloaded.stderr)")
        try wardend.waitFor("alpha", "restarted with the new module") { ($0["pids"] as? [Int]) != first }
        #expect(wardend.log.contains("module \"alpha\": \(module) changed; restarting with it"), "\(wardend.log)")
        #expect(wardend.terminate() == 0)
    }

    @Test("SIGTERM: stops accepting, lets the live connection finish within the grace period, exits 0, leaves no process")
    func drain() throws {
        let wardend = try WardendHarness(launch: false)
        let port = WardendHarness.freePort()
        try wardend.policy("slow", module: try ModeTests.guest("sleeper"), args: ["700"],
                           service: "mode = \"per-connection\"\nlisten = [\"tcp:127.0.0.1:\(port)\"]")
        try wardend.policy("forever", module: try ModeTests.guest("sleeper"), service: "mode = \"daemon\"")
        try wardend.start([])
        try wardend.waitFor("slow", "running") { $0["state"] as? String == "running" }
        try wardend.waitFor("forever", "running") { $0["state"] as? String == "running" }
        let connection = Client.connect(port)
        // The instance is live once the zygote reported it (a handoff counts as live before).
        let live = try wardend.waitFor("slow", "one live instance") { ($0["pids"] as? [Int])?.count == 2 }
        let pids = (live["pids"] as? [Int] ?? []) + ((try wardend.status()["forever"]?["pids"] as? [Int]) ?? [])
        #expect(pids.count == 3, "zygote, instance, daemon")
        kill(wardend.process.processIdentifier, SIGTERM)
        var refused = false
        let deadline = Date().addingTimeInterval(3)
        while !refused && Date() < deadline {
            let probe = Client.connect(port)
            refused = probe < 0
            if probe >= 0 { close(probe) }
            if !refused { Thread.sleep(forTimeInterval: 0.02) }
        }
        #expect(refused, "no longer accepting")
        #expect(Client.readAll(connection) == "done\n", "the live connection finished")
        close(connection)
        #expect(wardend.waitForExit(timeout: 10) == 0, "\(wardend.log)")
        for pid in pids { #expect(!WardendHarness.isAlive(Int32(pid)), "pid \(pid) outlived wardend") }
    }

    @Test("SIGTERM: an instance that outlives the grace period is ended")
    func graceEnds() throws {
        let wardend = try WardendHarness(launch: false)
        let port = WardendHarness.freePort()
        try wardend.policy("stuck", module: try ModeTests.guest("sleeper"), args: ["60000"],
                           service: "mode = \"per-connection\"\nlisten = [\"tcp:127.0.0.1:\(port)\"]")
        try wardend.start(["--grace-period", "300ms"])
        try wardend.waitFor("stuck", "running") { $0["state"] as? String == "running" }
        let connection = Client.connect(port)
        defer { close(connection) }
        try wardend.waitFor("stuck", "one live instance") { ($0["pids"] as? [Int])?.count == 2 }
        let started = Date()
        #expect(wardend.terminate(timeout: 10) == 0)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(wardend.log.contains("the grace period ended"), "\(wardend.log)")
    }

    @Test("kill -9 of wardend: its workers and their instances die with it")
    func noOrphans() throws {
        let wardend = try WardendHarness(launch: false)
        let port = WardendHarness.freePort()
        try wardend.policy("slow", module: try ModeTests.guest("sleeper"), args: ["60000"],
                           service: "mode = \"per-connection\"\nlisten = [\"tcp:127.0.0.1:\(port)\"]")
        try wardend.policy("forever", module: try ModeTests.guest("sleeper"), service: "mode = \"daemon\"")
        try wardend.start([])
        try wardend.waitFor("forever", "running") { $0["state"] as? String == "running" }
        try wardend.waitFor("slow", "running") { $0["state"] as? String == "running" }
        let connection = Client.connect(port)
        defer { close(connection) }
        let slow = try wardend.waitFor("slow", "one live instance") { ($0["pids"] as? [Int])?.count == 2 }
        let pids = (slow["pids"] as? [Int] ?? []) + ((try wardend.status()["forever"]?["pids"] as? [Int]) ?? [])
        #expect(pids.count == 3)
        kill(wardend.process.processIdentifier, SIGKILL)
        wardend.process.waitUntilExit()
        let deadline = Date().addingTimeInterval(5)
        while pids.contains(where: { WardendHarness.isAlive(Int32($0)) }) && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        for pid in pids { #expect(!WardendHarness.isAlive(Int32(pid)), "pid \(pid) outlived a killed wardend") }
    }
}
