"""The same import from S3-compatible object storage: DuckDB reads s3:// through httpfs."""

import dagster as dg
from dagster_duckdb import DuckDBResource
from pydantic import Field

from dagster_etl_lake.policies import LOAD_RETRY
from files_location.loading import contract_check_spec, load_file
from files_location.s3_client import S3Storage, connect_s3, s3_url
from files_location.warehouse import Tag


class ImportFileS3Config(dg.Config):
    bucket: str = Field(description="Bucket name")
    path: str = Field(description="Object key inside the bucket, e.g. landing/2018-01-22.csv")


@dg.asset(kinds={"s3"}, group_name="object_storage")
def import_file_s3(config: ImportFileS3Config) -> str:
    try:
        return s3_url(config.bucket, config.path)
    except ValueError as error:
        raise dg.Failure(description=f"s3://{config.bucket}/{config.path}: {error}") from error


@dg.asset(
    kinds={"duckdb"},
    group_name="object_storage",
    retry_policy=LOAD_RETRY,
    check_specs=[contract_check_spec("duckdb_table_s3")],
)
def duckdb_table_s3(duckdb: DuckDBResource, s3: S3Storage, import_file_s3: str):
    """raw_s3_data; importing an object again replaces its rows."""

    yield from load_file(
        duckdb,
        table="raw_s3_data",
        source=import_file_s3,
        file=import_file_s3,
        tags=[Tag("source_file", "VARCHAR", import_file_s3)],
        key="source_file",
        prepare=lambda conn: connect_s3(conn, s3),
    )


import_s3_job = dg.define_asset_job(
    "import_s3_job", selection=dg.AssetSelection.assets(import_file_s3, duckdb_table_s3)
)
