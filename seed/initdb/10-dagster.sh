#!/bin/bash
# Dagster's run, event-log and schedule storage.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --quiet -v user="${DAGSTER_POSTGRES_USER:-dagster}" \
  -v password="$DAGSTER_POSTGRES_PASSWORD" <<'SQL'
CREATE ROLE :"user" LOGIN PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'user', :'user') \gexec
SQL
