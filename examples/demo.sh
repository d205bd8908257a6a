#!/bin/sh
# `make run`: builds the demo guest from source and runs it under warden with one read-only
# and one read-write directory, next to a secret file and a symlink to /etc it must not reach.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
warden=${WARDEN:-$root/.build/debug/warden}
work=$(mktemp -d "${TMPDIR:-/tmp}/warden-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/in" "$work/out"
# Started as root, the module runs as a transient uid (warden(1)): /out must be writable by it.
chmod 0777 "$work/out"
printf 'hello from the host\n' > "$work/in/input.txt"
printf 'top secret\n' > "$work/secret.txt"
ln -s /etc "$work/in/etc-link"
clang-14 --target=wasm32-wasi -O2 -Wl,--strip-debug "$root/examples/copy/copy.c" -o "$work/copy.wasm"

echo "\$ warden run --ro-dir $work/in::/in --dir $work/out::/out copy.wasm"
status=0
"$warden" run --ro-dir "$work/in::/in" --dir "$work/out::/out" --audit "$work/audit.jsonl" "$work/copy.wasm" || status=$?
echo
echo "module exit status: $status"
echo "host view of /out/output.txt: $(cat "$work/out/output.txt")"
echo "audit events (one JSON line per refusal):"
cat "$work/audit.jsonl"
