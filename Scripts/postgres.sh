#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for Tusk's tests and benchmark.
#
#   Scripts/postgres.sh start [--tls] [--scram]   start a cluster, print its DATABASE_URL
#   Scripts/postgres.sh stop                      stop the cluster this script started, remove its files
#   Scripts/postgres.sh restart [-m fast]         restart it in place (same port, same data)
#   Scripts/postgres.sh pause | resume            stop the server keeping its data / start it again
#   Scripts/postgres.sh url                       print the DATABASE_URL of the running cluster
#   Scripts/postgres.sh env                       print shell exports (DATABASE_URL, TUSK_PG_*)
#   Scripts/postgres.sh psql [args...]            psql against it
#   Scripts/postgres.sh pgbouncer                 start PgBouncer (transaction mode) in front of it
#   Scripts/postgres.sh replica                   start a streaming replica of it (pg_basebackup -R)
#   Scripts/postgres.sh promote                   promote that replica to a primary (pg_ctl promote -w)
#
# The cluster lives in a fresh temp folder, listens on 127.0.0.1 only, on a free port, and trusts
# loopback connections. --scram adds a role `tusk_scram` that must log in with scram-sha-256;
# --tls turns on ssl with a self-signed certificate made by openssl at start-up (nothing committed).
# PostgreSQL refuses to run as root, so when invoked as root the server runs as the `postgres` user.
#
# State (data dir, port, pid) is remembered in $TUSK_PG_STATE (default: <repo>/.build-postgres/state),
# so `stop` stops only what `start` started. `pgbouncer` runs Debian's pgbouncer (as `postgres`
# when root) on another free loopback port with pool_mode = transaction and 4 server connections,
# so that clients share server sessions; `env` then exports TUSK_PGBOUNCER_URL, and `stop` stops
# it too, by its PID. `replica` copies the cluster with pg_basebackup -R and starts the copy as a hot
# standby streaming from it, on another free port; `env` exports TUSK_REPLICA_URL, `stop` stops it.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$script_dir")
state_file=${TUSK_PG_STATE:-"$repo_dir/.build-postgres/state"}

die() { echo "postgres.sh: $*" >&2; exit 1; }

bindir() {
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/pg_ctl" ]; then
        pg_config --bindir
        return
    fi
    local candidate
    for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$candidate/pg_ctl" ]; then echo "$candidate"; return; fi
    done
    die "no PostgreSQL server binaries found (install postgresql, e.g. apt-get install postgresql)"
}

