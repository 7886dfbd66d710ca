"""90-day backfills of the NeoWs partitioned assets, planned by the backfill daemon's own code:
3 runs of at most 35 days, 7-day feed requests, every day loaded exactly once, even with a feed
that answers 500 to every 7th request."""

import datetime as dt

import dagster as dg
from backfill import BulkActionStatus, backfill_daemon
from conftest import query
from fake_apis import FEED_PATH, objects_on

from api_location import settings
from api_location.defs.asteroids_partition import asteroids_partition
from api_location.defs.dlt_nasa import dlt_nasa_partition

DAYS = [(dt.date(2025, 4, 1) + dt.timedelta(days=n)).isoformat() for n in range(90)]
ASTEROIDS = dg.AssetKey("asteroids_partition")
DLT_DAILY = dg.AssetKey(["nasa_neo_daily", "near_earth_objects"])
TABLES = ("asteroids_partition", "nasa_neo_daily.near_earth_objects")
NO_BACKOFF = {"resources": {"nasa": {"config": {"backoff_factor": 0}}}}


def rows_per_day(warehouse, table: str) -> dict[str, int]:
    return dict(
        query(warehouse, f"SELECT approach_date::VARCHAR, count(*) FROM {table} GROUP BY 1")
    )


def distinct_and_total(warehouse, table: str) -> tuple[int, int]:
    [row] = query(warehouse, f"SELECT count(DISTINCT (id, approach_date)), count(*) FROM {table}")
    return row


def test_both_partitioned_assets_share_the_backfill_setting():
    for assets_def in (asteroids_partition, dlt_nasa_partition):
        assert assets_def.backfill_policy == dg.BackfillPolicy.multi_run(
            settings.BACKFILL_DAYS_PER_RUN
        )
    assert settings.BACKFILL_DAYS_PER_RUN == 35


def test_a_90_day_backfill_with_a_flaky_feed_loads_every_day_once_in_3_runs(env, apis):
    """Then backfilling 40 of those days again replaces them, in 2 runs."""
    apis.feed_fails_every = 7  # the 7th, 14th, ... feed request answers HTTP 500
    expected = {day: objects_on(day) for day in DAYS}
    with backfill_daemon() as run_backfill:
        status, runs = run_backfill([ASTEROIDS, DLT_DAILY], DAYS, NO_BACKOFF)

        assert status == BulkActionStatus.COMPLETED_SUCCESS
        assert [run.status for run in runs] == [dg.DagsterRunStatus.SUCCESS] * 3
        assert sorted(
            (
                run.tags["dagster/asset_partition_range_start"],
                run.tags["dagster/asset_partition_range_end"],
            )
            for run in runs
        ) == [
            ("2025-04-01", "2025-05-05"),
            ("2025-05-06", "2025-06-09"),
            ("2025-06-10", "2025-06-29"),
        ]
        for table in TABLES:
            assert rows_per_day(env["warehouse"], table) == expected, table
            distinct, total = distinct_and_total(env["warehouse"], table)
            assert distinct == total == sum(expected.values()), table
        # Each asset asked 5 + 5 + 3 feed-sized requests; every 7th request failed and was retried.
        requests = len(apis.requests_to(FEED_PATH))
        assert requests == 2 * (5 + 5 + 3) + requests // 7

        status, runs = run_backfill([ASTEROIDS, DLT_DAILY], DAYS[:40], NO_BACKOFF)
        assert status == BulkActionStatus.COMPLETED_SUCCESS
        assert len(runs) == 2
        for table in TABLES:
            assert rows_per_day(env["warehouse"], table) == expected, table
