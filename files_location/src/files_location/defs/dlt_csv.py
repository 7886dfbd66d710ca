"""The course's dlt assets, loading into the lake (datasets csv_data and simple): the CSV import
(fed by import_file, under the share-price contract) and the quick start (`simple_source`, a few
dicts).

Loading these definitions must not import dlt (about 1.3 s for every code-server start and run):
the asset specs are declared by hand in files_location.dlt_specs, and dlt is imported inside the
asset bodies.
"""

import tempfile
from contextlib import contextmanager

import dagster as dg

from dagster_etl_lake.policies import LOAD_RETRY, table_pool
from files_location import settings
from files_location.bad_file_error import BadFileError
from files_location.contract import ContractViolation
from files_location.dlt_resource import DltRunner
from files_location.dlt_specs import CSV_KEY, dlt_spec
from files_location.landing import relative_name
from files_location.loading import contract_check_spec, contract_result, failure
from files_location.warehouse import read_arrow


@contextmanager
def _pipelines_dir(context: dg.AssetExecutionContext):
    # Pipeline state lives in a fresh folder per run, so concurrent runs never share it.
    with tempfile.TemporaryDirectory(prefix=f"dlt-{context.run.run_id}-") as pipelines_dir:
        yield pipelines_dir


@dg.multi_asset(
    name="dlt_csv_assets",
    specs=[dlt_spec("csv_source", "load_csv", deps=["import_file"])],
    check_specs=[contract_check_spec(CSV_KEY)],
    # dlt's merge (delete-insert) cannot be retried from here: one writer of the table at a time.
    pool=table_pool(settings.CSV_DATASET, "load_csv"),
    retry_policy=LOAD_RETRY,
)
def dlt_csv_assets(context: dg.AssetExecutionContext, dlt: DltRunner, import_file: str):
    from files_location import dlt_sources

    file = relative_name(import_file)
    try:
        rows = read_arrow(import_file, file)  # checked against the contract before dlt sees it
    except ContractViolation as violation:
        yield contract_result(file, violation=violation, asset_key=CSV_KEY)
        raise failure(violation) from violation
    except BadFileError as error:
        raise failure(error) from error
    with _pipelines_dir(context) as pipelines_dir:
        yield from dlt.run(
            context=context,
            dlt_source=dlt_sources.csv_source(dlt_sources.with_source_file(rows, file)),
            dlt_pipeline=dlt_sources.csv_pipeline(pipelines_dir),
            dagster_dlt_translator=dlt_sources.CustomDagsterDltTranslator(),
        )
    yield contract_result(file, rows=rows.num_rows, asset_key=CSV_KEY)


@dg.multi_asset(
    name="dlt_simple_assets",
    specs=[dlt_spec("simple_source", "load_dict", deps=["simple_source_load_dict"])],
    pool=table_pool(settings.SIMPLE_DATASET, "load_dict"),
    retry_policy=LOAD_RETRY,
)
def dlt_simple_assets(context: dg.AssetExecutionContext, dlt: DltRunner):
    # The course's dlt quick start: simple_source's dicts into simple.load_dict. (No docstring:
    # it would become the spec's description, which dagster_dlt leaves empty.)
    from files_location import dlt_sources

    with _pipelines_dir(context) as pipelines_dir:
        yield from dlt.run(
            context=context,
            dlt_source=dlt_sources.simple_source(),
            dlt_pipeline=dlt_sources.simple_pipeline(pipelines_dir),
        )
