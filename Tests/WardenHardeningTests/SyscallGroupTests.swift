import Foundation
import Testing
import WardenHardening
import WardenSystem

/// Invariants of the syscall group table (in the manner of systemd's test-seccomp), checked
/// in-process: building and exporting a filter does not load it.
@Suite("syscall groups")
struct SyscallGroupTests {
    static let allowed: [String] = SyscallGroups.all.flatMap { $0.rules.filter { $0.answer == .allow }.map(\.syscall) }
    static let everyName: [String] = SyscallGroups.all.flatMap(\.syscalls) + SyscallGroups.denied.map(\.name)

    @Test("groups are sorted by name, named @..., and each has a one-line description")
    func namesAndDescriptions() {
        let names = SyscallGroups.all.map(\.name)
        #expect(names == names.sorted())
        #expect(Set(names).count == names.count, "no group twice")
        for group in SyscallGroups.all {
            #expect(group.name.hasPrefix("@") && group.name.dropFirst().allSatisfy { $0.isLowercase || $0 == "-" }, "\(group.name)")
            #expect(!group.description.isEmpty && !group.description.contains("\n") && !group.description.hasSuffix("."), "\(group.name)")
            #expect(!group.rules.isEmpty, "\(group.name)")
        }
        #expect(SyscallGroups.listing().map(\.name) == names)
    }

    @Test("every syscall name resolves on this architecture")
    func namesResolve() {
        for name in Self.everyName {
            #expect(SeccompFilter.syscallNumber(name) != nil, "\(name) does not resolve with seccomp_syscall_resolve_name")
        }
    }

