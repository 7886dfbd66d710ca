"""Where the location writes, which Postgres it copies from and when it runs: every environment
variable the location reads, with its default, from the environment the image and compose set.
The source's settings are read when used (a run reads its own container's environment; the
password only through dg.EnvVar, never stored in the definitions); the crons when the definitions
load. Where the lake is: dagster_etl_lake.settings."""

import os

from dagster._utils.schedules import is_valid_cron_string

from dagster_etl_lake.policies import table_pool

# The location's schema in the lake (the replication's tables); the component writes its own.
LAKE_SCHEMA = "replication"
COMPONENT_SCHEMA = "sling_component"
# Sling keeps each stream's temporary table in the lake's `main` schema under the stream's table
# name, whichever schema it writes (main.data_orders_sling_duckdb_tmp for replication.data_orders
# and sling_component.data_orders alike): every Sling writer of the lake takes this one pool.
SLING_POOL = "lake/sling"
# The DuckDB engine merges into its tables (an upsert): one writer of the schema's tables at a time.
DUCKDB_ENGINE_POOL = table_pool(LAKE_SCHEMA)
# Sling hands rows to the DuckDB CLI as CSV files in its temp folder instead of streaming them
# through a localhost HTTP server (default): faster (see bench/replication_sling.py).
DUCKDB_COPY_METHOD = "csv_files"

# The application database, through the read-only replication role; all must be set.
SOURCE_POSTGRES_VARIABLES = {
    "host": "SOURCE_POSTGRES_HOST",
    "port": "SOURCE_POSTGRES_PORT",
    "database": "SOURCE_POSTGRES_DB",
    "user": "SOURCE_POSTGRES_USER",
    "password": "SOURCE_POSTGRES_PASSWORD",
}
SOURCE_POSTGRES_SSLMODE = "SOURCE_POSTGRES_SSLMODE"
# No TLS inside the compose network (scram-sha-256 auth); Sling's driver knows only
# disable/require/verify-*.
DEFAULT_SOURCE_POSTGRES_SSLMODE = "disable"

POSTGRES_REFRESH_CRON = "POSTGRES_REFRESH_CRON"
ORDERS_REFRESH_CRON = "ORDERS_REFRESH_CRON"
DEFAULT_CRONS = {
    POSTGRES_REFRESH_CRON: "0 6 * * *",  # every table each morning
    ORDERS_REFRESH_CRON: "0 12,18 * * *",  # orders again at noon and 18:00
}


def source_sslmode() -> str:
    return os.environ.get(SOURCE_POSTGRES_SSLMODE) or DEFAULT_SOURCE_POSTGRES_SSLMODE


def cron(variable: str) -> str:
    """The cron expression in `variable`; unset or empty: the location's default."""
    value = os.environ.get(variable, "").strip() or DEFAULT_CRONS[variable]
    if not is_valid_cron_string(value):
        raise ValueError(
            f"{variable}={value!r} is not a cron expression of 5 fields "
            f"(e.g. {DEFAULT_CRONS[variable]!r}); unset it for the default"
        )
    return value
