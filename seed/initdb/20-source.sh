#!/bin/bash
# The application database that replication_location copies into DuckDB.
set -euo pipefail
db=${SOURCE_POSTGRES_DB:-source}
psql -v ON_ERROR_STOP=1 --quiet -c "CREATE DATABASE \"$db\""
psql -v ON_ERROR_STOP=1 --quiet -d "$db" -f /docker-entrypoint-initdb.d/source-schema.sql
psql -v ON_ERROR_STOP=1 --quiet -d "$db" -f /docker-entrypoint-initdb.d/source-seed.sql
# The replication role may read the source tables and nothing else.
psql -v ON_ERROR_STOP=1 --quiet -d "$db" -v user="${SOURCE_POSTGRES_USER:-replicator}" \
  -v password="$SOURCE_POSTGRES_PASSWORD" -v db="$db" <<'SQL'
CREATE ROLE :"user" LOGIN PASSWORD :'password';
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"user";
GRANT USAGE ON SCHEMA data TO :"user";
GRANT SELECT ON ALL TABLES IN SCHEMA data TO :"user";
ALTER DEFAULT PRIVILEGES IN SCHEMA data GRANT SELECT ON TABLES TO :"user";
ALTER ROLE :"user" SET default_transaction_read_only = on;
SQL
