"""dlt_nasa (days from run config) and dlt_nasa_partition (daily partitions, on cron).

The specs are declared by hand (dlt_specs) and dlt is imported in the asset bodies only, so
loading the definitions does not import dlt.
"""

import tempfile
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg

from api_location import settings
from api_location.api_error import final_in_this_step
from api_location.dlt_resource import DltResource
from api_location.dlt_specs import RESOURCE_NAME, near_earth_objects_spec
from api_location.nasa_client import NASAResource
from api_location.nasa_date import NasaDate
from api_location.nasa_partitions import nasa_backfill_policy, nasa_daily_partitions, partition_days
from dagster_etl_lake.policies import LOAD_RETRY, table_pool

CONFIG_DATASET = "nasa_neo"
DAILY_DATASET = "nasa_neo_daily"


@dg.multi_asset(
    specs=[near_earth_objects_spec(CONFIG_DATASET)],
    name="dlt_nasa",
    group_name="nasa_dlt",
    # dlt's merge (delete-insert) cannot be retried from here: one writer of the table at a time.
    pool=table_pool(CONFIG_DATASET, RESOURCE_NAME),
    retry_policy=LOAD_RETRY,
)
def dlt_nasa(
    context: dg.AssetExecutionContext, dlt: DltResource, nasa: NASAResource, config: NasaDate
) -> Iterator[Any]:
    with final_in_this_step():
        feed = nasa.get_feed(config.date, config.last_date)
    yield from load_with_dlt(context, dlt, CONFIG_DATASET, feed)


@dg.multi_asset(
    specs=[
        near_earth_objects_spec(
            DAILY_DATASET,
            dg.AutomationCondition.on_cron(settings.cron(settings.DLT_NASA_PARTITION_CRON)),
        )
    ],
    name="dlt_nasa_partition",
    group_name="nasa_dlt",
    partitions_def=nasa_daily_partitions,
    backfill_policy=nasa_backfill_policy,
    pool=table_pool(DAILY_DATASET, RESOURCE_NAME),
    retry_policy=LOAD_RETRY,
)
def dlt_nasa_partition(
    context: dg.AssetExecutionContext, dlt: DltResource, nasa: NASAResource
) -> Iterator[Any]:
    # Every request of the range first, then one dlt load: a failed request loads nothing.
    with final_in_this_step():
        feed = nasa.get_feed(*partition_days(context))
    yield from load_with_dlt(context, dlt, DAILY_DATASET, feed)


def load_with_dlt(
    context: dg.AssetExecutionContext,
    dlt: DltResource,
    dataset: str,
    feed: Mapping[str, list[dict[str, Any]]],
) -> Iterator[Any]:
    """Merge the feed's days into <dataset>.near_earth_objects of the lake."""
    from api_location.dlt_sources import NasaDltTranslator, nasa_neo_source, nasa_pipeline

    # A working folder per run, so concurrent runs never share dlt's local state.
    with tempfile.TemporaryDirectory(prefix="dlt-") as pipelines_dir:
        yield from dlt.run(
            context=context,
            dlt_source=nasa_neo_source(feed=feed),
            dlt_pipeline=nasa_pipeline(dataset, pipelines_dir),
            dagster_dlt_translator=NasaDltTranslator(dataset=dataset),
        )
