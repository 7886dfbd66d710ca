"""The location's resources, bound to the deployment's settings."""

import dagster as dg

from dagster_etl_lake import LakeResource
from files_location import settings
from files_location.dlt_resource import DltRunner
from files_location.s3_client import S3Storage
from files_location.warehouse import DUCKDB_CONFIG


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            # The lake, in this location's schema (the course's assets take it as `duckdb`).
            "duckdb": LakeResource(lake_schema=settings.LAKE_SCHEMA, connection_config=DUCKDB_CONFIG),
            # Read when a run uses them; the deployment passes them (empty when S3 is unused).
            "s3": S3Storage(
                **{field: dg.EnvVar(name) for field, name in settings.S3_ENV_VARS.items()}
            ),
            "dlt": DltRunner(),  # dagster_dlt, imported only by runs that use it
        }
    )