# Runs a server binary as the postgres OS user when we are root (PostgreSQL refuses root).
as_server_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# A port nothing listens on, below the kernel's ephemeral range: a port inside it can be taken by
# any outgoing connection (a test's client socket) between this check and the server's bind.
free_port() {
    local low=32768 port
    if [ -r /proc/sys/net/ipv4/ip_local_port_range ]; then
        read -r low _ </proc/sys/net/ipv4/ip_local_port_range
    fi
    local top=$(( low > 12000 ? low : 32768 ))
    for _ in $(seq 1 200); do
        port=$(( 10000 + RANDOM % (top - 10000) ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    die "no free port found"
}

load_state() {
    [ -f "$state_file" ] || die "no running cluster recorded in $state_file (run: Scripts/postgres.sh start)"
    # shellcheck disable=SC1090
    . "$state_file"
}

# The default URL never asks for TLS, so the quick path stays quick; with --tls, `env` also
# exports TUSK_PG_TLS_URL (sslmode=require) for the tests that want it.
url_from_state() {
    echo "postgres://postgres@127.0.0.1:${TUSK_PG_PORT}/postgres?sslmode=disable"
}

cmd_start() {
    local tls=0 scram=0
    for arg in "$@"; do
        case "$arg" in
            --tls) tls=1 ;;
            --scram) scram=1 ;;
            *) die "unknown option to start: $arg" ;;
        esac
    done
    if [ -f "$state_file" ]; then
        # shellcheck disable=SC1090
        . "$state_file"
        if [ -n "${TUSK_PG_PID:-}" ] && kill -0 "$TUSK_PG_PID" 2>/dev/null; then
            die "a cluster is already running (pid $TUSK_PG_PID, port $TUSK_PG_PORT); stop it first"
        fi
        rm -f "$state_file"
    fi

    local bin data port
    bin=$(bindir)
    data=$(mktemp -d /tmp/tusk-pg.XXXXXX)
    chmod 755 "$data"
    mkdir -p "$data/db" "$data/socket"
    if [ "$(id -u)" = 0 ]; then chown -R postgres: "$data"; fi
    as_server_user "$bin/initdb" -D "$data/db" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$data/initdb.log" 2>&1 \
        || { cat "$data/initdb.log" >&2; die "initdb failed"; }

    port=$(free_port)
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$data/socket'"
        echo "max_connections = 1000"
        echo "shared_buffers = 256MB"
        echo "max_wal_size = 4GB"
        echo "log_min_messages = warning"
        echo "password_encryption = 'scram-sha-256'"
    } >>"$data/db/postgresql.conf"

    {
        echo "# TYPE  DATABASE  USER        ADDRESS        METHOD"
        echo "local   all       all                        trust"
        if [ "$scram" = 1 ]; then
            echo "host    all       tusk_scram  127.0.0.1/32   scram-sha-256"
        fi
        echo "host    all       all         127.0.0.1/32   trust"
        echo "host    replication all       127.0.0.1/32   trust"
    } >"$data/db/pg_hba.conf"

    local sslmode=disable
    if [ "$tls" = 1 ]; then
        command -v openssl >/dev/null 2>&1 || die "--tls needs openssl"
        openssl req -new -x509 -days 2 -nodes -subj "/CN=tusk-test-server" \
            -keyout "$data/db/server.key" -out "$data/db/server.crt" >/dev/null 2>&1 || die "openssl failed"
        chmod 600 "$data/db/server.key"
        if [ "$(id -u)" = 0 ]; then chown postgres: "$data/db/server.key" "$data/db/server.crt"; fi
        {
            echo "ssl = on"
            echo "ssl_cert_file = 'server.crt'"
            echo "ssl_key_file = 'server.key'"
        } >>"$data/db/postgresql.conf"
        sslmode=prefer
    fi

    # Another process may still bind the port first; then try another one.
    local attempt
    for attempt in 1 2 3 4 5; do
        if as_server_user "$bin/pg_ctl" -D "$data/db" -l "$data/server.log" -w -t 60 start >/dev/null; then
            break
        fi
        if [ "$attempt" = 5 ] || ! grep -q "could not bind\|could not create any TCP/IP sockets" "$data/server.log"; then
            cat "$data/server.log" >&2
            die "pg_ctl start failed"
        fi
        port=$(free_port)
        sed -i "s/^port = .*/port = $port/" "$data/db/postgresql.conf"
        : >"$data/server.log"
    done

    local pid
    pid=$(head -n 1 "$data/db/postmaster.pid")

    if [ "$scram" = 1 ]; then
        "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
            -c "CREATE ROLE tusk_scram LOGIN SUPERUSER PASSWORD 'tusk-scram-secret'" >/dev/null
    fi

    mkdir -p "$(dirname "$state_file")"
    {
        echo "TUSK_PG_BINDIR='$bin'"
        echo "TUSK_PG_DATA='$data/db'"
        echo "TUSK_PG_ROOT='$data'"
        echo "TUSK_PG_PORT='$port'"
        echo "TUSK_PG_PID='$pid'"
        echo "TUSK_PG_SSLMODE='$sslmode'"
        echo "TUSK_PG_TLS='$tls'"
        echo "TUSK_PG_SCRAM='$scram'"
    } >"$state_file"
    # shellcheck disable=SC1090
    . "$state_file"
    url_from_state
}

cmd_stop() {
    [ -f "$state_file" ] || { echo "postgres.sh: nothing to stop" >&2; return 0; }
    load_state
    if [ -n "${TUSK_PGBOUNCER_PID:-}" ] && kill -0 "$TUSK_PGBOUNCER_PID" 2>/dev/null; then
        kill -TERM "$TUSK_PGBOUNCER_PID" 2>/dev/null || true
    fi
    if [ -n "${TUSK_REPLICA_DATA:-}" ] && [ -d "$TUSK_REPLICA_DATA" ]; then
        as_server_user "$TUSK_PG_BINDIR/pg_ctl" -D "$TUSK_REPLICA_DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    if [ -n "${TUSK_REPLICA_PID:-}" ] && kill -0 "$TUSK_REPLICA_PID" 2>/dev/null; then
        kill -QUIT "$TUSK_REPLICA_PID" 2>/dev/null || true
    fi
    if [ -d "$TUSK_PG_DATA" ]; then
        as_server_user "$TUSK_PG_BINDIR/pg_ctl" -D "$TUSK_PG_DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    # pg_ctl may have failed (data dir gone); stop only the postmaster we started, by its PID.
    if kill -0 "$TUSK_PG_PID" 2>/dev/null; then
        kill -QUIT "$TUSK_PG_PID" 2>/dev/null || true
    fi
    case "$TUSK_PG_ROOT" in
        /tmp/tusk-pg.*) rm -rf "$TUSK_PG_ROOT" ;;
    esac
    rm -f "$state_file"
}

