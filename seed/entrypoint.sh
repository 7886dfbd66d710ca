#!/bin/bash
# Initialises the cluster once (empty data volume), runs the init scripts, then serves.
# Passwords come from the secrets volume (written by the `secrets` service). The superuser
# `postgres` has no password: it can only connect over the local socket inside this container.
set -euo pipefail
secret() { cat "/opt/dagster/secrets/$1" 2>/dev/null || { echo "postgres: secret $1 is missing (the secrets service writes it)" >&2; exit 1; }; }
DAGSTER_POSTGRES_PASSWORD=$(secret DAGSTER_POSTGRES_PASSWORD)
SOURCE_POSTGRES_PASSWORD=$(secret SOURCE_POSTGRES_PASSWORD)
LAKE_WRITER_PASSWORD=$(secret LAKE_WRITER_PASSWORD)
LAKE_READER_PASSWORD=$(secret LAKE_READER_PASSWORD)
export DAGSTER_POSTGRES_PASSWORD SOURCE_POSTGRES_PASSWORD LAKE_WRITER_PASSWORD LAKE_READER_PASSWORD
# Never echo a statement with a password into the log, even when it fails.
local_only=(-o "-c listen_addresses='' -c log_min_error_statement=panic")

# Which passwords the roles have: the init scripts create them with these.
digest=$(printf '%s\n' "$DAGSTER_POSTGRES_PASSWORD" "$SOURCE_POSTGRES_PASSWORD" "$LAKE_WRITER_PASSWORD" \
  "$LAKE_READER_PASSWORD" | sha256sum | cut -d' ' -f1)
# Init scripts run once each, in order: all of them on an empty volume, and on a volume made by an
# earlier release those it did not have yet (the lake's catalog, 30-lake.sh). Each done script
# leaves a marker.
done_dir=$PGDATA/.init-scripts-done

# A cluster counts as initialised only once every init script has succeeded; a failed init
# is wiped so that the next start tries again instead of serving half-made databases.
if [ ! -f "$PGDATA/.init-complete" ]; then
  rm -rf "${PGDATA:?}"/* "$PGDATA"/.[!.]* 2>/dev/null || true
  trap 'echo "init: FAILED, wiping $PGDATA" >&2; pg_ctl -m immediate stop >/dev/null 2>&1; rm -rf "${PGDATA:?}"/*' ERR
  initdb --username=postgres --auth-local=peer --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"

  # Local socket only while the init scripts run, so nobody connects to a half-made database.
  pg_ctl -w "${local_only[@]}" start >/dev/null
  for script in /docker-entrypoint-initdb.d/*.sh; do
    echo "init: $(basename "$script")"
    bash "$script"
  done
  pg_ctl -w -m fast stop >/dev/null
  trap - ERR
  printf '%s\n' "$digest" > "$PGDATA/.passwords-digest"
  mkdir -p "$done_dir" && for script in /docker-entrypoint-initdb.d/*.sh; do touch "$done_dir/$(basename "$script")"; done
  touch "$PGDATA/.init-complete"
  echo "init: done"
fi

# A volume of the first release ran 10 and 20 but kept no markers.
[ -d "$done_dir" ] || { mkdir -p "$done_dir" && touch "$done_dir/10-dagster.sh" "$done_dir/20-source.sh"; }
pending=()
for script in /docker-entrypoint-initdb.d/*.sh; do
  [ -e "$done_dir/$(basename "$script")" ] || pending+=("$script")
done
if [ ${#pending[@]} -gt 0 ]; then
  pg_ctl -w "${local_only[@]}" start >/dev/null
  for script in "${pending[@]}"; do
    echo "postgres: running $(basename "$script") on this existing cluster"
    bash "$script"
    touch "$done_dir/$(basename "$script")"
  done
  pg_ctl -w -m fast stop >/dev/null
fi

# Passwords changed in .env since the last start: apply them to the roles before serving.
if [ "$(cat "$PGDATA/.passwords-digest" 2>/dev/null)" != "$digest" ]; then
  pg_ctl -w "${local_only[@]}" start >/dev/null
  psql -v ON_ERROR_STOP=1 --quiet -d postgres \
    -v dagster_user="${DAGSTER_POSTGRES_USER:-dagster}" -v dagster_password="$DAGSTER_POSTGRES_PASSWORD" \
    -v source_user="${SOURCE_POSTGRES_USER:-replicator}" -v source_password="$SOURCE_POSTGRES_PASSWORD" \
    -v lake_writer_password="$LAKE_WRITER_PASSWORD" -v lake_reader_password="$LAKE_READER_PASSWORD" <<'SQL'
ALTER ROLE :"dagster_user" PASSWORD :'dagster_password';
ALTER ROLE :"source_user" PASSWORD :'source_password';
ALTER ROLE lake_writer PASSWORD :'lake_writer_password';
ALTER ROLE lake_reader PASSWORD :'lake_reader_password';
SQL
  pg_ctl -w -m fast stop >/dev/null
  printf '%s\n' "$digest" > "$PGDATA/.passwords-digest"
  echo "postgres: role passwords set from the secrets volume"
fi

exec postgres -c listen_addresses='*' "$@"
