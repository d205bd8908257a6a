import Foundation
import Testing
import WardenLauncher
import WardenOCI

/// config.json → grants: never wider than the file says, and every refusal named.
@Suite struct MappingTests {
    static let podmanLike = """
    {"ociVersion":"1.0.2-dev","process":{"terminal":false,"user":{"uid":0,"gid":0},
     "args":["/hello.wasm","a","b"],"env":["PATH=/usr/bin","HOSTNAME=x","BARE"],"cwd":"/"},
     "root":{"path":"/var/lib/containers/rootfs"},
     "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
      {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid"]},
      {"destination":"/dev/shm","type":"bind","source":"/var/shm","options":["bind"]},
      {"destination":"/sys","type":"sysfs","source":"sysfs"},
      {"destination":"/etc/hosts","type":"bind","source":"/run/hosts","options":["bind","rprivate"]},
      {"destination":"/data","type":"bind","source":"/srv/data","options":["rbind","ro"]},
      {"destination":"/out/","type":"bind","source":"/srv/out","options":["rbind","rw"]},
      {"destination":"/nfs","type":"nfs","source":"server:/x","options":[]},
      {"destination":"/sock","type":"bind","source":"/run/x.sock","options":["bind"]},
      {"destination":"/tmp","type":"tmpfs","source":"tmpfs"}],
     "annotations":{"run.oci.handler":"wasm","warden.policy":"strict"},
     "hooks":{"prestart":[{"path":"/bin/true"}]},
     "linux":{"cgroupsPath":"/libpod_parent/libpod-x","resources":{"memory":{"limit":33554432}},
      "namespaces":[{"type":"pid"},{"type":"network","path":"/var/run/netns/pod"},{"type":"mount"},
                    {"type":"ipc","path":"/proc/9/ns/ipc"},{"type":"pid","path":"/proc/9/ns/pid"}]}}
    """

    func plan(_ text: String = MappingTests.podmanLike) throws -> ContainerPlan {
        let config = try BundleConfig.parse(Array(text.utf8))
        var settings = RuntimeSettings()
        settings.auditDirectory = "/var/log/w"
        return try GrantMapping.plan(id: "c1", bundle: "/bundle", config: config, settings: settings) { source in
            switch source {
            case "/srv/data", "/srv/out", "/var/shm": .directory
            case "/run/hosts": .file
            case "/run/x.sock": .other
            default: .missing
            }
        }
    }

    @Test func argumentsEnvironmentAndModule() throws {
        let plan = try plan()
        #expect(plan.moduleInImage == "hello.wasm")
        #expect(plan.rootfs == "/var/lib/containers/rootfs")
        #expect(plan.options.programName == "/hello.wasm")
        #expect(plan.options.arguments == ["a", "b"])
        // A bare name would pass the host's value through: dropped.
        #expect(plan.options.environment == ["PATH=/usr/bin", "HOSTNAME=x"])
        #expect(plan.options.moduleName == "c1")
        #expect(plan.options.auditPath == "/var/log/w/c1.jsonl")
        #expect(plan.options.maxMemoryBytes == 32 << 20)
        #expect(plan.policyName == "strict")
    }

