#!/usr/bin/env bash
# Waits until the given compose services (default: all) report healthy (one-shots: exited 0). Exits 1 on timeout,
# printing the last lines of the logs of those that are not.
set -euo pipefail
cd "$(dirname "$0")/.."
timeout=${WAIT_TIMEOUT:-300}
services=("$@")
[ ${#services[@]} -gt 0 ] || mapfile -t services < <(scripts/compose.sh config --services)
format='{{index .Config.Labels "com.docker.compose.service"}} {{index .Config.Labels "com.docker.compose.oneoff"}} '
format+='{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}({{.State.ExitCode}}){{end}}'
deadline=$((SECONDS + timeout))
ids=()
while :; do
  # One docker call per look; compose (most of a second to start) only when a container is new.
  declare -A status=()
  if [ ${#ids[@]} -gt 0 ]; then
    while read -r service oneoff state; do
      [ "$oneoff" = False ] && status[$service]=$state
    done < <(docker inspect -f "$format" "${ids[@]}" 2>/dev/null || true)
  fi
  pending=()
  for service in "${services[@]}"; do
    state=${status[$service]:-missing}
    # Services report healthy; the one-shots (secrets, init) are done once they exited with 0.
    [ "$state" = healthy ] || [ "$state" = "exited(0)" ] || pending+=("$service:$state")
  done
  [ ${#pending[@]} -eq 0 ] && exit 0
  if [ $SECONDS -ge $deadline ]; then
    echo "wait-healthy: not healthy after ${timeout}s: ${pending[*]}" >&2
    for entry in "${pending[@]}"; do scripts/compose.sh logs --tail=30 "${entry%%:*}" >&2 || true; done
    exit 1
  fi
  [[ " ${pending[*]} " == *:missing* ]] && mapfile -t ids < <(scripts/compose.sh ps -a -q 2>/dev/null || true)
  unset status
  sleep 0.5
done
