// swift-tools-version:6.1
import PackageDescription

// Linux-only facilities (openat2, close_range, accept4, AT_EMPTY_PATH, ...) need _GNU_SOURCE
// in every target that imports Glibc, or the declarations stay hidden.
let gnuSource: [CSetting] = [.define("_GNU_SOURCE")]
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Warden",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "warden", targets: ["warden"]),
        .executable(name: "warden-probe", targets: ["warden-probe"]),
        .executable(name: "warden-worker", targets: ["warden-worker"]),
        .executable(name: "warden-worker-wasmtime", targets: ["warden-worker-wasmtime"]),
        .executable(name: "wardend", targets: ["wardend"]),
        .executable(name: "warden-oci", targets: ["warden-oci"]),
        .library(name: "WardenWASI", targets: ["WardenWASI"]),
        // For Fuzz/ (a separate package): the harnesses its one libFuzzer executable runs.
        .library(name: "WardenFuzzHarnesses", targets: ["WardenFuzzHarnesses"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swiftwasm/WasmKit", exact: "0.4.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C shim: Linux syscalls that have no glibc wrapper or are variadic.
        .target(name: "CWardenLinux", cSettings: gnuSource),
        // Typed syscall wrappers: the only room that calls libc I/O and process primitives (and
        // the C shim for them). WardenHardening, whose steps are system calls by nature, and the
        // test-only probe are the exceptions; every other `import Glibc` is for constants and
        // types, with a comment saying which.
        .target(name: "WardenSystem", dependencies: ["CWardenLinux"], cSettings: gnuSource, swiftSettings: strict),
        // libseccomp and libcap, found with pkg-config; only WardenHardening imports them.
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        // The worker's self-hardening: one file per step, an ordered sequence, seccomp groups.
        .target(
            name: "WardenHardening",
            dependencies: ["WardenSystem", "CWardenLinux", "CSeccomp", "CCap"],
            cSettings: gnuSource, swiftSettings: strict),
        // Test-only: applies the hardening through the same code, then attempts forbidden things.
        .executableTarget(
            name: "warden-probe",
            dependencies: ["WardenHardening", "WardenSystem", "CWardenLinux"],
            swiftSettings: strict),
        // Our WASI preview1 layer: engine-agnostic, never imports WasmKit.
        .target(name: "WardenWASI", dependencies: ["WardenSystem"], cSettings: gnuSource, swiftSettings: strict),
        // Thin glue between WasmKit's imports/memory and WardenWASI.
        .target(
            name: "WardenWASIWasmKit",
            dependencies: [
                "WardenWASI", "WardenSystem",
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WAT", package: "WasmKit"),
            ],
            cSettings: gnuSource, swiftSettings: strict),
        // wasmtime's C API: our own declarations, the library loaded at run time (dlopen), so
        // everything builds without it (`make wasmtime-lib` fetches the pinned release).
        // Its memory creator maps linear memories through CWardenLinux (only the system shim
        // calls mmap/mprotect/munmap).
        .target(name: "CWasmtime", dependencies: ["CWardenLinux"], linkerSettings: [.linkedLibrary("dl")]),
        // Thin glue between wasmtime's linker/memory and WardenWASI, behind GuestEngine.
        .target(name: "WardenWASIWasmtime", dependencies: ["WardenWASI", "CWasmtime"], swiftSettings: strict),
        // Supervisor/launcher ↔ worker wire format: framing, messages, descriptor passing.
        .target(name: "WardenIPC", dependencies: ["WardenSystem"], cSettings: gnuSource, swiftSettings: strict),
        // The worker role: configuration in → harden → parse/instantiate → run → report.
        // Single-threaded and synchronous; no Foundation.
        .target(
            name: "WardenWorker",
            dependencies: ["WardenIPC", "WardenWASI", "WardenWASIWasmKit", "WardenHardening", "WardenSystem"],
            cSettings: gnuSource, swiftSettings: strict),
        .executableTarget(name: "warden-worker", dependencies: ["WardenWorker"], swiftSettings: strict),
        // The worker for compiled code (WasmKit and wasmtime): dynamically linked, it loads
        // libwasmtime.so from next to itself (the build tree) or ../lib/warden (installed) by
        // an $ORIGIN path (CWasmtime/loader.c), without a RUNPATH (`make release` also drops
        // SwiftPM's own, --disable-local-rpath). Its own symbols are not exported (the Swift
        // driver exports them all, 5,000 here): nothing links against the worker, and the
        // runtime's start-up dladdr() scanned every one.
        .executableTarget(
            name: "warden-worker-wasmtime", dependencies: ["WardenWorker", "WardenWASIWasmKit", "WardenWASIWasmtime"],
            swiftSettings: strict,
            linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"])]),
        // JSON without Foundation: string literals for every room that writes JSON Lines, and a
        // bounded parser for the audit log reader.
        .target(name: "WardenJSON", swiftSettings: strict),
        // Audit events: one versioned model, its JSON Lines form, sinks (file, stderr, journal),
        // the per-module rate limiter and the log reader. No Foundation: the launcher links it.
        .target(name: "WardenAudit", dependencies: ["WardenJSON", "WardenSystem"], swiftSettings: strict),
        // TOML 1.0 without Foundation: every value, key and header located (line, column), typed
        // errors at a position, bounded nesting. Linking Foundation cost `warden` start-up time.
        .target(name: "WardenTOML", swiftSettings: strict),
        // Policy files: parse, validate, resolve; diagnostics with file:line:col. Pure: no I/O
        // beyond the text it is given (host facts come in through a protocol).
        .target(name: "WardenPolicy", dependencies: ["WardenJSON", "WardenTOML"], swiftSettings: strict),
        // OpenSSL's libcrypto (SHA-256 for module pins, the reload check and policy digests),
        // found with pkg-config; only WardenLauncher imports it.
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Policy authoring, pure: learn (evidence of one run → minimal policy), suggest (audit
        // refusals → policy diff) and explain. Policies and events in; policies, diffs, text out.
        .target(
            name: "WardenAuthoring",
            dependencies: ["WardenPolicy", "WardenAudit", "WardenJSON", "WardenWASI"],
            swiftSettings: strict),
        // The one room with ambient authority: opens modules and grants by host path, prepares,
        // spawns, configures, serves and reaps workers (WorkerProcess), times start-up, audits a
        // run. `warden run`, `warden learn` and wardend all launch through it.
        .target(
            name: "WardenLauncher",
            dependencies: [
                "WardenWASIWasmKit", "WardenWASI", "WardenSystem", "WardenPolicy", "WardenIPC", "WardenHardening",
                "WardenAudit", "WardenAuthoring", "CCrypto",
            ],
            cSettings: gnuSource, swiftSettings: strict),
        // The command-line grammar (swift-argument-parser) and, beside each command, its core:
        // help, usage errors, subcommands. `warden run` also has a hand parser (RunCommandLine)
        // for start-up time; a test keeps the two in agreement.
        .target(
            name: "WardenCLI",
            dependencies: [
                "WardenLauncher", "WardenAuthoring", "WardenAudit", "WardenPolicy", "WardenHardening", "WardenSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        .executableTarget(name: "warden", dependencies: ["WardenCLI", "WardenLauncher", "WardenSystem"], swiftSettings: strict),
        // The supervisor role: loads a policy directory, runs each module in its [service] mode
        // (once, daemon, per-connection), restarts, reloads, serves the control socket. One
        // dedicated thread owns every worker (PR_SET_PDEATHSIG follows the spawning thread).
        .target(
            name: "WardenSupervisor",
            dependencies: [
                "WardenLauncher", "WardenPolicy", "WardenIPC", "WardenSystem", "WardenHardening", "WardenAudit", "WardenJSON",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            cSettings: gnuSource, swiftSettings: strict),
        .executableTarget(
            name: "wardend",
            dependencies: ["WardenSupervisor", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        // The runc command-line contract: bundle → grants, state directory, create/start/kill/
        // delete/state/ps/features, and the hand-off of non-Wasm containers to runc.
        .target(
            name: "WardenOCI",
            dependencies: ["WardenLauncher", "WardenAudit", "WardenJSON", "WardenSystem"],
            cSettings: gnuSource, swiftSettings: strict),
        .executableTarget(name: "warden-oci", dependencies: ["WardenOCI"], swiftSettings: strict),
        // Test-only, like warden-probe: a harness for every place hostile bytes enter (Fuzz/
        // README.md). Fuzz/'s libFuzzer executable fuzzes them; warden-fuzz-replay runs them on
        // every seed and committed finding for WardenFuzzTests. They call libc for their checks.
        .target(
            name: "WardenFuzzHarnesses",
            dependencies: [
                "WardenTOML", "WardenPolicy", "WardenJSON", "WardenAudit", "WardenAuthoring", "WardenIPC", "WardenSystem",
                "WardenWASI", "WardenWASIWasmKit", "WardenWASIWasmtime",
            ],
            path: "Fuzz/Harnesses",
            cSettings: gnuSource, swiftSettings: strict),
        .executableTarget(name: "warden-fuzz-replay", dependencies: ["WardenFuzzHarnesses"], path: "Fuzz/Replay", swiftSettings: strict),
        // Builds guest modules from C/WAT sources at test time and runs the CLI.
        .target(name: "WardenTestSupport", path: "Tests/Support", swiftSettings: strict),
        .testTarget(
            name: "WardenWASITests",
            dependencies: ["WardenWASI", "WardenSystem", "WardenTestSupport"],
            cSettings: gnuSource, swiftSettings: strict),
        .testTarget(
            name: "WardenHardeningTests",
            dependencies: ["WardenHardening", "WardenTestSupport", "warden-probe", "warden-worker-wasmtime"],
            swiftSettings: strict),
        .testTarget(name: "WardenTOMLTests", dependencies: ["WardenTOML", "WardenTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "WardenPolicyTests",
            dependencies: ["WardenPolicy", "WardenTestSupport", "warden"],
            exclude: ["Fixtures"],
            swiftSettings: strict),
        .testTarget(
            name: "WardenAuditTests",
            dependencies: ["WardenAudit", "WardenJSON", "WardenSystem", "WardenTestSupport", "warden", "warden-worker"],
            exclude: ["Guests"],
            swiftSettings: strict),
        // `warden run` end to end: the launcher, the worker, the WASI layer behind both.
        .testTarget(
            name: "WardenLauncherTests",
            dependencies: ["WardenTestSupport", "WardenLauncher", "WardenAuthoring", "WardenIPC", "WardenSystem", "WardenWASI", "WardenWASIWasmKit", "warden", "warden-worker", "warden-worker-wasmtime"],
            exclude: ["Guests"],
            swiftSettings: strict),
        .testTarget(
            name: "WardenAuthoringTests",
            dependencies: ["WardenAuthoring", "WardenPolicy", "WardenWASI"],
            swiftSettings: strict),
        .testTarget(
            name: "WardenCLITests",
            dependencies: ["WardenCLI", "WardenLauncher"],
            swiftSettings: strict),
        // warden-oci under containerd (ctr) and podman, started and torn down by the tests.
        .testTarget(
            name: "WardenOCITests",
            dependencies: ["WardenOCI", "WardenLauncher", "WardenTestSupport", "warden-oci", "warden", "warden-worker"],
            exclude: ["Guests"],
            swiftSettings: strict),
        .testTarget(
            name: "WardenSupervisorTests",
            dependencies: ["WardenTestSupport", "WardenSupervisor", "wardend", "warden", "warden-worker", "warden-worker-wasmtime"],
            exclude: ["Guests"],
            swiftSettings: strict),
        // Every fuzz harness on its seeds and committed findings, in warden-fuzz-replay.
        .testTarget(
            name: "WardenFuzzTests",
            dependencies: ["WardenTestSupport", "warden-fuzz-replay"],
            swiftSettings: strict),
        // Faults injected into real processes (kill -9 under load, full disks, descriptor
        // exhaustion, stopped workers), each bounded in time and cleaning up what it started.
        .testTarget(
            name: "WardenFaultTests",
            dependencies: ["WardenTestSupport", "wardend", "warden", "warden-worker"],
            exclude: ["Guests"],
            swiftSettings: strict),
    ]
)
