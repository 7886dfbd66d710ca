#!/usr/bin/env bash
# Stops the deployment; `scripts/down.sh --volumes` also deletes its data. Run containers are not
# compose services: one still on the stack's network would keep compose from removing it ("has
# active endpoints"). So stop the services first (the daemon launches nothing more), then the run
# containers (run monitoring marks those runs failed and retries them at the next start), then down.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/compose.sh stop
runs() { docker ps -aq --filter network=dagster_etl --filter label=dagster/run_id; }
if [ -n "$(runs)" ]; then
  echo "down: stopping $(runs | wc -l) run container(s) still in flight" >&2
  # A run that ends right now is being removed by Docker already (auto_remove): not an error.
  docker rm -f $(runs) >/dev/null 2>&1 || true
  for _ in $(seq 30); do [ -z "$(runs)" ] && break; sleep 1; done
fi
exec scripts/compose.sh down --remove-orphans "$@"
