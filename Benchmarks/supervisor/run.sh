#!/usr/bin/env bash
# wardend under load, per-connection latency against an inetd-style wasmtime baseline, and
# memory per idle instance. Measurements, not tests: the figures go to stdout and to
# Benchmarks/results/supervisor-latest.txt.
#
#   1. latency: one client, connect -> response complete, p50/p99, for
#        - wardend serving the per-connection hello module (one fresh instance per connection)
#        - socat TCP-LISTEN,fork EXEC:"wasmtime run hello.wasm" (one wasmtime process per connection)
#   2. load: 200 concurrent clients for 30 s against wardend; failed connections, supervisor
#      RSS sampled each second, wardend's descriptors before/after, zombies after
#   3. memory: PSS per idle instance with 100 live connections
#
# Environment knobs: WARDEN_BIN (dir with release wardend, warden-worker, warden),
# WASMTIME, LOAD_SECONDS (30), LOAD_CLIENTS (200), LATENCY_SECONDS (10), IDLE_CONNECTIONS (100),
# ENGINE (wasmkit; wasmtime needs warden-worker-wasmtime and libwasmtime.so in WARDEN_BIN: the
# zygote then starts from the artifact wardend compiled into the artifact cache at load).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${BENCH_OUT:-$ROOT/Benchmarks/results/supervisor-latest.txt}
LOAD_SECONDS=${LOAD_SECONDS:-30}
LOAD_CLIENTS=${LOAD_CLIENTS:-200}
LATENCY_SECONDS=${LATENCY_SECONDS:-10}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-100}
ENGINE=${ENGINE:-wasmkit}
log() { printf '==> %s\n' "$*" >&2; }

if [ -z "${WARDEN_BIN:-}" ]; then
    log "building release wardend, warden-worker, warden"
    (cd "$ROOT" && swift build -c release --product wardend && swift build -c release --product warden-worker \
        && swift build -c release --product warden) >&2
    WARDEN_BIN=$(cd "$ROOT" && swift build -c release --show-bin-path)
fi
WASMTIME=${WASMTIME:-$("$ROOT/.ci/wasmtime-path" 2>/dev/null || true)}
command -v socat >/dev/null || { echo "socat not found (apt-get install socat)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/wardend-bench.XXXXXX")
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

gcc -O2 -pthread "$HERE/loadclient.c" -o "$work/loadclient"
/usr/bin/clang-14 --target=wasm32-wasi -O2 -Wl,--strip-debug "$ROOT/examples/hello-service/hello.c" -o "$work/hello.wasm"
user=nobody; id warden >/dev/null 2>&1 && user=warden
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
mkdir -p "$work/policies"
cat > "$work/policies/hello.toml" <<TOML
version = 1
[module]
name = "hello"
path = "$work/hello.wasm"
[limits]
memory = "1MiB"
cpu-time = "5s"
wall-time = "1h"
open-files = 8
[sandbox]
user = "$user"
[service]
mode = "per-connection"
listen = ["tcp:127.0.0.1:$PORT"]
max-connections = 1024
connection-wall-time = "120s"
[engine]
name = "$ENGINE"
TOML
"$WARDEN_BIN/wardend" --policies "$work/policies" --control-socket "$work/control.sock" 2> "$work/wardend.log" &
WARDEND=$!
pids+=("$WARDEND")
for _ in $(seq 100); do [ -S "$work/control.sock" ] && "$WARDEN_BIN/warden" status --socket "$work/control.sock" 2>/dev/null | grep -q "hello.*running" && break; sleep 0.1; done

