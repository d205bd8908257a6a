import Foundation
import Testing
import WardenTestSupport

/// args_*, environ_*, clock_*, proc_exit, proc_raise, sched_yield, random_get through
/// `Guests/fn_args_environ.c`, `fn_clock.c`, `fn_proc.c`.
@Suite("WASI functions: arguments, environment, clocks, process, random", .onEveryEngine)
struct WASIFunctionProcessTests {
    /// `arg[i]=<...>` lines plus count/size as the guest prints them.
    static func argsBlock(_ label: String, _ values: [String]) -> String {
        let size = values.reduce(0) { $0 + $1.utf8.count + 1 }
        var text = "\(label) count=\(values.count) size=\(size)\n"
        for (index, value) in values.enumerated() { text += "\(label)[\(index)]=<\(value)>\n" }
        return text + "\(label) packed=yes\n"
    }

    @Test("args_get, args_sizes_get: argv[0] is the module's file name (as wasmtime), options after MODULE go to the guest")
    func argsGet() throws {
        let module = try FnGuest.c("fn_args_environ")
        // Nothing in the environment is granted unless asked for: warden's own PATH, HOME... stay out.
        let arguments = ["hello", "two words", "", "--env", "B=2", "héllo ✓"]
        let result = Outcome(try Warden.run([module] + arguments, stdin: ""))
        expectRun(result, stdout: Self.argsBlock("arg", [(module as NSString).lastPathComponent] + arguments) + Self.argsBlock("env", []) + "getenv(A)=(null)\n")
    }

    @Test("environ_get, environ_sizes_get: exactly the --env grants, in order")
    func environGet() throws {
        let module = try FnGuest.c("fn_args_environ")
        let env = ["A=1", "SP=x y", "EMPTY=", "EQ=a=b", "UNI=ü"]
        let result = Outcome(try Warden.run(env.flatMap { ["--env", $0] } + [module], stdin: ""))
        expectRun(result, stdout: Self.argsBlock("arg", [(module as NSString).lastPathComponent]) + Self.argsBlock("env", env) + "getenv(A)=1\n")
    }

    @Test("clock_res_get: every clock has a plausible resolution; an unknown clock is inval")
    func clockResGet() throws {
        let result = try FnGuest.run("fn_clock")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(Array(lines.prefix(5)) == [
            "res realtime errno=0 plausible=yes",
            "res monotonic errno=0 plausible=yes",
            "res process_cputime errno=0 plausible=yes",
            "res thread_cputime errno=0 plausible=yes",
            "res invalid errno=28",
        ])
        #expect(result.status == 0 && !result.signaled, "stderr: \(result.stderr)")
    }

    @Test("clock_time_get: realtime matches the host, monotonic and both CPU clocks advance")
    func clockTimeGet() throws {
        let before = Int(Date().timeIntervalSince1970)
        let result = try FnGuest.run("fn_clock")
        let after = Int(Date().timeIntervalSince1970)
        #expect(result.status == 0 && !result.signaled, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 12, "\(lines)")
        #expect(Array(lines[5...6]) == ["time invalid errno=28", "time huge-id errno=28"])
        let real = try #require(lines[7].hasPrefix("realtime_seconds=") ? Int(lines[7].dropFirst(17)) : nil, "\(lines[7])")
        #expect(real >= before - 1 && real <= after + 1, "guest realtime \(real) outside host [\(before), \(after)]")
        #expect(Array(lines[8...]) == [
            "monotonic nondecreasing=yes",
            "process_cputime advanced=yes",
            "thread_cputime advanced=yes",
            "monotonic advanced=yes",
        ])
    }

    @Test("proc_exit: the code becomes the exit status (low 8 bits)",
          arguments: [(0, 0), (3, 3), (125, 125), (126, 126), (255, 255), (300, 44)] as [(UInt32, Int32)])
    func procExit(code: UInt32, status: Int32) throws {
        let result = try FnGuest.run("fn_proc", ["exit", "\(code)"])
        expectRun(result, status: status, stdout: "about to exit with \(code)\n")
    }

    @Test("proc_exit via returning from main")
    func procExitFromMain() throws {
        expectRun(try FnGuest.run("fn_proc", ["return", "9"]), status: 9, stdout: "returning 9 from main\n")
    }

    /// witx signal number → Linux signal number for the ones whose default action kills.
    @Test("proc_raise: a fatal signal ends the guest with 128+signal (warden itself is not signalled)",
          arguments: [(1, SIGHUP), (2, SIGINT), (6, SIGABRT), (9, SIGKILL), (10, SIGUSR1), (11, SIGSEGV),
                      (13, SIGPIPE), (15, SIGTERM), (30, SIGSYS)] as [(Int, Int32)])
    func procRaiseFatal(witx: Int, host: Int32) throws {
        let result = try FnGuest.run("fn_proc", ["raise", "\(witx)"])
        expectRun(result, status: 128 + host, stdout: "raising \(witx)\n")
    }

    @Test("proc_raise: signals ignored by default return success and the guest continues",
          arguments: [16, 17, 18, 19, 20, 21, 22, 27])
    func procRaiseIgnored(witx: Int) throws {
        let result = try FnGuest.run("fn_proc", ["raise", "\(witx)"])
        expectRun(result, stdout: "raising \(witx)\nraise returned errno=0\nend of main\n")
    }

    @Test("proc_raise: an unknown signal number is inval", arguments: [31, 64, 255])
    func procRaiseInvalid(number: Int) throws {
        let result = try FnGuest.run("fn_proc", ["raise", "\(number)"])
        expectRun(result, stdout: "raising \(number)\nraise returned errno=28\nend of main\n")
    }

    @Test("sched_yield returns success")
    func schedYield() throws {
        expectRun(try FnGuest.run("fn_proc", ["yield"]), stdout: "sched_yield x1000 errors=0\nend of main\n")
    }

    @Test("random_get: fresh bytes every call, exact length, 1 MiB in one call")
    func randomGet() throws {
        expectRun(try FnGuest.run("fn_proc", ["random"]), stdout: """
            random errno=0,0 differ=yes mostly-nonzero=yes
            zero-length errno=0 untouched=yes
            partial errno=0 written-outside=0
            1MiB errno=0 histogram-ok=yes tail-filled=yes
            end of main

            """)
    }
}
