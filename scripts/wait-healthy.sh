#!/usr/bin/env bash
# Waits until the given compose services (default: all) report healthy (one-shots: exited 0). Exits 1 on timeout,
# printing the last lines of the logs of those that are not.
set -euo pipefail
cd "$(dirname "$0")/.."
timeout=${WAIT_TIMEOUT:-300}
services=("$@")
[ ${#services[@]} -gt 0 ] || mapfile -t services < <(scripts/compose.sh config --services)
deadline=$((SECONDS + timeout))
while :; do
  pending=()
  for service in "${services[@]}"; do
    id=$(scripts/compose.sh ps -q "$service" 2>/dev/null || true)
    # Services report healthy; the one-shots (secrets, init) are done once they exited with 0.
    status=$( [ -n "$id" ] && docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}({{.State.ExitCode}}){{end}}' "$id" 2>/dev/null || echo missing)
    [ "$status" = healthy ] || [ "$status" = "exited(0)" ] || pending+=("$service:$status")
  done
  [ ${#pending[@]} -eq 0 ] && exit 0
  if [ $SECONDS -ge $deadline ]; then
    echo "wait-healthy: not healthy after ${timeout}s: ${pending[*]}" >&2
    for entry in "${pending[@]}"; do scripts/compose.sh logs --tail=30 "${entry%%:*}" >&2 || true; done
    exit 1
  fi
  sleep 1
done
