#!/usr/bin/env bash
# The README's benchmark command: installs what is missing (libpq-dev, PostgreSQL, psql,
# pgbench), builds tusk-bench in release mode and runs it. Without DATABASE_URL tusk-bench starts
# and stops a throwaway PostgreSQL itself. Arguments go to tusk-bench:
#
#   Scripts/bench.sh                              the default suite
#   Scripts/bench.sh --workload point-select --duration 5 --json bench.json
set -euo pipefail
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$(dirname "$script_dir")"
# shellcheck source=Scripts/install-dependencies.sh
. "$script_dir/install-dependencies.sh"
install_dependencies
swift build -c release --product tusk-bench
exec .build/release/tusk-bench "$@"
