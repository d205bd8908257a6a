import Foundation
import Testing
import WardenAudit
import WardenJSON

@Suite struct AuditEventCodingTests {
    static let time = AuditTime(millisecondsSinceEpoch: 1_795_271_469_329)  // 2026-11-21T14:31:09.329Z

    static let kinds: [AuditEvent.Kind] = [
        .wasi(WASIRefusal(operation: "path_open", fd: 3, preopen: "/in", path: "../../etc/passwd", reason: "escape-attempt", errno: "notcapable")),
        .wasi(WASIRefusal(operation: "fd_write", reason: "rights", errno: "notcapable")),
        .seccomp(SyscallRefusal(syscall: "ptrace", number: 101, arguments: [0x10, 1, 0, 0, 0, 0], action: .killed, errno: nil)),
        .seccomp(SyscallRefusal(syscall: "getrandom", number: 318, arguments: [0, 16, 0, 0, 0, 0], action: .denied, errno: "EPERM")),
        .landlock(LandlockRefusal(operation: "path_open", fd: 4, preopen: "/data", path: "x\ny", errno: "EACCES")),
        .limit(LimitReached(limit: .memory, action: .refused, value: "64MiB", requested: "128MiB")),
        .limit(LimitReached(limit: .wallTime, action: .killed, value: "300ms")),
        .limit(LimitReached(limit: .output, action: .refused, value: "1MiB")),
        .policy(PolicyRefusal(reason: .digestMismatch, file: "/etc/warden/m.toml", expected: "ab", actual: "cd")),
        .policy(PolicyRefusal(reason: .invalidPolicy, file: "p.toml", diagnostics: ["p.toml:5:1: error: unknown key 'x'"])),
        .lifecycle(LifecycleChange(.started)),
        .lifecycle(LifecycleChange(.exited, status: 3)),
        .lifecycle(LifecycleChange(.crashed, status: 137, signal: 9, detail: "Killed")),
        .lifecycle(LifecycleChange(.restarted, detail: "on-failure")),
        .suppressed(Suppression(layer: "wasi", since: time, counts: [.init(reason: "escape-attempt", operation: "path_open", count: 99_000)])),
    ]

    @Test(arguments: kinds) func everyKindRoundTrips(_ kind: AuditEvent.Kind) throws {
        let event = AuditEvent(time: Self.time, module: "thumb\"nailer", instance: "00000000deadbeef", pid: 1234,
                               policyDigest: String(repeating: "0", count: 64), kind: kind)
        let line = event.jsonLine()
        #expect(line.last == 0x0a)
        #expect(!line.dropLast().contains(0x0a), "one event, one line")
        let decoded = try AuditEvent(jsonLine: line)
        #expect(decoded == event)
        // And Foundation reads the same line as a JSON object with the envelope.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect(object["v"] as? Int == 1)
        #expect(object["time"] as? String == "2026-11-21T14:31:09.329Z")
        #expect(object["module"] as? String == "thumb\"nailer")
        #expect(object["layer"] as? String == event.layer)
    }

    @Test func unknownFieldsAreIgnored() throws {
        let line = #"{"v":1,"time":"2026-11-21T14:31:09.329Z","layer":"wasi","action":"denied","module":"m","instance":"i","pid":7,"policy":null,"op":"path_open","reason":"rights","errno":"notcapable","future":{"nested":[1,2,{"a":null}]},"also":true}"#
        let event = try AuditEvent(jsonLine: line)
        #expect(event.kind == .wasi(WASIRefusal(operation: "path_open", reason: "rights", errno: "notcapable")))
        #expect(event.pid == 7)
        #expect(event.policyDigest == nil)
    }