    @Test func onlyDirectoryBindsBecomeGrants() throws {
        let plan = try plan()
        #expect(plan.options.directories == [
            .init(host: "/srv/data", guest: "/data", readOnly: true),
            .init(host: "/srv/out", guest: "/out", readOnly: false),
        ])
        let refused = plan.refusals.filter { $0.reason == "mount-refused" }.compactMap { $0.fields["destination"] }
        #expect(refused == ["/nfs", "/sock"])
        #expect(plan.refusals.contains { $0.reason == "hooks-refused" })
    }

    @Test func namespacesJoinedOrRefused() throws {
        let plan = try plan()
        #expect(plan.namespacesToJoin.map(\.type) == ["network", "ipc"])
        #expect(plan.refusals.contains { $0.reason == "namespace-refused" && $0.fields["namespace"] == "pid" })
    }

    @Test func relativeModuleAndEscapes() throws {
        let relative = MappingTests.podmanLike.replacingOccurrences(of: "\"args\":[\"/hello.wasm\",\"a\",\"b\"]", with: "\"args\":[\"app/m.wasm\"]")
            .replacingOccurrences(of: "\"cwd\":\"/\"", with: "\"cwd\":\"/srv\"")
        #expect(try plan(relative).moduleInImage == "srv/app/m.wasm")
        let escape = MappingTests.podmanLike.replacingOccurrences(of: "\"/hello.wasm\"", with: "\"/../../etc/passwd\"")
        #expect(throws: GrantMapping.Failure.badModulePath("/../../etc/passwd")) { try plan(escape) }
        let empty = MappingTests.podmanLike.replacingOccurrences(of: "\"args\":[\"/hello.wasm\",\"a\",\"b\"]", with: "\"args\":[]")
        #expect(throws: GrantMapping.Failure.noArguments) { try plan(empty) }
    }

    @Test func rootfsOnlyWhenAPolicySaysSo() throws {
        // config.json alone (annotations included) never grants the image's rootfs.
        #expect(try !plan().options.directories.contains { $0.host == "/var/lib/containers/rootfs" })
        let annotated = MappingTests.podmanLike.replacingOccurrences(of: "\"warden.policy\":\"strict\"", with: "\"warden.rootfs\":\"read-only\"")
        #expect(try !plan(annotated).options.directories.contains { $0.host == "/var/lib/containers/rootfs" })
        // A policy's preopen with host "/" grants the container's rootfs (not the node's /), read-only.
        var plan = try plan()
        var policy = RunOptions(modulePath: "/ignored")
        policy.directories = [.init(host: "/", guest: "/image", readOnly: true), .init(host: "/x", guest: "/data", readOnly: true)]
        PolicyNarrowing.apply(policy, to: &plan, fromNode: false)
        #expect(plan.options.directories.contains(.init(host: "/var/lib/containers/rootfs", guest: "/image", readOnly: true)))
        #expect(!plan.options.directories.contains { $0.host == "/" })
        #expect(plan.options.directories.contains(.init(host: "/srv/data", guest: "/data", readOnly: true)))
        // Asking for it writable is refused and audited, never granted.
        var writable = try self.plan()
        policy.directories = [.init(host: "/", guest: "/image", readOnly: false)]
        PolicyNarrowing.apply(policy, to: &writable, fromNode: true)
        #expect(!writable.options.directories.contains { $0.guest == "/image" })
        #expect(writable.refusals.contains { $0.reason == "rootfs-writable" && $0.fields["destination"] == "/image" })
    }

    @Test func policyOnlyNarrows() throws {
        var plan = try plan()
        var policy = RunOptions(modulePath: "/ignored")
        policy.maxMemoryBytes = 64 << 20          // above config's 32 MiB: config's stays
        policy.maxOpenDescriptors = 16
        policy.directories = [.init(host: "/elsewhere", guest: "/data", readOnly: true), .init(host: "/x", guest: "/out", readOnly: true)]
        policy.tcpListeners = ["0.0.0.0:8080"]
        policy.landlock = "off"
        PolicyNarrowing.apply(policy, to: &plan, fromNode: false)
        #expect(plan.options.maxMemoryBytes == 32 << 20)
        #expect(plan.options.maxOpenDescriptors == 16)
        // Hosts stay config.json's; the policy's `read` makes /out read-only.
        #expect(plan.options.directories == [
            .init(host: "/srv/data", guest: "/data", readOnly: true),
            .init(host: "/srv/out", guest: "/out", readOnly: true),
        ])
        #expect(plan.options.tcpListeners.isEmpty)      // an image's policy adds no listener
        #expect(plan.options.landlock == "best-effort") // "off" would widen
        var fromNode = try self.plan()
        policy.directories = [.init(host: "/x", guest: "/data", readOnly: false)]
        PolicyNarrowing.apply(policy, to: &fromNode, fromNode: true)
        #expect(fromNode.options.tcpListeners == ["0.0.0.0:8080"])
        #expect(fromNode.options.directories.map(\.guest) == ["/data"])
        #expect(fromNode.refusals.contains { $0.reason == "grant-not-in-policy" && $0.fields["destination"] == "/out" })
    }

    @Test func hostileConfigIsAnErrorNotACrash() {
        #expect(throws: BundleConfig.ParseError.self) { try BundleConfig.parse(Array("{".utf8)) }
        #expect(throws: BundleConfig.ParseError.missing("process")) { try BundleConfig.parse(Array("{\"root\":{\"path\":\"r\"}}".utf8)) }
        #expect(throws: BundleConfig.ParseError.self) {
            try BundleConfig.parse(Array("{\"process\":{\"args\":[1]},\"root\":{\"path\":\"r\"}}".utf8))
        }
    }
}
