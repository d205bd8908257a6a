import Foundation
import Testing
import WardenHardening
import WardenTestSupport

/// Runs the `warden-probe` executable that SwiftPM builds next to the test bundle.
enum Probe {
    static var executable: String { Warden.product("warden-probe") }

    static func run(_ arguments: [String]) throws -> Command.Result {
        try Command.run(executable, arguments, timeout: 60)
    }

    /// Runs the probe through another program (`unshare --user`, `setpriv ...`, a shell).
    static func run(via wrapper: [String], _ arguments: [String]) throws -> Command.Result {
        try Command.run(wrapper[0], Array(wrapper.dropFirst()) + [executable] + arguments, timeout: 60)
    }

    static let isRoot = geteuid() == 0
    static let landlockABI = LandlockAccess.kernelABI()

    /// The two violation actions every refusal is checked under.
    enum Action: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case errno, kill
        var testDescription: String { rawValue }
    }

    /// Whether a tool is installed (for tests that wrap the probe in util-linux tools).
    static func tool(_ name: String) -> String? { try? Command.which(name) }
}

extension Command.Result {
    /// Everything the probe said, for failure messages.
    var transcript: String { "status \(status)\(signaled ? " (signal)" : "")\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
}
