"""import_file_s3 -> duckdb_table_s3 against a real S3 server (moto's server mode) on 127.0.0.1."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import dagster as dg
import pytest
from conftest import HEADER, failure_text, query
from files_location.defs.object_storage import duckdb_table_s3, import_file_s3
from files_location.defs.resources import S3Storage
from files_location.sample_data import sample_file

KEY_ID, SECRET = "files-location-test", "files-location-test-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError as error:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from error
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture()
def bucket(s3_endpoint):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        region_name="us-east-1",
    )
    name = f"landing-{time.monotonic_ns()}"
    client.create_bucket(Bucket=name)
    return client, name


def run_s3_import(duckdb_resource, endpoint, bucket, path):
    return dg.materialize(
        [import_file_s3, duckdb_table_s3],
        resources={
            "duckdb": duckdb_resource,
            "s3": S3Storage(endpoint_url=endpoint, access_key_id=KEY_ID, secret_access_key=SECRET),
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
