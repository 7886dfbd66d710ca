#!/bin/bash
# Initialises the cluster once (empty data volume), runs the init scripts, then serves.
set -euo pipefail

: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
: "${DAGSTER_POSTGRES_PASSWORD:?DAGSTER_POSTGRES_PASSWORD must be set}"
: "${SOURCE_POSTGRES_PASSWORD:?SOURCE_POSTGRES_PASSWORD must be set}"

# A cluster counts as initialised only once every init script has succeeded; a failed init
# is wiped so that the next start tries again instead of serving half-made databases.
if [ ! -f "$PGDATA/.init-complete" ]; then
  rm -rf "${PGDATA:?}"/* "$PGDATA"/.[!.]* 2>/dev/null || true
  trap 'echo "init: FAILED, wiping $PGDATA" >&2; pg_ctl -m immediate stop >/dev/null 2>&1; rm -rf "${PGDATA:?}"/*' ERR
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb --username=postgres --pwfile="$pwfile" --auth-local=peer --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"

  # Local socket only while the init scripts run, so nobody connects to a half-made database.
  pg_ctl -w -o "-c listen_addresses=''" start >/dev/null
  for script in /docker-entrypoint-initdb.d/*.sh; do
    echo "init: $(basename "$script")"
    bash "$script"
  done
  pg_ctl -w -m fast stop >/dev/null
  trap - ERR
  touch "$PGDATA/.init-complete"
  echo "init: done"
fi

exec postgres -c listen_addresses='*' "$@"
