"""Where the location reads and writes, how its sensor paces itself and when its schedule fires:
every environment variable the location reads, with its default, from the environment the image
and compose set. Folders are read when used (a run reads its own container's environment); the
sensor interval and the schedule's cron when the definitions load."""

import os
from pathlib import Path

from dagster._utils.schedules import is_valid_cron_string

# The location's schema in the lake (the tables of the file imports); dlt's loads write their own
# datasets' schemas (csv_data, simple). Where the lake is: dagster_etl_lake.settings.
LAKE_SCHEMA = "files"
CSV_DATASET, SIMPLE_DATASET = "csv_data", "simple"

LANDING_DIR = "LANDING_DIR"
DEFAULT_DIRS = {
    LANDING_DIR: "/opt/dagster/landing",  # where files are imported from
}

LANDING_SENSOR_INTERVAL_SECONDS = "LANDING_SENSOR_INTERVAL_SECONDS"
LANDING_SENSOR_MAX_RUNS_PER_TICK = "LANDING_SENSOR_MAX_RUNS_PER_TICK"
LANDING_SETTLE_SECONDS = "LANDING_SETTLE_SECONDS"
# Variable -> (default, smallest value taken)
DEFAULT_NUMBERS = {
    LANDING_SENSOR_INTERVAL_SECONDS: (3, 1),
    LANDING_SENSOR_MAX_RUNS_PER_TICK: (100, 1),  # run requests per tick; the rest follow later
    LANDING_SETTLE_SECONDS: (3, 0),  # a file this old (mtime) is ready to import
}

IMPORT_PARTITION_SCHEDULE_CRON = "IMPORT_PARTITION_SCHEDULE_CRON"
DEFAULT_CRONS = {
    IMPORT_PARTITION_SCHEDULE_CRON: "0 0 * * *",  # midnight: import the day that just ended
}

# The `s3` resource's fields, read by dg.EnvVar when a run uses it (must be set, may be empty;
# an empty endpoint means AWS).
S3_ENV_VARS = {
    "endpoint_url": "S3_ENDPOINT_URL",
    "access_key_id": "S3_ACCESS_KEY_ID",
    "secret_access_key": "S3_SECRET_ACCESS_KEY",
    "region": "S3_REGION",
}


def landing_dir() -> Path:
    return Path(os.environ.get(LANDING_DIR, DEFAULT_DIRS[LANDING_DIR]))


def number(variable: str) -> int:
    """The whole number in `variable`; unset or empty: the default."""
    default, minimum = DEFAULT_NUMBERS[variable]
    value = os.environ.get(variable, "").strip()
    if not value:
        return default
    result = int(value)
    if result < minimum:
        raise ValueError(f"{variable} must be an integer >= {minimum}, got {value!r}")
    return result


def cron(variable: str) -> str:
    """The cron expression in `variable`; unset or empty: the location's default."""
    value = os.environ.get(variable, "").strip() or DEFAULT_CRONS[variable]
    if not is_valid_cron_string(value):
        raise ValueError(
            f"{variable}={value!r} is not a cron expression of 5 fields "
            f"(e.g. {DEFAULT_CRONS[variable]!r}); unset it for the default"
        )
    return value
