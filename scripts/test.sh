#!/usr/bin/env bash
# The whole test suite: each code location's own tests in its own environment, then the
# deployment tests, which build the images, start the stack, drive it and tear it down.
# `scripts/test.sh unit` or `scripts/test.sh deployment` runs one half.
set -uo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
failed=()

run_pytest() {  # name, project dir, test dir
  echo "=== $1 ==="
  uv sync --quiet --frozen --project "$2" || { failed+=("$1 (uv sync)"); return; }
  uv run --frozen --project "$2" pytest "$3" -q -p no:cacheprovider
  status=$?
  # Exit code 5 means pytest collected nothing: a missing suite is a failure too.
  [ $status -eq 0 ] || failed+=("$1 (pytest exit $status)")
}

if [ "$what" = all ] || [ "$what" = unit ]; then
  for location in files_location api_location replication_location; do
    run_pytest "$location" "$location" "$location/tests"
  done
fi
if [ "$what" = all ] || [ "$what" = deployment ]; then
  run_pytest deployment . tests
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all test suites passed"
