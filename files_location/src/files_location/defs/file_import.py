"""Import one landing file named in run config into raw_data (the course's first pipeline):
import_file, its blocking check valid_share_prices, duckdb_table, and import_job."""

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import Field

from dagster_etl_lake.policies import LOAD_RETRY
from files_location.bad_file_error import BadFileError
from files_location.contract import ContractViolation, check
from files_location.landing import relative_name, resolve_landing_file
from files_location.loading import contract_check_spec, contract_result, failure, load_file
from files_location.warehouse import DUCKDB_CONFIG, Tag


class ImportFileConfig(dg.Config):
    path: str = Field(description="File name relative to the landing folder, e.g. 2018-01-22.csv")


@dg.asset(kinds={"csv"}, group_name="file_import")
def import_file(context: dg.AssetExecutionContext, config: ImportFileConfig) -> str:
    """The landing file to import: a regular file inside the landing folder, with a name the
    landing folder takes (the same names the landing sensor imports)."""
    try:
        path = resolve_landing_file(config.path)
    except BadFileError as error:
        raise failure(error) from error
    context.add_output_metadata({"file": relative_name(path), "size_bytes": path.stat().st_size})
    return str(path)


# The course's blocking check between import_file and its loads, on the whole contract: a file
# that breaks it never reaches raw_data or the dlt table.
@dg.asset_check(
    asset=import_file,
    blocking=True,
    description="The file keeps the share-price contract (columns, fields, dates, numbers,"
    " every share_price present and > 0).",
)
def valid_share_prices(import_file: str):
    file = relative_name(import_file)
    try:
        with duckdb.connect(config=DUCKDB_CONFIG) as conn:
            report = check(conn, import_file, file)
    except ContractViolation as violation:
        yield contract_result(file, violation=violation, check_name="valid_share_prices")
        # The step failure names the file and the rule, not only "a blocking check failed".
        raise failure(violation) from violation
    yield contract_result(file, rows=report.rows, check_name="valid_share_prices")


@dg.asset(
    kinds={"duckdb"},
    group_name="file_import",
    retry_policy=LOAD_RETRY,
    check_specs=[contract_check_spec("duckdb_table")],
)
def duckdb_table(duckdb: DuckDBResource, import_file: str):
    """raw_data: every imported file's rows; importing a file again replaces its rows."""
    source_file = relative_name(import_file)
    yield from load_file(
        duckdb,
        table="raw_data",
        source=import_file,
        file=source_file,
        tags=[Tag("source_file", "VARCHAR", source_file)],
        key="source_file",
    )


import_job = dg.define_asset_job(
    "import_job",
    selection=dg.AssetSelection.assets(import_file, duckdb_table),
    description="Import the landing file named in run config into raw_data.",
)
