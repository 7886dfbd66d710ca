"""The location's resources, bound to the deployment's settings."""

import dagster as dg

from api_location import settings
from api_location.dlt_resource import DltResource
from api_location.hackernews_client import HackerNewsResource
from api_location.hn_io_manager import HackerNewsReportIOManager
from api_location.nasa_client import NASAResource
from dagster_etl_lake import LakeResource


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "nasa": NASAResource(),  # key and URL from the run's environment
            "hackernews": HackerNewsResource(),
            "duckdb": LakeResource(lake_schema=settings.LAKE_SCHEMA),  # the lake, in this location's schema
            "dlt": DltResource(),  # imports dlt only when a dlt asset runs
            "hn_io_manager": HackerNewsReportIOManager(reports_dir=str(settings.reports_dir())),
        }
    )
