// Glibc for types only: SIG* numbers for proc_raise
import Glibc
import WardenSystem

extension WASIPreview1 {
    static func systemClock(_ id: UInt32) throws(WASIErrno) -> SystemClock {
        switch ClockID(rawValue: id) {
        case .realtime: .realtime
        case .monotonic: .monotonic
        case .processCPUTime: .processCPUTime
        case .threadCPUTime: .threadCPUTime
        case nil: throw .inval
        }
    }

    public func clockResGet(_ memory: GuestMemory, id: UInt32, result: UInt32) throws(WASIErrno) {
        let clock = try Self.systemClock(id)
        let resolution: UInt64
        do throws(Errno) { resolution = try clock.resolution() } catch { throw WASIErrno(error) }
        try memory.store(resolution, at: result)
    }

    public func clockTimeGet(_ memory: GuestMemory, id: UInt32, precision: UInt64, result: UInt32) throws(WASIErrno) {
        let clock = try Self.systemClock(id)
        let now: UInt64
        do throws(Errno) { now = try clock.now() } catch { throw WASIErrno(error) }
        try memory.store(now, at: result)
    }

    /// Fills guest memory straight from the kernel CSPRNG; the size is bounded by the guest's
    /// own memory (checked before any byte is written).
    public func randomGet(_ memory: GuestMemory, buffer: UInt32, length: UInt32) throws(WASIErrno) {
        let target = try memory.bytes(at: buffer, count: length)
        do throws(Errno) { try fillRandom(target) } catch { throw WASIErrno(error) }
    }

    public func schedYield() throws(WASIErrno) {
        SystemThread.yield()
    }

    /// `proc_exit`: unwinds the guest with its exit code.
    public func procExit(code: UInt32) -> GuestTermination {
        .exit(code)
    }

    /// `proc_raise`: signals whose default action is to ignore or stop are accepted and do
    /// nothing (the guest has no handlers in preview1); any other valid signal ends the guest as
    /// if it had been delivered. The host process is never signalled.
    public func procRaise(signal: UInt8) throws(WASIErrno) -> GuestTermination? {
        // witx signal numbering: 0 none, 1 hup, 2 int, 3 quit, 4 ill, 5 trap, 6 abrt, 7 bus,
        // 8 fpe, 9 kill, 10 usr1, 11 segv, 12 usr2, 13 pipe, 14 alrm, 15 term, 16 chld, 17 cont,
        // 18 stop, 19 tstp, 20 ttin, 21 ttou, 22 urg, 23 xcpu, 24 xfsz, 25 vtalrm, 26 prof,
        // 27 winch, 28 poll, 29 pwr, 30 sys.
        switch signal {
        case 0, 16, 17, 18, 19, 20, 21, 22, 27: return nil
        case 1...30: return .signal(Int32(Self.hostSignal[Int(signal)]))
        default: throw .inval
        }
    }

    private static let hostSignal: [Int32] = [
        0, SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1, SIGSEGV,
        SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU,
        SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGPOLL, SIGPWR, SIGSYS,
    ]
}
