"""Where the replication reads from and writes to, for Sling and for the DuckDB engine.

MY_POSTGRES (Sling) and `source_postgres` (the DuckDB engine) are the application database
through the read-only replication role; every value is an EnvVar, so it is read when a run starts
and never stored in the definitions. MY_DUCKDB and `duckdb` are the location's own file in the
warehouse volume.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource
from dagster_sling import SlingConnectionResource, SlingResource

from replication_location import settings
from replication_location.duckdb_engine import PostgresSource


def _source_settings() -> dict:
    """The source's connection settings, read from the environment when a run needs them."""
    return {
        **{field: dg.EnvVar(variable) for field, variable in settings.SOURCE_POSTGRES_VARIABLES.items()},
        "sslmode": settings.source_sslmode(),
    }


def source_postgres() -> SlingConnectionResource:
    return SlingConnectionResource(name="MY_POSTGRES", type="postgres", **_source_settings())


class SourcePostgresResource(dg.ConfigurableResource):
    """The same source for the DuckDB engine, which attaches it READ_ONLY."""

    host: str
    port: str
    database: str
    user: str
    password: str
    sslmode: str = settings.DEFAULT_SOURCE_POSTGRES_SSLMODE

    def settings(self) -> PostgresSource:
        return PostgresSource(host=self.host, port=int(self.port), database=self.database,
                              user=self.user, password=self.password, sslmode=self.sslmode)


def source_postgres_for_duckdb() -> SourcePostgresResource:
    return SourcePostgresResource(**_source_settings())


def warehouse_duckdb() -> SlingConnectionResource:
    return SlingConnectionResource(
        name="MY_DUCKDB", type="duckdb", instance=str(settings.duckdb_path()),
        copy_method=settings.DUCKDB_COPY_METHOD,
    )


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "sling": SlingResource(connections=[source_postgres(), warehouse_duckdb()]),
            # Extensions come from wheels (binaries.py); DuckDB must never fetch one at run time.
            "duckdb": DuckDBResource(database=str(settings.duckdb_path()),
                                     connection_config={"autoinstall_known_extensions": False}),
            "source_postgres": source_postgres_for_duckdb(),
        }
    )
