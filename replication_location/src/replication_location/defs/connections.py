"""Where Sling reads from and writes to, and the DuckDB resource of the same file.

MY_POSTGRES is the application database through the read-only replication role; every value
is an EnvVar, so it is read when a run starts and never stored in the definitions. MY_DUCKDB is
the location's own file in the warehouse volume.
"""

import os

import dagster as dg
from dagster_duckdb import DuckDBResource
from dagster_sling import SlingConnectionResource, SlingResource

# Every writer of replication.duckdb runs in this pool (limited to 1 by the instance).
DUCKDB_POOL = "replication_duckdb"


def duckdb_file() -> str:
    return os.path.join(os.environ.get("WAREHOUSE_DIR", "/opt/dagster/warehouse"), "replication.duckdb")


def source_postgres() -> SlingConnectionResource:
    return SlingConnectionResource(
        name="MY_POSTGRES",
        type="postgres",
        host=dg.EnvVar("SOURCE_POSTGRES_HOST"),
        port=dg.EnvVar("SOURCE_POSTGRES_PORT"),
        database=dg.EnvVar("SOURCE_POSTGRES_DB"),
        user=dg.EnvVar("SOURCE_POSTGRES_USER"),
        password=dg.EnvVar("SOURCE_POSTGRES_PASSWORD"),
        # The source has no TLS inside the compose network (scram-sha-256 auth); Sling's driver
        # knows only disable/require/verify-*.
        sslmode=os.environ.get("SOURCE_POSTGRES_SSLMODE", "disable"),
    )


# Sling hands rows to the DuckDB CLI as CSV files in its temp folder instead of streaming them
# through a localhost HTTP server (default): faster, and needs no httpfs extension (see
# bench/replication_sling.py). Shared with the component's defs.yaml.
DUCKDB_COPY_METHOD = "csv_files"


def warehouse_duckdb() -> SlingConnectionResource:
    return SlingConnectionResource(
        name="MY_DUCKDB", type="duckdb", instance=duckdb_file(), copy_method=DUCKDB_COPY_METHOD
    )


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "sling": SlingResource(connections=[source_postgres(), warehouse_duckdb()]),
            "duckdb": DuckDBResource(database=duckdb_file()),
        }
    )
