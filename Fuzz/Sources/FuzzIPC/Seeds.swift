import FuzzSamples
import WardenIPC

// Seeds from the encoder itself (so they follow the wire format as it changes): one file
// per message kind, each a framed payload as the worker sends it.

@_cdecl("LLVMFuzzerInitialize")
public func initializeIPC(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let messages: [WorkerMessage] = [
        .ready(layers: ["rlimits", "landlock", "seccomp"]),
        .listener,
        .denial(operation: "path_open", fd: 5, preopen: "/in", path: "../etc/passwd", reason: "escape-attempt", errno: "notcapable"),
        .kernelRefusal(operation: "path_open", fd: 5, preopen: nil, path: "x", errno: 13),
        .limitReached(limit: "memory", requested: 1 << 30),
        .hardeningFailed(step: "landlock", errno: 1, message: "Operation not permitted"),
        .loadFailed(message: "invalid module"),
        .exited(code: 3), .signaled(signal: 9), .trapped(reason: "unreachable"),
        .timeline(names: ["spawn", "ready"], times: [1, 2]),
        .instanceStarted(pid: 42), .instanceEnded(pid: 42, status: 0),
        .accesses([LearnedAccess(preopen: 0, path: "a/b", kind: 1)]),
        .usage(memoryBytes: 65536, fuelConsumed: 7, peakOpenDescriptors: 5, environmentRead: true),
    ]
    var frames: [[UInt8]] = messages.map(frame)
    // Two frames in one read, and a worker configuration (the other direction's payload).
    frames.append(frame(messages[0]) + frame(messages[2]))
    var configuration = WorkerConfiguration()
    configuration.moduleName = "fuzz"
    configuration.arguments = ["a"]
    configuration.preopens = [.init(guestPath: "/in", readWrite: false)]
    frames.append(configuration.encoded())
    writeSeeds(frames.enumerated().map { ("seed-\($0.offset)", $0.element) })
    return 0
}

func frame(_ message: WorkerMessage) -> [UInt8] {
    let payload = message.encoded()
    var writer = WireWriter()
    writer.blob(payload)
    return writer.bytes
}
