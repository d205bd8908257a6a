#!/usr/bin/env bash
# Audit benchmarks, measured with hyperfine in one run on one machine:
#
#  1. Sink throughput: refusal events per second that `warden run` writes to a JSON Lines file
#     (fsync off, rate limit out of the way), end to end: guest → WASI layer → worker control
#     socket → launcher → AuditLog → one write(2) per event. Every run is checked for loss: the
#     file must hold exactly N refusal events (plus the two lifecycle events).
#  2. The cost of auditing on a guest that makes no refusals: 1,000,000 × fd_write under this
#     warden against a warden built without the audit room (WARDEN_BASE), stdout to /dev/null,
#     in interleaved rounds.
#
# Nothing is asserted; targets are printed with MET / NOT MET.
#
# Environment knobs (all optional):
#   WARDEN=path        warden under test (default: build .build-static release, as run.sh)
#   WARDEN_BASE=path   warden without WardenAudit for (2) (skipped when unset)
#   CLANG=path         wasm32-wasi clang (default /usr/bin/clang-14)
#   BENCH_TMPDIR=dir   scratch directory parent (default $TMPDIR or /tmp)
#   BENCH_EVENTS       refusals per run for (1) (default 200000)
#   BENCH_RUNS         hyperfine runs per command (default 10; part 2 runs 3 × as many rounds)
#   BENCH_OUT=file     results file (default Benchmarks/results/audit-latest.txt)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
CLANG=${CLANG:-/usr/bin/clang-14}
EVENTS=${BENCH_EVENTS:-200000}
RUNS=${BENCH_RUNS:-10}
WRITES=1000000
OUT=${BENCH_OUT:-$HERE/results/audit-latest.txt}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'audit.sh: %s\n' "$*" >&2; exit 1; }
command -v hyperfine >/dev/null || die "hyperfine not found (apt-get install hyperfine)"
command -v python3 >/dev/null || die "python3 not found"

if [ -z "${WARDEN:-}" ]; then
    log "building warden and warden-worker (release, static Swift runtime, scratch .build-static)"
    (cd "$ROOT" && swift build -c release --scratch-path .build-static -Xswiftc -static-stdlib --product warden \
        && swift build -c release --scratch-path .build-static -Xswiftc -static-stdlib --product warden-worker) >&2
    WARDEN="$(cd "$ROOT" && swift build -c release --scratch-path .build-static --show-bin-path)/warden"
fi
[ -x "$WARDEN" ] || die "warden not found at $WARDEN"

WORK=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/warden-audit-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/in" "$WORK/json"
for name in escape write1m hello; do
    "$CLANG" --target=wasm32-wasi -O2 -Wl,--strip-debug "$HERE/guests/$name.c" -o "$WORK/$name.wasm"
done
cat > "$WORK/flood.toml" <<TOML
version = 1
[module]
name = "flood"
path = "$WORK/escape.wasm"
[[preopen]]
host = "$WORK/in"
guest = "/in"
[audit]
log = "$WORK/audit.jsonl"
rate-limit = 1000000000
[sandbox]
user = "nobody"
TOML

# Sanity: exactly EVENTS refusal events, each a JSON line, and nothing suppressed.
log "sanity: $EVENTS refusals → $EVENTS events"
"$WARDEN" run --policy "$WORK/flood.toml" -- "$EVENTS" || die "flood run failed"
python3 - "$WORK/audit.jsonl" "$EVENTS" <<'PY' || die "the audit file does not hold every event"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
events = [json.loads(l) for l in lines]
wasi = sum(1 for e in events if e["layer"] == "wasi" and e["action"] == "denied")
assert wasi == int(sys.argv[2]), (wasi, sys.argv[2])
assert not any(e["action"] == "suppressed" for e in events)
PY

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "measuring sink throughput ($EVENTS events per run)"
hyperfine -N --output=null --warmup 1 --runs "$RUNS" --prepare "truncate -s 0 $WORK/audit.jsonl" \
    --export-json "$WORK/json/flood.json" \
    -n hello "$WARDEN run $WORK/hello.wasm" \
    -n flood "$WARDEN run --policy $WORK/flood.toml -- $EVENTS" >&2
