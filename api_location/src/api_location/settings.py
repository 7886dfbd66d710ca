"""Where the location reads and writes, which APIs it calls with which key, and when it runs:
every environment variable the location reads, with its default, from the environment the image
and compose set. Folders, URLs and the key are read when used (a run reads its own container's
environment); the crons when the definitions load."""

import os
from pathlib import Path

from dagster._utils.schedules import is_valid_cron_string

# The location's schema in the lake; dlt's loads write their own datasets' schemas. Where the
# lake is: dagster_etl_lake.settings.
LAKE_SCHEMA = "api"
# Partitions per run of a NeoWs backfill: a 90-day backfill is 3 runs (each run fetches its range
# in 7-day feed requests and loads it in one transaction). Fewer, longer runs beat one run per
# week: each run start costs seconds of container start and imports.
BACKFILL_DAYS_PER_RUN = 35

WAREHOUSE_DIR = "WAREHOUSE_DIR"
REPORTS_DIR = "REPORTS_DIR"
DEFAULT_DIRS = {
    WAREHOUSE_DIR: "/opt/dagster/warehouse",  # staging/<run_id>/ for asteroid_job
    REPORTS_DIR: "/opt/dagster/reports",  # hackernews_wordcloud.md
}

NASA_API_KEY = "NASA_API_KEY"
DEFAULT_NASA_API_KEY = "DEMO_KEY"  # api.nasa.gov's shared key: 30 requests an hour
DEFAULT_NASA_BASE_URL = "https://api.nasa.gov"
DEFAULT_HACKERNEWS_BASE_URL = "https://hacker-news.firebaseio.com/v0"

DATE_RANGE_SCHEDULE_CRON = "DATE_RANGE_SCHEDULE_CRON"
HACKERNEWS_REFRESH_CRON = "HACKERNEWS_REFRESH_CRON"
DLT_NASA_PARTITION_CRON = "DLT_NASA_PARTITION_CRON"
DEFAULT_CRONS = {
    DATE_RANGE_SCHEDULE_CRON: "0 6 * * *",  # after the UTC day is complete
    HACKERNEWS_REFRESH_CRON: "*/15 * * * *",
    DLT_NASA_PARTITION_CRON: "@daily",
}


def warehouse_dir() -> Path:
    return Path(os.environ.get(WAREHOUSE_DIR, DEFAULT_DIRS[WAREHOUSE_DIR]))


def reports_dir() -> Path:
    return Path(os.environ.get(REPORTS_DIR, DEFAULT_DIRS[REPORTS_DIR]))


def nasa_api_key() -> str:
    return os.environ.get(NASA_API_KEY) or DEFAULT_NASA_API_KEY


def nasa_base_url() -> str:
    return os.environ.get("NASA_BASE_URL") or DEFAULT_NASA_BASE_URL


def hackernews_base_url() -> str:
    return os.environ.get("HACKERNEWS_BASE_URL") or DEFAULT_HACKERNEWS_BASE_URL


def cron(variable: str) -> str:
    """The cron expression in `variable`; unset or empty: the location's default."""
    value = os.environ.get(variable, "").strip() or DEFAULT_CRONS[variable]
    if not is_valid_cron_string(value):
        raise ValueError(
            f"{variable}={value!r} is not a cron expression of 5 fields "
            f"(e.g. {DEFAULT_CRONS[variable]!r}); unset it for the default"
        )
    return value
