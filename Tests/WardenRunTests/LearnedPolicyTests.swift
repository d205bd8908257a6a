import Testing
@testable import WardenRun
import WardenWASI

/// The narrowing rule on its own: the deepest directories covering every access, read-only
/// unless something beneath was mutated.
@Suite struct LearnedPolicyTests {
    func preopens(_ accesses: [(String, AccessKind)]) -> [LearnedPolicy.Preopen] {
        let learner = AccessLearner()
        _ = learner.add(accesses.map { .init(preopen: 0, path: $0.0, kind: $0.1.rawValue) }, preopenCount: 1)
        let policy = LearnedPolicy(moduleName: "m", modulePath: "/m.wasm", arguments: [], environment: [], user: nil,
                                   grants: [.init(host: "/srv/data", guest: "/data", readOnly: false)], learner: learner)
        return policy.preopens().preopens
    }

    @Test func siblingsStaySeparateAndNestedNeedsMerge() {
        let result = preopens([("in/a", .read), ("in/sub/b", .read), ("out/x", .created), ("out/x", .written)])
        #expect(result.map(\.host) == ["/srv/data/in", "/srv/data/out"])
        #expect(result.map(\.guest) == ["/data/in", "/data/out"])
        #expect(result.map(\.readWrite) == [false, true])
    }

    @Test func aFileAtTheTopNeedsTheWholeGrant() {
        let result = preopens([("top.txt", .read), ("in/a", .written)])
        #expect(result.map(\.host) == ["/srv/data"])
        #expect(result.first?.readWrite == true)
    }

    @Test func listingTheRootNeedsTheRootAndDeletingNeedsTheParent() {
        #expect(preopens([("", .listed)]).map(\.host) == ["/srv/data"])
        let deleting = preopens([("tmp/old", .deleted)])
        #expect(deleting.map(\.host) == ["/srv/data/tmp"])
        #expect(deleting.first?.readWrite == true)
        #expect(deleting.first?.evidence == ["deleted tmp/old"])
    }

    @Test func lexicalJoinAppliesDotsBeneathTheRoot() {
        #expect(ObservedPath.join("", "a/./b/../c") == "a/c")
        #expect(ObservedPath.join("in", "../out/x") == "out/x")
        #expect(ObservedPath.join("in", "") == "in")
    }

    @Test func aReportNamingAPreopenThatDoesNotExistIsRefused() {
        let learner = AccessLearner()
        #expect(!learner.add([.init(preopen: 3, path: "x", kind: 0)], preopenCount: 1))
        #expect(!learner.add([.init(preopen: 0, path: "x", kind: 200)], preopenCount: 1))
    }
}
