import Glibc
import WardenCLI
import WardenRun
import WardenSystem

// Taken first, so `--timings` counts from here.
let started = SystemClock.monotonicNow()

// `warden run` with a command line the hand parser reads exactly skips swift-argument-parser
// (start-up time); help, usage errors and every other command go through it.
if let request = RunCommandLine.parse(CommandLine.arguments), let resolved = try? request.resolve() {
    for warning in resolved.warnings { RunCommandCore.printError(warning) }
    var options = resolved.options
    if request.timings { options.timeline = StartupTimeline(startedAt: started) }
    exit(RunCommandCore.run(options))
}
WardenCommand.main()
