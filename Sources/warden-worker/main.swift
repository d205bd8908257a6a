import Glibc
import WardenSystem
import WardenWorker

// Run by hand (any argument), say what this is instead of waiting for a control socket that
// is not there; warden and wardend start it with no arguments.
if CommandLine.arguments.count > 1 {
    if CommandLine.arguments[1] == "--version" {
        try? FileDescriptor.standardOutput.writeAll("warden-worker \(WardenVersion.string)\n")
        exit(0)
    }
    let help = CommandLine.arguments[1] == "--help" || CommandLine.arguments[1] == "-h"
    let text = """
        warden-worker: the hardened worker process of warden(1) and wardend(8); not a command to run by hand.
        warden and wardend start it with no arguments, its configuration on a control socket (fd 3) and the
        module on fd 4; it hardens itself, then runs one WebAssembly module. To run a module: warden run MODULE.

        """
    try? (help ? FileDescriptor.standardOutput : FileDescriptor.standardError).writeAll(text)
    exit(help ? 0 : 64)
}
// One call into the worker role; everything else lives in WardenWorker.
Worker.main()
