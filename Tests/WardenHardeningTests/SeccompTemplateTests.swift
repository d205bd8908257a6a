import Testing
import WardenHardening

/// The launcher compiles a worker's filter before the worker exists, with a placeholder pid,
/// then aims it at the real pid: that must give exactly the program compiled for that pid.
@Suite("seccomp program templates")
struct SeccompTemplateTests {
    static let plans: [HardeningPlan.SeccompPlan] = [
        .worker(onViolation: "kill", socketsGranted: false, reportViolations: true, excludedGroups: []),
        .worker(onViolation: "errno", socketsGranted: true, reportViolations: true, excludedGroups: []),
        .worker(onViolation: "kill", socketsGranted: true, reportViolations: false, excludedGroups: ["@time"]),
        .worker(onViolation: "errno", socketsGranted: false, reportViolations: false, excludedGroups: ["@signals"]),
    ]

    @Test("a template aimed at a pid is byte for byte the program compiled for it", arguments: plans)
    func templateMatchesDirectCompile(plan: HardeningPlan.SeccompPlan) throws {
        let template = try SeccompFilter.template(plan: plan)
        for pid: Int32 in [1, 4242, 4_194_303, 0x00ff_00ff] {
            let direct = try SeccompFilter(plan: plan, processID: pid).compiledProgram()
            #expect(template.program(forProcess: pid) == direct, "pid \(pid)")
        }
    }

    @Test("the placeholder is gone from every aimed program and the pid is in it")
    func placeholderReplaced() throws {
        let template = try SeccompFilter.template(plan: Self.plans[0])
        let program = template.program(forProcess: 4242)
        let constants = stride(from: 0, to: program.count, by: 8).map { offset in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(program[offset + 4 + $1]) << (8 * $1) }
        }
        #expect(!constants.contains(UInt32(bitPattern: SeccompProgramTemplate.placeholder)))
        #expect(constants.contains(4242), "the own-pid rules compare with the worker's pid")
        #expect(program.count % 8 == 0 && program.count / 8 <= 4096)
    }
}
