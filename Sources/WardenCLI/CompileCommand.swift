import ArgumentParser
import WardenLauncher

/// `warden compile`: wasmtime's code for a module, made once by a compile-only worker.
public struct CompileCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a module for the wasmtime engine into an artifact (a file, or the artifact cache).",
        discussion: """
            A hardened compile-only worker compiles the module, sends the code and exits; it never \
            runs the module. The artifact's header carries its key (the module's SHA-256, the \
            wasmtime release, every setting that changes code, the machine) and the code's \
            SHA-256; warden run loads it only when the key matches its own run. Without -o the \
            artifact goes into the artifact cache (root only), where warden run --engine wasmtime \
            and wardend find it. Loading an artifact runs its native code: see warden(1), ARTIFACTS.
            """)

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Write the artifact to FILE (default: into the artifact cache).", valueName: "FILE"))
    var output: String?

    @Flag(name: .customLong("metered"), help: "Compile for runs with a fuel budget (--fuel, [limits] fuel): metering is part of the code.")
    var metered = false

    @Option(name: .customLong("artifact-cache"), help: ArgumentHelp("The artifact cache directory (default: $WARDEN_ARTIFACT_CACHE, else /var/cache/warden).", valueName: "DIR"))
    var artifactCache: String?

    @Argument(help: ArgumentHelp("The module (.wasm binary or .wat text).", valueName: "MODULE"))
    var module: String

    public init() {}

    public func run() throws {
        throw ExitCode(CompileRun.run(module: module, output: output, metered: metered, cache: artifactCache))
    }
}
