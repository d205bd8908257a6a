import Foundation
import Testing
import WardenTestSupport

/// The README's walkthrough (Tests/newcomer.sh, also `make smoke`) against the binaries
/// under test: a README command whose documented output drifts fails here.
@Suite struct NewcomerTests {
    @Test("every README command gives its documented output")
    func newcomerWalkthrough() throws {
        let script = Guests.packageRoot.appendingPathComponent("Tests/newcomer.sh").path
        let binaries = URL(fileURLWithPath: Warden.executable).deletingLastPathComponent().path
        let result = try Command.run("/bin/bash", [script, binaries], timeout: 600)
        let failures = result.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL:") }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
    }

    /// Tests/fresh-install.sh: warden.policy(5)'s first example on a simulated fresh host (a
    /// private mount namespace whose /etc has no 'warden' account and whose /usr/local and
    /// /srv are empty): policy check, make install, the account, the run.
    @Test("a man-page-only policy runs on a fresh install", .enabled(if: geteuid() == 0, "needs root: a mount namespace and make install"))
    func freshInstall() throws {
        let script = Guests.packageRoot.appendingPathComponent("Tests/fresh-install.sh").path
        let binaries = URL(fileURLWithPath: Warden.executable).deletingLastPathComponent().path
        let result = try Command.run("/bin/bash", [script, binaries], timeout: 600)
        let failures = result.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL:") }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
    }
}
