/// Which containers warden-oci runs itself, decided as crun decides (handler-utils.c):
/// `run.oci.handler` = `wasm` (always) or `wasm-smart` (only when `process.args[0]` names a
/// `.wasm`/`.wat` file), or `module.wasm.image/variant` = `compat` (always) or
/// `compat-smart` (the same file-name test). Everything else — the pod's pause container,
/// sidecars, a plain image — goes unchanged to the host's runc.
public enum WasmDecision {
    public static let handlerAnnotation = "run.oci.handler"
    public static let variantAnnotation = "module.wasm.image/variant"

    public static func isWasm(annotations: [String: String], args: [String]) -> Bool {
        let looksLikeModule = args.first.map { $0.hasSuffix(".wasm") || $0.hasSuffix(".wat") } ?? false
        switch annotations[handlerAnnotation] {
        case "wasm": return true
        case "wasm-smart": return looksLikeModule
        default: break
        }
        switch annotations[variantAnnotation] {
        case "compat": return true
        case "compat-smart": return looksLikeModule
        default: return false
        }
    }
}
