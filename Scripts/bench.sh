#!/usr/bin/env bash
# The README's benchmark command: installs what is missing (libpq-dev, PostgreSQL, psql,
# pgbench), builds tusk-bench in release mode and runs it. Without DATABASE_URL tusk-bench starts
# and stops a throwaway PostgreSQL itself.
#
#   Scripts/bench.sh                          the quick suite: every workload at a tenth of its
#                                             size, 3-second timed runs (about 3 minutes)
#   Scripts/bench.sh --full                   the full suite (about 17 minutes on 2 cores)
#   Scripts/bench.sh --compare earlier.json   either suite, with an earlier run's ratios beside
#   Scripts/bench.sh --full --json run.json   further arguments go to tusk-bench
#   Scripts/bench.sh --workload point-select --duration 5
set -euo pipefail
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$(dirname "$script_dir")"
full=false
arguments=()
for argument in "$@"; do
    if [ "$argument" = "--full" ]; then full=true; else arguments+=("$argument"); fi
done
# Without --full the suite is the quick one; --rows and --duration still override its sizes.
if [ "$full" = false ]; then arguments=(--quick "${arguments[@]+"${arguments[@]}"}"); fi
# shellcheck source=Scripts/install-dependencies.sh
. "$script_dir/install-dependencies.sh"
install_dependencies
swift build -c release --product tusk-bench
exec .build/release/tusk-bench "${arguments[@]}"
