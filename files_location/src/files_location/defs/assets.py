"""Import one landing file named in run config into raw_data (the course's first pipeline)."""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource
from pydantic import Field

from files_location.landing import landing_dir, resolve_landing_file
from files_location.loading import failure, load_file
from files_location.share_prices import BadFileError
from files_location.warehouse import WRITER_POOL, Tag


class ImportFileConfig(dg.Config):
    path: str = Field(description="File name relative to the landing folder, e.g. 2018-01-22.csv")


@dg.asset(kinds={"csv"}, group_name="file_import")
def import_file(context: dg.AssetExecutionContext, config: ImportFileConfig) -> str:
    """The landing file to import, checked to be a regular file inside the landing folder."""
    try:
        path = resolve_landing_file(config.path)
    except BadFileError as error:
        raise failure(error) from error
    context.add_output_metadata({"path": str(path), "size_bytes": path.stat().st_size})
    return str(path)


@dg.asset(kinds={"duckdb"}, group_name="file_import", pool=WRITER_POOL)
def duckdb_table(duckdb: DuckDBResource, import_file: str) -> dg.MaterializeResult:
    """raw_data: every imported file's rows; importing a file again replaces its rows."""
    source_file = str(Path(import_file).relative_to(landing_dir().resolve()))
    return load_file(
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
