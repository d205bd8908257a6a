import ArgumentParser
import WardenLauncher

public struct Learn: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Run a module under broad grants and write the minimal policy that run needed.",
        usage: """
            warden learn [--allow-dir HOST[::GUEST]]... [--allow-env NAME]... [--user NAME] [-o FILE] MODULE [ARGS...]
            warden learn --policy BASE [--allow-dir HOST[::GUEST]]... [-o FILE] [-- ARGS...]
            """,
        discussion: """
            The module runs once in a hardened worker, with every directory named by --allow-dir \
            granted read-write. Warden records every access it makes (read, written, created, \
            deleted, listed, stat'ed), the memory, fuel, CPU and wall time it used, then writes a \
            policy: each grant narrowed to the deepest directories actually used, read-only \
            wherever nothing was written, limits with stated headroom, and a comment beside each \
            grant saying which accesses justified it. Anything refused during the run (paths \
            outside the grants, escape attempts, forbidden system calls) is listed in the policy \
            as a comment and never granted.

            Without -o the policy goes to standard output and the module's own standard output \
            to standard error. Review the policy before deploying it: it grants what this run did, \
            and nothing another input might need.
            """)

    @Option(name: .customLong("allow-dir"), help: ArgumentHelp("Grant HOST (read-write, for learning) as GUEST (default: HOST).", valueName: "HOST[::GUEST]"))
    var allowedDirectories: [String] = []

    @Option(name: .customLong("allow-env"), help: ArgumentHelp("Pass NAME from warden's environment.", valueName: "NAME"))
    var allowedEnvironment: [String] = []

    @Option(name: .customLong("policy"), help: ArgumentHelp("Start from this policy: its module, arguments, grants and user.", valueName: "BASE"))
    var basePolicy: String?

    @Option(name: .customLong("name"), help: ArgumentHelp("The learned policy's module name (default: the file name).", valueName: "NAME"))
    var name: String?

    @Option(name: .customLong("user"), help: ArgumentHelp("When started as root, learn as this service account (and write it into the policy); default: the policy default, 'warden'.", valueName: "NAME"))
    var user: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Write the policy to FILE.", valueName: "FILE"))
    var output: String?

    @Argument(help: ArgumentHelp("The module (.wasm or .wat); not with --policy.", valueName: "MODULE"))
    var module: String?

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("Arguments for the module.", valueName: "ARGS"))
    var arguments: [String] = []

    public init() {}

    public func run() throws {
        var request = LearnCommandCore.Request()
        var rest = (module.map { [$0] } ?? []) + arguments
        if rest.first == "--" { rest.removeFirst() }
        if basePolicy == nil {
            request.modulePath = rest.first
            request.arguments = Array(rest.dropFirst())
            if request.arguments.first == "--" { request.arguments.removeFirst() }
        } else {
            request.arguments = rest
        }
        request.allowedDirectories = allowedDirectories
        request.allowedEnvironment = allowedEnvironment
        request.basePolicy = basePolicy
        request.name = name
        request.user = user
        request.output = output
        throw ExitCode(LearnCommandCore.learn(request))
    }
}