    @Test("nothing is both allowed and denied; the ENOSYS answers are not allowed either")
    func allowedAndDeniedAreDisjoint() {
        // @zygote (a per-connection worker only) narrows two denied calls to one use each;
        // `zygoteConditions` holds it to exactly those.
        // @exec-load (compiled engines only) narrows seccomp to stacking one filter;
        // `execLoadConditions` holds it to exactly that.
        let answered = Set(SyscallGroups.all.filter { !$0.onlyWhenForking && !$0.onlyWhenPublishingCode }.flatMap(\.syscalls))
        let denied = SyscallGroups.denied.map(\.name)
        #expect(answered.isDisjoint(with: denied), "\(answered.intersection(denied).sorted())")
        #expect(Set(denied).count == denied.count, "the deny list names a syscall twice")
        for entry in SyscallGroups.denied { #expect(!entry.reason.isEmpty, "\(entry.name)") }
        // The calls the brief singles out are on the deny list.
        for name in ["execve", "execveat", "ptrace", "mount", "umount2", "bpf", "perf_event_open", "keyctl", "add_key",
                     "request_key", "userfaultfd", "process_vm_readv", "process_vm_writev", "unshare", "setns",
                     "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid",
                     "setgroups", "tkill", "socket", "connect", "bind", "listen"] {
            #expect(denied.contains(name), "\(name)")
        }
    }

    /// The one syscall two groups share: @control allows sendmsg on fd 3 in every plan,
    /// @sockets anywhere when granted (the filter then leaves the narrower rule out).
    /// @zygote narrows two more: recvmsg to fd 3 and prlimit64 to setting RLIMIT_CPU.
    static let sharedSyscalls: Set<[String]> = [["sendmsg", "@control", "@sockets"], ["recvmsg", "@sockets", "@zygote"],
                                                ["prlimit64", "@process-info", "@zygote"],
                                                ["mmap", "@exec-load", "@memory"], ["mprotect", "@exec-load", "@memory"],
                                                ["pkey_mprotect", "@exec-load", "@memory"]]

    @Test("@exec-load: only for a compiling engine, executable only without writable, seccomp only to stack a flagless filter")
    func execLoadConditions() throws {
        let group = try #require(SyscallGroups.all.first { $0.name == "@exec-load" })
        #expect(group.onlyWhenPublishingCode && !group.onlyWithSockets && !group.onlyWhenForking)
        #expect(group.rules.map(\.description) == [
            "mmap(arg2 & 0x6 == 0x4)", "mprotect(arg2 & 0x6 == 0x4)", "pkey_mprotect(arg2 & 0x6 == 0x4)",
            "seccomp(arg0 & 0xffffffff == 0x1 && arg1 == 0x0)",
        ])
        var plan = HardeningPlan.SeccompPlan()
        #expect(!SyscallGroups.groups(for: plan).contains { $0.name == "@exec-load" })
        plan.publishingCode = true
        #expect(SyscallGroups.groups(for: plan).contains { $0.name == "@exec-load" })
        #expect(SeccompFilter.syscallNumber("seccomp") != nil)
    }

    @Test("@zygote: only in a forking plan, every rule conditional, fork without thread or namespace flags, no pinned self-signals")
    func zygoteConditions() throws {
        let zygote = try #require(SyscallGroups.all.first { $0.name == "@zygote" })
        #expect(zygote.rules.allSatisfy { !$0.conditions.isEmpty })
        #expect(zygote.rules.first { $0.syscall == "clone" }?.description == "clone(arg0 & 0xffffffff == 0x1200011)")
        #expect(zygote.rules.first { $0.syscall == "prctl" }?.description == "prctl(arg0 & 0xffffffff == 0x1 && arg1 & 0xffffffff == 0x9)")
        var plan = HardeningPlan.SeccompPlan()
        #expect(!SyscallGroups.groups(for: plan).contains { $0.name == "@zygote" })
        plan.forking = true
        let groups = SyscallGroups.groups(for: plan)
        #expect(groups.contains { $0.name == "@zygote" })
        // A pid fixed in the filter would name the zygote inside every instance.
        #expect(!groups.flatMap(\.rules).contains { ["kill", "tgkill"].contains($0.syscall) })
        #expect(SyscallGroups.groups(for: HardeningPlan.SeccompPlan()).flatMap(\.rules).contains { $0.syscall == "kill" })
    }

    @Test("no duplicates; a syscall lives in one group; several rules for one syscall are all conditional")
    func noDuplicates() {
        var owner: [String: String] = [:]
        for group in SyscallGroups.all {
            for name in group.syscalls {
                let shared = owner[name].map { Self.sharedSyscalls.contains([name, $0, group.name]) } ?? false
                #expect(owner[name] == nil || shared, "\(name) is in \(owner[name] ?? "") and \(group.name)")
                owner[name] = group.name
            }
            for (index, rule) in group.rules.enumerated() {
                #expect(!group.rules[..<index].contains(rule), "\(rule) twice in \(group.name)")
            }
            // libseccomp lets an unconditional rule replace the conditional ones silently.
            for name in group.syscalls {
                let rules = group.rules.filter { $0.syscall == name }
                if rules.count > 1 { #expect(rules.allSatisfy { !$0.conditions.isEmpty }, "\(name) mixes conditional and plain rules") }
            }
        }
    }

    @Test("the WASI layer's and the runtime's calls are covered")
    func coverage() {
        for name in ["openat2", "getdents64", "readv", "writev", "preadv", "pwritev", "read", "write", "lseek", "close",
                     "fstat", "newfstatat", "mkdirat", "unlinkat", "renameat", "linkat", "symlinkat", "readlinkat",
                     "utimensat", "ftruncate", "fallocate", "fadvise64", "fsync", "fdatasync", "fcntl", "ioctl", "ppoll",
                     "clock_gettime", "clock_getres", "getrandom", "sched_yield", "mmap", "munmap", "mprotect", "madvise",
                     "brk", "futex", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "exit_group"] {
            #expect(Self.allowed.contains(name), "\(name)")
        }
        let sockets = SyscallGroups.all.first { $0.name == "@sockets" }
        #expect(sockets?.onlyWithSockets == true)
        for name in ["accept4", "recvmsg", "sendmsg", "recvfrom", "sendto", "shutdown", "getsockopt"] {
            #expect(sockets?.syscalls.contains(name) == true, "\(name)")
        }
        #expect(!SyscallGroups.groups(for: .init(socketsGranted: false)).contains { $0.name == "@sockets" })
        #expect(SyscallGroups.groups(for: .init(socketsGranted: true)).contains { $0.name == "@sockets" })
    }

    @Test("the conditions that carry the policy")
    func conditions() {
        func rules(_ name: String) -> [SyscallRule] { SyscallGroups.all.flatMap(\.rules).filter { $0.syscall == name } }
        // W^X on every call that sets a protection: never executable, or (a compiling engine
        // publishing its code) executable but not writable.
        for name in ["mmap", "mprotect", "pkey_mprotect"] {
            #expect(rules(name).map(\.description) == ["\(name)(arg2 & 0x6 == 0x4)", "\(name)(arg2 & 0x4 == 0x0)"])
        }
        // openat only with a real dirfd, which no AT_FDCWD encoding is.
        #expect(rules("openat").map(\.description) == ["openat(arg0 <= 0x7fffffff)"])
        // ioctl commands compared on 32 bits, and TIOCSTI not among them.
        let ioctl = rules("ioctl")
        #expect(ioctl.allSatisfy { $0.conditions.count == 1 && $0.conditions[0].comparison == .maskedEqual(mask: 0xffff_ffff) })
        #expect(!ioctl.contains { $0.conditions[0].operand == .constant(0x5412) })
        // clone3 and io_uring answer ENOSYS.
        for name in ["clone3", "io_uring_setup", "io_uring_enter", "io_uring_register"] {
            #expect(rules(name).map(\.answer) == [.errno(ENOSYS)])
        }
        // The control socket, and only it, in every plan (an fd is an int: 32 bits).
        #expect(rules("sendmsg").filter { !$0.conditions.isEmpty }.map(\.description) == ["sendmsg(arg0 & 0xffffffff == 0x3)"])
        let control = SyscallGroups.all.first { $0.name == "@control" }
        #expect(control?.onlyWithSockets == false && control?.syscalls == ["sendmsg"])
        // Signals only to this process.
        for name in ["kill", "tgkill"] {
            #expect(rules(name).allSatisfy { $0.conditions.contains { $0.operand == .ownProcessID && $0.argument == 0 } })
        }
    }

    @Test("the filter builds and exports as PFC for auditors", arguments: [
        HardeningPlan.SeccompPlan(violation: .killProcess), HardeningPlan.SeccompPlan(violation: .permissionDenied, socketsGranted: true),
    ])
    func pfcExport(_ plan: HardeningPlan.SeccompPlan) throws {
        let filter = try SeccompFilter(plan: plan)
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let reader = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
        // The PFC text is a few KiB: well within a pipe buffer.
        try filter.exportPFC(to: FileDescriptor(rawValue: ends[1]))
        close(ends[1])
        let text = String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("# filter for arch x86_64"))
        #expect(text.contains("# filter for syscall \"openat2\""))
        #expect(!text.contains("\"execve\""), "execve has no rule: the default action refuses it")
        #expect(text.contains("# invalid architecture action\naction KILL_PROCESS;"))
        let defaultAction = plan.violation == .killProcess ? "action KILL_PROCESS;" : "action ERRNO(1);"
        #expect(text.contains("# default action\n  \(defaultAction)"))
        #expect(text.contains("\"accept4\"") == plan.socketsGranted)
    }

    @Test("an errno action outside 1...4095 is refused before anything is built", arguments: [0, 4096, -1] as [Int32])
    func invalidErrno(_ value: Int32) {
        #expect(throws: HardeningFailure.self) { try SeccompFilter(plan: .init(violation: .errno(value))) }
    }
}