    @Test func anUnknownLayerIsKeptAsOther() throws {
        let event = try AuditEvent(jsonLine: #"{"v":1,"time":"2026-11-21T14:31:09Z","layer":"cgroup","action":"throttled","module":"m","op":"cpu","reason":"quota","path":"/x"}"#)
        guard case .other(let layer, let action, let fields) = event.kind else { Issue.record("\(event.kind)"); return }
        #expect(layer == "cgroup" && action == "throttled")
        #expect(fields["op"] == "cpu")
        #expect(event.operation == "cpu" && event.reason == "quota" && event.path == "/x")
        #expect(event.instance == "" && event.pid == nil)
    }

    @Test(arguments: [
        ("", "not JSON"),
        ("[1,2]", "not a JSON object"),
        ("{\"v\":1", "not JSON"),
        (#"{"time":"2026-11-21T14:31:09Z","layer":"wasi","action":"denied","module":"m"}"#, "missing schema version"),
        (#"{"v":2,"time":"2026-11-21T14:31:09Z","layer":"wasi","action":"denied","module":"m"}"#, "schema version 2 is not supported"),
        (#"{"v":1,"time":"yesterday","layer":"wasi","action":"denied","module":"m"}"#, "invalid time"),
        (#"{"v":1,"time":"2026-11-21T14:31:09Z","layer":"wasi","action":"denied","module":"m","reason":"r","errno":"e"}"#, "missing field \"op\""),
        (#"{"v":1,"time":"2026-11-21T14:31:09Z","layer":"wasi","action":"denied","module":7}"#, "field \"module\" is not a string"),
    ]) func malformedLinesSayWhy(_ line: String, _ expected: String) {
        #expect(throws: AuditDecodeError.self) { try AuditEvent(jsonLine: line) }
        do { _ = try AuditEvent(jsonLine: line) } catch { #expect(error.message.contains(expected), "\(error)") }
    }

    @Test func hostileTextStaysInsideItsString() throws {
        let path = "a\"}\n{\"v\":1,\u{7f}\u{01}\\é😀"
        let event = AuditEvent(time: Self.time, module: "m", instance: "i", pid: nil, policyDigest: nil,
                               kind: .wasi(WASIRefusal(operation: "path_open", path: path, reason: "escape-attempt", errno: "notcapable")))
        let line = event.jsonLine()
        #expect(line.filter { $0 == 0x0a }.count == 1)
        #expect(try AuditEvent(jsonLine: line).path == path)
        #expect(!event.textLine.contains("\n"))
        #expect(event.textLine.contains("\\x01"))
    }

    @Test func deepNestingIsRefusedNotRecursedInto() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(deep) }
    }

    @Test func jsonParserReadsEscapesAndSurrogates() throws {
        let value = try JSONValue.parse(#"{"a":"\u00e9\ud83d\ude00\n\/","n":-12.5e3,"b":[true,false,null]}"#)
        #expect(value["a"]?.string == "é😀\n/")
        #expect(value["n"] == .number("-12.5e3"))
        #expect(value["b"]?.array == [.bool(true), .bool(false), .null])
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(#""\ud83d""#) }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("{} x") }
    }

    @Test func timesFormatAndParse() throws {
        #expect(Self.time.description == "2026-11-21T14:31:09.329Z")
        #expect(AuditTime(rfc3339: "2026-11-21T14:31:09.329Z") == Self.time)
        #expect(AuditTime(rfc3339: "2026-11-21T16:31:09.329+02:00") == Self.time)
        #expect(AuditTime(rfc3339: "2026-11-21T14:31:09.3291234Z") == Self.time)
        #expect(AuditTime(rfc3339: "2026-11-21")?.description == "2026-11-21T00:00:00.000Z")
        #expect(AuditTime(rfc3339: "1969-12-31T23:59:59.999Z")?.millisecondsSinceEpoch == -1)
        #expect(AuditTime(millisecondsSinceEpoch: -1).description == "1969-12-31T23:59:59.999Z")
        #expect(AuditTime(rfc3339: "2024-02-29T00:00:00Z")?.description == "2024-02-29T00:00:00.000Z")
        for bad in ["2026-13-01", "2026-11-21T25:00Z", "2026-11-21T14:31:09.Z", "21/11/2026", "2026-11-21T14:31:09Zjunk"] {
            #expect(AuditTime(rfc3339: bad) == nil, "\(bad)")
        }
        // Every day of a few years agrees with the C library.
        for day in stride(from: Int64(-800), to: 30_000, by: 7) {
            let time = AuditTime(millisecondsSinceEpoch: day * 86_400_000 + 45_296_007)
            var seconds = time_t(day * 86_400 + 45_296)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.007Z", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                                  parts.tm_hour, parts.tm_min, parts.tm_sec)
            #expect(time.description == expected)
            #expect(AuditTime(rfc3339: expected) == time)
        }
    }
}

extension AuditEvent.Kind: CustomTestStringConvertible {
    public var testDescription: String { "\(self)".prefix(60).description }
}
