#!/bin/bash
# Tests/newcomer.sh [BINDIR]: a newcomer's walk through the README on a fresh build. Each
# command the README shows is run (with a module of our own where it names convert.wasm), and
# each output the README or the man pages document is checked, so the two cannot drift apart
# unnoticed. Exit 0 when every check passes; each failure is one "FAIL:" line. `make smoke`
# runs it; so does the test suite (NewcomerTests).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$root/.build/debug}" && pwd)
warden=$bin/warden
work=$(mktemp -d /tmp/warden-newcomer.XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
pass() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }
# expect DESCRIPTION STATUS COMMAND...: runs COMMAND, output in $out and $err, checks its status.
expect() {
    local what=$1 status=$2; shift 2
    "$@" >"$work/out" 2>"$work/err"
    local got=$?
    out=$(cat "$work/out"); err=$(cat "$work/err")
    if [ "$got" = "$status" ]; then pass "$what (exit $got)"; else fail "$what: exit $got, expected $status; stderr: $err"; fi
}
contains() { case "$1" in *"$2"*) pass "$3";; *) fail "$3: expected '$2' in: $1";; esac; }

# --version on every executable (warden(1), wardend(8)).
for program in warden wardend warden-worker; do
    expect "$program --version" 0 "$bin/$program" --version
    contains "$out" "0.1.0" "$program prints its version"
done
expect "warden-worker run by hand" 0 "$bin/warden-worker" --help
contains "$out" "not a command to run by hand" "warden-worker says what it is"

# README, Using it: warden run --ro-dir /srv/in::/in --dir /srv/out::/out --env LANG=C.UTF-8 convert.wasm -q 80
mkdir -p "$work/srv/in" "$work/srv/out"
echo "a photo" > "$work/srv/in/photo.txt"
# Started as root, the module runs as a transient uid (warden(1)): the output directory
# must be writable by it.
chmod 0777 "$work/srv/out"
cat > "$work/convert.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "escape") == 0) return fopen("/in/../../etc/passwd", "r") ? 0 : 9;
    if (argc > 1 && strcmp(argv[1], "trap") == 0) __builtin_trap();
    FILE *in = fopen("/in/photo.txt", "r");
    if (!in) return 3;
    FILE *out = fopen("/out/photo.txt", "w");
    if (!out) return 4;
    int c;
    while ((c = fgetc(in)) != EOF) fputc(c, out);
    fclose(out);
    const char *lang = getenv("LANG");
    printf("%s %s %s\n", lang ? lang : "-", argc > 1 ? argv[1] : "", argc > 2 ? argv[2] : "");
    return 0;
}
C
if ! clang --target=wasm32-wasi -O2 -Wl,--strip-debug "$work/convert.c" -o "$work/convert.wasm" 2>"$work/err"; then
    fail "building the example module: $(cat "$work/err")"; exit 1
fi
expect "warden run with the README's grants" 0 "$warden" run --ro-dir "$work/srv/in::/in" --dir "$work/srv/out::/out" --env LANG=C.UTF-8 "$work/convert.wasm" -q 80
contains "$out" "C.UTF-8 -q 80" "the module sees its environment and arguments"
contains "$(cat "$work/srv/out/photo.txt" 2>/dev/null)" "a photo" "the module wrote through its read-write grant"

# README: exit statuses. 134 on a trap, 125 when warden cannot start the module, 64 on a usage error.
expect "a trap" 134 "$warden" run "$work/convert.wasm" trap
expect "a missing module" 125 "$warden" run "$work/missing.wasm"
contains "$err" "warden: " "launch failures start with 'warden: '"
expect "a relative guest path" 64 "$warden" run --dir "$work/srv/out::out" "$work/convert.wasm"
contains "$err" "warden: --dir '$work/srv/out::out': 'guest' in [[preopen]] must be an absolute path" "flags are judged by the policy rules"
contains "$err" "Usage: warden run" "a usage error shows warden run's usage"
expect "an unknown seccomp group" 64 "$warden" run --seccomp-drop-group nonsense "$work/convert.wasm"
expect "too much memory" 64 "$warden" run --max-memory 5GiB "$work/convert.wasm"
# Each run as root has a transient uid of its own: a file an earlier run wrote belongs to
# another uid (warden(1), --user).
rm -f "$work/srv/out/photo.txt"
expect "--wall-time ends a run" 0 "$warden" run --wall-time 5s --ro-dir "$work/srv/in::/in" --dir "$work/srv/out::/out" "$work/convert.wasm"

# README, Audit log: refusals are JSON lines; warden audit filters and summarizes them.
log=$work/audit.jsonl
expect "an escape attempt is refused" 9 "$warden" run --audit "$log" --ro-dir "$work/srv/in::/in" "$work/convert.wasm" escape
contains "$(cat "$log")" '"reason":"escape-attempt"' "the refusal is an audit event"
contains "$(tail -n 1 "$log")" '"action":"exited"' "the audit log closes with a lifecycle event"
expect "warden audit --reason escape-attempt" 0 "$warden" audit --reason escape-attempt --since 1h "$log"
contains "$out" "escape-attempt" "warden audit shows the refusal"
expect "warden audit --layer seccomp --json" 0 "$warden" audit --layer seccomp --json "$log"
expect "warden audit --layer bogus" 64 "$warden" audit --layer bogus "$log"
expect "warden audit summary" 0 "$warden" audit summary "$log"

# README, Policy files.
expect "policy check of a shipped policy (offline)" 0 "$warden" policy check --offline "$root/policies/batch-converter.toml"
expect "policy explain" 0 "$warden" policy explain "$root/policies/batch-converter.toml"
expect "policy --help" 0 "$warden" policy --help
contains "$out" "suggest" "policy --help lists suggest"
# A policy written from warden.policy(5) alone: no [sandbox], so it runs as 'warden'.
cat > "$work/manpage.toml" <<TOML
version = 1

[module]
name = "convert"
path = "$work/convert.wasm"
args = ["-q", "80"]

[[preopen]]
host = "$work/srv/in"
guest = "/in"
access = "read"

[[preopen]]
host = "$work/srv/out"
guest = "/out"
access = "read-write"

[limits]
memory = "64MiB"
cpu-time = "10s"
wall-time = "30s"
open-files = 16
TOML
if getent passwd warden >/dev/null; then
    expect "policy check of a man-page policy (account 'warden' exists)" 0 "$warden" policy check --strict "$work/manpage.toml"
    rm -f "$work/srv/out/photo.txt"
    expect "warden run --policy of a man-page policy" 0 "$warden" run --policy "$work/manpage.toml"
else
    expect "policy check of a man-page policy without the 'warden' account" 2 "$warden" policy check "$work/manpage.toml"
    contains "$out" "account 'warden' (the default [sandbox] user) does not exist; create it ('make install' does" "policy check says how to create the account"
fi

# README, Learning a policy: the result passes policy check --strict.
if [ "$(id -u)" = 0 ]; then
    expect "warden learn" 0 "$warden" learn --allow-dir "$work/srv/in::/in" --allow-dir "$work/srv/out::/out" --user nobody -o "$work/job.toml" "$work/convert.wasm"
    expect "the learned policy passes policy check --strict" 0 "$warden" policy check --strict "$work/job.toml"
fi

# README: --timings shows where start-up time goes.
rm -f "$work/srv/out/photo.txt"
expect "warden run --timings" 0 "$warden" run --timings --ro-dir "$work/srv/in::/in" --dir "$work/srv/out::/out" "$work/convert.wasm"
contains "$err" "run ended" "--timings ends with the run's end"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "every check passed"
