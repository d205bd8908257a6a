import ArgumentParser
import WardenLauncher
import WardenPolicy

/// `warden cache list` and `warden cache prune`: see and trim the artifact cache.
public struct CacheCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "See and prune the artifact cache (compiled wasmtime code; see warden(1), ARTIFACTS).",
        discussion: "The cache keeps itself under $WARDEN_ARTIFACT_CACHE_MAX (default 1GiB), evicting the least recently used artifacts when a new one is stored; prune trims it by hand.",
        subcommands: [List.self, Prune.self])

    /// `--artifact-cache DIR`, as warden run and warden compile take it.
    struct Location: ParsableArguments {
        @Option(name: .customLong("artifact-cache"), help: ArgumentHelp("The artifact cache directory (default: $WARDEN_ARTIFACT_CACHE, else /var/cache/warden).", valueName: "DIR"))
        var artifactCache: String?
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the cached artifacts, most recently used first: last use, size, state, module, engine, fuel, file.",
            discussion: "Reading the headers does not count as a use. State is current, obsolete (no run of this warden can load it: another wasmtime release, header format, code settings or machine), damaged, or temporary (a store in progress or left behind).")
        @OptionGroup var location: Location
        func run() throws { throw ExitCode(CacheCommandCore.list(cache: location.artifactCache)) }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove obsolete artifacts and left-over temporary files, then the least recently used until the rest fit (root only).",
            usage: "warden cache prune [--max SIZE | --all] [--artifact-cache DIR]",
            discussion: "Only the cache's own files are removed (artifacts and their temporary files); anything else in the directory stays.")
        @Option(help: ArgumentHelp("Keep at most SIZE of artifacts (512MiB, 2GiB; default: $WARDEN_ARTIFACT_CACHE_MAX, else 1GiB).", valueName: "SIZE"))
        var max: String?
        @Flag(help: "Remove every artifact.")
        var all = false
        @OptionGroup var location: Location

        func validate() throws {
            if all && max != nil { throw ValidationError("--all and --max exclude each other") }
            if let max, Units.size(max) == nil { throw ValidationError("--max '\(max)' is not a size (examples: 512MiB, 2GiB)") }
        }

        func run() throws {
            throw ExitCode(CacheCommandCore.prune(cache: location.artifactCache, max: max.flatMap(Units.size).map(Int64.init), all: all))
        }
    }
}
