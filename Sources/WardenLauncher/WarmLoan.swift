// Glibc for types only: pid_t
import Glibc
import WardenIPC
import WardenSystem

/// Whether `warden run` borrows a warm worker from wardend (`--warm`).
public enum WarmUse: String, Sendable, CaseIterable {
    /// As root, when wardend keeps one for the engine; else the launcher spawns its own.
    case auto
    /// Always spawn the worker.
    case off
    /// A warm worker or no run.
    case require

    /// Whether this run will probably borrow one (it may ask, and wardend's socket is there):
    /// then nothing is prepared that a warm worker brings itself.
    static func likely(_ options: RunOptions) -> Bool {
        options.warm != .off && ProcessControl.effectiveUserID == 0
            && AmbientAuthority(purpose: "warden run: whether wardend's control socket exists").canAccess(options.controlSocket, .exists)
    }
}

/// A worker borrowed from wardend's warm pool (`wardend --warm ENGINE=N`): exec'd, its engine
/// loaded, not yet configured. The launcher configures it as one it spawned, except that the
/// whole descriptor layout travels with the configuration. wardend stays its parent: it reaps
/// the worker and writes how it ended on the connection the loan came over ("exited STATUS
/// CPU_NS"), and ends the worker if that connection closes first (this launcher died).
struct WarmLoan {
    let pid: pid_t
    /// wardend's pid: the worker's parent, which its hardening checks for.
    let parentPID: pid_t
    let control: FileDescriptor
    let pidfd: FileDescriptor
    /// The connection to wardend, held until the exit line is read.
    let lender: FileDescriptor

    /// How the worker ended, as wardend reaped it; nil when wardend does not say within 30
    /// seconds, closes the connection, or says something else.
    static func ended(from lender: FileDescriptor) -> ChildProcess.Ended? {
        // The worker is already gone (its pidfd said so) and only wardend can reap it: wait as
        // long as a busy wardend may take, not a guess of 2 s that would turn a real exit into
        // a kill. A wardend that died closes the connection, which ends the wait at once.
        try? lender.setReceiveTimeout(seconds: 30)
        guard let bytes = try? lender.readToEnd(limit: 256) else { return nil }
        let words = String(decoding: bytes.prefix { $0 != 10 }, as: UTF8.self).split(separator: " ")
        guard words.count == 3, words[0] == "exited", let status = Int32(words[1]), let cpu = UInt64(words[2]) else { return nil }
        return ChildProcess.Ended(status: status, cpuNanoseconds: cpu)
    }
}

/// A request for a warm worker, sent; wardend's answer is read by `collect`.
struct WarmRequest {
    let connection: FileDescriptor
    let path: String

    /// Connects to wardend at `socket` and asks for an idle worker of `engine`.
    static func send(engine: String, socket path: String) -> Result<WarmRequest, WorkerUnavailable> {
        let connection: FileDescriptor
        do { connection = try AmbientAuthority(purpose: "warden run: wardend's control socket, for a warm worker").connectUnix(path) } catch {
            return .failure(WorkerUnavailable(text: "wardend's control socket \(path): \(error)"))
        }
        // The run's descriptors go to whoever answers: only to a root wardend (SO_PEERCRED, as
        // the kernel saw the listener), never to an account that could take them from its
        // unhardened worker.
        guard let peer = try? connection.peerCredentials(), peer.uid == 0 else {
            try? connection.close()
            return .failure(WorkerUnavailable(text: "wardend's control socket \(path) is not served by root; no warm worker"))
        }
        do { try connection.writeAll("warm \(engine) \(WorkerConfiguration.formatVersion)\n") } catch {
            try? connection.close()
            return .failure(WorkerUnavailable(text: "wardend's control socket \(path): \(error)"))
        }
        return .success(WarmRequest(connection: connection, path: path))
    }

    /// wardend's answer: the loan, or why there is none. wardend answers at once or not at
    /// all: a stuck daemon costs a second, not the run.
    func collect() -> Result<WarmLoan, WorkerUnavailable> {
        func refuse(_ text: String) -> Result<WarmLoan, WorkerUnavailable> {
            cancel()
            return .failure(WorkerUnavailable(text: text))
        }
        try? connection.setReceiveTimeout(seconds: 1)
        // wardend answers within tens of microseconds of waking; sleeping for it would put this
        // CPU to sleep too, and on a virtual machine waking a halted CPU twice costs more than
        // the answer (measured: 1.6-2 ms blocked, against 0.1 ms spinning). So look for it
        // for up to 0.5 ms before blocking.
        let spinUntil = SystemClock.monotonicNow() &+ 500_000
        var request = [PollRequest(descriptor: connection, events: PollRequest.readable)]
        while SystemClock.monotonicNow() < spinUntil, (try? ppoll(&request, timeoutNanoseconds: 0)) == 0 {}
        var buffer = [UInt8](repeating: 0, count: 512)
        let received: (count: Int, descriptors: [FileDescriptor])
        do {
            received = try buffer.withUnsafeMutableBytes { raw in
                Result { () throws(Errno) in try connection.receiveMessage(into: raw, keeping: 2) }
            }.get()
        } catch {
            return refuse("wardend did not answer: \(error)")
        }
        let line = String(decoding: buffer[0..<received.count].prefix { $0 != 10 }, as: UTF8.self)
        let words = line.split(separator: " ")
        guard words.count == 4, words[0] == "ok", words[1] == "warm", let pid = pid_t(words[2]), let parent = pid_t(words[3]),
              received.descriptors.count == 2 else {
            for descriptor in received.descriptors { try? descriptor.close() }
            let reason = line.hasPrefix("error: ") ? String(line.dropFirst(7)) : "unexpected answer '\(OperatorOutput.sanitized(line))'"
            return refuse("wardend: \(reason)")
        }
        return .success(WarmLoan(pid: pid, parentPID: parent, control: received.descriptors[0], pidfd: received.descriptors[1], lender: connection))
    }

    /// Gives up the request (a worker already lent is ended by wardend when this closes).
    func cancel() { try? connection.close() }
}

/// Why this run has no worker of the kind it asked for, in the operator's words.
struct WorkerUnavailable: Error {
    let text: String
}
