#!/bin/sh
# Builds and runs the libFuzzer harnesses (see README.md here).
#
#   Fuzz/fuzz.sh build                       build the one fuzzer (every harness in it)
#   Fuzz/fuzz.sh run SECONDS [HARNESS...]    build, then fuzz each for SECONDS on its corpus
#   Fuzz/fuzz.sh smoke [HARNESS...]          build, then a short run each (SMOKE=N s, default 5)
#
# One executable, .build/fuzzers/warden-fuzz, holds every harness (Fuzz/Harnesses in the main
# package); .build/fuzzers/<HARNESS> are links to it that pick the harness by name. Seeds are
# written by the fuzzer at start from the harness's list (generated from the encoders,
# Fuzz/Seeds/<harness>/, the test fixtures, Fuzz/Regressions/<harness>/); what a run finds goes
# to Fuzz/.build/corpus/<harness>/, crashing inputs to Fuzz/.build/findings/<harness>/.
set -eu
cd "$(dirname "$0")"
ALL="FuzzTOML FuzzPolicy FuzzAuditLog FuzzSuggest FuzzIPC FuzzWASI FuzzModule"
SWIFT=${SWIFT:-swift}
SWIFTC=${SWIFTC:-swiftc}
# Debug by default: it compiles in a fraction of the time. CONFIG=release fuzzes the optimized
# code that ships (Swift keeps its bounds and overflow checks at -O) and runs faster, after a
# much longer build.
CONFIG=${CONFIG:-debug}
OUT=.build/fuzzers
command=${1:-}; [ $# -gt 0 ] && shift
seconds=${SMOKE:-5}
if [ "$command" = run ]; then seconds=${1:?SECONDS}; shift; fi
harnesses=${*:-$ALL}

build() {
    mkdir -p "$OUT"
    start=$(date +%s)
    # Coverage (fuzzer) and address sanitizer on every module, C shim included. Not SwiftPM's
    # `--sanitize fuzzer --sanitize address`: it hands swiftc two -sanitize= flags in set order,
    # and swiftc keeps only the last, so a build got either coverage or ASan, never both.
    $SWIFT build -c "$CONFIG" --product WardenFuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -g \
        -Xcc -fsanitize=fuzzer-no-link,address >.build/build.log 2>&1 \
        || { cat .build/build.log; echo "fuzz: building failed" >&2; exit 1; }
    # libFuzzer's main; ld.gold's "cannot export local symbol __asan_*" warnings are harmless.
    # -u: libFuzzer's reference to LLVMFuzzerInitialize (harness choice, seeds) is weak, which
    # alone would not pull its object out of the archive. libseccomp/libcap/libcrypto: the
    # rooms the harnesses link bring their system libraries.
    $SWIFTC -sanitize=fuzzer,address -g -Xlinker -u -Xlinker LLVMFuzzerInitialize ".build/$CONFIG/libWardenFuzz.a" \
        -lseccomp -lcap -lcrypto -ldl -o "$OUT/warden-fuzz.new" 2>.build/link.log \
        || { cat .build/link.log; echo "fuzz: linking failed" >&2; exit 1; }
    # Renamed into place: a fuzzer still running from the old file keeps it.
    mv -f "$OUT/warden-fuzz.new" "$OUT/warden-fuzz"
    for h in $ALL; do ln -sf warden-fuzz "$OUT/$h"; done
    echo "fuzz: built $OUT/warden-fuzz ($CONFIG) in $(( $(date +%s) - start ))s"
}

run() {
    h=$1 time=$2
    corpus=.build/corpus/$h findings=.build/findings/$h seeds=.build/seeds/$h
    rm -rf "$seeds"
    mkdir -p "$corpus" "$findings" "$seeds"
    dict=""; [ -f "Seeds/$h.dict" ] && dict="-dict=Seeds/$h.dict"
    log=.build/$command-$h.log  # run-… or smoke-…: a smoke does not overwrite a long run's log
    # The fuzzer writes the harness's seeds into $seeds before libFuzzer reads the directories.
    # -timeout: one input taking 10 s is a hang; -rss_limit_mb: unbounded memory is a finding;
    # leaks are findings too (LeakSanitizer, libFuzzer's default with ASan).
    WARDEN_FUZZ_SEEDS=$seeds WARDEN_FUZZ_ROOT=.. SWIFT_BACKTRACE=enable=no "$OUT/$h" "$corpus" "$seeds" $dict \
        -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -artifact_prefix="$findings/" \
        -print_final_stats=1 >"$log" 2>&1 || {
        tail -40 "$log"; echo "fuzz: $h found a failure (input in $findings/)" >&2; return 1; }
    # A harness built without coverage still "runs": say so rather than report a blind run.
    grep -q "inline 8-bit counters" "$log" || { echo "fuzz: $h was built without coverage instrumentation" >&2; return 1; }
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    units=$(ls "$corpus" | wc -l)
    echo "fuzz: $h: $execs runs in ${time}s ($rate/s), corpus $units, no failure"
}

case "$command" in
    build) build ;;
    run|smoke)
        build
        status=0
        for h in $harnesses; do run "$h" "$seconds" || status=1; done
        exit $status ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
esac
