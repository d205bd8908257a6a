#!/bin/bash
# Tests/fresh-install.sh [BINDIR]: a man-page-only policy on a fresh install. As root, in a
# private mount namespace (nothing outside it changes), /etc becomes a copy of this host's
# without the 'warden' and 'warden-admin' accounts, and /usr/local and /srv empty
# directories: a host Warden was never installed on. Then, as an operator who read only
# warden.policy(5): its first EXAMPLE policy (the batch converter), `make install`, policy
# check, the run. Each documented output is checked; each failure is one "FAIL:" line, exit
# 0 when every check passes, 77 when it cannot run here (not root, no unshare).
# WARDEN_SYSUSERS= (empty) takes create-account.sh's useradd path instead of systemd-sysusers.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$root/.build/debug}" && pwd)
if [ "${WARDEN_FRESH_INSIDE:-}" != 1 ]; then
    [ "$(id -u)" = 0 ] || { echo "skipped: needs root (mount namespace, make install)"; exit 77; }
    command -v unshare >/dev/null || { echo "skipped: no unshare(1)"; exit 77; }
    fresh=$(mktemp -d /tmp/warden-fresh.XXXXXX)
    trap 'rm -rf "$fresh"' EXIT
    mkdir -p "$fresh/etc" "$fresh/usrlocal" "$fresh/srv"
    cp -a /etc/. "$fresh/etc/"
    for db in passwd group shadow gshadow; do
        [ -f "$fresh/etc/$db" ] && sed -i '/^warden:/d;/^warden-admin:/d' "$fresh/etc/$db"
    done
    clang --target=wasm32-wasi -O2 -Wl,--strip-debug -x c - -o "$fresh/convert.wasm" <<'C' || { echo "FAIL: building the module"; exit 1; }
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    FILE *in = fopen("/in/photo.txt", "r");
    if (!in) { perror("/in/photo.txt"); return 3; }
    FILE *out = fopen("/out/photo.txt", "w");
    if (!out) { perror("/out/photo.txt"); return 4; }
    int c;
    while ((c = fgetc(in)) != EOF) fputc(toupper(c), out);
    fclose(out);
    const char *lang = getenv("LANG");
    printf("converted %s %s LANG=%s\n", argc > 2 ? argv[1] : "", argc > 2 ? argv[2] : "", lang ? lang : "-");
    return 0;
}
C
    WARDEN_FRESH_INSIDE=1 WARDEN_FRESH_DIR="$fresh" unshare -m --propagation private \
        bash -c "mount --bind '$fresh/etc' /etc && mount --bind '$fresh/usrlocal' /usr/local && mount --bind '$fresh/srv' /srv && exec bash '$0' '$bin'"
    exit $?
fi

failures=0
pass() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }
expect() {
    local what=$1 status=$2; shift 2
    out=$("$@" 2>"$WARDEN_FRESH_DIR/err"); local got=$?
    err=$(cat "$WARDEN_FRESH_DIR/err")
    if [ "$got" = "$status" ]; then pass "$what (exit $got)"; else fail "$what: exit $got, expected $status; $out $err"; fi
}
contains() { case "$1" in *"$2"*) pass "$3";; *) fail "$3: expected '$2' in: $1";; esac; }

getent passwd warden >/dev/null && fail "the fresh host has no 'warden' account" || pass "no 'warden' account"
# warden.policy(5), EXAMPLES: the batch converter, with the audit log of [audit].
mkdir -p /srv/warden/modules /srv/warden/batch/in /srv/warden/batch/out /etc/warden
cp "$WARDEN_FRESH_DIR/convert.wasm" /srv/warden/modules/convert.wasm
echo "a photo" > /srv/warden/batch/in/photo.txt
cat > /etc/warden/convert.toml <<'TOML'
version = 1

[module]
name = "convert"
path = "/srv/warden/modules/convert.wasm"
args = ["--quality", "80", "/in", "/out"]
env = { LANG = "C.UTF-8" }

[[preopen]]
host = "/srv/warden/batch/in"
guest = "/in"

[[preopen]]
host = "/srv/warden/batch/out"
guest = "/out"
access = "read-write"

[limits]
memory = "512MiB"
cpu-time = "5m"
wall-time = "10m"
open-files = 32

[audit]
log = "/srv/warden/convert.jsonl"
TOML
expect "policy check before make install" 2 "$bin/warden" policy check --strict /etc/warden/convert.toml
contains "$out" "account 'warden' (the default [sandbox] user) does not exist; create it ('make install' does" "policy check names the missing account and the fix"

expect "make install" 0 make -C "$root" install BUILT="$bin" PREFIX=/usr/local
contains "$out" "created account 'warden' (" "make install says it created the account"
getent passwd warden >/dev/null && pass "the 'warden' account exists" || fail "make install created no 'warden' account"
getent group warden-admin >/dev/null && pass "the 'warden-admin' group exists" || fail "make install created no 'warden-admin' group"
for file in bin/warden bin/wardend bin/warden-worker lib/sysusers.d/warden.conf share/man/man5/warden.policy.5; do
    [ -e "/usr/local/$file" ] && pass "installed $file" || fail "not installed: /usr/local/$file"
done
export PATH=/usr/local/bin:$PATH

# warden.policy(5), host: the account must be able to write a read-write grant.
expect "policy check --strict: the output directory is root's 0755" 1 warden policy check --strict /etc/warden/convert.toml
contains "$out" "grant '/srv/warden/batch/out' (owner 0, group 0, mode 755) is not writable for account 'warden'" "policy check warns before the run fails"
chown warden: /srv/warden/batch/out
expect "policy check --strict after chown" 0 warden policy check --strict /etc/warden/convert.toml
expect "warden run --policy" 0 warden run --policy /etc/warden/convert.toml
contains "$out" "converted --quality 80 LANG=C.UTF-8" "the module sees the policy's arguments and environment"
contains "$(cat /srv/warden/batch/out/photo.txt 2>/dev/null)" "A PHOTO" "the module wrote its output"
contains "$(stat -c %U /srv/warden/batch/out/photo.txt 2>/dev/null)" "warden" "the output belongs to the policy's account"
expect "warden audit" 0 warden audit /srv/warden/convert.jsonl
contains "$out" "convert[" "the run is in its audit log"
expect "make install again" 0 make -C "$root" install BUILT="$bin" PREFIX=/usr/local
contains "$out" "account 'warden' exists (" "an existing account is left alone"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "every check passed"
