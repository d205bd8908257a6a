import Glibc
import WardenHardening

/// `warden-probe [options] MODE`, parsed without Foundation (the probe links what the worker
/// links). Options describe a plan the way a launcher would; the probe builds it from them.
struct ProbeOptions {
    enum Mode {
        case attempt(String), status, allowed, groups, pfc, attempts, forkSignals
    }

    var violation: HardeningPlan.ViolationAction = .killProcess
    var sockets = false
    var landlockDirectories: [(path: String, readWrite: Bool)] = []
    var landlockMode: HardeningPlan.LandlockPlan.Mode = .bestEffort
    var identity: HardeningPlan.Identity?
    var namespaces: [HardeningPlan.Namespace] = [.user, .mount, .net, .ipc, .uts]
    var namespacesRequired = false
    var openFiles: UInt64? = 64
    var deathSignal: Int32 = SIGKILL
    var mode: Mode = .status
    /// `--notify`: play the launcher of a notify-mode worker (see `NotifyLauncher`).
    var notify = false
    /// `--notify-child` (internal): the hardened worker that `--notify` spawns, with the
    /// control socket at fd 3.
    var notifyChild = false
    /// `--forking`: the filter of a per-connection zygote (`SeccompPlan.forking`).
    var forking = false
    /// `--exec-load`: the filter of a compiling engine's worker (`@exec-load`: read+execute
    /// mappings allowed, never W+X).
    var execLoad = false
    /// `--exec-lock` (with --exec-load): after hardening, stack the exec lock before the attempt.
    var execLock = false

    /// Whether the mode applies the hardening (groups, pfc and attempts do not).
    var hardens: Bool {
        switch mode {
        case .attempt, .status, .allowed, .forkSignals: true
        case .groups, .pfc, .attempts: false
        }
    }

    static let usage = """
        usage: warden-probe [options] attempt NAME | status | allowed | groups | pfc | attempts | fork-signals
          --action kill|errno|errno:N   violation action (default kill)
          --sockets                     grant @sockets
          --exec-load                   a compiling engine's filter (@exec-load: R+X yes, W+X no)
          --exec-lock                   with --exec-load: stack the exec lock before the attempt
          --forking                     a per-connection zygote's filter (@zygote; kill/tgkill
                                        go to the listener, which lets self-signals continue)
          --landlock-dir PATH[:rw]      a Landlock rule (opened by the probe, like a preopen)
          --landlock require|best-effort|off   (default best-effort)
          --user UID:GID                identity to drop to when root
          --namespaces LIST|none        comma-separated (default user,mount,net,ipc,uts)
          --namespaces-required
          --nofile N                    RLIMIT_NOFILE (default 64)
          --death-signal N              parent-death signal (default SIGKILL)
          --notify                      violations go to a listener: the probe spawns itself
                                        hardened (fd 3 = control socket), receives the listener,
                                        prints `notified NAME ARG0 ... ARG5` per notification and
                                        answers per --action (errno: fail the call; kill: SIGKILL),
                                        then `child: exit N` or `child: signal N`
        attempts: \(Attempts.names.joined(separator: " "))
        """

    struct UsageError: Error { let message: String }

    init(_ arguments: ArraySlice<String>) throws(UsageError) {
        var rest = arguments
        func value(_ flag: String) throws(UsageError) -> String {
            guard let next = rest.popFirst() else { throw UsageError(message: "\(flag) needs a value") }
            return next
        }
        func number<T: FixedWidthInteger>(_ flag: String, _ text: String) throws(UsageError) -> T {
            guard let parsed = T(text) else { throw UsageError(message: "\(flag): '\(text)' is not a number") }
            return parsed
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--action":
                let text = try value(argument)
                if text == "kill" { violation = .killProcess }
                else if text == "errno" { violation = .permissionDenied }
                else if text.hasPrefix("errno:") { violation = .errno(try number(argument, String(text.dropFirst(6)))) }
                else { throw UsageError(message: "--action: expected kill, errno or errno:N") }
            case "--sockets": sockets = true
            case "--forking": forking = true
            case "--exec-load": execLoad = true
            case "--exec-lock": execLock = true
            case "--landlock-dir":
                let text = try value(argument)
                let readWrite = text.hasSuffix(":rw")
                landlockDirectories.append((readWrite ? String(text.dropLast(3)) : text, readWrite))
            case "--landlock":
                guard let mode = HardeningPlan.LandlockPlan.Mode(rawValue: try value(argument)) else {
                    throw UsageError(message: "--landlock: expected require, best-effort or off")
                }
                landlockMode = mode
            case "--user":
                let parts = try value(argument).split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw UsageError(message: "--user: expected UID:GID") }
                identity = .init(uid: try number(argument, String(parts[0])), gid: try number(argument, String(parts[1])))
            case "--namespaces":
                let text = try value(argument)
                namespaces = []
                for name in text.split(separator: ",") where text != "none" {
                    guard let namespace = HardeningPlan.Namespace(rawValue: String(name)) else {
                        throw UsageError(message: "--namespaces: unknown namespace '\(name)'")
                    }
                    namespaces.append(namespace)
                }
            case "--namespaces-required": namespacesRequired = true
            case "--notify": notify = true
            case "--notify-child": notify = true; notifyChild = true
            case "--nofile": openFiles = try number(argument, try value(argument))
            case "--death-signal": deathSignal = try number(argument, try value(argument))
            case "attempt": mode = .attempt(try value(argument))
            case "status": mode = .status
            case "allowed": mode = .allowed
            case "groups": mode = .groups
            case "pfc": mode = .pfc
            case "attempts": mode = .attempts
            case "fork-signals": mode = .forkSignals
            default: throw UsageError(message: "unknown argument '\(argument)'")
            }
        }
        if execLock && !execLoad { throw UsageError(message: "--exec-lock needs --exec-load (stacking the lock is what @exec-load allows)") }
        if case .attempt(let name) = mode, !Attempts.names.contains(name) {
            throw UsageError(message: "unknown attempt '\(name)'")
        }
    }
}
