#!/bin/sh
# create-account.sh USER [SYSUSERS_CONF]: creates the service account workers drop to
# ([sandbox] user, default "warden") unless it exists, with systemd-sysusers(8) and the
# sysusers.d entry where systemd-sysusers is present, else with useradd(8) (a system account,
# no home, no login shell). Says what it did; `make install` runs it.
set -e
user="$1"
conf="$2"
[ -n "$user" ] || { echo "usage: $0 USER [SYSUSERS_CONF]" >&2; exit 64; }
if getent passwd "$user" >/dev/null; then
    echo "account '$user' exists ($(id -u "$user"):$(id -g "$user"))"
    exit 0
fi
if [ -n "$conf" ] && command -v systemd-sysusers >/dev/null 2>&1; then
    systemd-sysusers "$conf"
    how="systemd-sysusers $conf"
fi
if ! getent passwd "$user" >/dev/null; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
        --comment "Warden WebAssembly module sandbox" "$user"
    how="useradd"
fi
getent passwd "$user" >/dev/null || { echo "could not create account '$user'" >&2; exit 1; }
echo "created account '$user' ($(id -u "$user"):$(id -g "$user")) with $how"
