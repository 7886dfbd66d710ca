"""Where the data files go: an S3 bucket (any S3-compatible server), or, outside the deployment, a
local lake that needs no server at all."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import dagster as dg
import pytest

from dagster_etl_lake import LakeResource, connect, in_transaction
from dagster_etl_lake.settings import READER, lake_settings
from dagster_etl_lake.testing import LocalS3


@pytest.fixture(scope="module")
def s3():
    server = LocalS3().start()
    yield server
    server.stop()


def test_a_lake_on_s3_writes_its_parquet_files_to_the_bucket_and_readers_read_them(lake, s3, monkeypatch):
    bucket = s3.create_bucket("lake")
    for key, value in {**s3.env(), "LAKE_DATA_PATH": f"s3://{bucket}/warehouse/"}.items():
        monkeypatch.setenv(key, value)
    settings = lake_settings()
    with connect(settings) as conn:
        conn.execute("CREATE SCHEMA sales")
        conn.execute("CREATE TABLE sales.orders AS SELECT range AS id FROM range(5000)")
    keys = [item["Key"] for item in s3.client().list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys
    assert all(key.startswith("warehouse/sales/orders/") and key.endswith(".parquet") for key in keys)
    with connect(settings.as_role(READER), read_only=True) as reader:
        assert reader.sql("SELECT count(*) FROM sales.orders").fetchone() == (5000,)


def append(n: int) -> None:
    with connect() as conn:
        for _ in range(5):
            in_transaction(conn, lambda c: c.execute("INSERT INTO t SELECT ? FROM range(100)", [n]))


def test_without_any_lake_setting_a_local_lake_in_the_warehouse_folder_serves_several_processes(
        tmp_path, monkeypatch):
    for name in ("LAKE_CATALOG_TYPE", "LAKE_CATALOG", "LAKE_DATA_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))

    @dg.asset
    def table(lake: LakeResource) -> None:
        with lake.get_connection() as conn:
            conn.execute("CREATE TABLE t (n INTEGER)")

    assert dg.materialize([table], resources={"lake": LakeResource(lake_schema="main")}).success
    # A worker that died fails the test (BrokenProcessPool) instead of leaving it waiting.
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(append, [1, 2]))
    with connect() as conn:
        assert conn.sql("SELECT n, count(*) FROM t GROUP BY n ORDER BY n").fetchall() == [(1, 500), (2, 500)]
    assert (tmp_path / "lake.sqlite").is_file()
