import Glibc  // exit, fputs, fflush: a test-only command line tool
import WardenFuzzHarnesses

// warden-fuzz-replay ROOT HARNESS [FILE...]
//
// Runs HARNESS's checks on every seed it has (generated, Fuzz/Seeds, the fixtures and the
// committed findings in Fuzz/Regressions; ROOT is the repository) or on the FILEs given, in
// this process without sanitizers: what `swift test` runs on every `make test` (a process of
// its own, so a crash is the harness's, and the WASI harness's RLIMIT_FSIZE stays here).
// Exit 0: every input passed; 1: a check failed (named on stderr); a crash names its input
// on the line before it.
let arguments = CommandLine.arguments
guard arguments.count >= 3, let harness = FuzzHarness.named(arguments[2]) else {
    say("usage: warden-fuzz-replay ROOT HARNESS [FILE...]\nharnesses: \(FuzzHarness.all.map(\.name).joined(separator: " "))\n")
    exit(64)
}
var inputs: [(name: String, bytes: [UInt8])]
if arguments.count > 3 {
    inputs = []
    for path in arguments[3...] {
        guard let bytes = FuzzHarness.read(path) else { say("warden-fuzz-replay: cannot read \(path)\n"); exit(66) }
        inputs.append((path, bytes))
    }
} else {
    inputs = harness.seeds(root: arguments[1])
}
for input in inputs {
    // Named before it runs: a crash leaves this as the last line.
    say("input \(input.name)\n")
    do {
        try harness.check(input.bytes)
    } catch {
        say("FAILED \(harness.name) on \(input.name): \(error)\n")
        exit(1)
    }
}
print("\(harness.name): \(inputs.count) inputs, every check held")

/// One line to standard error, unbuffered (so it is out before a crash).
func say(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
