#!/usr/bin/env bash
# Rebuilds one code location's image, restarts only its code server, waits until it is healthy
# and reloads it in the webserver. Postgres, the webserver, the daemon and the other locations
# keep serving throughout. The daemon refreshes its workspace on its own within 60 s.
set -euo pipefail
cd "$(dirname "$0")/.."
location=${1:?usage: redeploy.sh files_location|api_location|replication_location|maintenance_location}
case "$location" in
  files_location|api_location|replication_location|maintenance_location) ;;
  *) echo "redeploy: unknown location '$location' (files_location, api_location, replication_location, maintenance_location)" >&2; exit 2 ;;
esac

scripts/compose.sh build "$location"
scripts/compose.sh up -d --no-deps "$location"
scripts/wait-healthy.sh "$location"
scripts/compose.sh exec -T webserver python3 - "$location" < scripts/reload_location.py
