// Glibc for types only: uid_t
import Glibc
import WardenSystem

/// The control socket's requests (reactor thread only).
extension Reactor {
    /// Answers one request line: "ok" or "error: ..." first, then the text to print.
    func answer(_ line: String) -> String {
        let words = line.split(separator: " ").map(String.init)
        guard let verb = words.first else { return "error: empty request\n" }
        switch (verb, words.count) {
        case ("status", 1): return "ok\n" + StatusReport(reactor: self).text()
        case ("status", 2) where words[1] == "--json": return "ok\n" + StatusReport(reactor: self).json()
        case ("reload", 1):
            let text = reload()
            return (text.contains(": error: ") ? "error: some policies were rejected; their running versions keep running\n" : "ok\n") + text + "\n"
        case ("restart", 2), ("stop", 2), ("start", 2):
            guard let module = modules[words[1]] else { return "error: no module named \"\(words[1])\"\n" }
            guard !shuttingDown else { return "error: wardend is stopping\n" }
            switch verb {
            case "restart": restart(module)
            case "stop": stop(module, because: "warden stop")
            default:
                module.throttle.reset()
                if module.worker == nil { start(module) }
            }
            SupervisorLog.info("module \"\(module.name)\": \(verb) requested over the control socket")
            return "ok\n\(verb) \(module.name)\n"
        default:
            return "error: unknown request '\(line)' (status [--json], reload, start|stop|restart MODULE, warm ENGINE FORMAT)\n"
        }
    }

    /// "warm ENGINE FORMAT" from `warden run`: the pool lends a worker or says why not.
    func lendWarmWorker(_ words: [String], to client: FileDescriptor, peerUID: uid_t) {
        warm.lend(words, to: client, peerUID: peerUID)
    }
}
