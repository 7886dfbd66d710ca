"""Where the replication reads from and writes to, for Sling and for the DuckDB engine.

MY_POSTGRES (Sling) and `source_postgres` (the DuckDB engine) are the application database
through the read-only replication role; every value is an EnvVar, so it is read when a run starts
and never stored in the definitions. MY_LAKE and `duckdb` are the deployment's lake, in this
location's schema.
"""

from urllib.parse import urlparse

import dagster as dg
from dagster_sling import SlingConnectionResource, SlingResource

from dagster_etl_lake import LakeResource, lake_settings
from dagster_etl_lake.settings import S3_ENV_VARS
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


def lake_target() -> dict:
    """Sling's `ducklake` connection to the lake, every property always present (empty when unused,
    which Sling ignores) so that the component's defs.yaml can name each one. The catalog string
    holds no password (libpq reads it from PGPASSFILE); an S3 data path's keys are EnvVars, read
    when a run starts."""
    lake = lake_settings()
    endpoint = urlparse(lake.s3.endpoint_url)
    on_s3 = lake.on_s3
    return {
        "type": "ducklake",
        "catalog_type": lake.catalog_type,
        "catalog_conn_string": lake.catalog,
        "data_path": lake.data_path,
        "copy_method": settings.DUCKDB_COPY_METHOD,
        "s3_access_key_id": dg.EnvVar(S3_ENV_VARS["access_key_id"]) if on_s3 else "",
        "s3_secret_access_key": dg.EnvVar(S3_ENV_VARS["secret_access_key"]) if on_s3 else "",
        "s3_region": lake.s3.region if on_s3 else "",
        "s3_endpoint": endpoint.netloc if on_s3 else "",
        "url_style": "path" if on_s3 and endpoint.netloc else "",
        "use_ssl": str(endpoint.scheme == "https").lower() if on_s3 and endpoint.netloc else "",
    }


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "sling": SlingResource(connections=[source_postgres(),
                                                SlingConnectionResource(name="MY_LAKE", **lake_target())]),
            # Extensions come from wheels; DuckDB must never fetch one at run time.
            "duckdb": LakeResource(lake_schema=settings.LAKE_SCHEMA),
            "source_postgres": source_postgres_for_duckdb(),
        }
    )
