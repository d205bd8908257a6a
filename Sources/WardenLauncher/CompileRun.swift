// Glibc for constants only: O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW
import Glibc
import WardenSystem

/// `warden compile MODULE [-o FILE]`: the module compiled for the wasmtime engine by a
/// compile-only worker, written as an artifact to FILE or into the artifact cache.
public enum CompileRun {
    /// `metered`: for runs with a fuel budget (metering is compiled into the code). Returns
    /// the exit status (0, 125 when nothing was written, 64 for a usage problem).
    public static func run(module: String, output: String?, metered: Bool, cache: String?) -> Int32 {
        func fail(_ status: Int32, _ message: String) -> Int32 {
            OperatorOutput.printError("warden: \(OperatorOutput.sanitized(message))")
            return status
        }
        let authority = AmbientAuthority(purpose: "warden compile: the module file, the artifact file or cache")
        let bytes: [UInt8]
        do { bytes = try authority.readFile(module, limit: PreparedModule.maxModuleBytes) } catch {
            return fail(ExitStatus.launchFailure, "cannot read module '\(module)': \(error)")
        }
        var options = RunOptions(modulePath: module)
        options.engine = "wasmtime"
        options.fuel = metered ? 1 : nil
        options.artifactCache = cache
        let name = String(module.split(separator: "/").last ?? Substring(module))
        let auditor: RunAuditor
        do { auditor = try RunAuditor.open(options, module: name, authority: authority) } catch {
            return fail(ExitStatus.launchFailure, "cannot open the audit output: \(error)")
        }
        defer { auditor.close() }
        let key = ArtifactKey(moduleDigest: SHA256.hex(of: bytes), fuelMetered: metered)
        // Into the cache: checked (root-owned, not writable by others) before any work.
        var target: ArtifactCache?
        if output == nil {
            guard ProcessControl.effectiveUserID == 0 else {
                return fail(ExitStatus.usage, "only root writes the artifact cache; name a file with -o FILE")
            }
            do { target = try ArtifactCache.open(cache, authority: authority) } catch { return fail(ExitStatus.launchFailure, error.description) }
            guard target != nil else { return fail(ExitStatus.usage, "the artifact cache is off; name a file with -o FILE") }
        }
        let code: [UInt8]
        do { code = try ArtifactCompiler.compile(bytes, options: options, moduleName: name, auditor: auditor) } catch {
            return fail(ExitStatus.launchFailure, error.description)
        }
        if let target {
            do { try target.store(key, payload: code) } catch { return fail(ExitStatus.launchFailure, error.description) }
            try? FileDescriptor.standardOutput.writeAll("\(target.path)/\(key.fileName)\n")
            return 0
        }
        let path = output!
        do {
            let file = try authority.openFile(path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode: 0o644)
            defer { try? file.close() }
            let encoded = ArtifactFile.encode(key: key, payload: code)
            let written: Errno? = encoded.withUnsafeBytes { buffer in
                do throws(Errno) { try file.writeAll(buffer); return nil } catch { return error }
            }
            if let written { throw written }
        } catch {
            return fail(ExitStatus.launchFailure, "cannot write '\(path)': \(error)")
        }
        try? FileDescriptor.standardOutput.writeAll("\(path)\n")
        return 0
    }
}