lines=$(wc -l < "$WORK/audit.jsonl")
[ "$lines" -eq $((EVENTS + 2)) ] || die "last measured run wrote $lines lines, expected $((EVENTS + 2))"

if [ -n "${WARDEN_BASE:-}" ]; then
    [ -x "$WARDEN_BASE" ] || die "WARDEN_BASE not found at $WARDEN_BASE"
    # Interleaved rounds (base, audit, audit-file, base, ...) rather than one command's runs
    # after another's: on a shared machine the load drifts over minutes, and a 1% question
    # needs each round's three runs to see the same load. The ratio is the median of the
    # per-round ratios.
    log "measuring the cost of auditing on $WRITES × fd_write (no refusals), $((RUNS * 3)) interleaved rounds"
    python3 - "$WORK/json/write.json" "$((RUNS * 3))" "$WARDEN_BASE" "$WARDEN" "$WORK" "$WRITES" <<'PY'
import json, subprocess, sys, time
out, rounds, base, warden, work, writes = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
commands = {
    "base": [base, "run", f"{work}/write1m.wasm", writes],
    "audit": [warden, "run", f"{work}/write1m.wasm", writes],
    "audit-file": [warden, "run", "--audit", f"{work}/write.jsonl", f"{work}/write1m.wasm", writes],
    # The same three on hello: what auditing adds per run (sink, instance id, lifecycle
    # events) is start-up; nothing of it is on the fd_write path.
    "hello-base": [base, "run", f"{work}/hello.wasm"],
    "hello-audit": [warden, "run", f"{work}/hello.wasm"],
    "hello-audit-file": [warden, "run", "--audit", f"{work}/hello.jsonl", f"{work}/hello.wasm"],
}
times = {name: [] for name in commands}
for round in range(rounds + 1):
    for name, command in commands.items():
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, check=True)
        if round > 0: times[name].append(time.perf_counter() - start)  # round 0 warms up
json.dump(times, open(out, "w"))
PY
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

export EVENTS WRITES LOAD_BEFORE LOAD_AFTER WARDEN WARDEN_BASE="${WARDEN_BASE:-}"
python3 - "$WORK/json" <<'PY' | tee "$OUT"
import json, os, sys
d = sys.argv[1]
def load(name):
    path = os.path.join(d, name + ".json")
    return {r["command"]: r for r in json.load(open(path))["results"]} if os.path.exists(path) else None
flood = load("flood")
events = int(os.environ["EVENTS"])
hello, run = flood["hello"]["median"], flood["flood"]["median"]
rate = events / (run - hello)
print(f"warden: {os.environ['WARDEN']}")
print(f"load average before/after: {os.environ['LOAD_BEFORE']} / {os.environ['LOAD_AFTER']}")
print(f"sink throughput: {events:,} refusal events in {run*1e3:.0f} ms (median; start-up {hello*1e3:.1f} ms)")
print(f"  = {rate:,.0f} events/s end to end, fsync off, none lost  -> target >= 50,000/s: {'MET' if rate >= 50000 else 'NOT MET'}")
write_path = os.path.join(d, "write.json")
if os.path.exists(write_path):
    import statistics
    times = json.load(open(write_path))
    for name, values in times.items():
        print(f"  {name:<11} median {statistics.median(values)*1e3:7.1f} ms  mean {statistics.mean(values)*1e3:7.1f} ± {statistics.stdev(values)*1e3:5.1f} ms  ({len(values)} runs)")
    for name in ("audit", "audit-file"):
        ratios = [a / b for a, b in zip(times[name], times["base"])]
        ratio = statistics.median(ratios)
        print(f"auditing cost on {os.environ['WRITES']} x fd_write ({name} / base, median of {len(ratios)} interleaved rounds): "
              f"{ratio:.3f}x -> target <= 1.01: {'MET' if ratio <= 1.01 else 'NOT MET'}")
    for name in ("hello-audit", "hello-audit-file"):
        differences = [a - b for a, b in zip(times[name], times["hello-base"])]
        added = statistics.median(differences)
        print(f"start-up added by auditing ({name[6:]}, median of paired differences): {added*1e3:+.2f} ms per run "
              f"= {added / statistics.median(times['base']) * 100:+.2f}% of the fd_write run")
PY
