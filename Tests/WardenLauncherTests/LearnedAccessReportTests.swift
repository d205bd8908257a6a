import Testing
import WardenAuthoring
import WardenLauncher

/// The launcher's check of a worker's access reports before they reach the learner.
@Suite struct LearnedAccessReportTests {
    @Test func aReportNamingAPreopenThatDoesNotExistIsRefused() {
        let learner = AccessLearner()
        #expect(!learner.add([.init(preopen: 3, path: "x", kind: 0)], preopenCount: 1))
        #expect(!learner.add([.init(preopen: 0, path: "x", kind: 200)], preopenCount: 1))
    }
}
