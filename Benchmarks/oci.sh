#!/bin/sh
# Container start to exit under podman: a hello module through warden-oci against a static
# native hello through runc, measured interleaved (interleave.py) in one run.
# usage: Benchmarks/oci.sh [BIN_DIR] [RUNS]   (BIN_DIR holds warden-oci and warden-worker;
# default: the release build, `make release` + `swift build -c release ... --product warden-oci`)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${1:-$root/.build-release/release}
runs=${2:-30}
work=$(mktemp -d /tmp/warden-oci-bench-XXXXXX)
P="podman --root $work/storage --runroot $work/run --tmpdir $work/tmp --storage-driver vfs --cgroup-manager cgroupfs"
cleanup() { CONTAINERS_CONF=$work/containers.conf $P system reset --force >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/ctx"
clang-14 --target=wasm32-wasi -O2 -Wl,--strip-debug -D_WASI_EMULATED_PROCESS_CLOCKS \
    "$root/Tests/WardenOCITests/Guests/hello.c" -o "$work/ctx/hello.wasm" -lwasi-emulated-process-clocks
clang-14 -static -O2 "$root/Tests/WardenOCITests/Guests/hello.c" -o "$work/ctx/hello"
printf 'FROM scratch\nCOPY hello.wasm /hello.wasm\nCOPY hello /hello\n' > "$work/ctx/Containerfile"
cat > "$work/containers.conf" <<CONF
[engine]
runtime_supports_json = ["warden-oci", "runc"]
conmon_env_vars = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "WARDEN_OCI_AUDIT_DIR=$work/audit", "WARDEN_OCI_JOURNAL=0"]
events_logger = "none"
[engine.runtimes]
warden-oci = ["$bin/warden-oci"]
runc = ["/usr/sbin/runc"]
CONF
export CONTAINERS_CONF=$work/containers.conf
$P build -q -t localhost/bench "$work/ctx" >/dev/null
hard=$(ulimit -Hn)
flags="--rm --network none --ulimit nofile=$hard:$hard --ulimit nproc=1024:1024"
out=${OUT:-$here/results/oci-$(date +%Y%m%d-%H%M).json}
python3 "$here/interleave.py" --warmup 2 --runs "$runs" --export-json "$out" \
    -n "podman+warden-oci (wasm hello)" "$P run $flags --runtime warden-oci --annotation run.oci.handler=wasm localhost/bench /hello.wasm" \
    -n "podman+runc (native hello)" "$P run $flags --runtime runc localhost/bench /hello"
python3 - "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
for x in r: print(f"{x['command']}: median {x['median']*1000:.1f} ms")
print(f"ratio warden-oci/runc: {r[0]['median']/r[1]['median']:.2f}")
PY
