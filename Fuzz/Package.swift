// swift-tools-version:6.1
import Foundation
import PackageDescription

// The libFuzzer executable for Warden's harnesses (see README.md here).
//
// The harnesses themselves are the main package's WardenFuzzHarnesses (Fuzz/Harnesses), so
// `swift test` replays their seeds and findings without sanitizers; this package only adds
// libFuzzer's entry points, in one static library that Fuzz/fuzz.sh links with libFuzzer's
// `main` (SwiftPM renames an executable target's entry point to `main` at link time, which
// would hide libFuzzer's — the approach WasmKit's own FuzzTesting takes). A separate package,
// so the coverage and address-sanitizer build has its own scratch directory (Fuzz/.build).
//
// A path dependency is known by its directory's name, which is whatever the checkout is
// called (main, wt-fuzz, warden...): read it rather than spell it.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "WardenFuzz",
    products: [.library(name: "WardenFuzz", type: .static, targets: ["WardenFuzz"])],
    dependencies: [.package(path: "..")],
    targets: [
        .target(
            name: "WardenFuzz",
            dependencies: [.product(name: "WardenFuzzHarnesses", package: root)],
            swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
