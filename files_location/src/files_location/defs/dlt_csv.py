"""The course's dlt version of the file import, fed by import_file, loading into files.duckdb."""

import os
import tempfile
from pathlib import Path

# dlt reports usage to its vendor unless told not to; runs must not reach the internet.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dagster as dg
import dlt
import pyarrow as pa
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from files_location.loading import failure
from files_location.share_prices import BadFileError
from files_location.warehouse import WRITER_POOL, database_path, read_arrow


@dlt.source
def csv_source(file_path: str | None = None):
    # merge on source_file with delete-insert: loading a file again replaces its rows.
    @dlt.resource(
        name="load_csv",
        write_disposition={"disposition": "merge", "strategy": "delete-insert"},
        merge_key="source_file",
    )
    def load_csv():
        # One Arrow table, not row dicts: dlt writes it to parquet without touching rows in Python.
        table = read_arrow(file_path, Path(file_path).name)
        yield table.append_column(
            "source_file", pa.array([Path(file_path).name] * table.num_rows, pa.string())
        )

    return load_csv


class CustomDagsterDltTranslator(DagsterDltTranslator):
    """dlt assets depend on import_file (the course's translator)."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        return super().get_asset_spec(data).replace_attributes(deps=[dg.AssetKey("import_file")])


def csv_pipeline(pipelines_dir: str) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name="csv_pipeline",
        dataset_name="csv_data",
        destination=dlt.destinations.duckdb(database_path()),
        pipelines_dir=pipelines_dir,
    )


@dlt_assets(
    dlt_source=csv_source(),
    # Definition-time pipeline: only describes the assets; each run builds its own below.
    dlt_pipeline=csv_pipeline(os.path.join(tempfile.gettempdir(), "files_location_dlt")),
    dagster_dlt_translator=CustomDagsterDltTranslator(),
    group_name="dlt",
    pool=WRITER_POOL,
)
def dlt_csv_assets(context: dg.AssetExecutionContext, dlt: DagsterDltResource, import_file: str):
    # Pipeline state lives in a fresh folder per run, so concurrent runs never share it.
    with tempfile.TemporaryDirectory(prefix=f"dlt-{context.run.run_id}-") as pipelines_dir:
        try:
            yield from dlt.run(
                context=context,
                dlt_source=csv_source(import_file),
                dlt_pipeline=csv_pipeline(pipelines_dir),
            )
        except Exception as error:
            # dlt wraps errors raised while extracting; surface ours as a plain Failure.
            bad_file = _bad_file_error(error)
            if bad_file is None:
                raise
            raise failure(bad_file) from error


def _bad_file_error(error: BaseException | None) -> BadFileError | None:
    while error is not None:
        if isinstance(error, BadFileError):
            return error
        error = error.__cause__ or error.__context__
    return None
