#!/bin/sh
# `make run`: builds the example per-connection module from source and starts wardend in the
# foreground on the example policy directory. From another terminal:
#   echo world | socat - TCP:127.0.0.1:8080
#   .build/debug/warden status --socket .build/examples/wardend.sock
# Ctrl-C (SIGINT) or SIGTERM drains and stops it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${WARDEN_BIN:-$root/.build/debug}
out=$root/.build/examples
mkdir -p "$out/policies.d"
clang-14 --target=wasm32-wasi -O2 -Wl,--strip-debug "$root/examples/hello-service/hello.c" -o "$out/hello.wasm"
# As root, instances drop to an unprivileged account: `warden` if it exists, else `nobody`.
user=nobody
id warden >/dev/null 2>&1 && user=warden
for template in "$root"/examples/policies.d/*.toml.in; do
    sed -e "s|@EXAMPLES@|$out|g" -e "s|@USER@|$user|g" "$template" > "$out/policies.d/$(basename "$template" .in)"
done
"$bin/warden" policy check "$out/policies.d/"*.toml
cat <<TEXT

wardend is starting in the foreground on $out/policies.d. In another terminal:
    echo world | socat - TCP:127.0.0.1:8080
    $bin/warden status --socket $out/wardend.sock
Ctrl-C drains and stops it.

TEXT
exec "$bin/wardend" --policies "$out/policies.d" --control-socket "$out/wardend.sock"
