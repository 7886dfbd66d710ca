"""Every table each morning; orders again at noon and 18:00 (incremental)."""

import dagster as dg

from replication_location.defs.postgres_replication.assets import postgres_tables

ORDERS = dg.AssetKey(["target", "data", "orders"])

# A Sling run holds the replication_duckdb pool; should it ever hang, run monitoring (when the
# instance enables it) ends it after an hour instead of blocking every other DuckDB writer.
RUN_TAGS = {"dagster/max_runtime": 3600}

# The three tables and what is built from them.
postgres_refresh = dg.define_asset_job(
    "postgres_refresh", selection=dg.AssetSelection.assets(postgres_tables).downstream(), tags=RUN_TAGS
)
orders_refresh = dg.define_asset_job(
    "orders_refresh", selection=dg.AssetSelection.assets(ORDERS), tags=RUN_TAGS
)

postgres_refresh_daily = dg.ScheduleDefinition(
    name="postgres_refresh_daily", job=postgres_refresh, cron_schedule="0 6 * * *"
)
orders_refresh_noon_and_evening = dg.ScheduleDefinition(
    name="orders_refresh_noon_and_evening", job=orders_refresh, cron_schedule="0 12,18 * * *"
)
