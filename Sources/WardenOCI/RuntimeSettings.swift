import WardenSystem

/// What a node's operator sets for warden-oci. Callers pass one executable path and no
/// arguments (`BinaryName`, `runtime_path`, podman's `--runtime`), so settings come from the
/// environment the caller runs it in (containerd's, CRI-O's, conmon's `conmon_env_vars`),
/// with defaults that suit a node.
public struct RuntimeSettings: Sendable {
    /// The host's runc, for every container that is not Wasm (`WARDEN_OCI_RUNC`).
    public var runcPath: String?
    /// One JSON Lines audit file per container, `DIR/ID.jsonl` (`WARDEN_OCI_AUDIT_DIR`).
    public var auditDirectory = "/var/log/warden-oci"
    /// Node policies named by the `warden.policy` annotation (`WARDEN_OCI_POLICY_DIR`).
    public var policyDirectory = "/etc/warden/oci"
    /// Also send audit events to the journal when one runs (`WARDEN_OCI_JOURNAL=0` turns it off).
    public var journal = true

    public static let runcCandidates = ["/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc", "/usr/local/bin/runc"]

    public init() {}

    public static func fromEnvironment() -> RuntimeSettings {
        var settings = RuntimeSettings()
        let own = ProcessControl.executablePath()
        settings.runcPath = Environment.value("WARDEN_OCI_RUNC")
            ?? runcCandidates.first { AmbientAuthority(purpose: "warden-oci: finding runc").canExecute($0) && $0 != own }
        if let directory = Environment.value("WARDEN_OCI_AUDIT_DIR"), !directory.isEmpty { settings.auditDirectory = directory }
        if let directory = Environment.value("WARDEN_OCI_POLICY_DIR"), !directory.isEmpty { settings.policyDirectory = directory }
        settings.journal = Environment.value("WARDEN_OCI_JOURNAL") != "0"
        return settings
    }

    public func auditPath(for id: String) -> String { auditDirectory + "/" + id + ".jsonl" }
}
