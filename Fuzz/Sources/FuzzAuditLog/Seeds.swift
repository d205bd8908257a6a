import FuzzSamples
import WardenAudit

// Seeds from the encoder itself: a log holding one event of each kind, each event alone, and
// a log mixing events with lines the reader must skip.

@_cdecl("LLVMFuzzerInitialize")
public func initializeAuditLog(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let events = sampleEvents(module: "fuzz")
    var logs: [[UInt8]] = [events.flatMap { $0.jsonLine() }]
    for event in events { logs.append(event.jsonLine()) }
    logs.append(Array("not json\n\n   \n{\"v\":1}\n".utf8) + events[0].jsonLine() + Array("{\"v\":2,\"time\":\"x\"}".utf8))
    writeSeeds(logs.enumerated().map { ("seed-\($0.offset).jsonl", $0.element) })
    return 0
}
