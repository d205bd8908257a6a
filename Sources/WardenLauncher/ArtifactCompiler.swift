import WardenHardening
import WardenIPC
import WardenSystem
import WardenWASI

/// Compiling a module into an artifact, in a process made for nothing else: a
/// `warden-worker-wasmtime` told `artifact = compile` hardens exactly as a running worker does
/// (its own identity, namespaces, no capabilities, Landlock with no grants, the seccomp
/// allowlist with @exec-load), compiles, sends the serialized code over its control socket
/// and exits without instantiating anything. No process that ever ran guest code produces
/// code another process will run.
public enum ArtifactCompiler {
    /// The longest a compilation may take (a large module on a loaded machine).
    static let wallTime = Duration.seconds(600)

    /// The serialized code of `moduleBytes` compiled as `options` runs it (its fuel setting);
    /// refusals of the compile worker go to `auditor`.
    public static func compile(_ moduleBytes: [UInt8], options: RunOptions, moduleName: String,
                               auditor: RunAuditor) throws(ArtifactError) -> [UInt8] {
        let authority = AmbientAuthority(purpose: "compiling an artifact: the worker executable next to warden")
        guard let worker = WorkerLauncher.workerPath(engine: "wasmtime"), authority.canExecute(worker) else {
            throw ArtifactError("cannot find warden-worker-wasmtime next to warden; the wasmtime engine is unavailable (build or install it: make wasmtime-lib)")
        }
        let image: FileDescriptor
        do { image = try .sealedMemory(named: "warden-module", holding: moduleBytes) } catch {
            throw ArtifactError("cannot stage the module: \(error)")
        }
        defer { try? image.close() }

        // Only what compiling needs: no grants, no listeners, no environment, no learner.
        var compileOptions = RunOptions(modulePath: options.modulePath)
        compileOptions.engine = "wasmtime"
        compileOptions.fuel = options.fuel
        compileOptions.namespaces = options.namespaces
        compileOptions.landlock = options.landlock
        compileOptions.onSyscallViolation = "kill"
        compileOptions.auditPath = options.auditPath
        let identity = WorkerLauncher.transientIdentity()
        let launcher = WorkerLauncher(options: compileOptions, moduleName: moduleName,
                                      configuration: WASIConfiguration(), auditor: auditor, identity: identity)
        let process: WorkerProcess
        do {
            process = try WorkerProcess(worker: worker, layout: { control in
                [FileDescriptor.standardInput.rawValue, FileDescriptor.standardOutput.rawValue, FileDescriptor.standardError.rawValue,
                 control, image.rawValue]
            }, launcher: launcher, perConnection: nil, wallTime: wallTime)
        } catch {
            throw ArtifactError("cannot start the compile worker: \(error.what(worker: worker)): \(error.errno)")
        }
        process.collectsArtifact = true
        var setup = launcher.workerConfiguration()
        setup.artifact = .compile
        do throws(HardeningFailure) {
            let template = try SeccompFilter.template(plan: WorkerLauncher.seccompPlan(for: compileOptions))
            setup.hardening.seccompProgram = template.program(forProcess: process.pid)
        } catch {
            process.end()
            _ = WorkerLauncher.wait(for: process)
            throw ArtifactError("cannot build the compile worker's seccomp filter: \(error.message)")
        }
        process.configure(setup)
        let exit = WorkerLauncher.wait(for: process)
        guard exit.code == 0, exit.message.isEmpty, !process.artifact.isEmpty else {
            // The worker's own words when it said why (a load error names the module file).
            throw ArtifactError(exit.message.isEmpty ? "the compile worker for \(options.modulePath) \(exit.summary) without code" : exit.message)
        }
        return process.artifact
    }
}
