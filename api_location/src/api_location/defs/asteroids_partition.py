"""asteroids_partition: daily partitions for backfills, loaded idempotently into DuckDB."""

import datetime as dt

import dagster as dg
from dagster_duckdb import DuckDBResource

from api_location import settings
from api_location.asteroid_rows import asteroid_rows
from api_location.nasa import FEED_MAX_DAYS, NASAResource
from api_location.warehouse import replace_days_from_rows

TABLE = "asteroids_partition"

nasa_daily_partitions = dg.DailyPartitionsDefinition(start_date="2025-04-01")


@dg.asset(
    group_name="nasa",
    kinds={"duckdb"},
    partitions_def=nasa_daily_partitions,
    # A backfill runs up to 7 days per run, each run a single feed request within the API's window.
    backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=FEED_MAX_DAYS),
    pool=settings.DUCKDB_POOL,
)
def asteroids_partition(
    context: dg.AssetExecutionContext, nasa: NASAResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """Near-earth objects per close-approach day; rerunning a partition replaces its rows."""
    window = context.partition_time_window
    start = window.start.date()
    end = window.end.date() - dt.timedelta(days=1)
    feed: dict = {}
    # One request per run under the backfill policy; chunked anyway should a range be longer.
    for chunk_start in range(0, (end - start).days + 1, FEED_MAX_DAYS):
        first = start + dt.timedelta(days=chunk_start)
        last = min(end, first + dt.timedelta(days=FEED_MAX_DAYS - 1))
        feed.update(nasa.get_feed(first.isoformat(), last.isoformat()))
    with duckdb.get_connection() as conn:
        inserted = replace_days_from_rows(conn, TABLE, sorted(feed), asteroid_rows(feed))
    return dg.MaterializeResult(
        metadata={
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "rows_loaded": inserted,
        }
    )
