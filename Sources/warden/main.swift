import ArgumentParser
import WardenRun

struct Warden: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warden",
        abstract: "Run untrusted WebAssembly (WASI preview1) modules with exactly the capabilities you grant.",
        discussion: "See warden(1). Nothing is granted by default: no directories, no environment, no network.",
        version: "0.1.0",
        subcommands: [Run.self])
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a WASI command module (.wasm or .wat).",
        discussion: """
            Every path the module uses resolves beneath a granted directory; '..' past it, absolute \
            paths and symlinks leading out are refused with ENOTCAPABLE and reported as one JSON \
            line on stderr (or in --audit FILE).

            Exit status: the module's exit code; 134 if it trapped; 128+N if it raised fatal \
            signal N; 125 if warden could not start it (unreadable or invalid module, missing \
            directory); 64 on a usage error.
            """)

    @Option(name: .customLong("dir"), help: ArgumentHelp("Grant HOST read-write, visible to the module as GUEST (default: HOST).", valueName: "HOST[::GUEST]"))
    var directories: [String] = []

    @Option(name: .customLong("ro-dir"), help: ArgumentHelp("Grant HOST read-only, visible as GUEST (default: HOST).", valueName: "HOST[::GUEST]"))
    var readOnlyDirectories: [String] = []

    @Option(name: .customLong("env"), help: ArgumentHelp("Set KEY=VALUE in the module's environment (KEY alone passes the host's value).", valueName: "KEY=VALUE"))
    var environment: [String] = []

    @Option(name: .customLong("tcplisten"), help: ArgumentHelp("Listen on HOST:PORT and hand the socket to the module (fd 3 onwards, before directories).", valueName: "HOST:PORT"))
    var tcpListeners: [String] = []

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("Cap linear memory (e.g. 64MiB); growth past it fails.", valueName: "SIZE"))
    var maxMemory: String?

    @Option(name: .customLong("fuel"), help: ArgumentHelp("Trap after about N executed instructions.", valueName: "N"))
    var fuel: UInt64?

    @Option(name: .customLong("audit"), help: ArgumentHelp("Append audit events (JSON Lines) to FILE instead of stderr.", valueName: "FILE"))
    var auditPath: String?

    @Argument(help: "The module (.wasm binary or .wat text).")
    var module: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments for the module.")
    var arguments: [String] = []

    mutating func run() throws {
        var options = RunOptions(modulePath: module)
        options.arguments = arguments.first == "--" ? Array(arguments.dropFirst()) : arguments
        options.environment = environment
        options.tcpListeners = tcpListeners
        options.fuel = fuel
        options.auditPath = auditPath
        do throws(RunError) {
            for grant in directories { options.directories.append(try RunOptions.directoryGrant(grant, readOnly: false)) }
            for grant in readOnlyDirectories { options.directories.append(try RunOptions.directoryGrant(grant, readOnly: true)) }
            if let maxMemory { options.maxMemoryBytes = try RunOptions.size(maxMemory) }
        } catch {
            throw ValidationError(error.description)
        }
        let status = RunCommandCore.run(options)
        throw ExitCode(status)
    }
}

Warden.main()
