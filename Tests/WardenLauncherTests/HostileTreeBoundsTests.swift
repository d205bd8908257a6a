import Foundation
import Testing
import WardenTestSupport

/// Path calls whose guest pointers lie past linear memory: `fault`, and the tree is untouched
/// (a result slot out of bounds must not leave a created file or an open descriptor behind).
/// wasmtime traps on these instead; Warden answers `fault` (21), which the guest checks.
@Suite("Hostile tree: out-of-bounds guest pointers in path calls", .onEveryEngine)
struct HostileTreeBoundsTests {
    @Test("out-of-bounds path, target and result pointers are fault and change nothing")
    func outOfBoundsPointers() throws {
        let tree = try HostileTree()
        let before = tree.snapshot(excluding: [])
        let source = try String(contentsOf: Guests.packageRoot.appendingPathComponent("Tests/WardenLauncherTests/Guests/hostile_bounds.wat"),
                                encoding: .utf8)
        let module = try Guests.wat(source, name: "hostile_bounds")
        let result = try Warden.run(tree.sandboxGrant + [module])
        #expect(result.status == 0 && !result.signaled, "first call that did not fault: \(result.status - 100)\n\(result.stdout)\n\(result.stderr)")
        expectUnchanged(before, tree.snapshot(excluding: []), "(sandbox included)")
        #expect(tree.kind("sandbox/planted") == nil)
        #expect(tree.kind("sandbox/newdir") == nil)
    }
}
