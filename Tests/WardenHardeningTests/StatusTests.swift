import Foundation
import Testing
import WardenTestSupport

/// The kernel's own view after hardening (/proc/self/status, read through a descriptor opened
/// before Landlock hid /proc) and the report of what is in force.
@Suite("status after hardening")
struct StatusTests {
    /// `Key:\tvalue` lines of the probe's /proc/self/status excerpt.
    static func fields(_ output: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    static func expectConfined(_ fields: [String: String], _ transcript: String, boundingSetEmpty: Bool = true) {
        #expect(fields["Seccomp"] == "2", "\(transcript)")
        #expect(fields["NoNewPrivs"] == "1", "\(transcript)")
        for set in ["CapInh", "CapPrm", "CapEff", "CapAmb"] + (boundingSetEmpty ? ["CapBnd"] : []) {
            #expect(fields[set] == "0000000000000000", "\(set) \(transcript)")
        }
    }

    @Test("seccomp, no_new_privs, no capabilities; every layer in force here", arguments: Probe.Action.allCases)
    func confined(_ action: Probe.Action) throws {
        let result = try Probe.run(["--action", action.rawValue, "status"])
        #expect(result.status == 0 && !result.signaled, "\(result.transcript)")
        Self.expectConfined(Self.fields(result.stdout), result.transcript)
        #expect(result.stdout.contains("applied     seccomp: \(action == .kill ? "kill-process" : "errno(EPERM)") on violation"))
        #expect(!result.stdout.contains("@sockets"), "sockets were not granted")
        if Probe.isRoot {
            // Root here can create every namespace; Landlock is reported with its ABI.
            for layer in ["namespace user", "namespace mount", "namespace net", "namespace ipc", "namespace uts", "capabilities", "no-new-privs"] {
                #expect(result.stdout.contains("applied     \(layer)"), "\(layer): \(result.transcript)")
            }
        }
        if let abi = Probe.landlockABI {
            #expect(result.stdout.contains("applied     landlock: ABI \(abi)"))
            #expect(result.stdout.contains("landlock-abi: \(abi)\n"))
        } else {
            #expect(result.stdout.contains("not applied landlock: kernel lacks Landlock"))
        }
        // Every step reports its duration.
        for step in ["descriptors", "rlimits", "namespaces", "capabilities", "no-new-privs", "landlock", "seccomp"] {
            #expect(result.stdout.contains("step \(step): "), "\(step)")
        }
    }

    @Test("as root with --user, the worker ends as the service user", .enabled(if: Probe.isRoot, "dropping to another uid needs root"))
    func serviceUser() throws {
        let result = try Probe.run(["--user", "65534:65534", "status"])
        #expect(result.status == 0 && !result.signaled, "\(result.transcript)")
        let fields = Self.fields(result.stdout)
        Self.expectConfined(fields, result.transcript)
        #expect(fields["Uid"]?.split(separator: "\t") == ["65534", "65534", "65534", "65534"], "\(result.transcript)")
        #expect(fields["Gid"]?.split(separator: "\t") == ["65534", "65534", "65534", "65534"], "\(result.transcript)")
        // The user namespace is entered after the id change, mapping the service ids.
        #expect(result.stdout.contains("applied     namespace user: entered after the identity change; uid 65534 and gid 65534"))
    }

    /// `warden run --user root`: uid 0 cannot be mapped once CAP_SETFCAP is gone, but the user
    /// namespace was already created by then, with every capability in it. Found while
    /// profiling start-up: the report said "all sets empty" and CapEff read 000001ffffffffff.
    @Test("as root with --user root, the failed user namespace leaves no capability behind",
          .enabled(if: Probe.isRoot, "the identity is applied only as root"))
    func rootIdentity() throws {
        let result = try Probe.run(["--user", "0:0", "status"])
        #expect(result.status == 0 && !result.signaled, "\(result.transcript)")
        Self.expectConfined(Self.fields(result.stdout), result.transcript)
        #expect(result.stdout.contains("applied     capabilities: all sets empty"), "\(result.transcript)")
    }

    @Test("a process-group leader gives up its controlling terminal instead of starting a session",
          .enabled(if: Probe.tool("script") != nil, "needs script(1) for a pseudo-terminal"))
    func controllingTerminal() throws {
        // script(1) runs a shell as session leader of a new pty; with job control on, that shell
        // starts the probe as a process-group leader in the pty's foreground, where setsid fails.
        let inner = "set -m; '\(Probe.executable)' status; exit $?"
        let result = try Command.run(Probe.tool("script")!, ["-qec", "bash -c \"\(inner)\"", "/dev/null"], timeout: 60)
        #expect(result.status == 0 && !result.signaled, "\(result.transcript)")
        #expect(result.stdout.contains("applied     session: process-group leader: gave up its controlling terminal (TIOCNOTTY)"), "\(result.transcript)")
        #expect(result.stdout.contains("Seccomp:\t2"), "\(result.transcript)")
        // Run without a terminal (as the tests run it), the same process-group leader has none to give up.
        let plain = try Probe.run(["status"])
        #expect(plain.stdout.contains("applied     session: "), "\(plain.transcript)")
    }

    @Test("best-effort namespaces that cannot be created are reported, not fatal",
          .enabled(if: Probe.tool("unshare") != nil, "needs unshare(1)"))
    func namespacesNotApplied() throws {
        // Inside a user namespace without an id map the probe's uid is unmapped, and the
        // kernel refuses to nest another user namespace under it.
        let result = try Probe.run(via: [Probe.tool("unshare")!, "--user"], ["status"])
        try #require(result.status == 0 && !result.signaled, "\(result.transcript)")
        #expect(result.stdout.contains("not applied namespace user: Operation not permitted (EPERM) in unshare(CLONE_NEWUSER)"))
        #expect(result.stdout.contains("not applied namespace net: "))
        Self.expectConfined(Self.fields(result.stdout), result.transcript, boundingSetEmpty: false)
        #expect(result.stdout.contains("bounding set kept (no CAP_SETPCAP"), "an unprivileged process says why its bounding set stays")
    }
}
