#!/bin/sh
# create-account.sh USER [SYSUSERS_CONF]: creates the service account workers drop to
# ([sandbox] user, default "warden") unless it exists, with systemd-sysusers(8) and the
# sysusers.d entry where systemd-sysusers is present, else with useradd(8) (a system account,
# no home, no login shell); then the groups the entry declares that still do not exist
# (warden-admin: who may use wardend's control socket), with groupadd(8). Says what it did;
# `make install` runs it. WARDEN_SYSUSERS names the sysusers tool ("" for none: tests).
set -e
user="$1"
conf="$2"
sysusers=${WARDEN_SYSUSERS-systemd-sysusers}
[ -n "$user" ] || { echo "usage: $0 USER [SYSUSERS_CONF]" >&2; exit 64; }
if getent passwd "$user" >/dev/null; then
    echo "account '$user' exists ($(id -u "$user"):$(id -g "$user"))"
else
    if [ -n "$conf" ] && [ -n "$sysusers" ] && command -v "$sysusers" >/dev/null 2>&1; then
        "$sysusers" "$conf"
        how="$sysusers $conf"
    fi
    if ! getent passwd "$user" >/dev/null; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
            --comment "Warden WebAssembly module sandbox" "$user"
        how="useradd"
    fi
    getent passwd "$user" >/dev/null || { echo "could not create account '$user'" >&2; exit 1; }
    echo "created account '$user' ($(id -u "$user"):$(id -g "$user")) with $how"
fi
if [ -n "$conf" ]; then
    for group in $(awk '$1 == "g" { print $2 }' "$conf"); do
        getent group "$group" >/dev/null && continue
        groupadd --system "$group"
        echo "created group '$group' ($(getent group "$group" | cut -d: -f3)) with groupadd"
    done
fi
