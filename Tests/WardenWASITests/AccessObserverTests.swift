import Testing
@testable import WardenWASI

/// The learning hook reports what succeeded, beneath the preopen, and nothing that was
/// refused: a refused escape must never read as a use of the grant (learn would grant it).
@Suite struct AccessObserverTests {
    final class Recorder: AccessObserver {
        var accesses: [ObservedAccess] = []
        func observe(_ access: ObservedAccess) { accesses.append(access) }
    }

    @Test func refusedAndFailedCallsAreNotObserved() throws {
        let harness = try Harness()
        let recorder = Recorder()
        harness.wasi.observer = recorder
        try harness.write("file", "x")
        for path in ["../outside", "../../etc/passwd", "/etc/passwd", "a/../../x", "missing"] {
            let (address, length) = harness.put(path)
            #expect(harness.errno {
                try harness.wasi.pathFilestatGet(harness.memory, fd: 3, flags: 0, path: address, pathLength: length, result: 64)
            } != .success, "\(path)")
            #expect(harness.errno { _ = try harness.open(path) } != .success, "\(path)")
        }
        #expect(recorder.accesses.isEmpty, "\(recorder.accesses)")

        let (address, length) = harness.put("./file")
        try harness.wasi.pathFilestatGet(harness.memory, fd: 3, flags: 0, path: address, pathLength: length, result: 64)
        _ = try harness.open("file", rights: .fileReading)
        #expect(recorder.accesses == [ObservedAccess(preopen: 0, path: "file", kind: .stated),
                                      ObservedAccess(preopen: 0, path: "file", kind: .read)])
    }
}
