#!/bin/sh
# SHA-256 of a 64 MiB module: warden's digest (OpenSSL's libcrypto through
# Sources/WardenLauncher/SHA256.swift) against coreutils' sha256sum in the same run.
# BASELINE_REV=<commit> also builds that revision's Sources/WardenRun/SHA256.swift (the
# hand-written Swift digest warden had before libcrypto) for a before/after figure.
# Every figure is CPU time (the machines here are shared), medians of ROUNDS (default 7).
set -eu
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c $((64 << 20)) /dev/urandom > "$work/module.bin"
rounds=${ROUNDS:-7}

swiftc -O -parse-as-library -I Sources/CCrypto -o "$work/after" \
    Sources/WardenLauncher/SHA256.swift Benchmarks/digest/main.swift 2>/dev/null \
 || swiftc -O -I Sources/CCrypto -o "$work/after" Sources/WardenLauncher/SHA256.swift Benchmarks/digest/main.swift
echo "sha256sum (coreutils):"
for i in 1 2 3; do /usr/bin/time -f "  %U s user + %S s sys" sha256sum "$work/module.bin" >/dev/null; done 2>&1
echo "warden (libcrypto):"
"$work/after" "$work/module.bin" "$rounds"
if [ -n "${BASELINE_REV:-}" ]; then
    git show "$BASELINE_REV:Sources/WardenRun/SHA256.swift" > "$work/SHA256.swift"
    swiftc -O -o "$work/before" "$work/SHA256.swift" Benchmarks/digest/main.swift
    echo "warden before ($BASELINE_REV, Swift implementation):"
    "$work/before" "$work/module.bin" "$rounds"
fi
