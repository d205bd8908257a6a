// Glibc for types only: POLLHUP, POLLNVAL
import Glibc
import WardenSystem

extension WASIPreview1 {
    private struct Subscription {
        var userdata: UInt64
        var tag: UInt8
        var fd: UInt32 = 0
        var deadline: UInt64 = 0  // monotonic nanoseconds, for clocks
        var error: WASIErrno = .success
        var immediate = false     // regular files are always ready
        var pollIndex: Int? = nil
    }

    /// `poll_oneoff`: clock subscriptions (realtime/monotonic, relative or absolute) and fd
    /// read/write readiness. Regular files are always ready, as POSIX says; pipes, sockets
    /// and ttys go to ppoll(2). Returns when at least one event is ready.
    public func pollOneoff(_ memory: GuestMemory, input: UInt32, output: UInt32, count: UInt32, eventCount: UInt32) throws(WASIErrno) {
        guard count > 0 else { throw .inval }
        guard Int(count) <= configuration.maxPollSubscriptions else {
            throw deny("poll_oneoff", fd: nil, descriptor: nil, path: nil, .resourceLimit, .inval)
        }
        _ = try memory.bytes(at: input, count: count * UInt32(Layout.subscriptionSize))
        _ = try memory.bytes(at: output, count: count * UInt32(Layout.eventSize))
        _ = try memory.bytes(at: eventCount, count: 4)

        let now: UInt64
        do throws(Errno) { now = try SystemClock.monotonic.now() } catch { throw WASIErrno(error) }
        var subscriptions: [Subscription] = []
        var requests: [PollRequest] = []
        subscriptions.reserveCapacity(Int(count))
        for index in 0..<count {
            let base = input + index * UInt32(Layout.subscriptionSize)
            var subscription = Subscription(userdata: try memory.load(UInt64.self, at: base),
                                            tag: try memory.load(UInt8.self, at: base + 8))
            switch subscription.tag {
            case 0:
                let clockID = try memory.load(UInt32.self, at: base + 16)
                let timeout = try memory.load(UInt64.self, at: base + 24)
                let absolute = try memory.load(UInt16.self, at: base + 40) & 1 != 0
                switch ClockID(rawValue: clockID) {
                case .monotonic:
                    subscription.deadline = absolute ? timeout : now &+ min(timeout, UInt64.max - now)
                case .realtime:
                    if absolute {
                        let wall = (try? SystemClock.realtime.now()) ?? 0
                        subscription.deadline = timeout > wall ? now &+ (timeout - wall) : now
                    } else {
                        subscription.deadline = now &+ min(timeout, UInt64.max - now)
                    }
                default:
                    subscription.error = .inval
                    subscription.immediate = true
                }
            case 1, 2:
                subscription.fd = try memory.load(UInt32.self, at: base + 16)
                do {
                    _ = try resolved(subscription.fd)
                    let descriptor = try self.descriptor(subscription.fd, .pollFdReadwrite, "poll_oneoff")
                    if descriptor.fileType == .regularFile || descriptor.kind == .directory {
                        subscription.immediate = true
                    } else {
                        subscription.pollIndex = requests.count
                        requests.append(PollRequest(descriptor: descriptor.host,
                                                    events: subscription.tag == 1 ? PollRequest.readable : PollRequest.writable))
                    }
                } catch {
                    subscription.error = error
                    subscription.immediate = true
                }
            default:
                throw .inval
            }
            subscriptions.append(subscription)
        }

        var ready: [Int] = []
        while true {
            let hasImmediate = subscriptions.contains { $0.immediate }
            var timeout: UInt64? = hasImmediate ? 0 : nil
            let current = (try? SystemClock.monotonic.now()) ?? now
            for subscription in subscriptions where subscription.tag == 0 && subscription.error == .success {
                let remaining = subscription.deadline > current ? subscription.deadline - current : 0
                timeout = min(timeout ?? remaining, remaining)
            }
            do throws(Errno) { _ = try ppoll(&requests, timeoutNanoseconds: timeout) } catch { throw WASIErrno(error) }
            let after = (try? SystemClock.monotonic.now()) ?? current
            for (index, subscription) in subscriptions.enumerated() {
                if subscription.immediate { ready.append(index) }
                else if let poll = subscription.pollIndex, requests[poll].returnedEvents != 0 { ready.append(index) }
                else if subscription.tag == 0, subscription.deadline <= after { ready.append(index) }
            }
            if !ready.isEmpty { break }
        }

        for (slot, index) in ready.enumerated() {
            let subscription = subscriptions[index]
            let base = output + UInt32(slot * Layout.eventSize)
            _ = try memory.bytes(at: base, count: UInt32(Layout.eventSize)).initializeMemory(as: UInt8.self, repeating: 0)
            try memory.store(subscription.userdata, at: base)
            try memory.store(subscription.error.rawValue, at: base + 8)
            try memory.store(subscription.tag, at: base + 10)
            guard subscription.tag != 0, subscription.error == .success else { continue }
            var bytes: UInt64 = 0
            var flags: UInt16 = 0
            let descriptor = try? table.get(subscription.fd)
            if let poll = subscription.pollIndex {
                let events = requests[poll].returnedEvents
                if events & Int16(POLLHUP) != 0 { flags |= 1 }
                if events & Int16(POLLNVAL) != 0 { try memory.store(WASIErrno.badf.rawValue, at: base + 8) }
                if subscription.tag == 1, let descriptor { bytes = UInt64((try? descriptor.host.bytesReadable()) ?? 0) }
            } else if subscription.tag == 1, let descriptor, descriptor.fileType == .regularFile {
                let size = (try? descriptor.host.status().size) ?? 0
                let position = (try? descriptor.host.seek(offset: 0, from: .current)) ?? 0
                bytes = UInt64(max(0, size - position))
            }
            try memory.store(bytes, at: base + 16)
            try memory.store(flags, at: base + 24)
        }
        try memory.store(UInt32(ready.count), at: eventCount)
    }
}
