"""The location's resources, bound to the deployment's settings."""

import dagster as dg

from dagster_etl_lake import LakeResource


@dg.definitions
def resources() -> dg.Definitions:
    # The whole lake: maintenance goes over every schema's tables.
    return dg.Definitions(resources={"lake": LakeResource(lake_schema="main")})
