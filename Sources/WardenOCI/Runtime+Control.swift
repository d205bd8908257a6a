// Glibc for constants only: signal numbers
import Glibc
import WardenSystem

extension Runtime {
    /// `state ID`: the runtime spec's state object.
    func printState(_ record: ContainerRecord) -> Int32 {
        write(record.stateJSON(status: state.status(record), rootfs: nil))
    }

    /// `kill ID [SIGNAL] [--all]`: numbers and names; `--all` reaches every process of the
    /// container (its cgroup when it has one, else the holder and its descendants).
    func kill(_ record: ContainerRecord) -> Int32 {
        let text = invocation.positionals.count > 1 ? invocation.positionals[1] : "TERM"
        guard let signal = SignalName.parse(text) else { return fail("invalid signal '\(text)'") }
        guard state.liveProcess(record) != nil else { return fail("container not running") }
        var targets = [record.pid]
        if invocation.flags["all"] != nil {
            let inCgroup = CgroupPlacement.processes(in: record.cgroups, authority: authority)
            targets = inCgroup.isEmpty ? state.processes(record) : inCgroup
        }
        var sent = false
        for pid in targets {
            do { try ProcessControl.signal(pid, signal); sent = true } catch {}
        }
        guard sent else { return fail("no such process") }
        if signal == SIGKILL {
            // Nothing in the container can record a SIGKILL: once the holder is gone, say it for it.
            for _ in 0..<200 where state.liveProcess(record) != nil { SystemClock.sleep(milliseconds: 10) }
            ContainerEnd.recordIfMissing(auditPath: record.auditPath, signal: SIGKILL,
                                         detail: "killed by SIGKILL through warden-oci kill", journal: settings.journal)
        }
        return 0
    }

    /// `delete [--force] ID`: a stopped container's state and cgroups go; `--force` first kills
    /// a live one. A second delete finds nothing of ours and goes to runc, which says
    /// "does not exist" (containerd's shim deletes twice).
    func delete(_ record: ContainerRecord) -> Int32 {
        let status = state.status(record)
        if status != "stopped" {
            guard invocation.flags["force"] != nil else {
                return fail("cannot delete container \(record.id) that is not stopped: \(status)")
            }
            if status == "paused" { _ = try? CgroupPlacement.setFrozen(false, record.cgroups, authority: authority) }
            let targets = Set(state.processes(record) + CgroupPlacement.processes(in: record.cgroups, authority: authority))
            for pid in targets { try? ProcessControl.signal(pid, SIGKILL) }
            // The holder is someone else's child (the caller's subreaper reaps it): wait until
            // it is a zombie or gone, at most 5 s.
            var waited = 0
            while state.liveProcess(record) != nil && waited < 500 {
                SystemClock.sleep(milliseconds: 10)
                waited += 1
            }
        }
        // The worker may outlive the holder by a moment (it is ended by its parent-death signal).
        for _ in 0..<100 where !CgroupPlacement.processes(in: record.cgroups, authority: authority).isEmpty {
            SystemClock.sleep(milliseconds: 10)
        }
        ContainerEnd.recordIfMissing(
            auditPath: record.auditPath, signal: status == "stopped" ? nil : SIGKILL,
            detail: status == "stopped" ? "the container ended without recording its end; recorded at delete"
                                        : "killed by SIGKILL through warden-oci delete --force",
            journal: settings.journal)
        CgroupPlacement.remove(record.cgroups, authority: authority)
        state.remove(record.id)
        return 0
    }

    /// `ps [--format json|table] ID`.
    func ps(_ record: ContainerRecord) -> Int32 {
        let inCgroup = CgroupPlacement.processes(in: record.cgroups, authority: authority)
        let pids = inCgroup.isEmpty ? state.processes(record) : inCgroup
        if invocation.flags["format"] == "json" {
            return write("[" + pids.map(String.init).joined(separator: ",") + "]\n")
        }
        return write("PID\n" + pids.map { "\($0)\n" }.joined())
    }

    /// `pause ID` / `resume ID`: the cgroup freezer, or a clear refusal without one.
    func freeze(_ record: ContainerRecord, _ frozen: Bool) -> Int32 {
        let status = state.status(record)
        if frozen && status != "running" { return fail("container \(record.id) is not running (\(status))") }
        if !frozen && status != "paused" { return fail("container \(record.id) is not paused (\(status))") }
        do {
            guard try CgroupPlacement.setFrozen(frozen, record.cgroups, authority: authority) else {
                return fail("container \(record.id) has no cgroup freezer (no cgroupsPath, or no freezer controller): \(frozen ? "pause" : "resume") is not supported")
            }
        } catch {
            return fail("cannot \(frozen ? "freeze" : "thaw") container \(record.id): \(error)")
        }
        return 0
    }

    /// `features`: what this runtime does for Wasm containers (runtime-spec features.md).
    /// Other containers go to runc, which answers for itself.
    func features() -> Int32 {
        write("""
        {
          "ociVersionMin": "1.0.0",
          "ociVersionMax": "1.1.0",
          "hooks": [],
          "mountOptions": ["bind", "rbind", "ro", "rw"],
          "linux": {
            "namespaces": ["network", "ipc", "uts"],
            "capabilities": [],
            "cgroup": {"v1": true, "v2": true, "systemd": true, "systemdUser": false},
            "seccomp": {"enabled": true, "actions": [], "operators": [], "archs": []},
            "apparmor": {"enabled": false},
            "selinux": {"enabled": false}
          },
          "annotations": {
            "io.warden.oci.handlers": "run.oci.handler=wasm|wasm-smart, module.wasm.image/variant=compat|compat-smart",
            "io.warden.oci.delegate": \(settings.runcPath.map { "\"" + $0 + "\"" } ?? "null")
          }
        }

        """)
    }
}
