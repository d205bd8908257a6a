// swift-tools-version:6.1
import Foundation
import PackageDescription

// libFuzzer harnesses for every place hostile bytes enter Warden (see README.md here).
//
// A separate package so the main package's `swift build` and `make test` never compile them.
// Each harness is a static library defining `LLVMFuzzerTestOneInput`; Fuzz/build.sh links it
// with libFuzzer's `main` (SwiftPM renames an executable target's entry point to `main` at link
// time, which would hide libFuzzer's — the approach WasmKit's own FuzzTesting takes).
//
// A path dependency is known by its directory's name, which is whatever the checkout is
// called (main, wt-fuzz, warden...): read it rather than spell it.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent
func warden(_ product: String) -> Target.Dependency { .product(name: product, package: root) }
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let harnesses: [(name: String, dependencies: [Target.Dependency])] = [
    ("FuzzTOML", [warden("WardenTOML")]),
    ("FuzzPolicy", [warden("WardenPolicy")]),
    ("FuzzAuditLog", ["FuzzSamples", warden("WardenAudit"), warden("WardenJSON"), warden("WardenSystem")]),
    ("FuzzSuggest", ["FuzzSamples", warden("WardenRun"), warden("WardenPolicy"), warden("WardenAudit")]),
    ("FuzzIPC", ["FuzzSamples", warden("WardenIPC"), warden("WardenSystem")]),
    ("FuzzWASI", ["FuzzSamples", warden("WardenWASI"), warden("WardenSystem")]),
    ("FuzzModule", [warden("WardenWASIWasmKit"), warden("WardenWASI"), warden("WardenSystem")]),
]

let package = Package(
    name: "WardenFuzz",
    products: harnesses.map { .library(name: $0.name, type: .static, targets: [$0.name]) },
    dependencies: [.package(path: "..")],
    targets: harnesses.map { .target(name: $0.name, dependencies: $0.dependencies, swiftSettings: strict) } + [
        // Seeds written from the encoders (events, frames), shared by several harnesses.
        .target(name: "FuzzSamples", dependencies: [warden("WardenAudit")], swiftSettings: strict),
    ]
)
