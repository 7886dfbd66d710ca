"""The daily partitions of the NeoWs backfill assets and how a backfill splits them into runs."""

import datetime as dt

import dagster as dg

from api_location import settings

nasa_daily_partitions = dg.DailyPartitionsDefinition(start_date="2025-04-01")

# A backfill runs up to BACKFILL_DAYS_PER_RUN days per run; NASAResource.get_feed fetches them in
# feed-sized (7-day) requests.
nasa_backfill_policy = dg.BackfillPolicy.multi_run(
    max_partitions_per_run=settings.BACKFILL_DAYS_PER_RUN
)


def partition_days(context: dg.AssetExecutionContext) -> tuple[str, str]:
    """First and last day (inclusive, YYYY-MM-DD) of the run's partition range."""
    window = context.partition_time_window
    last = window.end.date() - dt.timedelta(days=1)
    return window.start.date().isoformat(), last.isoformat()
