import Foundation
import Testing
import WardenTestSupport

/// wardend's words: a policy directory that cannot be read is named as a directory (not as
/// `DIR:1:1`), "wardend:" as prefix, and a socket directory it made goes when it stops.
@Suite struct WardendMessageTests {
    @Test("a missing policy directory is named as a directory")
    func missingPolicyDirectory() throws {
        let tree = try TemporaryTree()
        let missing = tree.url("no-such-dir")
        let result = try Command.run(Warden.product("wardend"), ["--policies", missing, "--control-socket", tree.url("c.sock")], timeout: 30)
        #expect(result.status == 2)
        let output = result.stdout + result.stderr
        #expect(output.contains("policy directory \(missing): cannot read the policy directory"), "\(output)")
        #expect(!output.contains("\(missing):1:1"), "\(output)")
    }

    @Test("usage errors read 'wardend: ...'")
    func prefix() throws {
        let result = try Command.run(Warden.product("wardend"), ["--bogus"], timeout: 30)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("wardend: "), "\(result.stderr)")
    }

    /// wardend on `policies`, its control socket in `socketDirectory` (which it creates), output discarded.
    static func startWardend(policies: String, socketDirectory: String) throws -> Process {
        try Command.start(Warden.product("wardend"), ["--policies", policies, "--control-socket", socketDirectory + "/wardend.sock"])
    }

    @Test("SIGTERM the moment the control socket exists (wardend still starting): a clean stop, exit 0, directory gone")
    func terminatedWhileStarting() throws {
        let tree = try TemporaryTree()
        try tree.makeDirectory("policies")
        // Between creating its socket and handing signals to its service group wardend is still
        // starting; a stop request there used to kill it (status 143), its directory left behind.
        for round in 0..<8 {
            let directory = tree.url("run-\(round)")
            let process = try Self.startWardend(policies: tree.url("policies"), socketDirectory: directory)
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline, !FileManager.default.fileExists(atPath: directory + "/wardend.sock") {}
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            #expect(process.terminationReason == .exit && process.terminationStatus == 0, "round \(round): \(process.terminationReason) \(process.terminationStatus)")
            #expect(!FileManager.default.fileExists(atPath: directory), "round \(round): wardend removes the directory it made")
        }
    }

    @Test("the control socket's directory, made by wardend, is gone after it stops")
    func socketDirectoryRemoved() throws {
        let tree = try TemporaryTree()
        try tree.makeDirectory("policies")
        let directory = tree.url("run-warden")
        let process = try Self.startWardend(policies: tree.url("policies"), socketDirectory: directory)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !FileManager.default.fileExists(atPath: directory + "/wardend.sock") { Thread.sleep(forTimeInterval: 0.05) }
        #expect(FileManager.default.fileExists(atPath: directory + "/wardend.sock"))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: directory), "wardend removes the directory it made")
    }
}
