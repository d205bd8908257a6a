/// The version every executable prints for `--version` (warden, wardend, warden-worker).
public enum WardenVersion {
    public static let string = "0.1.0"
}
