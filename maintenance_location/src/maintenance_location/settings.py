"""When the maintenance runs and what it keeps: every environment variable the location reads,
with its default. The cron is read when the definitions load, the retention when a run starts.
Where the lake is: dagster_etl_lake.settings."""

import os
from datetime import timedelta

from dagster._utils.schedules import is_valid_cron_string

LAKE_MAINTENANCE_CRON = "LAKE_MAINTENANCE_CRON"
DEFAULT_CRONS = {
    LAKE_MAINTENANCE_CRON: "17 * * * *",  # hourly: small loads kept in the catalog get written out
}
LAKE_SNAPSHOT_RETENTION_DAYS = "LAKE_SNAPSHOT_RETENTION_DAYS"
DEFAULT_LAKE_SNAPSHOT_RETENTION_DAYS = 7  # how far back time travel reaches
MAINTENANCE_POOL = "lake/maintenance"  # one maintenance pass at a time


def snapshot_retention() -> timedelta:
    value = os.environ.get(LAKE_SNAPSHOT_RETENTION_DAYS, "").strip()
    days = float(value) if value else DEFAULT_LAKE_SNAPSHOT_RETENTION_DAYS
    if days < 0:
        raise ValueError(f"{LAKE_SNAPSHOT_RETENTION_DAYS} must be a number of days >= 0, got {value!r}")
    return timedelta(days=days)


def cron(variable: str) -> str:
    """The cron expression in `variable`; unset or empty: the location's default."""
    value = os.environ.get(variable, "").strip() or DEFAULT_CRONS[variable]
    if not is_valid_cron_string(value):
        raise ValueError(
            f"{variable}={value!r} is not a cron expression of 5 fields "
            f"(e.g. {DEFAULT_CRONS[variable]!r}); unset it for the default"
        )
    return value
