import WardenSystem

/// warden-oci's entry: one call of the runc command line. Wasm containers (see
/// `WasmDecision`) are run here; every other container, and every id this runtime does not
/// hold, is handed to the host's runc with the same arguments.
public struct Runtime {
    let invocation: RuntimeInvocation
    let settings: RuntimeSettings
    let log: RuntimeLog
    let state: StateDirectory
    let authority = AmbientAuthority(purpose: "warden-oci: bundles, pid files, console sockets, cgroups")

    /// The hidden command `create` starts its holder with (never called by a container engine).
    public static let holdCommand = "__hold"

    public static func main(_ arguments: [String]) -> Int32 {
        SignalNumber.brokenPipe.ignore()
        if arguments.first == holdCommand {
            guard arguments.count == 5 else { return 2 }
            return ContainerHolder.run(root: arguments[1], id: arguments[2], bundle: arguments[3], terminal: arguments[4] == "1")
        }
        let invocation: RuntimeInvocation
        do { invocation = try RuntimeInvocation.parse(arguments) } catch {
            RuntimeLog(path: nil, format: "text").error(error.description)
            return 2
        }
        let runtime = Runtime(invocation: invocation, settings: .fromEnvironment(),
                              log: RuntimeLog(path: invocation.logPath, format: invocation.logFormat),
                              state: StateDirectory(root: invocation.stateRoot))
        return runtime.dispatch()
    }

    func dispatch() -> Int32 {
        let command = invocation.command
        switch command {
        case "features": return features()
        case "create": return create()
        case "--version", "version", "-v": return version()
        case "--help", "help", "-h": return help()
        default: break
        }
        guard let id = invocation.positionals.first else {
            if ["list", "spec", "checkpoint", "restore"].contains(command) { return delegate() }
            return fail("\(command): a container id is needed")
        }
        guard state.isWarden(id) else { return delegate() }
        guard let record = state.load(id) else {
            // A directory without a record: a create that never finished. Only delete applies.
            if command == "delete" { state.remove(id); return 0 }
            return fail("container \(id) does not exist")
        }
        switch command {
        case "start": return start(record)
        case "state": return printState(record)
        case "kill": return kill(record)
        case "delete": return delete(record)
        case "ps": return ps(record)
        case "pause": return freeze(record, true)
        case "resume": return freeze(record, false)
        case "exec":
            return fail("exec is not supported for Wasm container \(id): a module has no second process to run beside it")
        case "update":
            return fail("update is not supported for Wasm container \(id): its limits are fixed when it is created")
        case "run", "checkpoint", "restore", "events":
            return fail("\(command) is not supported for Wasm container \(id)")
        default:
            return fail("unknown command '\(command)'")
        }
    }

    /// runc, with exactly the arguments warden-oci was given.
    func delegate() -> Int32 {
        guard let runc = settings.runcPath else {
            return fail("no runc found to run this non-Wasm container (set WARDEN_OCI_RUNC; looked in \(RuntimeSettings.runcCandidates.joined(separator: ", ")))")
        }
        let error = ProcessControl.replace(with: runc, arguments: [runc] + invocation.original)
        return fail("cannot run \(runc): \(error)")
    }

    func fail(_ message: String) -> Int32 {
        log.error(message)
        return 1
    }

    func write(_ text: String) -> Int32 {
        (try? FileDescriptor.standardOutput.writeAll(text)) == nil ? 1 : 0
    }

    func version() -> Int32 {
        write("warden-oci version 0.1.0\nspec: 1.1.0\nruns Wasm containers in warden-worker; others with \(settings.runcPath ?? "runc (not found)")\n")
    }

    func help() -> Int32 {
        write("""
        usage: warden-oci [--root DIR] [--log FILE] [--log-format json|text] COMMAND ...
        commands: create --bundle B [--pid-file F] [--console-socket S] ID | start ID | state ID
                  kill ID [SIGNAL] [--all] | delete [--force] ID | ps [--format json] ID
                  pause ID | resume ID | features
        Wasm containers (annotation run.oci.handler=wasm|wasm-smart, or module.wasm.image/variant=
        compat|compat-smart) run in warden-worker; all others are passed to runc. See warden-oci(8).

        """)
    }
}