report() { printf '%s\n' "$*" | tee -a "$work/report.txt"; }
report "wardend per-connection benchmarks, engine $ENGINE, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
report ""
report "1. latency, one client, connect -> response complete (${LATENCY_SECONDS}s each)"
wardend_latency=$("$work/loadclient" 127.0.0.1 "$PORT" 1 "$LATENCY_SECONDS")
report "   wardend (fork from instantiated zygote): $wardend_latency"
if [ -n "$WASMTIME" ]; then
    BASE_PORT=$(free_port)
    socat "TCP-LISTEN:$BASE_PORT,fork,reuseaddr,backlog=1024" EXEC:"$WASMTIME run $work/hello.wasm" 2>/dev/null &
    pids+=("$!")
    sleep 0.5
    baseline=$("$work/loadclient" 127.0.0.1 "$BASE_PORT" 1 "$LATENCY_SECONDS" || true)
    report "   socat fork + wasmtime run:               $baseline"
    p50() { sed -n 's/.*p50_us=\([0-9]*\).*/\1/p' <<<"$1"; }
    report "   p50 ratio (wasmtime / wardend): $(python3 -c "print(f'{$(p50 "$baseline") / $(p50 "$wardend_latency"):.1f}x')")"
else
    report "   (wasmtime not found: no baseline)"
fi

report ""
report "2. load: $LOAD_CLIENTS concurrent clients for ${LOAD_SECONDS}s"
fds_before=$(ls /proc/$WARDEND/fd | wc -l)
rss() { awk '/VmRSS/ {print $2}' /proc/$WARDEND/status; }
rss_samples=("$(rss)")
"$work/loadclient" 127.0.0.1 "$PORT" "$LOAD_CLIENTS" "$LOAD_SECONDS" > "$work/load.txt" &
load=$!
for _ in $(seq "$LOAD_SECONDS"); do sleep 1; rss_samples+=("$(rss)"); done
wait $load || true
sleep 1
rss_samples+=("$(rss)")
fds_after=$(ls /proc/$WARDEND/fd | wc -l)
zygote=$("$WARDEN_BIN/warden" status --json --socket "$work/control.sock" | python3 -c 'import json,sys; print(json.load(sys.stdin)["modules"][0]["pids"][0])')
zombies=$(ps -eo ppid=,stat= | awk -v a="$WARDEND" -v b="$zygote" '($1==a || $1==b) && $2 ~ /^Z/' | wc -l)
report "   $(cat "$work/load.txt")"
report "   wardend RSS (KiB) per second: ${rss_samples[*]}"
report "   wardend descriptors: $fds_before before, $fds_after after; zombies after: $zombies"
report "   status: $("$WARDEN_BIN/warden" status --socket "$work/control.sock" | sed -n 2p)"

report ""
report "3. memory: $IDLE_CONNECTIONS idle connections (instances waiting for their first line)"
python3 - "$PORT" "$IDLE_CONNECTIONS" "$work/hold" <<'PY' &
import socket, sys, time, os
port, count, flag = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
open(flag, "w").close()
while os.path.exists(flag): time.sleep(0.1)
PY
holder=$!
pids+=("$holder")
for _ in $(seq 100); do
    live=$("$WARDEN_BIN/warden" status --json --socket "$work/control.sock" | python3 -c 'import json,sys; print(json.load(sys.stdin)["modules"][0]["connections"])')
    [ "$live" -ge "$IDLE_CONNECTIONS" ] && break; sleep 0.1
done
instances=$("$WARDEN_BIN/warden" status --json --socket "$work/control.sock" | python3 -c 'import json,sys; print(" ".join(map(str, json.load(sys.stdin)["modules"][0]["pids"][1:])))')
pss_total=0; count=0
for pid in $instances; do
    pss=$(awk '/^Pss:/ {print $2}' /proc/$pid/smaps_rollup 2>/dev/null || echo 0)
    pss_total=$((pss_total + pss)); count=$((count + 1))
done
zygote_pss=$(awk '/^Pss:/ {print $2}' /proc/$zygote/smaps_rollup)
zygote_rss=$(awk '/VmRSS/ {print $2}' /proc/$zygote/status)
report "   $count live instances: PSS $((pss_total / (count > 0 ? count : 1))) KiB each on average ($pss_total KiB total)"
report "   zygote: PSS $zygote_pss KiB, RSS $zygote_rss KiB; wardend RSS $(rss) KiB"
rm -f "$work/hold"

mkdir -p "$(dirname "$OUT")"
cp "$work/report.txt" "$OUT"
log "written to $OUT"
