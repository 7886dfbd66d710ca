"""One landing file per day (2018-01-22.csv ...) loaded as a daily partition of raw_partition_data."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from files_location.landing import resolve_landing_file
from files_location.loading import failure, load_file
from files_location.share_prices import BadFileError
from files_location.warehouse import WRITER_POOL, Tag

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
    pool=WRITER_POOL,
)
def duckdb_partition_table(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, import_partition_file: str
) -> dg.MaterializeResult:
    """raw_partition_data, replaced one day at a time by partition_date.

    The dates inside a file do not match its name, so the partition is identified by its own
    column rather than by `date` (deleting by `date` would duplicate every rerun).
    """
    file = f"{context.partition_key}.csv"
    return load_file(
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

# Each day at midnight, import the day that just ended.
import_partition_schedule = dg.build_schedule_from_partitioned_job(
    import_partition_job, name="import_partition_schedule"
)
