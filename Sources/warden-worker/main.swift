import Glibc
import WardenSystem
import WardenWorker

// Run by hand (any other argument, or none but without the control socket at fd 3 that warden
// and wardend always give it), say what this is instead of ending in silence; warden starts it
// with no arguments, wardend's warm workers with `--warm ENGINE`. One fstat: the worker reads
// fd 3 first anyway.
let controlIsSocket = (try? FileDescriptor(rawValue: 3).status())?.isSocket == true
let warm = CommandLine.arguments.count == 3 && CommandLine.arguments[1] == "--warm"
if (CommandLine.arguments.count > 1 && !warm) || !controlIsSocket {
    if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "--version" {
        try? FileDescriptor.standardOutput.writeAll("warden-worker \(WardenVersion.string)\n")
        exit(0)
    }
    let help = CommandLine.arguments.count > 1 && (CommandLine.arguments[1] == "--help" || CommandLine.arguments[1] == "-h")
    let text = """
        warden-worker: the hardened worker process of warden(1) and wardend(8); not a command to run by hand.
        warden and wardend start it with no arguments (wardend's warm workers: --warm ENGINE), its configuration
        on a control socket (fd 3) and the module on fd 4; it hardens itself, then runs one WebAssembly module.
        To run a module: warden run MODULE.

        """
    try? (help ? FileDescriptor.standardOutput : FileDescriptor.standardError).writeAll(text)
    exit(help ? 0 : 64)
}
// One call into the worker role; everything else lives in WardenWorker.
Worker.main()
