#!/bin/bash
# Dagster's run, event-log and schedule storage.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --quiet -v user="${DAGSTER_POSTGRES_USER:-dagster}" \
  -v password="$DAGSTER_POSTGRES_PASSWORD" <<'SQL'
CREATE ROLE :"user" LOGIN PASSWORD :'password';
CREATE DATABASE dagster OWNER :"user";
-- Only Dagster's own role may connect to its storage (not the replication role).
REVOKE ALL ON DATABASE dagster FROM PUBLIC;
REVOKE ALL ON DATABASE postgres FROM PUBLIC;
SQL
