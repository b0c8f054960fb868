#!/usr/bin/env bash
# Builds the DocC documentation of the Tusk target (Sources/Tusk/Tusk.docc plus the doc comments)
# into .build/docs, a static website. Fails on any warning: DocC's own (--warnings-as-errors),
# and any `warning:` line the build prints (the compiler's, while it extracts the symbol graph).
#
#   Scripts/docs.sh
#   python3 -m http.server -d .build/docs   then open /documentation/tusk
#
# Needs libpq's headers to compile Tusk; installs what is missing as test.sh does.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$(dirname "$script_dir")"

# shellcheck source=Scripts/install-dependencies.sh
. "$script_dir/install-dependencies.sh"
install_dependencies

log=$(mktemp /tmp/tusk-docs.XXXXXX)
trap 'rm -f "$log"' EXIT

mkdir -p .build/docs
status=0
swift package --allow-writing-to-directory .build/docs \
    generate-documentation --target Tusk --warnings-as-errors --output-path .build/docs \
    2>&1 | tee "$log" || status=$?

if [ "$status" -ne 0 ]; then
    echo "docs.sh: documentation build failed (exit $status)" >&2
    exit "$status"
fi
# SwiftPM's notes about files a dependency does not declare (its CMakeLists.txt) are about the
# dependency's manifest, not about Tusk: everything else is ours to fix.
warnings=$(grep "warning:" "$log" | grep -v "which are unhandled; explicitly declare them as resources or exclude from the target" || true)
if [ -n "$warnings" ]; then
    echo "docs.sh: the documentation build printed warnings:" >&2
    echo "$warnings" >&2
    exit 1
fi
echo "docs.sh: documentation written to .build/docs"
