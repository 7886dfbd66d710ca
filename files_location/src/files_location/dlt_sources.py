"""The dlt sources and pipelines of this location. Imports dlt (about a second): only asset
bodies and tests import this module, never the definitions (see defs/dlt_csv.py)."""

import os

# dlt reports usage to its vendor unless told not to; runs must not reach the internet.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dagster as dg  # noqa: E402
import dlt  # noqa: E402
import pyarrow as pa  # noqa: E402
from dagster_dlt import DagsterDltTranslator  # noqa: E402
from dagster_dlt.translator import DltResourceTranslatorData  # noqa: E402

from dagster_etl_lake.dlt_destination import ducklake_destination  # noqa: E402
from files_location import settings  # noqa: E402

# The course's dlt quick start: a few dicts. replace: a rerun leaves the same rows, not twice.
SIMPLE_DATA = [
    {"id": 1, "name": "Alice"},
    {"id": 2, "name": "Bob"},
    {"id": 3, "name": "Charlie"},
]


@dlt.source
def simple_source():
    @dlt.resource(write_disposition="replace")
    def load_dict():
        yield SIMPLE_DATA

    return load_dict


@dlt.source
def csv_source(rows: pa.Table | None = None):
    """One checked file's rows (an Arrow table with source_file), merged by source_file."""

    # merge on source_file with delete-insert: loading a file again replaces its rows.
    @dlt.resource(
        name="load_csv",
        write_disposition={"disposition": "merge", "strategy": "delete-insert"},
        merge_key="source_file",
    )
    def load_csv():
        # One Arrow table, not row dicts: dlt writes it to parquet without touching rows in Python.
        yield rows

    return load_csv


def with_source_file(table: pa.Table, source_file: str) -> pa.Table:
    return table.append_column("source_file", pa.array([source_file] * table.num_rows, pa.string()))


class CustomDagsterDltTranslator(DagsterDltTranslator):
    """dlt assets depend on import_file (the course's translator)."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        return super().get_asset_spec(data).replace_attributes(deps=[dg.AssetKey("import_file")])


def _pipeline(name: str, dataset: str, pipelines_dir: str) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=name,
        dataset_name=dataset,
        destination=ducklake_destination(),
        pipelines_dir=pipelines_dir,
    )


def csv_pipeline(pipelines_dir: str) -> dlt.Pipeline:
    return _pipeline("csv_pipeline", settings.CSV_DATASET, pipelines_dir)


def simple_pipeline(pipelines_dir: str) -> dlt.Pipeline:
    return _pipeline("simple_pipeline", settings.SIMPLE_DATASET, pipelines_dir)
