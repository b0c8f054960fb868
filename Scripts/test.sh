#!/usr/bin/env bash
# The README's test command: builds Tusk and runs every test against a real PostgreSQL.
# Afterwards it builds the DocC documentation (Scripts/docs.sh), which fails on any warning.
#
#   Scripts/test.sh                 unit + integration tests, then the example app (Scripts/test-example.sh)
#   Scripts/test.sh --filter Copy   passes extra arguments to `swift test`
#
# Installs libpq-dev, PostgreSQL, openssl and pgbouncer with apt-get only when they are missing. When
# DATABASE_URL is unset it starts a throwaway cluster (Scripts/postgres.sh, with a SCRAM role and
# TLS for the security tests, PgBouncer in transaction mode in front of it for PgBouncerTests, and a
# streaming replica of it for ReplicaTests) and always stops them again, whatever happens.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$script_dir")
cd "$repo_dir"

# shellcheck source=Scripts/install-dependencies.sh
. "$script_dir/install-dependencies.sh"
install_dependencies

if [ -z "${DATABASE_URL:-}" ]; then
    export TUSK_PG_STATE
    TUSK_PG_STATE="$(mktemp -d /tmp/tusk-test-state.XXXXXX)/state"
    cleanup() {
        "$script_dir/postgres.sh" stop || true
        rm -rf "$(dirname "$TUSK_PG_STATE")"
    }
    trap cleanup EXIT
    "$script_dir/postgres.sh" start --scram --tls >/dev/null
    "$script_dir/postgres.sh" pgbouncer >/dev/null
    "$script_dir/postgres.sh" replica >/dev/null
    eval "$("$script_dir/postgres.sh" env)"
    echo "test.sh: started a throwaway PostgreSQL at $DATABASE_URL"
else
    echo "test.sh: using DATABASE_URL from the environment"
fi

start=$(date +%s)
swift build --build-tests
if [ $# -gt 0 ]; then
    swift test --skip-build "$@"
else
    # Unit and integration tests run in parallel against the shared server.
    swift test --skip-build --skip TuskFaultTests --skip TuskBenchTests
    # The benchmark's own tests load the machine (pgbench, the ledger): alone, afterwards.
    swift test --skip-build --no-parallel --filter TuskBenchTests
    # The fault suite restarts and stops the server, so it runs alone, last, and only against a
    # cluster this script controls.
    if [ -n "${TUSK_PG_STATE:-}" ] && [ -f "$TUSK_PG_STATE" ]; then
        swift test --skip-build --no-parallel --filter TuskFaultTests
    else
        echo "test.sh: skipping TuskFaultTests: they restart the server, so they need the throwaway cluster (unset DATABASE_URL)"
    fi
    # The example app (Examples/BlogAPI, its own package): built, then driven over HTTP against the same server.
    example_start=$(date +%s); "$script_dir/test-example.sh"; echo "test.sh: example app checked in $(( $(date +%s) - example_start )) s"
    # The DocC catalog and every doc comment: any warning fails the run.
    docs_start=$(date +%s); "$script_dir/docs.sh"; echo "test.sh: documentation built in $(( $(date +%s) - docs_start )) s"
fi
echo "test.sh: finished in $(( $(date +%s) - start )) s"
