// warden-probe: a test-only stand-in for the worker. It plays the launcher first (opens its
// Landlock directories and anything it will read after hardening), builds a HardeningPlan,
// applies the real HardeningSequence, and then does one thing:
//   attempt NAME  one forbidden call; prints `NAME: refused errno=ESYMBOL` or `NAME: ALLOWED`
//                 (under --action kill the kernel ends the probe with SIGSYS instead)
//   status        the hardening report and the security lines of /proc/self/status
//   allowed       what a worker must still be able to do; prints `ok`
//   groups / pfc  the syscall group table / the filter as PFC text (no hardening)
//   attempts      the attempt names, one per line (no hardening)
//   fork-signals  (with --forking) fork an instance as a zygote does; what each may signal
// Hardening failures print the operator line and exit with the step's status.
// With --notify the probe first plays the launcher of a notify-mode worker (NotifyLauncher).
import CWardenLinux
import Glibc
import WardenHardening
import WardenSystem

func say(_ text: String) { try? FileDescriptor.standardOutput.writeAll(text + "\n") }
func fail(_ status: Int32, _ text: String) -> Never {
    try? FileDescriptor.standardError.writeAll("warden-probe: \(text)\n")
    exit(status)
}

let options: ProbeOptions
do throws(ProbeOptions.UsageError) {
    options = try ProbeOptions(CommandLine.arguments.dropFirst())
} catch {
    fail(64, "\(error.message)\n\(ProbeOptions.usage)")
}

if options.notify && !options.notifyChild && options.hardens {
    NotifyLauncher.run(CommandLine.arguments.dropFirst(), violation: options.violation, forking: options.forking)
}

// --- the launcher's part: ambient authority, before any hardening ---
let authority = AmbientAuthority(purpose: "warden-probe plays the launcher")
var rules: [HardeningPlan.LandlockPlan.Rule] = []
var highest: Int32 = 2
for (path, readWrite) in options.landlockDirectories {
    // Deliberately without O_DIRECTORY, so tests can hand the landlock step a non-directory.
    do throws(Errno) {
        let fd = try authority.openFile(path, flags: O_RDONLY)
        rules.append(.init(descriptor: fd, readWrite: readWrite))
        highest = max(highest, fd.rawValue)
    } catch { fail(66, "cannot open \(path): \(error)") }
}
var statusFile: FileDescriptor?
var listener: FileDescriptor?
do throws(Errno) {
    // Landlock hides /proc after hardening; the file's content is produced when it is read.
    if case .status = options.mode { statusFile = try authority.openFile("/proc/self/status", flags: O_RDONLY) }
    if case .allowed = options.mode, options.sockets { listener = try authority.listenTCP(host: "127.0.0.1", port: 0) }
} catch { fail(66, "cannot prepare: \(error)") }
for fd in [statusFile, listener].compactMap({ $0 }) { highest = max(highest, fd.rawValue) }
// The notify-mode worker keeps its control socket (fd 3) in the layout.
if options.notifyChild { highest = max(highest, 3) }

var seccompPlan = HardeningPlan.SeccompPlan(violation: options.violation, socketsGranted: options.sockets, notifyListener: options.notify)
seccompPlan.forking = options.forking
seccompPlan.publishingCode = options.execLoad
let plan = HardeningPlan(
    highestDescriptor: highest, limits: .init(openFiles: options.openFiles),
    namespaces: options.namespaces, namespacesRequired: options.namespacesRequired, identity: options.identity,
    landlock: .init(mode: options.landlockMode, rules: rules),
    seccomp: seccompPlan,
    parentDeathSignal: options.deathSignal)

switch options.mode {
case .groups:
    for group in SyscallGroups.listing() { say("\(group.name)\t\(group.description)\t\(group.syscalls.joined(separator: " "))") }
    exit(0)
case .pfc:
    do throws(HardeningFailure) { try SeccompFilter(plan: plan.seccomp).exportPFC(to: .standardOutput) } catch { fail(error.exitStatus, error.message) }
    exit(0)
case .attempts:
    for name in Attempts.names { say(name) }
    exit(0)
default: break
}

// --- the worker's part ---
let report: HardeningReport
var execLock: [UInt8]?
do throws(HardeningFailure) {
    // Built before hardening, as the worker does (exporting it needs memfd_create).
    if options.execLock { execLock = try ExecLock.program(violation: options.violation) }
    report = try HardeningSequence().apply(plan)
} catch {
    fail(error.exitStatus, error.message)
}

if options.notifyChild {
    // Hand the listener to the launcher and keep no copy: from here on only the launcher can
    // see or answer this process's refusals. sendmsg on fd 3 is what @control allows.
    guard let notifications = report.notificationListener else { fail(70, "no seccomp listener in the report") }
    var byte: UInt8 = 0x4c
    guard warden_send_with_fd(3, &byte, 1, notifications.rawValue) == 1 else { fail(70, "sending the listener: \(Errno.current)") }
    try? notifications.close()
}

if let execLock {
    // Where a compiling engine's worker stacks it: code published, no guest instruction run.
    do throws(HardeningFailure) { try ExecLock.engage(execLock) } catch { fail(error.exitStatus, error.message) }
}

switch options.mode {
case .attempt(let name):
    let result = Attempts.run(name, .init(directory: rules.first?.descriptor.rawValue))
    say(result < 0 ? "\(name): refused errno=\(Errno.current.symbol)" : "\(name): ALLOWED")
case .status:
    say(report.description)
    say("landlock-abi: \(report.landlockABI.map(String.init) ?? "none")")
    for (step, started, ended) in report.stepTimes { say("step \(step): \(ended &- started) ns") }
    var text: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while let count = try? chunk.withUnsafeMutableBytes({ (buffer) throws(Errno) in try statusFile!.read(into: buffer) }), count > 0 {
        text += chunk[0..<count]
    }
    let wanted = ["Seccomp", "NoNewPrivs", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "Uid", "Gid"]
    for line in String(decoding: text, as: UTF8.self).split(separator: "\n") {
        if let colon = line.firstIndex(of: ":"), wanted.contains(String(line[..<colon])) { say(String(line)) }
    }
case .allowed:
    let failures = AllowedChecks.run(.init(directory: rules.first?.descriptor, readWrite: rules.first?.readWrite ?? false,
                                           listener: listener))
    if !failures.isEmpty { fail(1, "refused: " + failures.joined(separator: ", ")) }
    say("ok")
case .forkSignals:
    ForkSignals.run()
case .groups, .pfc, .attempts: break
}
exit(0)
