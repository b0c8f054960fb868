#!/usr/bin/env bash
# Sourced by test.sh and bench.sh: installs what Tusk needs from Debian/Ubuntu packages, only
# what is missing, and only with apt-get (as root, or through sudo).

install_dependencies() {
    local packages=()
    if ! command -v pkg-config >/dev/null 2>&1; then packages+=(pkg-config); fi
    if ! pkg-config --exists libpq 2>/dev/null; then packages+=(libpq-dev); fi
    local have_server=0
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/pg_ctl" ]; then
        have_server=1
    elif ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
        have_server=1
    fi
    if [ "$have_server" = 0 ]; then packages+=(postgresql postgresql-contrib); fi
    if ! command -v psql >/dev/null 2>&1; then packages+=(postgresql-client); fi
    if ! command -v openssl >/dev/null 2>&1; then packages+=(openssl); fi
    # PgBouncer (transaction mode) in front of the test cluster, for PgBouncerTests.
    if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then packages+=(pgbouncer); fi
    if [ ${#packages[@]} -eq 0 ]; then
        return 0
    fi
    echo "install-dependencies: installing ${packages[*]}"
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo="sudo"
        else
            echo "install-dependencies: need root or sudo to install ${packages[*]}" >&2
            return 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q
    # Debian's postgresql package starts a cluster of its own; Tusk uses its own throwaway one.
    $sudo apt-get install -y -q --no-install-recommends "${packages[@]}"
}
