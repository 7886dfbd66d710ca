"""asteroids_partition: daily partitions for backfills, loaded idempotently into the lake (the runs
of one backfill replace their days side by side; a conflict between them is retried)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from api_location.api_error import final_in_this_step
from api_location.asteroid_rows import asteroid_rows
from api_location.nasa_client import NASAResource
from api_location.nasa_partitions import (
    nasa_backfill_policy,
    nasa_daily_partitions,
    partition_days,
)
from api_location.warehouse import replace_days_from_rows
from dagster_etl_lake.policies import LOAD_RETRY

TABLE = "asteroids_partition"


@dg.asset(
    group_name="nasa",
    kinds={"duckdb"},
    partitions_def=nasa_daily_partitions,
    backfill_policy=nasa_backfill_policy,
    retry_policy=LOAD_RETRY,
)
def asteroids_partition(
    context: dg.AssetExecutionContext, nasa: NASAResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """Near-earth objects per close-approach day; rerunning a partition replaces its rows."""
    start, end = partition_days(context)
    # Every request of the range first, then one transaction: a failed request loads nothing.
    with final_in_this_step():
        feed = nasa.get_feed(start, end)
    with duckdb.get_connection() as conn:
        inserted = replace_days_from_rows(conn, TABLE, sorted(feed), asteroid_rows(feed))
    return dg.MaterializeResult(
        metadata={"start_date": start, "end_date": end, "rows_loaded": inserted}
    )
