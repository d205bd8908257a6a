import Glibc
import Testing
import WardenIPC
import WardenSystem

/// The control socket between launcher and worker: a configuration and its descriptors arrive
/// together, in order; a peer that goes away with bytes unread is a hang-up, not garbage.
@Suite struct ControlMessageTests {
    func pair() throws -> (FileDescriptor, FileDescriptor) {
        var fds: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0)
        return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
    }

    /// The inode a descriptor refers to (equal for two descriptors of one open file's object).
    func inode(_ fd: FileDescriptor) -> UInt64 {
        var status = stat()
        return fstat(fd.rawValue, &status) == 0 ? UInt64(status.st_ino) : 0
    }

    @Test func aFrameCarriesSeveralDescriptorsInOrderAndExtrasAreClosed() throws {
        let (launcher, worker) = try pair()
        defer { try? launcher.close(); try? worker.close() }
        let first = try FileDescriptor.sealedMemory(named: "first", holding: [1])
        let second = try FileDescriptor.sealedMemory(named: "second", holding: [2, 2])
        defer { try? first.close(); try? second.close() }
        let channel = ControlChannel(socket: launcher)
        try channel.send(Array("configuration".utf8), passing: [first, second])
        let received = try #require(try ControlChannel(socket: worker).receive(keeping: 2))
        #expect(received.payload == Array("configuration".utf8))
        #expect(received.descriptors.map(inode) == [inode(first), inode(second)], "both, in the order sent")
        for descriptor in received.descriptors { try? descriptor.close() }

        // A receiver that keeps one gets the first; the other is closed, not leaked.
        let before = openDescriptorCount()
        try channel.send([7], passing: [first, second])
        let one = try #require(try ControlChannel(socket: worker).receive())
        #expect(one.payload == [7] && one.descriptor.map(inode) == inode(first))
        #expect(openDescriptorCount() == before + 1, "only the kept descriptor is open")
        try? one.descriptor?.close()
    }

    @Test func aPeerGoneWithBytesUnreadIsAHangUpAfterWhatItSent() throws {
        let (launcher, worker) = try pair()
        defer { try? launcher.close() }
        // The launcher's bytes sit unread in the worker's queue; the worker reports, then goes.
        try ControlChannel(socket: launcher).send(Array("configuration nobody reads".utf8))
        try ControlChannel(socket: worker).send(Array("last words".utf8))
        try worker.close()
        var reader = FrameReader(socket: launcher)
        #expect(fcntl(launcher.rawValue, F_SETFL, fcntl(launcher.rawValue, F_GETFL) | O_NONBLOCK) == 0)
        let events = try reader.drain()
        #expect(events.count == 2, "\(events)")
        if case .frame(let payload, _, _) = events.first { #expect(payload == Array("last words".utf8)) } else { Issue.record("no frame: \(events)") }
        if case .endOfStream = events.last {} else { Issue.record("no end of stream: \(events)") }
    }

    func openDescriptorCount() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return -1 }
        defer { closedir(directory) }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        return count
    }
}
