"""Every table each morning; orders again at noon and 18:00 (incremental).

The schedules start RUNNING: keeping the warehouse fresh is what the deployment is for. Their
times come from POSTGRES_REFRESH_CRON and ORDERS_REFRESH_CRON when set (read when the location
loads; empty means the default).
"""

import dagster as dg

from replication_location import settings
from replication_location.asset_keys import ORDERS, TABLES

# A replication run holds its pool (the lake's Sling writers, or the DuckDB engine's tables); should
# it ever hang, run monitoring (when the instance enables it) ends it after an hour instead of
# blocking every other writer of that pool.
RUN_TAGS = {"dagster/max_runtime": 3600}
# A replication step that fails (a dropped connection, Sling's DuckDB target now and then failing
# with "Schema with name main already exists" on a file it wrote a moment ago) is tried again;
# each try is atomic per table, so a retry never duplicates rows.
STEP_RETRY = dg.RetryPolicy(max_retries=2, delay=10)

# The three tables and what is built from them, whichever engine copies each table.
postgres_refresh = dg.define_asset_job(
    "postgres_refresh", selection=dg.AssetSelection.assets(*TABLES).downstream(), tags=RUN_TAGS,
    op_retry_policy=STEP_RETRY,
)
orders_refresh = dg.define_asset_job(
    "orders_refresh", selection=dg.AssetSelection.assets(ORDERS), tags=RUN_TAGS, op_retry_policy=STEP_RETRY
)


def _schedule(name: str, job, variable: str) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(name=name, job=job, cron_schedule=settings.cron(variable),
                                 default_status=dg.DefaultScheduleStatus.RUNNING)


@dg.definitions
def refresh_schedules() -> dg.Definitions:
    return dg.Definitions(
        jobs=[postgres_refresh, orders_refresh],
        schedules=[
            _schedule("postgres_refresh_daily", postgres_refresh, settings.POSTGRES_REFRESH_CRON),
            _schedule("orders_refresh_noon_and_evening", orders_refresh, settings.ORDERS_REFRESH_CRON),
        ],
    )
