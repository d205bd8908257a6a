import FuzzSamples
import WardenAudit

// Seeds: logs of every event kind for the fixed policy, and for policies with and without
// [limits] and grants, each `POLICY\n%%\nLOG`.

let seedPolicies = [
    "version = 1\n[module]\nname = \"fuzz\"\npath = \"/srv/f.wasm\"\n",
    "version = 1\n[module]\nname = \"fuzz\"\npath = \"/srv/f.wasm\"\n[[preopen]]\nhost = \"/srv/in\"\nguest = \"/in\"\n[[preopen]]\nhost = \"/srv/out\"\nguest = \"/out\"\naccess = \"read\"\n[limits]\nfuel = 5\n",
]

@_cdecl("LLVMFuzzerInitialize")
public func initializeSuggest(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let log = sampleEvents(module: "fuzz").flatMap { $0.jsonLine() }
    var seeds: [(String, [UInt8])] = [("log-only.jsonl", log)]
    for (index, policy) in seedPolicies.enumerated() {
        seeds.append(("policy-\(index)", Array((policy + "%%\n").utf8) + log))
    }
    writeSeeds(seeds)
    return 0
}
