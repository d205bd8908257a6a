import Testing
@testable import WardenAuthoring
import WardenWASI

/// The narrowing rule on its own: the deepest directories covering every access, read-only
/// unless something beneath was mutated.
@Suite struct LearnedPolicyTests {
    func preopens(_ accesses: [(String, AccessKind)]) -> [LearnedPolicy.Preopen] {
        let learner = AccessLearner()
        _ = learner.add(accesses.map { ObservedAccess(preopen: 0, path: $0.0, kind: $0.1) })
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

    /// Headroom over what the run used: memory twice the peak and 16 MiB more (whole MiB),
    /// cpu-time and wall-time ten times (at least 1 s and 10 s), open files twice (at least 16).
    @Test func limitsGetStatedHeadroom() {
        func policy(memory: UInt64, cpu: UInt64, wall: UInt64, descriptors: Int) -> LearnedPolicy {
            let learner = AccessLearner()
            learner.usage(memoryBytes: memory, fuelConsumed: nil, peakOpenDescriptors: UInt32(descriptors), environmentRead: false)
            learner.cpuNanoseconds = cpu
            learner.wallNanoseconds = wall
            return LearnedPolicy(moduleName: "m", modulePath: "/m.wasm", arguments: [], environment: [], user: nil, grants: [], learner: learner)
        }
        let small = policy(memory: 1 << 20, cpu: 4_000_000, wall: 30_000_000, descriptors: 3)
        #expect(small.memoryLimit == 17 << 20)
        #expect(small.cpuTimeSeconds == 1 && small.wallTimeSeconds == 10 && small.openFiles == 16)
        let busy = policy(memory: 100 << 20, cpu: 150_000_000, wall: 1_200_000_001, descriptors: 40)
        #expect(busy.memoryLimit == 200 << 20)
        #expect(busy.cpuTimeSeconds == 2, "10 x 0.15 s, rounded up")
        #expect(busy.wallTimeSeconds == 13, "10 x 1.2 s, rounded up")
        #expect(busy.openFiles == 80)
    }
}
