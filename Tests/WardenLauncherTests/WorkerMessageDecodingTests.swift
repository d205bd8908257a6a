import Testing
import WardenIPC

/// The messages this session added (timeline, learn's accesses and usage) round-trip, and
/// hostile encodings of them are errors, never crashes or huge allocations.
@Suite struct WorkerMessageDecodingTests {
    @Test(arguments: [
        WorkerMessage.timeline(names: ["worker started", "hardening step seccomp"], times: [1, 2]),
        .accesses([LearnedAccess(preopen: 0, path: "in/a.txt", kind: 0), LearnedAccess(preopen: 1, path: "", kind: 4)]),
        .usage(memoryBytes: 131072, fuelConsumed: 42, peakOpenDescriptors: 7, environmentRead: true),
        .usage(memoryBytes: 0, fuelConsumed: nil, peakOpenDescriptors: 0, environmentRead: false),
    ])
    func roundTrips(message: WorkerMessage) throws {
        #expect(try WorkerMessage.decode(message.encoded()) == message)
    }

    @Test func hostileEncodingsAreRefused() {
        func u32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        let hostile: [[UInt8]] = [
            // timeline: two names, one time
            [9] + u32(2) + u32(1) + [0x61] + u32(1) + [0x62] + u32(1) + Array(repeating: 0, count: 8),
            // timeline: more names than allowed
            [9] + u32(65) + Array(repeating: 0, count: 65 * 4) + u32(0),
            // accesses: a count past the limit, with nothing behind it
            [12] + u32(65537),
            // accesses: truncated entry
            [12] + u32(1) + u32(0) + u32(5) + [0x61],
            // usage: truncated, and with a boolean that is neither 0 nor 1
            [13] + Array(repeating: 0, count: 7),
            [13] + Array(repeating: 0, count: 8) + [2],
            // trailing bytes after a valid usage
            WorkerMessage.usage(memoryBytes: 1, fuelConsumed: nil, peakOpenDescriptors: 1, environmentRead: false).encoded() + [0],
        ]
        for bytes in hostile {
            #expect(throws: WireError.self, "\(bytes.prefix(16))") { try WorkerMessage.decode(bytes) }
        }
    }
}
