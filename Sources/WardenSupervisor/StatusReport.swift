import WardenJSON
import WardenLauncher
import WardenPolicy
import WardenSystem

/// What `warden status` prints: per module its state, mode, pids, uptime, restarts, last exit,
/// live connections and denials, and which kernel layers and limits are actually in force.
struct StatusReport {
    let reactor: Reactor

    private var modules: [ModuleRuntime] { reactor.modules.values.sorted { $0.name < $1.name } }

    func text() -> String {
        let now = SystemClock.monotonicNow()
        var rows = [["MODULE", "STATE", "MODE", "PID", "UPTIME", "RESTARTS", "LAST EXIT", "CONNECTIONS", "DENIALS"]]
        for module in modules {
            let connections = module.mode == .perConnection
                ? "\(module.liveConnections)/\(module.policy.service.maxConnections) (\(module.connectionsServed) served, \(module.connectionsRefused) refused)" : "-"
            rows.append([module.name, module.state.name, module.mode.rawValue, pids(module), uptime(module, now),
                         "\(module.restarts)", module.lastExitCode.map { "\($0)" } ?? "-", connections, "\(module.denials)"])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var out = rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
        for module in modules {
            out += "\n\(module.name) (\(module.file))\n"
            if case .failed(let reason) = module.state { out += "  failed: \(reason)\n" }
            if let last = module.lastExit { out += "  last exit: \(last)\n" }
            if !module.policy.service.listen.isEmpty {
                out += "  listen: \(module.policy.service.listen.map(\.description).joined(separator: ", "))\n"
            }
            if let code = module.prepared?.codeProvenance { out += "  code: \(code.description)\n" }
            for layer in module.lastLayers { out += "  \(layer)\n" }
            out += "  limits: \(reactor.limits.describe(module.policy))\n"
        }
        if reactor.warm.isEnabled {
            out += "\nwarm workers for warden run (\(reactor.warm.lentTotal) lent since start):\n"
            for state in reactor.warm.states {
                out += "  \(state.engine): \(state.idle.count) of \(state.target) idle, \(state.lent.count) lent"
                    + (state.idle.isEmpty ? "" : " (idle pids \(state.idle.map(String.init).joined(separator: " ")))") + "\n"
            }
        }
        return out
    }

    func json() -> String {
        let now = SystemClock.monotonicNow()
        let items = modules.map { module -> String in
            var fields: [(String, String)] = [
                ("name", JSONText.quoted(module.name)), ("file", JSONText.quoted(module.file)),
                ("state", JSONText.quoted(module.state.name)), ("mode", JSONText.quoted(module.mode.rawValue)),
                ("pids", "[" + pidList(module).map(String.init).joined(separator: ",") + "]"),
                ("uptime_seconds", module.worker != nil ? "\((now &- (module.startedAt ?? now)) / 1_000_000_000)" : "null"),
                ("restarts", "\(module.restarts)"),
                ("last_exit", module.lastExitCode.map { "\($0)" } ?? "null"),
                ("last_exit_reason", module.lastExit.map(JSONText.quoted) ?? "null"),
                ("connections", "\(module.liveConnections)"), ("max_connections", "\(module.policy.service.maxConnections)"),
                ("connections_served", "\(module.connectionsServed)"), ("connections_refused", "\(module.connectionsRefused)"),
                ("denials", "\(module.denials)"),
                ("layers", "[" + module.lastLayers.map(JSONText.quoted).joined(separator: ",") + "]"),
                ("limits", JSONText.quoted(reactor.limits.describe(module.policy))),
            ]
            if let code = module.prepared?.codeProvenance {
                fields.append(("code", JSONText.quoted(code.name)))
                fields.append(("code_detail", JSONText.quoted(code.description)))
            }
            if case .failed(let reason) = module.state { fields.append(("failed", JSONText.quoted(reason))) }
            return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        }
        let warm = reactor.warm.states.map { state in
            "{\"engine\":\(JSONText.quoted(state.engine)),\"target\":\(state.target),"
                + "\"idle\":[\(state.idle.map(String.init).joined(separator: ","))],\"lent\":[\(state.lent.map(String.init).joined(separator: ","))]}"
        }
        return "{\"modules\":[" + items.joined(separator: ",") + "],\"warm\":[" + warm.joined(separator: ",")
            + "],\"warm_lent_total\":\(reactor.warm.lentTotal)}\n"
    }

    private func pidList(_ module: ModuleRuntime) -> [Int32] {
        guard let worker = module.worker else { return [] }
        return [worker.pid] + module.instances.keys.sorted()
    }

    private func pids(_ module: ModuleRuntime) -> String {
        let list = pidList(module)
        guard let first = list.first else { return "-" }
        return list.count == 1 ? "\(first)" : "\(first) +\(list.count - 1)"
    }

    private func uptime(_ module: ModuleRuntime, _ now: UInt64) -> String {
        guard module.worker != nil, let started = module.startedAt else { return "-" }
        let seconds = (now &- started) / 1_000_000_000
        if seconds < 120 { return "\(seconds)s" }
        if seconds < 7200 { return "\(seconds / 60)m" }
        return "\(seconds / 3600)h"
    }
}
