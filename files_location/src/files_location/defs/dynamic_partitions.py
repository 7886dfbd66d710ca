"""Files dropped into the landing folder, one dynamic partition per file (fed by the sensor)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_etl_lake.policies import LOAD_RETRY
from files_location.bad_file_error import BadFileError
from files_location.landing import resolve_landing_file
from files_location.loading import contract_check_spec, failure, load_file
from files_location.warehouse import Tag

# Partition key = the file name in the landing folder.
landing_files = dg.DynamicPartitionsDefinition(name="landing_files")


@dg.asset(partitions_def=landing_files, kinds={"csv"}, group_name="dynamic_partitions")
def import_dynamic_partition_file(context: dg.AssetExecutionContext) -> str:
    try:
        path = resolve_landing_file(context.partition_key)
    except BadFileError as error:
        raise failure(error) from error
    return str(path)


@dg.asset(
    partitions_def=landing_files,
    kinds={"duckdb"},
    group_name="dynamic_partitions",
    retry_policy=LOAD_RETRY,
    check_specs=[contract_check_spec("duckdb_dynamic_partition_table")],
)
def duckdb_dynamic_partition_table(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, import_dynamic_partition_file: str
):
    """raw_dynamic_partition_data; a file loaded again (new version) replaces its rows."""
    yield from load_file(
        duckdb,
        table="raw_dynamic_partition_data",
        source=import_dynamic_partition_file,
        file=context.partition_key,
        tags=[Tag("source_file", "VARCHAR", context.partition_key)],
        key="source_file",
    )


import_dynamic_partition_job = dg.define_asset_job(
    "import_dynamic_partition_job",
    selection=dg.AssetSelection.assets(
        import_dynamic_partition_file, duckdb_dynamic_partition_table
    ),
)
