"""import_file_s3 -> duckdb_table_s3 against a real S3 server (moto's server mode) on 127.0.0.1."""

import dagster as dg
from conftest import HEADER, failure_text, query, s3_resource

from files_location.defs.object_storage import duckdb_table_s3, import_file_s3
from files_location.sample_data import sample_file


def run_s3_import(duckdb_resource, endpoint, bucket, path):
    return dg.materialize(
        [import_file_s3, duckdb_table_s3],
        resources={
            "duckdb": duckdb_resource,
            "s3": s3_resource(endpoint),
        },
        run_config={"ops": {"import_file_s3": {"config": {"bucket": bucket, "path": path}}}},
        raise_on_error=False,
    )


def test_object_is_loaded_through_httpfs_and_reimport_replaces(
    s3_endpoint, bucket, warehouse, duckdb_resource
):
    client, name = bucket
    client.put_object(
        Bucket=name, Key="daily/2018-01-22.csv", Body=sample_file("2018-01-22.csv").read_bytes()
    )
    assert run_s3_import(duckdb_resource, s3_endpoint, name, "daily/2018-01-22.csv").success
    url = f"s3://{name}/daily/2018-01-22.csv"
    assert query(
        warehouse, "SELECT count(*), min(share_price) FROM raw_s3_data WHERE source_file = ?", [url]
    ) == [(8, 264.77)]
    client.put_object(
        Bucket=name,
        Key="daily/2018-01-22.csv",
        Body=HEADER + '"2018/09/30","5.5","1","2","3","4"\n',
    )
    assert run_s3_import(duckdb_resource, s3_endpoint, name, "daily/2018-01-22.csv").success
    assert query(warehouse, "SELECT share_price FROM raw_s3_data") == [(5.5,)]


def test_missing_object_names_the_url(s3_endpoint, bucket, warehouse, duckdb_resource):
    _, name = bucket
    result = run_s3_import(duckdb_resource, s3_endpoint, name, "nope.csv")
    assert not result.success
    assert f"s3://{name}/nope.csv: cannot be read" in failure_text(result)
    assert query(warehouse, "SELECT count(*) FROM raw_s3_data") == []
