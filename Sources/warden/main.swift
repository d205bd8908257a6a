import WardenCLI
import WardenLauncher
import WardenSystem

// Taken first, so `--timings` counts from here.
let started = SystemClock.monotonicNow()

// `warden run` with a command line the hand parser reads exactly skips swift-argument-parser
// (start-up time); help, usage errors and every other command go through it.
if let request = RunCommandLine.parse(CommandLine.arguments), let resolved = try? request.resolve() {
    for warning in resolved.warnings { OperatorOutput.printError(warning) }
    var options = resolved.options
    if request.timings { options.timeline = StartupTimeline(startedAt: started) }
    // _exit: everything warden prints went out with write(2) already, and the static
    // destructors of the libraries linked in (Foundation's among them) have nothing to say.
    ProcessControl.exitImmediately(OneShotRun.run(options))
}
WardenCommand.main()
