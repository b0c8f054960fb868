#!/usr/bin/env bash
# Runs a test suite N times against one throwaway cluster while two CPU hogs (`yes > /dev/null`)
# compete for the cores, to show that no test depends on timing.
#
#   Scripts/repeat-tests.sh N           the parallel unit + integration suite, N runs
#   Scripts/repeat-tests.sh --fault N   the fault suite (serialized; it restarts the server), N runs
#
# Builds once, then runs the chosen suite N times; each run's output goes to
# .build-repeat/run-K.log. The last line is `K passed, M failed` (runs, not tests).
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$script_dir")
cd "$repo_dir"

suite=parallel
if [ "${1:-}" = "--fault" ]; then
    suite=fault
    shift
fi
runs=${1:-5}
case "$runs" in
    ''|*[!0-9]*) echo "usage: Scripts/repeat-tests.sh [--fault] N" >&2; exit 2 ;;
esac

# shellcheck source=Scripts/install-dependencies.sh
. "$script_dir/install-dependencies.sh"
install_dependencies

logs="$repo_dir/.build-repeat"
rm -rf "$logs"
mkdir -p "$logs"
export TUSK_PG_STATE
TUSK_PG_STATE="$(mktemp -d /tmp/tusk-repeat-state.XXXXXX)/state"
hogs=()
cleanup() {
    for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done
    "$script_dir/postgres.sh" stop >/dev/null 2>&1 || true
    rm -rf "$(dirname "$TUSK_PG_STATE")"
}
trap cleanup EXIT

"$script_dir/postgres.sh" start --scram --tls >/dev/null
"$script_dir/postgres.sh" pgbouncer >/dev/null
"$script_dir/postgres.sh" replica >/dev/null
eval "$("$script_dir/postgres.sh" env)"
echo "repeat-tests: throwaway PostgreSQL at $DATABASE_URL"
swift build --build-tests >"$logs/build.log" 2>&1 || { tail -50 "$logs/build.log"; exit 1; }

for _ in 1 2; do
    yes >/dev/null &
    hogs+=("$!")
done
echo "repeat-tests: $runs $suite run(s) beside two CPU hogs (pids ${hogs[*]})"

passed=0
failed=0
for run in $(seq 1 "$runs"); do
    log="$logs/run-$run.log"
    start=$(date +%s)
    if [ "$suite" = fault ]; then
        command=(swift test --skip-build --no-parallel --filter TuskFaultTests)
    else
        command=(swift test --skip-build --skip TuskFaultTests --skip TuskBenchTests)
    fi
    if "${command[@]}" >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "run $run: passed ($(( $(date +%s) - start )) s)"
    else
        failed=$((failed + 1))
        echo "run $run: FAILED ($(( $(date +%s) - start )) s), see $log:"
        grep -E "✘|error:|Fatal|crashed" "$log" | head -20 || true
    fi
done
echo "$passed passed, $failed failed"
