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
LANDING_BATCH_MAX_FILES = "LANDING_BATCH_MAX_FILES"
LANDING_BATCH_MAX_MB = "LANDING_BATCH_MAX_MB"
LANDING_SETTLE_SECONDS = "LANDING_SETTLE_SECONDS"
# Variable -> (default, smallest value taken)
DEFAULT_NUMBERS = {
    LANDING_SENSOR_INTERVAL_SECONDS: (3, 1),
    # Batches (runs) per tick; a bigger backlog is taken over the next ticks. Two runs keep two
    # cores busy; handing out more per tick only makes the tick longer (each run's config lists
    # its files, and the daemon stores and checks it before the tick ends).
    LANDING_SENSOR_MAX_RUNS_PER_TICK: (2, 1),
    # One batch: one DuckDB read of up to this many files (10,000 course files: about 4 s) or this
    # many MiB of CSV, staged in the run's memory before one commit.
    LANDING_BATCH_MAX_FILES: (10_000, 1),
    LANDING_BATCH_MAX_MB: (256, 1),
    LANDING_SETTLE_SECONDS: (3, 0),  # a file unchanged this long (ctime) is ready to import
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
