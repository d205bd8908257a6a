import Testing
@testable import WardenSupervisor

/// Back-off and start-limit arithmetic, without processes.
@Suite struct RestartThrottleTests {
    func throttle(burst: Int = 3) -> RestartThrottle {
        var options = SupervisorOptions(workerPath: "/nonexistent")
        options.restartDelay = .milliseconds(100)
        options.restartDelayMaximum = .milliseconds(350)
        options.startLimitBurst = burst
        options.startLimitInterval = .seconds(10)
        return RestartThrottle(options)
    }

    @Test("delays double per failure in a row and stop at the maximum; a success starts over")
    func backOff() {
        var subject = throttle()
        let ms: UInt64 = 1_000_000
        #expect(subject.recordEnd(failed: true, ranFor: 1) == 100 * ms)
        #expect(subject.recordEnd(failed: true, ranFor: 1) == 200 * ms)
        #expect(subject.recordEnd(failed: true, ranFor: 1) == 350 * ms)
        #expect(subject.recordEnd(failed: true, ranFor: 1) == 350 * ms)
        #expect(subject.recordEnd(failed: false, ranFor: 1) == 100 * ms)
        #expect(subject.recordEnd(failed: true, ranFor: 1) == 100 * ms)
        // A run that lasted a whole interval was healthy.
        _ = subject.recordEnd(failed: true, ranFor: 1)
        #expect(subject.recordEnd(failed: true, ranFor: 11_000 * ms) == 100 * ms)
    }

    @Test("at most burst starts within the interval; older starts fall out of the window; reset clears")
    func startLimit() {
        var subject = throttle(burst: 3)
        let second: UInt64 = 1_000_000_000
        for time in [1, 2, 3].map({ $0 * second }) {
            #expect(subject.mayStart(at: time))
            subject.recordStart(at: time)
        }
        #expect(!subject.mayStart(at: 4 * second))
        #expect(subject.mayStart(at: 11 * second + 1), "the first start left the 10 s window")
        subject.reset()
        #expect(subject.mayStart(at: 4 * second))
    }
}
