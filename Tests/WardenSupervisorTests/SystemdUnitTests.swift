import Foundation
import Testing
import WardenTestSupport

/// The shipped units: systemd-analyze's offline security score and verify, where installed.
@Suite struct SystemdUnitTests {
    static let analyze = "/usr/bin/systemd-analyze"
    static var unitDirectory: String { Guests.packageRoot.appendingPathComponent("systemd").path }

    static var hasAnalyze: Bool { FileManager.default.isExecutableFile(atPath: analyze) }

    @Test("wardend.service scores an exposure of 2.5 or less (systemd-analyze security --offline=true)",
          .enabled(if: hasAnalyze, "needs systemd-analyze(1) (package systemd)"))
    func exposure() throws {
        let result = try Command.run(Self.analyze, ["security", "--offline=true", "\(Self.unitDirectory)/wardend.service"])
        let line = try #require(result.stdout.split(separator: "\n").first { $0.contains("Overall exposure level for wardend.service:") },
                                "\(result.stdout)\n\(result.stderr)")
        let score = try #require(Double(line.split(separator: ":").last?.split(separator: " ").first ?? ""), "\(line)")
        #expect(score <= 2.5, "\(line)\n\(result.stdout)")
    }

    @Test("wardend.service and wardend.socket pass systemd-analyze verify (ExecStart pointed at the built wardend)",
          .enabled(if: hasAnalyze, "needs systemd-analyze(1) (package systemd)"))
    func verify() throws {
        let tree = try TemporaryTree("units")
        let service = try String(contentsOfFile: "\(Self.unitDirectory)/wardend.service", encoding: .utf8)
        #expect(service.contains("ExecStart=/usr/local/bin/wardend "))
        try tree.write("wardend.service", service.replacingOccurrences(of: "/usr/local/bin/wardend", with: Warden.product("wardend")))
        try tree.write("wardend.socket", try String(contentsOfFile: "\(Self.unitDirectory)/wardend.socket", encoding: .utf8))
        let result = try Command.run(Self.analyze, ["verify", "--man=no", tree.url("wardend.service"), tree.url("wardend.socket")])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }
}

/// `make install PREFIX=...` lays out binaries, units with ExecStart under PREFIX, sysusers.d,
/// tmpfiles.d, man pages and example policies.
@Suite struct InstallTests {
    @Test("make install PREFIX=... BUILT=... installs every piece where it belongs",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/make"), "needs make(1)"))
    func install() throws {
        let tree = try TemporaryTree("install")
        let built = URL(fileURLWithPath: Warden.product("wardend")).deletingLastPathComponent().path
        let result = try Command.run("/usr/bin/make", ["-C", Guests.packageRoot.path, "install", "PREFIX=\(tree.url("usr"))", "BUILT=\(built)"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        for file in ["bin/warden", "bin/warden-worker", "bin/wardend", "lib/systemd/system/wardend.service", "lib/systemd/system/wardend.socket",
                     "lib/sysusers.d/warden.conf", "lib/tmpfiles.d/warden.conf", "share/man/man1/warden.1", "share/man/man5/warden.policy.5", "share/man/man5/warden.audit.5",
                     "share/man/man8/wardend.8", "share/doc/warden/policies/base.toml", "share/doc/warden/policies/request-handler.toml"] {
            #expect(tree.exists("usr/" + file), "\(file)")
        }
        #expect(FileManager.default.isExecutableFile(atPath: tree.url("usr/bin/wardend")))
        let unit = try tree.read("usr/lib/systemd/system/wardend.service")
        #expect(unit.contains("ExecStart=\(tree.url("usr"))/bin/wardend --policies /etc/warden/policies.d"), "\(unit)")
    }
}
