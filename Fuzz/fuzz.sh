#!/bin/sh
# Builds and runs the libFuzzer harnesses (see README.md here).
#
#   Fuzz/fuzz.sh build [HARNESS...]          build (all by default)
#   Fuzz/fuzz.sh run SECONDS [HARNESS...]    build, then fuzz each for SECONDS on its corpus
#   Fuzz/fuzz.sh smoke [HARNESS...]          build, then a short run each (CI: `make test`)
#
# Seeds come from Fuzz/Seeds/<harness>/ (and, for FuzzModule, .wasm made here from the WAT
# sources in Fuzz/Seeds and Tests/); what a run finds goes to Fuzz/.build/corpus/<harness>/,
# crashing inputs to Fuzz/.build/findings/<harness>/.
set -eu
cd "$(dirname "$0")"
ALL="FuzzTOML FuzzPolicy FuzzAuditLog FuzzSuggest FuzzIPC FuzzWASI FuzzModule"
SWIFT=${SWIFT:-swift}
OUT=.build/fuzzers
command=${1:-}; [ $# -gt 0 ] && shift
seconds=10
if [ "$command" = run ]; then seconds=${1:?SECONDS}; shift; fi
harnesses=${*:-$ALL}

build() {
    mkdir -p "$OUT"
    for h in $harnesses; do
        # Coverage (fuzzer) and address sanitizer on every module the harness links, C shim
        # included. Not SwiftPM's `--sanitize fuzzer --sanitize address`: it hands swiftc two
        # -sanitize= flags in set order, and swiftc keeps only the last, so a build got either
        # coverage or ASan, never both (checked: a Swift object with both has sancov sections).
        $SWIFT build -c "$CONFIG" --product "$h" -Xswiftc -sanitize=fuzzer,address -Xswiftc -g \
            -Xcc -fsanitize=fuzzer-no-link,address >.build/build-$h.log 2>&1 \
            || { cat .build/build-$h.log; echo "fuzz: building $h failed" >&2; exit 1; }
        libs=""
        [ "$h" = FuzzSuggest ] && libs="-lseccomp -lcap"
        # libFuzzer's main; ld.gold's "cannot export local symbol __asan_*" warnings are harmless.
        # -u: libFuzzer's reference to LLVMFuzzerInitialize (seed writers) is weak, which alone
        # would not pull its object out of the archive.
        $SWIFTC -sanitize=fuzzer,address -g -Xlinker -u -Xlinker LLVMFuzzerInitialize ".build/$CONFIG/lib$h.a" $libs -o "$OUT/$h" 2>.build/link-$h.log \
            || { cat .build/link-$h.log; echo "fuzz: linking $h failed" >&2; exit 1; }
    done
}

# Tiny seed modules: WAT sources compiled here, never committed as binaries.
seed_modules() {
    dir=.build/seeds/FuzzModule
    rm -rf "$dir"; mkdir -p "$dir"
    for wat in Seeds/FuzzModule/*.wat ../Tests/*/Guests/*.wat; do
        [ -f "$wat" ] || continue
        name=$(echo "$wat" | tr '/' '_' | sed 's/^\.*_*//')
        wat2wasm --enable-all "$wat" -o "$dir/${name%.wat}.wasm" 2>/dev/null || echo "fuzz: note: wat2wasm refused $wat" >&2
    done
}

# Seeds for the wire protocol come from the encoder itself, so they follow the format.
run() {
    h=$1 time=$2
    corpus=.build/corpus/$h findings=.build/findings/$h
    mkdir -p "$corpus" "$findings"
    # Harnesses that generate seeds (LLVMFuzzerInitialize) write them here before the run reads it.
    generated=.build/seeds/$h
    [ "$h" = FuzzModule ] && seed_modules
    mkdir -p "$generated"
    seeds="$generated"; [ -d "Seeds/$h" ] && seeds="Seeds/$h $seeds"
    # Policy files: the policy fixtures and the shipped examples, where they live.
    case $h in FuzzTOML|FuzzPolicy)
        seeds="$seeds Seeds/FuzzTOML ../Tests/WardenPolicyTests/Fixtures/valid ../Tests/WardenPolicyTests/Fixtures/invalid ../policies" ;;
    esac
    dict=""; [ -f "Seeds/$h.dict" ] && dict="-dict=Seeds/$h.dict"
    # An instantiated module's store is never freed (its WASI imports hold the exported memory,
    # which holds the store: a cycle; README.md, Findings). One load per worker process makes
    # it harmless there; here it would stop every run at the first module that instantiates.
    asan=${ASAN_OPTIONS:-}
    [ "$h" = FuzzModule ] && { dict="$dict -detect_leaks=0"; asan="detect_leaks=0${asan:+:$asan}"; }
    log=.build/run-$h.log
    # -timeout: one input taking 10 s is a hang; -rss_limit_mb: unbounded memory is a finding.
    ASAN_OPTIONS=$asan WARDEN_FUZZ_SEEDS=$generated SWIFT_BACKTRACE=enable=no "$OUT/$h" "$corpus" $seeds $dict -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 \
        -max_len=4096 -artifact_prefix="$findings/" -print_final_stats=1 >"$log" 2>&1 || {
        tail -40 "$log"; echo "fuzz: $h found a failure (input in $findings/)" >&2; return 1; }
    # A harness built without coverage still "runs": say so rather than report a blind run.
    grep -q "inline 8-bit counters" "$log" || { echo "fuzz: $h was built without coverage instrumentation" >&2; return 1; }
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    units=$(ls "$corpus" | wc -l)
    echo "fuzz: $h: $execs runs in ${time}s ($rate/s), corpus $units, no failure"
}

SWIFTC=${SWIFTC:-swiftc}
# Debug by default: it compiles in a fraction of the time (CI builds these in `make test`).
# CONFIG=release fuzzes the optimized code that ships (Swift keeps its bounds and overflow
# checks at -O) and runs faster, after a much longer build.
CONFIG=${CONFIG:-debug}
case "$command" in
    build) build ;;
    run|smoke)
        build
        status=0
        for h in $harnesses; do run "$h" "$seconds" || status=1; done
        exit $status ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
esac