cmd_restart() {
    load_state
    local mode=fast
    if [ "${1:-}" = "-m" ] && [ -n "${2:-}" ]; then mode=$2; fi
    as_server_user "$TUSK_PG_BINDIR/pg_ctl" -D "$TUSK_PG_DATA" -l "$TUSK_PG_ROOT/server.log" -m "$mode" -w -t 60 restart >/dev/null
    local pid
    pid=$(head -n 1 "$TUSK_PG_DATA/postmaster.pid")
    sed -i "s/^TUSK_PG_PID=.*/TUSK_PG_PID='$pid'/" "$state_file"
}

cmd_pause() {
    load_state
    as_server_user "$TUSK_PG_BINDIR/pg_ctl" -D "$TUSK_PG_DATA" -m fast -w -t 60 stop >/dev/null
}

cmd_resume() {
    load_state
    as_server_user "$TUSK_PG_BINDIR/pg_ctl" -D "$TUSK_PG_DATA" -l "$TUSK_PG_ROOT/server.log" -w -t 60 start >/dev/null
    local pid
    pid=$(head -n 1 "$TUSK_PG_DATA/postmaster.pid")
    sed -i "s/^TUSK_PG_PID=.*/TUSK_PG_PID='$pid'/" "$state_file"
}

# PgBouncer in transaction mode in front of the running cluster: every client is `postgres`
# (auth_type any), server sessions are shared, and startup `options` are refused as PgBouncer
# refuses them by default, so a client that sends them fails here as it would in production.
cmd_pgbouncer() {
    load_state
    command -v pgbouncer >/dev/null 2>&1 || die "pgbouncer is not installed (apt-get install pgbouncer)"
    if [ -n "${TUSK_PGBOUNCER_PID:-}" ] && kill -0 "$TUSK_PGBOUNCER_PID" 2>/dev/null; then
        die "pgbouncer is already running (pid $TUSK_PGBOUNCER_PID)"
    fi
    local dir="$TUSK_PG_ROOT/pgbouncer" port attempt
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        {
            echo "[databases]"
            echo "* = host=127.0.0.1 port=$TUSK_PG_PORT user=postgres"
            echo "[pgbouncer]"
            echo "listen_addr = 127.0.0.1"
            echo "listen_port = $port"
            echo "unix_socket_dir ="
            echo "auth_type = any"
            echo "pool_mode = transaction"
            echo "default_pool_size = 4"
            echo "max_client_conn = 500"
            echo "server_reset_query ="
            echo "logfile = $dir/pgbouncer.log"
            echo "pidfile = $dir/pgbouncer.pid"
        } >"$dir/pgbouncer.ini"
        rm -f "$dir/pgbouncer.pid"
        if as_server_user pgbouncer -d -q "$dir/pgbouncer.ini"; then
            local waited
            for waited in $(seq 1 100); do
                [ -s "$dir/pgbouncer.pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
                sleep 0.1
            done
            if [ -s "$dir/pgbouncer.pid" ]; then break; fi
        fi
        [ "$attempt" = 5 ] && { cat "$dir/pgbouncer.log" >&2 || true; die "pgbouncer did not start"; }
    done
    {
        echo "TUSK_PGBOUNCER_PORT='$port'"
        echo "TUSK_PGBOUNCER_PID='$(cat "$dir/pgbouncer.pid")'"
    } >>"$state_file"
    echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
}

# A hot standby of the running cluster, streaming from it: pg_basebackup -R writes
# standby.signal and primary_conninfo, so the copy starts as a replica.
cmd_replica() {
    load_state
    if [ -n "${TUSK_REPLICA_PID:-}" ] && kill -0 "$TUSK_REPLICA_PID" 2>/dev/null; then
        die "a replica is already running (pid $TUSK_REPLICA_PID)"
    fi
    local data="$TUSK_PG_ROOT/replica" port attempt
    rm -rf "$data"
    mkdir -p "$data"
    chmod 700 "$data"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$data"; fi
    as_server_user "$TUSK_PG_BINDIR/pg_basebackup" -h 127.0.0.1 -p "$TUSK_PG_PORT" -U postgres -D "$data" -R -X stream -c fast \
        >"$TUSK_PG_ROOT/basebackup.log" 2>&1 || { cat "$TUSK_PG_ROOT/basebackup.log" >&2; die "pg_basebackup failed"; }
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        sed -i "s/^port = .*/port = $port/" "$data/postgresql.conf"
        echo "unix_socket_directories = '$TUSK_PG_ROOT/socket-replica'" >>"$data/postgresql.conf"
        mkdir -p "$TUSK_PG_ROOT/socket-replica"
        if [ "$(id -u)" = 0 ]; then chown postgres: "$TUSK_PG_ROOT/socket-replica"; fi
        if as_server_user "$TUSK_PG_BINDIR/pg_ctl" -D "$data" -l "$TUSK_PG_ROOT/replica.log" -w -t 60 start >/dev/null; then
            break
        fi
        if [ "$attempt" = 5 ] || ! grep -q "could not bind\|could not create any TCP/IP sockets" "$TUSK_PG_ROOT/replica.log"; then
            cat "$TUSK_PG_ROOT/replica.log" >&2
            die "the replica did not start"
        fi
    done
    {
        echo "TUSK_REPLICA_DATA='$data'"
        echo "TUSK_REPLICA_PORT='$port'"
        echo "TUSK_REPLICA_PID='$(head -n 1 "$data/postmaster.pid")'"
    } >>"$state_file"
    echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
}

cmd_promote() {
    load_state
    [ -n "${TUSK_REPLICA_DATA:-}" ] || die "no replica recorded in $state_file (run: Scripts/postgres.sh replica)"
    as_server_user "$TUSK_PG_BINDIR/pg_ctl" -D "$TUSK_REPLICA_DATA" -w -t 60 promote >/dev/null
}

cmd_env() {
    load_state
    if [ -n "${TUSK_REPLICA_PORT:-}" ]; then
        echo "export TUSK_REPLICA_URL='postgres://postgres@127.0.0.1:${TUSK_REPLICA_PORT}/postgres?sslmode=disable'"
    fi
    if [ -n "${TUSK_PGBOUNCER_PORT:-}" ]; then
        echo "export TUSK_PGBOUNCER_URL='postgres://postgres@127.0.0.1:${TUSK_PGBOUNCER_PORT}/postgres?sslmode=disable'"
    fi
    echo "export DATABASE_URL='$(url_from_state)'"
    echo "export TUSK_PG_BINDIR='$TUSK_PG_BINDIR'"
    echo "export TUSK_PG_DATA='$TUSK_PG_DATA'"
    echo "export TUSK_PG_PORT='$TUSK_PG_PORT'"
    echo "export TUSK_PG_STATE='$state_file'"
    if [ "${TUSK_PG_SCRAM:-0}" = 1 ]; then
        echo "export TUSK_PG_SCRAM_USER='tusk_scram'"
        echo "export TUSK_PG_SCRAM_PASSWORD='tusk-scram-secret'"
    fi
    if [ "${TUSK_PG_TLS:-0}" = 1 ]; then
        echo "export TUSK_PG_TLS_URL='postgres://postgres@127.0.0.1:${TUSK_PG_PORT}/postgres?sslmode=require'"
        echo "export TUSK_PG_TLS_CERT='$TUSK_PG_DATA/server.crt'"
    fi
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
    start) cmd_start "$@" ;;
    stop) cmd_stop ;;
    restart) cmd_restart "$@" ;;
    pause) cmd_pause ;;
    resume) cmd_resume ;;
    url) load_state; url_from_state ;;
    env) cmd_env ;;
    pgbouncer) cmd_pgbouncer ;;
    replica) cmd_replica ;;
    promote) cmd_promote ;;
    psql) load_state; exec "$TUSK_PG_BINDIR/psql" -X -h 127.0.0.1 -p "$TUSK_PG_PORT" -U postgres -d postgres "$@" ;;
    *) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
