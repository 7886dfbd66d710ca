#!/usr/bin/env bash
# The whole test suite: the lake package's and each code location's own tests, each in its own
# environment, the offline Kubernetes checks, then the deployment tests, which build the images,
# start the stack with the bare compose command, drive it (GraphQL and a real browser) and tear it
# down.
# `scripts/test.sh unit` or `scripts/test.sh deployment` runs one half.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.local/bin:$PATH"  # where prerequisites.sh may have put uv
what=${1:-all}
failed=()

scripts/prerequisites.sh || exit 1

run_pytest() {  # name, project dir, pytest arguments...
  local name=$1 project=$2
  shift 2
  echo "=== $name ==="
  uv sync --quiet --frozen --project "$project" || { failed+=("$name (uv sync)"); return; }
  uv run --frozen --project "$project" pytest "$@" -q -p no:cacheprovider
  status=$?
  # Exit code 5 means pytest collected nothing: a missing suite is a failure too.
  [ $status -eq 0 ] || failed+=("$name (pytest exit $status)")
}

if [ "$what" = all ] || [ "$what" = unit ]; then
  # No Docker: copies that must agree across files, and the dg workspace serving all three locations.
  run_pytest workspace . tests/test_consistency.py tests/test_dg_workspace.py
  run_pytest lake lake lake/tests  # the warehouse package, on a throwaway Postgres
  for location in files_location api_location replication_location maintenance_location; do
    run_pytest "$location" "$location" "$location/tests"
  done
  run_pytest kubernetes deploy/kubernetes deploy/kubernetes/tests
fi
if [ "$what" = all ] || [ "$what" = deployment ]; then
  run_pytest deployment . tests --ignore tests/test_consistency.py --ignore tests/test_dg_workspace.py --durations=15
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all test suites passed"
