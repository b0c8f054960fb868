#!/usr/bin/env bash
# Checks the rules a compiler does not: the layer boundary (only Sources/Tusk/LibPQ imports the
# C module), no force unwraps or force tries in library code, and swift-format when available.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
status=0

offenders=$(grep -rln "^import CLibPQ" Sources/Tusk | grep -v "^Sources/Tusk/LibPQ/" || true)
if [ -n "$offenders" ]; then
    echo "lint: only Sources/Tusk/LibPQ may import CLibPQ:"; echo "$offenders"; status=1
fi

# Leaf folders never name the layers above them.
for leaf in Codec SQL Errors; do
    upward=$(grep -rlnE "\b(Connection|ConnectionPool|Session|Repository)\b[^a-zA-Z(]" "Sources/Tusk/$leaf" \
        | xargs -r grep -lE "(: |<|\()(Connection|ConnectionPool|Session)\b" || true)
    if [ -n "$upward" ]; then
        echo "lint: $leaf must not depend on upper layers:"; echo "$upward"; status=1
    fi
done

force=$(grep -rnE "(try!|as!|[a-zA-Z0-9_\)\]]![^=])" Sources/Tusk --include=*.swift | grep -vE "^\S+:\s*///|//.*!|\"[^\"]*![^\"]*\"" || true)
if [ -n "$force" ]; then
    echo "lint: force unwrap, force try or force cast in library code:"; echo "$force"; status=1
fi

if command -v swift-format >/dev/null 2>&1 || swift format --version >/dev/null 2>&1; then
    swift format lint --recursive Sources Tests >/dev/null 2>&1 || echo "lint: swift format reports style issues (advisory)"
fi
exit $status
