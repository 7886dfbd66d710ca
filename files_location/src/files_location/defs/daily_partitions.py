"""One landing file per day (2018-01-22.csv ...) loaded as a daily partition of raw_partition_data."""

from datetime import UTC, timedelta

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_etl_lake.policies import LOAD_RETRY
from files_location import settings
from files_location.bad_file_error import BadFileError
from files_location.landing import resolve_landing_file
from files_location.loading import contract_check_spec, failure, load_file
from files_location.warehouse import Tag

# Open-ended from the first sample file, so every sample day (the course's exclusive end date
# dropped the last one) and every day to come is a partition.
daily_partitions = dg.DailyPartitionsDefinition(start_date="2018-01-22")


@dg.asset(partitions_def=daily_partitions, kinds={"csv"}, group_name="daily_partitions")
def import_partition_file(context: dg.AssetExecutionContext) -> str:
    """The landing file named after the partition's day, <YYYY-MM-DD>.csv."""
    try:
        path = resolve_landing_file(f"{context.partition_key}.csv")
    except BadFileError as error:
        raise failure(error) from error
    return str(path)


@dg.asset(
    partitions_def=daily_partitions,
    kinds={"duckdb"},
    group_name="daily_partitions",
    retry_policy=LOAD_RETRY,
    check_specs=[contract_check_spec("duckdb_partition_table")],
)
def duckdb_partition_table(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, import_partition_file: str
):
    """raw_partition_data, replaced one day at a time by partition_date.

    The dates inside a file do not match its name, so the partition is identified by its own
    column rather than by `date` (deleting by `date` would duplicate every rerun).
    """
    file = f"{context.partition_key}.csv"
    yield from load_file(
        duckdb,
        table="raw_partition_data",
        source=import_partition_file,
        file=file,
        tags=[
            Tag("partition_date", "DATE", context.partition_key),
            Tag("source_file", "VARCHAR", file),
        ],
        key="partition_date",
    )


import_partition_job = dg.define_asset_job(
    "import_partition_job",
    selection=dg.AssetSelection.assets(import_partition_file, duckdb_partition_table),
)


# Each day (at midnight unless IMPORT_PARTITION_SCHEDULE_CRON says otherwise), import the day
# that just ended. Stopped until someone starts it: it reads yesterday's file, which a new
# deployment does not have, so running by default would only fail every night.
@dg.schedule(
    name="import_partition_schedule",
    job=import_partition_job,
    cron_schedule=settings.cron(settings.IMPORT_PARTITION_SCHEDULE_CRON),
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Imports the last complete day's file (<YYYY-MM-DD>.csv) as its partition.",
)
def import_partition_schedule(context: dg.ScheduleEvaluationContext):
    # build_schedule_from_partitioned_job takes no cron for a daily partitioned job; this is
    # what it does (the last complete day at the tick's time, UTC) on any cron.
    tick = context.scheduled_execution_time.astimezone(UTC)
    day = (tick.date() - timedelta(days=1)).isoformat()
    if day < daily_partitions.start.strftime("%Y-%m-%d"):
        return dg.SkipReason(f"no complete day since the first partition yet ({day})")
    return dg.RunRequest(run_key=day, partition_key=day)
