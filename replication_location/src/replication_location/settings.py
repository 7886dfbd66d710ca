"""Where the location writes, which Postgres it copies from and when it runs: every environment
variable the location reads, with its default, from the environment the image and compose set.
The folder and the source's settings are read when used (a run reads its own container's
environment; the password only through dg.EnvVar, never stored in the definitions); the crons when
the definitions load."""

import os
from pathlib import Path

from dagster._utils.schedules import is_valid_cron_string

DUCKDB_FILE = "replication.duckdb"  # in WAREHOUSE_DIR
# Every writer of replication.duckdb runs in this pool; dagster.yaml limits it to one at a time.
DUCKDB_POOL = "replication_duckdb"
# Sling hands rows to the DuckDB CLI as CSV files in its temp folder instead of streaming them
# through a localhost HTTP server (default): faster, and needs no httpfs extension (see
# bench/replication_sling.py). The component's defs.yaml says the same.
DUCKDB_COPY_METHOD = "csv_files"

WAREHOUSE_DIR = "WAREHOUSE_DIR"
DEFAULT_DIRS = {
    WAREHOUSE_DIR: "/opt/dagster/warehouse",  # replication.duckdb
}

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


def warehouse_dir() -> Path:
    return Path(os.environ.get(WAREHOUSE_DIR, DEFAULT_DIRS[WAREHOUSE_DIR]))


def duckdb_path() -> Path:
    return warehouse_dir() / DUCKDB_FILE


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
