"""dlt_nasa (a day from run config) and dlt_nasa_partition (daily partitions, on cron)."""

import datetime as dt
import tempfile

import dagster as dg
from dagster_dlt import DagsterDltResource, dlt_assets

from api_location import settings
from api_location.defs.asteroids_partition import nasa_daily_partitions
from api_location.nasa import FEED_MAX_DAYS, NASAResource
from api_location.nasa_date import NasaDate
from api_location.nasa_dlt import NasaDltTranslator, nasa_neo_source, nasa_pipeline

CONFIG_DATASET = "nasa_neo"
DAILY_DATASET = "nasa_neo_daily"


@dlt_assets(
    dlt_source=nasa_neo_source(),
    dlt_pipeline=nasa_pipeline(CONFIG_DATASET),
    name="dlt_nasa",
    group_name="nasa_dlt",
    dagster_dlt_translator=NasaDltTranslator(dataset=CONFIG_DATASET),
    pool=settings.DUCKDB_POOL,
)
def dlt_nasa(
    context: dg.AssetExecutionContext, dlt: DagsterDltResource, nasa: NASAResource, config: NasaDate
):
    feed = nasa.get_feed(config.date, config.date)
    with tempfile.TemporaryDirectory(prefix="dlt-") as pipelines_dir:
        yield from dlt.run(
            context=context,
            dlt_source=nasa_neo_source(feed=feed),
            dlt_pipeline=nasa_pipeline(CONFIG_DATASET, pipelines_dir),
        )


@dlt_assets(
    dlt_source=nasa_neo_source(),
    dlt_pipeline=nasa_pipeline(DAILY_DATASET),
    name="dlt_nasa_partition",
    group_name="nasa_dlt",
    dagster_dlt_translator=NasaDltTranslator(
        dataset=DAILY_DATASET, automation_condition=dg.AutomationCondition.on_cron("@daily")
    ),
    partitions_def=nasa_daily_partitions,
    backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=FEED_MAX_DAYS),
    pool=settings.DUCKDB_POOL,
)
def dlt_nasa_partition(
    context: dg.AssetExecutionContext, dlt: DagsterDltResource, nasa: NASAResource
):
    window = context.partition_time_window
    start, end = window.start.date(), window.end.date() - dt.timedelta(days=1)
    feed = nasa.get_feed(start.isoformat(), end.isoformat())
    with tempfile.TemporaryDirectory(prefix="dlt-") as pipelines_dir:
        yield from dlt.run(
            context=context,
            dlt_source=nasa_neo_source(feed=feed),
            dlt_pipeline=nasa_pipeline(DAILY_DATASET, pipelines_dir),
        )
