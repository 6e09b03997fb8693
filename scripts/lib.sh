# scripts/lib.sh: what setup, test and demo share.  Sourced, not run.
#
# Runs on Debian 12 with PostgreSQL 15.  As root (CI, a fresh machine) it
# builds and installs directly and runs servers and server tests as the
# "postgres" user, since PostgreSQL refuses to run as root; as another user
# it asks sudo for the few steps that need root.

set -euo pipefail

STRATA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=/usr/lib/postgresql/15/bin
PGXS_DIR=/usr/lib/postgresql/15/lib/pgxs
export PATH="$PG_BIN:$PATH"
export NODE_PATH="$STRATA_ROOT/scripts/node/node_modules"
STRATA_RUN_DIR=${STRATA_RUN_DIR:-/tmp/strata}

say() { printf '\n== %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The user servers and server tests run as.
test_user() {
    if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi
}

# Run a command as test_user, with this environment and a writable HOME.
as_test_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -m -u postgres -- env HOME="$STRATA_RUN_DIR/home" "$@"
    else
        "$@"
    fi
}

# A folder under STRATA_RUN_DIR that test_user owns.
run_dir() {
    local d="$STRATA_RUN_DIR/$1"
    mkdir -p "$STRATA_RUN_DIR/home" "$d"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$STRATA_RUN_DIR" "$STRATA_RUN_DIR/home" "$d"; fi
    echo "$d"
}

# Servers and server tests run as postgres, which must read the repository
# (test inputs, the README, programs COPY runs).  A clone in a folder that
# postgres cannot enter, such as root's home, is copied to one it can, and
# the calling script runs again from there.  Usage: reexec_readable "$0" "$@"
reexec_readable() {
    local script=$1 copy="$STRATA_RUN_DIR/src"
    shift
    [ "$(id -u)" = 0 ] || return 0
    runuser -u postgres -- test -r "$STRATA_ROOT/README.md" && return 0
    say "user postgres cannot read $STRATA_ROOT; running from a copy in $copy"
    mkdir -p "$STRATA_RUN_DIR"
    chmod 755 "$STRATA_RUN_DIR"
    rm -rf "$copy"
    cp -a "$STRATA_ROOT/." "$copy"
    chmod -R a+rX "$copy"
    export STRATA_ORIGIN="$STRATA_ROOT"
    exec bash "$copy/${script#"$STRATA_ROOT"/}" "$@"
}

# The parts that exist (Makefile's PARTS), one per line.
strata_parts() { make -s -C "$STRATA_ROOT" print-parts; }

# shared_preload_libraries for the bundle: parts whose Makefile says
# STRATA_PRELOAD = yes need to be loaded at server start.
strata_preload() {
    local p libs=()
    for p in $(strata_parts); do
        if grep -q '^STRATA_PRELOAD *= *yes' "$STRATA_ROOT/extensions/$p/Makefile"; then
            libs+=("strata_$p")
        fi
    done
    (IFS=,; echo "${libs[*]:-}")
}

# Debian's PostgreSQL 15 loads only the output plugins named here.
strata_output_plugins() {
    local plugins="pgoutput, test_decoding, wal2json, decoderbufs"
    if strata_parts | tr " " "\n" | grep -qx cdc; then plugins="$plugins, strata_cdc"; fi
    echo "$plugins"
}

# cluster_start NAME PORT: a fresh private cluster in $STRATA_RUN_DIR/NAME,
# listening on 127.0.0.1:PORT and on a socket in the same folder.
cluster_start() {
    local name=$1 port=$2 dir data
    cluster_stop "$name"
    dir=$(run_dir "$name")
    data="$dir/data"
    rm -rf "$data"
    as_test_user initdb -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log"; return 1; }
    cat >>"$data/postgresql.conf" <<CONF

# --- Strata private cluster ---
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
CONF
    bash "$STRATA_ROOT/scripts/cluster-conf" >>"$data/postgresql.conf"
    as_test_user pg_ctl -D "$data" -l "$dir/server.log" -w -t 120 start >/dev/null ||
        { tail -20 "$dir/server.log"; return 1; }
}

# Stop the cluster if it runs; a postmaster killed earlier leaves a stale
# postmaster.pid that pg_ctl start handles on its own.
cluster_stop() {
    local data="$STRATA_RUN_DIR/$1/data"
    if [ -f "$data/postmaster.pid" ]; then
        as_test_user pg_ctl -D "$data" -m fast -w -t 120 stop >/dev/null 2>&1 || true
    fi
}

# Build and install the bundle; -Werror comes from extensions/common/strata.mk.
build_install() {
    say "building"
    make -s -C "$STRATA_ROOT" -j"$(nproc)" >/dev/null
    say "installing"
    as_root make -s -C "$STRATA_ROOT" install >/dev/null
}
